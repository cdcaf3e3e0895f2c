"""Contract tests of object storage, on a local directory and on a real S3 server (moto, ``s3`` marker)."""

from __future__ import annotations

import hashlib
import io
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from privsyn_platform.errors import ConfigurationError, InvalidKeyError, NotFoundError
from privsyn_platform.local_storage import LocalObjectStorage
from privsyn_platform.object_storage import (
    STORAGE_BACKENDS,
    ObjectStorage,
    S3ObjectStorage,
    storage_from_settings,
    validate_key,
    validate_prefix,
)
from privsyn_platform.settings import Settings

ATTACKS = ["../x", "/etc/passwd", "a/../../b", "a\\b", "a\x00b", "a\nb", "", ".", "..", "a//b", "a/",
           "a/./b", "C:/windows", "~/x", ".hidden", "a/.tmp/b", "a b", "x" * 600, "jobs/\u2028x", "%2e%2e/x"]


def test_round_trip_of_bytes_stream_and_file(storage: ObjectStorage, tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)  # several copy chunks
    stored = storage.put_bytes("jobs/j1/synthetic.csv", data)
    assert (stored.key, stored.size, stored.sha256) == (
        "jobs/j1/synthetic.csv", len(data), hashlib.sha256(data).hexdigest())
    assert storage.get_bytes("jobs/j1/synthetic.csv") == data
    with storage.open_stream("jobs/j1/synthetic.csv") as stream:
        assert stream.read(5) == data[:5]
    assert storage.put_stream("jobs/j1/report.json", io.BytesIO(b'{"a": 1}')).size == 8
    source = tmp_path / "upload.parquet"
    source.write_bytes(b"PAR1" * 100)
    stored_file = storage.put_file("previews/p1/input.parquet", source)
    assert stored_file.sha256 == hashlib.sha256(b"PAR1" * 100).hexdigest()
    assert storage.size("previews/p1/input.parquet") == 400


def test_exists_delete_and_overwrite(storage: ObjectStorage) -> None:
    assert not storage.exists("jobs/j2/a.txt")
    storage.put_bytes("jobs/j2/a.txt", b"old")
    storage.put_bytes("jobs/j2/a.txt", b"new content")
    assert storage.exists("jobs/j2/a.txt") and storage.get_bytes("jobs/j2/a.txt") == b"new content"
    storage.delete("jobs/j2/a.txt")
    storage.delete("jobs/j2/a.txt")  # idempotent
    assert not storage.exists("jobs/j2/a.txt")


def test_missing_objects_are_not_found(storage: ObjectStorage, tmp_path: Path) -> None:
    calls: dict[str, Callable[[], object]] = {
        "get_bytes": lambda: storage.get_bytes("jobs/none/x.csv"),
        "open_stream": lambda: storage.open_stream("jobs/none/x.csv"),
        "size": lambda: storage.size("jobs/none/x.csv"),
        "materialize": lambda: storage.materialize("jobs/none/x.csv", tmp_path / "w" / "x.csv"),
    }
    for call in calls.values():
        with pytest.raises(NotFoundError, match="'jobs/none/x.csv'"):
            call()
    assert not (tmp_path / "w" / "x.csv").exists()
    leftovers = list((tmp_path / "w").iterdir()) if (tmp_path / "w").exists() else []
    assert leftovers == []  # no temporary file left behind


def test_list_by_prefix(storage: ObjectStorage) -> None:
    for key in ("jobs/a1/x.csv", "jobs/a1/y.json", "jobs/a2/x.csv", "jobs/b1/x.csv", "previews/p/t.parquet"):
        storage.put_bytes(key, b"1")
    assert storage.list_keys("jobs/a1/") == ["jobs/a1/x.csv", "jobs/a1/y.json"]
    assert storage.list_keys("jobs/a") == ["jobs/a1/x.csv", "jobs/a1/y.json", "jobs/a2/x.csv"]
    assert len(storage.list_keys()) == 5
    assert storage.list_keys("nothing/") == []


def test_materialize_for_a_worker(storage: ObjectStorage, tmp_path: Path) -> None:
    storage.put_bytes("jobs/j3/bundle.json", b'{"job": "j3"}')
    target = tmp_path / "run" / "bundle.json"
    assert storage.materialize("jobs/j3/bundle.json", target) == target
    assert target.read_bytes() == b'{"job": "j3"}'
    storage.put_bytes("jobs/j3/bundle.json", b"v2")
    storage.materialize("jobs/j3/bundle.json", target)
    assert target.read_bytes() == b"v2" and sorted(p.name for p in target.parent.iterdir()) == ["bundle.json"]


@pytest.mark.parametrize("key", ATTACKS, ids=repr)
def test_unsafe_keys_are_rejected_everywhere(storage: ObjectStorage, key: str, tmp_path: Path) -> None:
    for call in (lambda: storage.put_bytes(key, b"x"), lambda: storage.get_bytes(key),
                 lambda: storage.exists(key), lambda: storage.delete(key), lambda: storage.size(key),
                 lambda: storage.materialize(key, tmp_path / "out")):
        with pytest.raises(InvalidKeyError):
            call()


def test_check_passes_on_a_working_storage(storage: ObjectStorage) -> None:
    storage.check()


# -- local backend specifics --------------------------------------------------------------------------

def test_local_writes_are_atomic(tmp_path: Path) -> None:
    storage = LocalObjectStorage(tmp_path / "objects")
    old, new = b"a" * 2_000_000, b"b" * 2_000_000
    storage.put_bytes("jobs/j/s.csv", old)
    seen: set[bytes] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.add(storage.get_bytes("jobs/j/s.csv"))

    reader = threading.Thread(target=read)
    reader.start()
    for _ in range(20):
        storage.put_bytes("jobs/j/s.csv", new)
        storage.put_bytes("jobs/j/s.csv", old)
    stop.set()
    reader.join()
    assert seen <= {old, new}


def test_local_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    storage = LocalObjectStorage(tmp_path / "objects")

    class Broken(io.RawIOBase):
        def readinto(self, buffer: bytearray) -> int:
            raise OSError("connection reset")

    with pytest.raises(OSError, match="connection reset"):
        storage.put_stream("jobs/j/s.csv", Broken())  # type: ignore[arg-type]
    assert not storage.exists("jobs/j/s.csv") and list((tmp_path / "objects" / ".tmp").iterdir()) == []


def test_local_symlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    storage = LocalObjectStorage(tmp_path / "objects")
    (tmp_path / "objects" / "jobs").symlink_to(outside)
    with pytest.raises(InvalidKeyError, match="outside the storage root"):
        storage.put_bytes("jobs/x.csv", b"x")
    assert list(outside.iterdir()) == []


def test_local_listing_hides_temporary_files(tmp_path: Path) -> None:
    storage = LocalObjectStorage(tmp_path / "objects")
    (tmp_path / "objects" / ".tmp" / "put-123").write_bytes(b"partial")
    storage.put_bytes("a.txt", b"1")
    assert storage.list_keys() == ["a.txt"]


# -- keys, registry and factory ------------------------------------------------------------------------

def test_validate_key_messages_name_the_problem() -> None:
    assert validate_key("jobs/0a1b/synthetic-data_v2.csv") == "jobs/0a1b/synthetic-data_v2.csv"
    for key, problem in [("../x", "'..' segments"), ("/etc/passwd", "absolute"), ("a\\b", "backslash"),
                         ("a\x00b", "control characters"), ("a\nb", "control characters"),
                         ("a b", "segment 'a b'")]:
        with pytest.raises(InvalidKeyError, match=problem):
            validate_key(key)
    assert validate_prefix("") == "" and validate_prefix("jobs/") == "jobs/"
    with pytest.raises(InvalidKeyError):
        validate_prefix("../")


def test_factory_builds_each_registered_backend(
    tmp_path: Path, make_settings: Callable[..., Settings],
) -> None:
    assert sorted(STORAGE_BACKENDS) == ["local", "s3"]
    local = storage_from_settings(make_settings(state_root=tmp_path))
    assert isinstance(local, LocalObjectStorage) and local.root == (tmp_path / "objects").resolve()
    s3 = storage_from_settings(make_settings(storage_backend="s3",
                                             s3={"bucket": "b", "prefix": "/env/prod/"}))
    assert isinstance(s3, S3ObjectStorage) and (s3.bucket, s3.prefix) == ("b", "env/prod/")


def test_factory_refuses_an_unknown_backend_listing_the_valid_ones(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings().model_copy(update={"storage_backend": "gcs"})
    with pytest.raises(ConfigurationError, match="unknown object storage backend 'gcs'.*valid: local, s3"):
        storage_from_settings(settings)


@pytest.mark.s3
def test_s3_keys_live_under_the_prefix_and_check_reports_a_missing_bucket(
    services, make_settings: Callable[..., Settings],  # noqa: ANN001 - Services
) -> None:
    import boto3

    settings = make_settings(storage_backend="s3", s3={
        "bucket": services.s3_bucket, "endpoint_url": services.s3_endpoint_url, "prefix": "tenant-a",
        "access_key_id": "test", "secret_access_key": "test"})
    storage_from_settings(settings).put_bytes("jobs/j/x.csv", b"1")
    raw = boto3.client("s3", endpoint_url=services.s3_endpoint_url, region_name="us-east-1",
                       aws_access_key_id="test", aws_secret_access_key="test")
    page = raw.list_objects_v2(Bucket=services.s3_bucket, Prefix="tenant-a/")
    listed = [item["Key"] for item in page["Contents"]]
    assert listed == ["tenant-a/jobs/j/x.csv"]
    head = raw.head_object(Bucket=services.s3_bucket, Key="tenant-a/jobs/j/x.csv")
    assert head["Metadata"]["sha256"] == hashlib.sha256(b"1").hexdigest()
    missing = storage_from_settings(settings.model_copy(update={"s3": settings.s3.model_copy(
        update={"bucket": "no-such-bucket"})}))
    with pytest.raises(ConfigurationError, match="'no-such-bucket' is not reachable"):
        missing.check()
