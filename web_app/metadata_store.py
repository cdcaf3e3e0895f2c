"""Re-export of :mod:`privsyn_platform.metadata_store` (jobs, artifacts, preview bundles, budget ledger)."""

from privsyn_platform.metadata_records import ArtifactRecord as ArtifactRecord
from privsyn_platform.metadata_records import JobFailure as JobFailure
from privsyn_platform.metadata_records import JobProgress as JobProgress
from privsyn_platform.metadata_records import JobRecord as JobRecord
from privsyn_platform.metadata_records import JobState as JobState
from privsyn_platform.metadata_records import LedgerEntryRecord as LedgerEntryRecord
from privsyn_platform.metadata_records import PreviewBundleRecord as PreviewBundleRecord
from privsyn_platform.metadata_store import MetadataStore as MetadataStore
from privsyn_platform.metadata_store import metadata_store_from_settings as metadata_store_from_settings

__all__ = [
    "ArtifactRecord",
    "JobFailure",
    "JobProgress",
    "JobRecord",
    "JobState",
    "LedgerEntryRecord",
    "MetadataStore",
    "PreviewBundleRecord",
    "metadata_store_from_settings",
]
