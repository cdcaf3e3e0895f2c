"""method.api contracts: metadata validators, the registry, RunConfig and schema enforcement."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import method.synthesis  # noqa: F401  (registers the methods)
from method.api import (
    ColumnSpec,
    Domain,
    InvalidMetadataError,
    InvalidParameterError,
    MethodError,
    RunConfig,
    SynthRegistry,
    TableMetadata,
    UnknownMethodError,
    registry,
)
from method.api.knobs import describe_knobs
from method.api.utils import enforce_schema, split_df_by_type


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "", "kind": "categorical", "categories": ("a",)}, "a column name must be a non-empty string"),
        ({"name": "c", "kind": "text"}, "column 'c': kind 'text' is not one of categorical, numerical, datetime"),
        ({"name": "c", "kind": "categorical", "categories": ("a",), "provenance": "guess"},
         "column 'c': provenance 'guess' is not one of public, data, dp"),
        ({"name": "c", "kind": "categorical", "categories": ("a", "a")}, "column 'c': categories contain duplicates"),
        ({"name": "c", "kind": "categorical"}, "column 'c': a categorical column needs at least one category"),
        ({"name": "c", "kind": "numerical", "lower": 0}, "column 'c': a numerical column needs lower and upper bounds"),
        ({"name": "c", "kind": "numerical", "lower": 5, "upper": 1},
         "column 'c': bounds must be finite with lower <= upper, got [5, 1]"),
        ({"name": "c", "kind": "numerical", "lower": 0, "upper": float("inf")}, "bounds must be finite"),
        ({"name": "c", "kind": "numerical", "lower": 0, "upper": 1, "binning": "magic"},
         "column 'c': binning 'magic' is not one of uniform, exponential, privtree, dawa"),
        ({"name": "c", "kind": "numerical", "lower": 0, "upper": 1, "bins": 0},
         "bins must be an integer in [1, 100000]"),
    ],
)
def test_column_spec_validators_fire(kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidMetadataError, match=message.replace("[", r"\[").replace("]", r"\]")):
        ColumnSpec(**kwargs)


def test_table_metadata_rejects_empty_and_duplicate_columns() -> None:
    with pytest.raises(InvalidMetadataError, match="at least one column"):
        TableMetadata(())
    spec = ColumnSpec("a", "categorical", categories=("x",))
    with pytest.raises(InvalidMetadataError, match="duplicate column names: 'a'"):
        TableMetadata((spec, spec))
    with pytest.raises(InvalidMetadataError, match="no column 'b'; columns are a"):
        TableMetadata((spec,))["b"]


def test_domain_validates_and_projects() -> None:
    with pytest.raises(InvalidMetadataError, match="sizes must be >= 1"):
        Domain(("a",), (0,))
    with pytest.raises(InvalidMetadataError, match="one size per attribute"):
        Domain(("a", "b"), (2,))
    domain = Domain(("a", "b", "c"), (2, 3, 4))
    assert domain.size(["a", "c"]) == 8 and domain.project(["c", "a"]).sizes == (4, 2)
    with pytest.raises(InvalidMetadataError, match="no attribute 'z'; attributes are a, b, c"):
        domain.index("z")


def test_registry_lists_methods_and_names_the_valid_ones() -> None:
    assert "privsyn" in registry.list()
    with pytest.raises(UnknownMethodError) as error:
        registry.get("gan")
    assert str(error.value).startswith("unknown method 'gan'; valid methods are: ")
    assert "privsyn" in str(error.value)


def test_registry_create_rejects_unknown_and_bad_knobs() -> None:
    with pytest.raises(InvalidParameterError, match="unknown parameter\\(s\\) temperature for method 'privsyn'"):
        registry.create("privsyn", temperature=3)
    with pytest.raises(InvalidParameterError, match=r"update_iterations must be in \[0, 10000\], got -1"):
        registry.create("privsyn", update_iterations=-1)
    with pytest.raises(InvalidParameterError, match="refill_schedule must be one of S1, S2, S3, S4, S5, S6, got 'S9'"):
        registry.create("privsyn", refill_schedule="S9")
    with pytest.raises(InvalidParameterError, match="update_iterations must be a whole number, got 2.5"):
        registry.create("privsyn", update_iterations=2.5)
    with pytest.raises(InvalidParameterError, match="append_attributes must be true or false, got 'yes'"):
        registry.create("privsyn", append_attributes="yes")
    with pytest.raises(InvalidParameterError, match=r"alpha must be in \(0, 1\], got 0"):
        registry.create("privsyn", alpha=0)


def test_every_knob_is_described_with_its_default_and_bounds() -> None:
    for name in registry.list():
        cls = registry.get(name)
        described = describe_knobs(cls)
        assert {d["name"] for d in described} == {f.name for f in dataclasses.fields(cls)}
        for entry in described:
            assert entry["help"] and "default" in entry
        cls()  # every default passes its own validation


def test_registry_refuses_nameless_and_conflicting_classes() -> None:
    fresh = SynthRegistry()

    class Nameless:
        pass

    with pytest.raises(MethodError, match="needs a non-empty ClassVar 'name'"):
        fresh.register(Nameless)  # type: ignore[arg-type]
    cls = registry.get("privsyn")
    fresh.register(cls)
    clone = type("Clone", (), {"name": "privsyn"})
    with pytest.raises(MethodError, match="already registered"):
        fresh.register(clone)  # type: ignore[arg-type]


def test_synthesizers_are_frozen_keyword_only_dataclasses() -> None:
    for name in registry.list():
        cls = registry.get(name)
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
        with pytest.raises(TypeError):
            cls(1)  # type: ignore[call-arg]  # knobs are keyword-only


def test_run_config_seeds_and_validates() -> None:
    sampling_seed = np.random.SeedSequence(4).spawn(2)[1]
    assert RunConfig(seed=4).sampling_rng.random() == np.random.default_rng(sampling_seed).random()
    with pytest.raises(InvalidParameterError, match="threads must be an integer >= 1"):
        RunConfig(threads=0)
    with pytest.raises(InvalidParameterError, match="time_budget_s must be > 0"):
        RunConfig(time_budget_s=0)
    events = []
    RunConfig(on_progress=events.append).report("x", 1.7, "done")
    assert events[0].fraction == 1.0 and events[0].stage == "x"


def test_enforce_schema_restores_order_dtypes_and_missing() -> None:
    metadata = TableMetadata((
        ColumnSpec("n", "numerical", dtype="int64", lower=0, upper=9, integer=True),
        ColumnSpec("c", "categorical", dtype="str", categories=("a", "b")),
        ColumnSpec("m", "numerical", dtype="int64", lower=0, upper=9, integer=True),
    ))
    out = enforce_schema(pd.DataFrame({"c": ["a", None], "m": [1.0, np.nan], "n": [2.0, 3.0]}), metadata)
    assert list(out.columns) == ["n", "c", "m"]
    assert str(out["n"].dtype) == "int64" and str(out["m"].dtype) == "Int64"
    assert out["c"].isna().tolist() == [False, True] and out["m"].isna().tolist() == [False, True]
    categorical, numeric = split_df_by_type(out, metadata)
    assert list(categorical.columns) == ["c"] and list(numeric.columns) == ["n", "m"]
    with pytest.raises(InvalidMetadataError, match="the table has no column\\(s\\) 'n'"):
        enforce_schema(out.drop(columns="n"), metadata)
