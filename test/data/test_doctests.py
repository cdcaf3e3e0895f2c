"""Run the ``>>>`` examples of the data-layer modules (``web_app`` is outside pytest's doctest paths)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["web_app.ingestion_dialect", "web_app.datetime_formats", "web_app.schema_payload",
           "web_app.schema_apply", "web_app.marginal_metrics"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0 and result.attempted > 0
