"""web_app.methods_dispatcher: the method list, parameter schemas, legacy fields and construction."""

from __future__ import annotations

import pytest

from method.api import InvalidParameterError, UnknownMethodError
from web_app.methods_dispatcher import create_synthesizer, legacy_knobs, list_methods


def test_every_registered_method_is_listed_with_a_summary_and_parameters() -> None:
    methods = {m.name: m for m in list_methods()}
    assert "privsyn" in methods
    for info in methods.values():
        assert info.summary
        assert all({"name", "type", "default", "help"} <= set(p) for p in info.parameters)
    update = next(p for p in methods["privsyn"].parameters if p["name"] == "update_iterations")
    assert update == {"name": "update_iterations", "type": "int", "default": 50, "help": "GUM rounds",
                      "minimum": 0, "maximum": 10_000}


def test_create_synthesizer_validates_names_and_knobs() -> None:
    assert create_synthesizer("privsyn", {"update_iterations": 7}).update_iterations == 7  # type: ignore[attr-defined]
    with pytest.raises(UnknownMethodError, match="unknown method 'gan'; valid methods are: .*privsyn"):
        create_synthesizer("gan", {})
    with pytest.raises(InvalidParameterError, match="update_iterations must be in"):
        create_synthesizer("privsyn", {"update_iterations": -3})


def test_legacy_form_fields_become_knobs_of_the_right_method() -> None:
    fields = {"append": "false", "sep_syn": "True", "consist_iterations": "80", "update_iterations": "",
              "num_preprocess": "uniform_kbins", "initialize_method": "singleton"}
    assert legacy_knobs("privsyn", fields) == {
        "append_attributes": False, "separate_and_join": True, "consist_iterations": 80,
    }
    assert legacy_knobs("mst", fields) == {}
    with pytest.raises(InvalidParameterError, match="append_attributes must be true or false, got 'maybe'"):
        create_synthesizer("privsyn", legacy_knobs("privsyn", {"append": "maybe"}))
