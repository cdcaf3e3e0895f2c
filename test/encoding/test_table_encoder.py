"""The TableEncoder contract: domain, validation errors, provenance, determinism, and the pipeline."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from method.api import (
    BudgetLedger,
    ColumnSpec,
    Domain,
    InvalidMetadataError,
    InvalidParameterError,
    PrivacySpec,
    RunConfig,
    TableMetadata,
)
from method.api.noise import NoiseSource
from method.preprocess_common.encoding import ColumnProvenance, TableEncoder
from method.synthesis.discrete import fit_encoded


def tiny() -> tuple[pd.DataFrame, TableMetadata]:
    table = pd.DataFrame({
        "âge 年齢": pd.Series([23, 35, None, 61], dtype="Int64"),
        "ville": pd.Series(["Zürich", "東京", None, "Zürich"], dtype="str"),
        "score": [0.5, 0.25, 0.75, 1.0],
        "flag": [True, False, True, True],
    })
    metadata = TableMetadata((
        ColumnSpec("ville", "categorical", dtype="str", categories=("Zürich", "東京")),
        ColumnSpec("âge 年齢", "numerical", dtype="Int64", lower=18, upper=90, integer=True, bins=8,
                   provenance="data"),
        ColumnSpec("score", "numerical", dtype="float64", lower=0.0, upper=1.0, bins=4, nullable=False,
                   binning="privtree"),
        ColumnSpec("flag", "categorical", dtype="bool", categories=(False, True), nullable=False),
    ))
    return table, metadata


def fit(table: pd.DataFrame, metadata: TableMetadata, seed: int = 0) -> TableEncoder:
    noise = NoiseSource.from_seed(seed)
    return TableEncoder.fit(table, metadata, BudgetLedger(1.0), noise, binning_rho=0.1)


def test_domain_follows_the_metadata_order_and_the_codec_sizes() -> None:
    encoder = fit(*tiny())
    assert isinstance(encoder.domain, Domain)
    assert encoder.domain.names == ("ville", "âge 年齢", "score", "flag")
    assert encoder.domain.sizes == tuple(codec.size for codec in encoder.codecs)
    assert encoder.domain["ville"] == 3 and encoder.domain["âge 年齢"] == 9 and encoder.domain["flag"] == 2


def test_round_trip_with_unicode_names_and_values() -> None:
    table, metadata = tiny()
    encoder = fit(table, metadata)
    codes = encoder.transform(table)
    assert codes.dtype == np.int64 and codes.shape == (4, 4)
    decoded = encoder.inverse_transform(codes, np.random.default_rng(0))
    assert list(decoded.columns) == list(metadata.names)
    assert decoded["ville"].tolist()[:2] == ["Zürich", "東京"] and pd.isna(decoded["ville"].iloc[2])
    assert decoded["flag"].tolist() == [True, False, True, True]
    assert decoded["âge 年齢"].isna().tolist() == [False, False, True, False]


def test_same_seed_same_encoder_and_decoding() -> None:
    table, metadata = tiny()
    first, second = fit(table, metadata, seed=3), fit(table, metadata, seed=3)
    assert first.domain == second.domain
    codes = first.transform(table)
    pd.testing.assert_frame_equal(first.inverse_transform(codes, np.random.default_rng(5)),
                                  second.inverse_transform(codes, np.random.default_rng(5)))


def test_a_missing_column_is_named() -> None:
    table, metadata = tiny()
    with pytest.raises(InvalidMetadataError, match="'ville'"):
        fit(table.drop(columns="ville"), metadata)
    encoder = fit(table, metadata)
    with pytest.raises(InvalidMetadataError, match="'score'"):
        encoder.transform(table.drop(columns="score"))


def test_empty_table_transforms_to_no_rows() -> None:
    table, metadata = tiny()
    encoder = fit(table, metadata)
    assert encoder.transform(table.iloc[:0]).shape == (0, 4)
    assert encoder.inverse_transform(np.zeros((0, 4), np.int64), np.random.default_rng(0)).shape == (0, 4)


@pytest.mark.parametrize(("codes", "message"), [
    (np.zeros((3, 2), np.int64), r"n x 4 array"),
    (np.zeros(4, np.int64), r"n x 4 array"),
    (np.full((2, 4), 0.5), "integers"),
    (np.array([[0, 0, 0, 2]]), r"column 'flag': code 2 is outside 0..1"),
    (np.array([[-1, 0, 0, 0]]), r"column 'ville': code -1 is outside 0..2"),
])
def test_inverse_transform_rejects_codes_outside_the_domain(codes: np.ndarray, message: str) -> None:
    encoder = fit(*tiny())
    with pytest.raises(InvalidParameterError, match=message):
        encoder.inverse_transform(codes, np.random.default_rng(0))


def test_provenance_per_column() -> None:
    table, metadata = tiny()
    provenance = fit(table, metadata).provenance()
    assert list(provenance) == list(metadata.names)
    assert provenance["ville"] == ColumnProvenance("categorical", "public", None, 0, 0.0)
    assert provenance["âge 年齢"] == ColumnProvenance("numerical", "data", "uniform", 9, 0.0)
    assert provenance["score"].provenance == "dp" and provenance["score"].rho == pytest.approx(0.1)
    assert provenance["score"].binning == "privtree" and 2 <= provenance["score"].edges <= 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        provenance["ville"].rho = 1.0  # type: ignore[misc]


def test_dp_edges_over_data_derived_bounds_are_reported_as_data() -> None:
    table, metadata = tiny()
    columns = tuple(dataclasses.replace(c, provenance="data") if c.name == "score" else c
                    for c in metadata.columns)
    assert fit(table, TableMetadata(columns)).provenance()["score"].provenance == "data"


class UniformMechanism:
    """A stand-in mechanism: codes drawn uniformly over the domain (no budget used)."""

    def fit_discrete(self, data, domain, ledger, config):
        return UniformModel(domain, len(data))


@dataclasses.dataclass
class UniformModel:
    domain: Domain
    default_rows: int

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return np.column_stack([rng.integers(0, size, n) for size in self.domain.sizes])


def test_the_pipeline_decodes_to_the_input_schema(adult, adult_metadata) -> None:
    table = adult.sample(2000, random_state=0).reset_index(drop=True)
    fitted = fit_encoded(UniformMechanism(), table, adult_metadata, PrivacySpec(1.0, 1e-6), RunConfig(seed=0))
    synthetic = fitted.sample(500)
    assert list(synthetic.columns) == list(adult.columns)
    assert synthetic.dtypes.astype(str).tolist() == adult.dtypes.astype(str).tolist()
    for spec in adult_metadata.columns:
        if spec.kind == "categorical":
            assert set(synthetic[spec.name].dropna()) <= set(spec.categories)
        else:
            assert synthetic[spec.name].between(spec.lower, spec.upper).all()
