"""The :class:`TableEncoder`: a table ↔ an ``n × d`` array of integer codes, one codec per column.

It is the single source of the integer domain the mechanisms work on (:attr:`TableEncoder.domain`), and
the only preprocessing step that may spend budget: a column with a DP binning (PrivTree, DAWA) gets an
equal share of ``binning_rho``, charged to the job's ledger under :data:`BINNING_STAGE` *before* any
noise is drawn. Everything else it reads from the metadata, never from the data. Decoding is free
post-processing. :meth:`TableEncoder.provenance` says, per column, where its domain came from.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from method.api.errors import InvalidParameterError
from method.api.metadata import MAX_BINS, ColumnKind, ColumnSpec, Domain, Provenance, TableMetadata
from method.api.noise import NoiseSource
from method.api.privacy import DISCRETE_LAPLACE, BudgetLedger
from method.api.utils import check_columns
from method.preprocess_common.codecs import ColumnCodec, make_codec
from method.preprocess_common.numeric import DatetimeCodec, NumericCodec

BINNING_STAGE = "preprocess:binning"


@dataclass(frozen=True, slots=True)
class ColumnProvenance:
    """Where one column's encoded domain came from, for the privacy report.

    Attributes:
        kind: the column's kind.
        provenance: the least private source of its bounds, categories and edges: ``data`` if the
            metadata was read off the data without DP, else ``dp`` if the bin edges (or bounds) were
            derived with DP, else ``public``.
        binning: the numeric binning, ``explicit`` for edges the caller gave (``None`` for categorical
            columns).
        edges: number of bin edges (bins + 1; 0 for categorical columns).
        rho: ρ charged for this column's DP binning (0 if none).
    """

    kind: ColumnKind
    provenance: Provenance
    binning: str | None
    edges: int
    rho: float


def split_binning_rho(metadata: TableMetadata, binning_rho: float) -> dict[str, float]:
    """ρ of each DP-binned column: ``binning_rho`` split equally over the columns that use one.

    >>> from method.api.metadata import ColumnSpec, TableMetadata
    >>> meta = TableMetadata((ColumnSpec("a", "numerical", lower=0, upper=1, binning="privtree"),
    ...                       ColumnSpec("b", "numerical", lower=0, upper=1),
    ...                       ColumnSpec("c", "numerical", lower=0, upper=1, binning="dawa")))
    >>> split_binning_rho(meta, 0.5)
    {'a': 0.25, 'c': 0.25}
    """
    if not (isinstance(binning_rho, int | float) and math.isfinite(binning_rho) and binning_rho >= 0):
        raise InvalidParameterError(f"binning_rho must be a finite number >= 0, got {binning_rho!r}")
    dp_columns = [spec.name for spec in metadata.columns if spec.is_dp_binned]
    if dp_columns and binning_rho == 0:
        raise InvalidParameterError(
            f"column(s) {', '.join(map(repr, dp_columns))} ask for a DP binning but binning_rho is 0; "
            "give the binning a budget or choose the public binning 'uniform' or 'exponential'"
        )
    return {name: binning_rho / len(dp_columns) for name in dp_columns}


def _edge_count(codec: ColumnCodec) -> int:
    return len(codec.edges) if isinstance(codec, NumericCodec | DatetimeCodec) else 0


def _column_provenance(spec: ColumnSpec, codec: ColumnCodec, rho: float) -> ColumnProvenance:
    return ColumnProvenance(spec.kind, spec.domain_provenance, spec.effective_binning, _edge_count(codec), rho)


def _public_twin(spec: ColumnSpec) -> ColumnCodec:
    """The codec ``spec`` would have with a public uniform binning: validates values, draws no noise."""
    twin = dataclasses.replace(spec, binning="uniform", bins=min(spec.bins, MAX_BINS))
    return make_codec(twin, None, epsilon=None, rng=None)


@dataclass(frozen=True, slots=True)
class TableEncoder:
    """One fitted codec per metadata column, in metadata order; build it with :meth:`fit`."""

    metadata: TableMetadata
    codecs: tuple[ColumnCodec, ...]
    provenances: tuple[ColumnProvenance, ...]
    domain: Domain

    @classmethod
    def fit(
        cls,
        table: pd.DataFrame,
        metadata: TableMetadata,
        ledger: BudgetLedger,
        noise: NoiseSource,
        *,
        binning_rho: float,
    ) -> TableEncoder:
        """Build every column's codec; DP binnings read ``table`` and charge ``ledger``.

        Args:
            table: the private table (read only by DP binnings).
            metadata: one spec per column to encode.
            ledger: the job's ledger; each DP binning charges ρ = ε²/2 (pure ε-DP) to it.
            noise: the run's noise source (a fresh generator per DP binning); never the sampling
            stream. binning_rho: ρ shared equally by the DP-binned columns (unspent when there are
            none).

        Raises:
            InvalidMetadataError: the table lacks a column, or a column's values contradict its spec.
            InvalidParameterError: a bad ``binning_rho``, or 0 while a column asks for a DP binning.
            BudgetExceededError: the ledger cannot pay for the binnings; raised before any noise is drawn
                and with the ledger unchanged.
        """
        check_columns(table, metadata)
        shares = split_binning_rho(metadata, binning_rho)
        ledger.check(math.fsum(shares.values()), BINNING_STAGE)
        for spec in metadata.columns:
            if spec.name in shares:  # a table the DP binning would reject must not cost budget first
                _public_twin(spec).encode(table[spec.name])
        codecs, provenances = [], []
        for spec in metadata.columns:
            rho = shares.get(spec.name, 0.0)
            epsilon = math.sqrt(2.0 * rho) if rho > 0 else None
            if epsilon is not None:
                ledger.charge(
                    BINNING_STAGE, rho, mechanism=DISCRETE_LAPLACE, epsilon=epsilon,
                    measured=f"{spec.binning} bin edges of {spec.name!r}",
                )
            # one fresh noise generator per DP binning; public codecs draw nothing
            rng = noise.generator() if epsilon is not None else None
            codec = make_codec(spec, table[spec.name], epsilon=epsilon, rng=rng)
            codecs.append(codec)
            provenances.append(_column_provenance(spec, codec, rho))
        domain = Domain(metadata.names, tuple(codec.size for codec in codecs))
        return cls(metadata, tuple(codecs), tuple(provenances), domain)

    def transform(self, table: pd.DataFrame) -> np.ndarray:
        """The ``n × d`` int64 codes of ``table``; column ``j`` lies in ``0..domain.sizes[j]-1``.

        Raises:
            InvalidMetadataError: a column is missing, or holds a value its codec cannot code.
        """
        check_columns(table, self.metadata)
        codes = np.empty((len(table), len(self.codecs)), dtype=np.int64)
        for j, (name, codec) in enumerate(zip(self.metadata.names, self.codecs, strict=True)):
            codes[:, j] = codec.encode(table[name])
        return codes

    def inverse_transform(self, codes: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
        """Decode codes to a table with the metadata's columns, in order; numeric values are sampled.

        Raises:
            InvalidParameterError: ``codes`` is not an ``n × d`` integer array inside the domain.
        """
        codes = self._checked(codes)
        columns = {
            name: codec.decode(codes[:, j], rng).reset_index(drop=True)
            for j, (name, codec) in enumerate(zip(self.metadata.names, self.codecs, strict=True))
        }
        return pd.DataFrame(columns, columns=list(self.metadata.names))

    def _checked(self, codes: np.ndarray) -> np.ndarray:
        codes = np.asarray(codes)
        if codes.ndim != 2 or codes.shape[1] != len(self.domain):
            raise InvalidParameterError(
                f"codes must be an n x {len(self.domain)} array (one column per attribute), "
                f"got shape {codes.shape}"
            )
        if codes.size and not np.issubdtype(codes.dtype, np.integer):
            raise InvalidParameterError(f"codes must be integers, got dtype {codes.dtype}")
        codes = codes.astype(np.int64, copy=False)
        for j, (name, size) in enumerate(zip(self.domain.names, self.domain.sizes, strict=True)):
            bad = (codes[:, j] < 0) | (codes[:, j] >= size)
            if bad.any():
                raise InvalidParameterError(
                    f"column {name!r}: code {int(codes[bad, j][0])} is outside 0..{size - 1}"
                )
        return codes

    def provenance(self) -> dict[str, ColumnProvenance]:
        """Per column, where its domain came from and what its DP binning spent."""
        return dict(zip(self.metadata.names, self.provenances, strict=True))
