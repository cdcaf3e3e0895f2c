"""Object storage: the public face (registry, factory and re-exports).

Owns :data:`STORAGE_BACKENDS` (name → factory, filled by explicit imports) and
:func:`storage_from_settings`. The contract (:class:`ObjectStorage`, :class:`StoredObject`, key rules)
lives in ``object_storage_base``; the backends in ``local_storage`` (a directory) and ``s3_storage``
(an S3-compatible bucket; boto3 loads only when that backend is built). Callers import from here.
"""

from __future__ import annotations

from collections.abc import Callable

from privsyn_platform.errors import ConfigurationError
from privsyn_platform.local_storage import LocalObjectStorage
from privsyn_platform.object_storage_base import ObjectStorage, StoredObject, validate_key, validate_prefix
from privsyn_platform.s3_storage import S3ObjectStorage
from privsyn_platform.settings import Settings

__all__ = [
    "STORAGE_BACKENDS",
    "LocalObjectStorage",
    "ObjectStorage",
    "S3ObjectStorage",
    "StoredObject",
    "storage_from_settings",
    "validate_key",
    "validate_prefix",
]

StorageFactory = Callable[[Settings], ObjectStorage]

#: ``PRIVSYN_STORAGE_BACKEND`` value → factory.
STORAGE_BACKENDS: dict[str, StorageFactory] = {
    LocalObjectStorage.name: LocalObjectStorage.from_settings,
    S3ObjectStorage.name: S3ObjectStorage.from_settings,
}


def storage_from_settings(settings: Settings) -> ObjectStorage:
    """Build the object storage the settings select.

    Args:
        settings: Supplies ``storage_backend`` and that backend's options.

    Returns:
        A ready-to-use storage (local root created; S3 client built, not yet contacted).

    Raises:
        ConfigurationError: The backend name is unknown (the message lists the valid ones) or its
            options are incomplete.
    """
    try:
        factory = STORAGE_BACKENDS[settings.storage_backend]
    except KeyError:
        raise ConfigurationError(
            f"unknown object storage backend {settings.storage_backend!r} (PRIVSYN_STORAGE_BACKEND); "
            f"valid: {', '.join(sorted(STORAGE_BACKENDS))}") from None
    return factory(settings)
