"""Run the ``>>>`` examples of the platform (pytest's --doctest-modules covers only test/ and method/)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["settings", "auth", "object_storage_base", "s3_storage", "metadata_records"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(f"privsyn_platform.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
