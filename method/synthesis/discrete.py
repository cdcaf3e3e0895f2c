"""The pipeline every synthesizer shares: encode → fit a mechanism on integer codes → sample → decode.

A mechanism (PrivSyn, AIM, MST) only ever sees an ``n × d`` array of integer codes and its
:class:`~method.api.Domain`; it implements :class:`DiscreteMechanism`. :func:`fit_encoded` wraps it into
a :class:`~method.api.FittedSynthesizer` over the caller's DataFrame:

1. a :class:`~method.api.BudgetLedger` of the job's ρ is opened, holding the run's earlier charges (DP
   domain discovery, made before the metadata existed) if any;
2. the :class:`~method.preprocess_common.TableEncoder` is fitted (DP binnings such as PrivTree charge
   ``binning_budget_fraction`` of ρ to the ledger, only when the metadata asks for them);
3. the mechanism fits on the codes with what is left of the ledger;
4. ``sample`` draws codes from the model (free) and decodes them back to the input's schema, with
   ``RunConfig.sampling_rng`` (or the caller's generator) — never with the noise source of step 2–3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, cast

import numpy as np
import pandas as pd

from method.api.base import PrivacySpec, RunConfig
from method.api.errors import InvalidParameterError
from method.api.knobs import validate_knobs
from method.api.metadata import Domain, TableMetadata
from method.api.privacy import BudgetLedger, LedgerEntry
from method.api.utils import enforce_schema
from method.preprocess_common.encoding import TableEncoder

# Share of ρ given to DP binnings (PrivTree/DAWA), split over the columns that use one. Spent only then.
BINNING_BUDGET_FRACTION = 0.05


class DiscreteModel(Protocol):
    """What a mechanism learned: DP outputs only, so sampling is free post-processing."""

    @property
    def default_rows(self) -> int: ...

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n × d`` integer codes in the mechanism's input domain."""
        ...


class DiscreteMechanism(Protocol):
    def fit_discrete(
        self, data: np.ndarray, domain: Domain, ledger: BudgetLedger, config: RunConfig
    ) -> DiscreteModel: ...


@dataclass(slots=True)
class EncodedFit:
    """A :class:`~method.api.FittedSynthesizer` made of an encoder and a discrete model."""

    encoder: TableEncoder
    model: DiscreteModel
    ledger: BudgetLedger
    metadata: TableMetadata
    rng: np.random.Generator  # the sampling stream; mechanism noise never comes from it

    @property
    def default_rows(self) -> int:
        return self.model.default_rows

    def sample(self, n: int | None = None, *, rng: np.random.Generator | None = None) -> pd.DataFrame:
        rows = self.default_rows if n is None else n
        if not (isinstance(rows, int | np.integer) and rows >= 1):
            raise InvalidParameterError(f"the number of rows to sample must be an integer >= 1, got {rows!r}")
        generator = self.rng if rng is None else rng
        codes = self.model.sample(int(rows), generator)
        return enforce_schema(self.encoder.inverse_transform(codes, generator), self.metadata)


def fit_encoded(
    mechanism: DiscreteMechanism,
    table: pd.DataFrame,
    metadata: TableMetadata,
    privacy: PrivacySpec,
    config: RunConfig,
    spent: Sequence[LedgerEntry] = (),
) -> EncodedFit:
    """Run the shared pipeline (module docstring) with ``mechanism`` on ``table``."""
    ledger = BudgetLedger(privacy.rho)
    for entry in spent:
        ledger.record(entry)
    config.report("encode", 0.0, "encoding the table")
    encoder = TableEncoder.fit(
        table, metadata, ledger, config.noise, binning_rho=BINNING_BUDGET_FRACTION * privacy.rho
    )
    codes = encoder.transform(table)
    model = mechanism.fit_discrete(codes, encoder.domain, ledger, config)
    return EncodedFit(encoder, model, ledger, metadata, config.sampling_rng)


class EncodedSynthesizer:
    """Base of the synthesizers built on this pipeline: knobs validated from their declarations, and
    ``fit`` = :func:`fit_encoded` with the subclass's ``fit_discrete``. Subclasses are frozen dataclasses."""

    __slots__ = ()

    def __post_init__(self) -> None:
        validate_knobs(self)

    def fit(self, table: pd.DataFrame, metadata: TableMetadata, privacy: PrivacySpec, config: RunConfig, *,
            spent: Sequence[LedgerEntry] = ()) -> EncodedFit:
        return fit_encoded(cast(DiscreteMechanism, self), table, metadata, privacy, config, spent)
