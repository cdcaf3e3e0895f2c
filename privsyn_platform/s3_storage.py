"""Object storage in an S3-compatible bucket (``PRIVSYN_STORAGE_BACKEND=s3``; AWS, MinIO, moto, ...).

Owns :class:`S3ObjectStorage`. boto3 is imported only when a client is built (:meth:`from_settings`),
so importing the platform costs nothing when storage is local. Keys are validated exactly as for the
local backend and live under the configured prefix (``PRIVSYN_S3__PREFIX``). An S3 PUT is atomic;
streams are spooled to a temporary file first so the size and SHA-256 are known before the upload
(recorded as the object's ``sha256`` metadata too). Downloads for workers land in a temporary file
next to the destination and are renamed into place.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, ClassVar, cast

from privsyn_platform.errors import ConfigurationError, NotFoundError
from privsyn_platform.object_storage_base import StoredObject, copy_hashing, validate_key, validate_prefix
from privsyn_platform.settings import Settings

SPOOL_MAX_MEMORY = 8 * 1024 * 1024
_MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


class S3ObjectStorage:
    """Keys are objects ``<prefix><key>`` in one bucket; see the module docstring."""

    name: ClassVar[str] = "s3"

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:  # client: a boto3 S3 client
        self._client = client
        self.bucket = bucket
        self.prefix = normalize_prefix(prefix)

    @classmethod
    def from_settings(cls, settings: Settings) -> S3ObjectStorage:
        """Build a boto3 client from ``settings.s3`` (endpoint URL, region, optional static keys).

        Raises:
            ConfigurationError: ``PRIVSYN_S3__BUCKET`` is not set.
        """
        import boto3  # lazy: heavy, and only S3 deployments need it
        from botocore.config import Config

        s3 = settings.s3
        if not s3.bucket:
            raise ConfigurationError("PRIVSYN_S3__BUCKET is required for S3 object storage")
        config = Config(
            retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=60,
            s3={"addressing_style": "path" if s3.endpoint_url else "auto"},
        )
        client = boto3.client(
            "s3", endpoint_url=s3.endpoint_url, region_name=s3.region, config=config,
            aws_access_key_id=s3.access_key_id,
            aws_secret_access_key=s3.secret_access_key.get_secret_value() if s3.secret_access_key else None,
        )
        return cls(client, s3.bucket, s3.prefix)

    def put_bytes(self, key: str, data: bytes) -> StoredObject:
        return self.put_stream(key, io.BytesIO(data))

    def put_stream(self, key: str, stream: BinaryIO) -> StoredObject:
        name = self._name(key)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_MEMORY) as spool:
            size, sha256 = copy_hashing(stream, cast(BinaryIO, spool))
            spool.seek(0)
            self._client.upload_fileobj(spool, self.bucket, name, ExtraArgs={"Metadata": {"sha256": sha256}})
        return StoredObject(key=key, size=size, sha256=sha256)

    def put_file(self, key: str, path: Path) -> StoredObject:
        with Path(path).open("rb") as source:
            return self.put_stream(key, source)

    def open_stream(self, key: str) -> BinaryIO:
        name = self._name(key)
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=name)
        except Exception as e:
            if _is_missing(e):
                raise NotFoundError(f"no object stored under key {key!r}") from e
            raise
        return cast(BinaryIO, response["Body"])

    def get_bytes(self, key: str) -> bytes:
        stream = self.open_stream(key)
        try:
            return stream.read()
        finally:
            stream.close()

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except NotFoundError:
            return False
        return True

    def size(self, key: str) -> int:
        name = self._name(key)
        try:
            head = self._client.head_object(Bucket=self.bucket, Key=name)
        except Exception as e:
            if _is_missing(e):
                raise NotFoundError(f"no object stored under key {key!r}") from e
            raise
        return int(head["ContentLength"])

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def list_keys(self, prefix: str = "") -> list[str]:
        validate_prefix(prefix)
        paginator = self._client.get_paginator("list_objects_v2")
        keys = []
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            keys += [item["Key"][len(self.prefix):] for item in page.get("Contents", [])]
        return sorted(keys)

    def materialize(self, key: str, destination: Path) -> Path:
        name = self._name(key)
        destination = Path(destination)
        destination.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.")
        os.close(fd)
        try:
            self._client.download_file(self.bucket, name, tmp_name)
            os.replace(tmp_name, destination)
        except Exception as e:
            Path(tmp_name).unlink(missing_ok=True)
            if _is_missing(e):
                raise NotFoundError(f"no object stored under key {key!r}") from e
            raise
        return destination

    def check(self) -> None:
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except Exception as e:
            raise ConfigurationError(
                f"S3 bucket {self.bucket!r} is not reachable (PRIVSYN_S3__BUCKET, PRIVSYN_S3__ENDPOINT_URL): "
                f"{e}") from e

    def _name(self, key: str) -> str:
        return self.prefix + validate_key(key)



def _is_missing(error: Exception) -> bool:
    """Whether a botocore ClientError means "no such object" (checked by shape: botocore loads lazily)."""
    response = getattr(error, "response", None)
    code = str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""
    return code in _MISSING_CODES


def normalize_prefix(prefix: str) -> str:
    """Turn ``PRIVSYN_S3__PREFIX`` into ``""`` or ``"a/b/"``.

    Args:
        prefix: The configured prefix, with or without slashes around it.

    Returns:
        The prefix with surrounding slashes removed and one trailing slash added (empty stays empty).

    Raises:
        InvalidKeyError: The prefix contains unsafe segments.

    >>> normalize_prefix("/privsyn/prod/"), normalize_prefix("")
    ('privsyn/prod/', '')
    """
    stem = prefix.strip("/")
    return validate_prefix(stem + "/") if stem else ""
