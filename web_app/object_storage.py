"""Re-export of :mod:`privsyn_platform.object_storage` (local directory or S3-compatible bucket)."""

from privsyn_platform.object_storage import LocalObjectStorage as LocalObjectStorage
from privsyn_platform.object_storage import ObjectStorage as ObjectStorage
from privsyn_platform.object_storage import S3ObjectStorage as S3ObjectStorage
from privsyn_platform.object_storage import StoredObject as StoredObject
from privsyn_platform.object_storage import storage_from_settings as storage_from_settings

__all__ = ["LocalObjectStorage", "ObjectStorage", "S3ObjectStorage", "StoredObject", "storage_from_settings"]
