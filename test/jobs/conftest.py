"""Fixtures for the job layer: settings on a temporary state root, the real store and storage, a table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from method.api import TableMetadata
from privsyn_platform.metadata_store import MetadataStore, metadata_store_from_settings
from privsyn_platform.object_storage import ObjectStorage, storage_from_settings
from privsyn_platform.settings import Settings, load_settings
from web_app.data_inference import infer_metadata
from web_app.ingestion.reader import ingest_path

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(state_root=tmp_path / "state")


@pytest.fixture
def store(settings: Settings) -> Iterator[MetadataStore]:
    store = metadata_store_from_settings(settings)
    yield store
    store.dispose()


@pytest.fixture
def storage(settings: Settings) -> ObjectStorage:
    return storage_from_settings(settings)


@pytest.fixture(scope="session")
def small_adult() -> tuple[pd.DataFrame, TableMetadata]:
    """2,000 rows of the raw Adult sample with the metadata the service infers from them."""
    table = ingest_path(DATA / "adult.csv.zip").frame.sample(2000, random_state=0).reset_index(drop=True)
    return table, infer_metadata(table).to_table_metadata()
