"""Bytes before parsing: capped copies of upload streams, archive extraction, binary and encoding detection.

* :func:`copy_limited` streams an upload to disk and stops at the byte cap (413).
* :func:`materialize_csv` turns ``.csv`` / ``.zip`` / ``.gz`` into a plain CSV file on disk: the first CSV
  member of a zip (member names that are absolute or contain ``..`` are refused; the declared and the actual
  uncompressed size and the compression ratio are capped, so a zip bomb stops early), or a gunzipped copy.
* :func:`detect_encoding` picks the text encoding: a BOM wins (UTF-8 or UTF-16), then strict UTF-8 over
  the whole file, else charset-normalizer's best guess among cp1252 and latin-1. Bytes that are not text
  (NUL bytes, many control characters, or no plausible encoding) are refused as ``binary_file``.
"""

from __future__ import annotations

import codecs
import gzip
import shutil
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from charset_normalizer import from_bytes

from web_app.ingestion.errors import IngestionError, IngestionLimits, too_large

CHUNK = 1024 * 1024
SAMPLE_BYTES = 64 * 1024
LEGACY_ENCODINGS = ["cp1252", "latin_1"]
SUPPORTED_SUFFIXES = (".csv", ".tsv", ".txt", ".zip", ".gz")


def copy_limited(source: BinaryIO, dest: Path, max_bytes: int) -> int:
    """Copy ``source`` to ``dest`` in chunks, refusing to write more than ``max_bytes``.

    Args:
        source: a readable binary stream (an upload's spooled file, an open file, ``sys.stdin.buffer``).
        dest: where to write; removed again when the cap is hit.
        max_bytes: the cap.

    Returns:
        The number of bytes written.

    Raises:
        IngestionError: code ``file_too_large`` (413), the message names the limit.
    """
    written = 0
    with dest.open("wb") as out:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > max_bytes:
                out.close()
                dest.unlink(missing_ok=True)
                raise too_large("file", written, max_bytes)
            out.write(chunk)
    return written


def materialize_csv(path: Path, workdir: Path, limits: IngestionLimits) -> Path:
    """The plain CSV behind ``path`` (itself, or a file extracted into ``workdir``).

    Raises:
        IngestionError: ``file_too_large``, ``unsupported_file_type``, ``bad_archive``, ``no_csv_in_archive``,
            ``unsafe_archive_member``, ``uncompressed_too_large``, ``zip_bomb``.
    """
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise too_large("file", size, limits.max_bytes)
    suffix = path.suffix.lower()
    if suffix == ".zip" or (suffix not in SUPPORTED_SUFFIXES and zipfile.is_zipfile(path)):
        return _extract_zip(path, workdir, limits)
    if suffix == ".gz":
        return _gunzip(path, workdir, limits, size)
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestionError(
            "unsupported_file_type",
            f"file type {suffix or '(none)'!r} is not supported; valid types are {', '.join(SUPPORTED_SUFFIXES)}",
        )
    return path


def _extract_zip(path: Path, workdir: Path, limits: IngestionLimits) -> Path:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise IngestionError("bad_archive", f"the zip archive cannot be read: {error}") from error
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not _is_metadata_member(m.filename)]
        csvs = [m for m in members if m.filename.lower().endswith((".csv", ".tsv", ".txt"))]
        if not csvs:
            names = ", ".join(m.filename for m in members[:5]) or "(empty)"
            raise IngestionError("no_csv_in_archive", f"the zip holds no .csv file; it holds {names}")
        member = csvs[0]
        _check_member(member, limits)
        target = workdir / "extracted.csv"
        try:
            with archive.open(member) as source:
                _copy_expanding(source, target, limits, member.compress_size)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
            raise IngestionError("bad_archive", f"member {member.filename!r} cannot be extracted: {error}") from error
    return target


def _is_metadata_member(name: str) -> bool:
    return name.startswith("__MACOSX/") or PurePosixPath(name).name.startswith("._")


def _check_member(member: zipfile.ZipInfo, limits: IngestionLimits) -> None:
    parts = PurePosixPath(member.filename.replace("\\", "/")).parts
    if member.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
        raise IngestionError(
            "unsafe_archive_member", f"zip member name {member.filename!r} is absolute or climbs out with '..'"
        )
    if member.file_size > limits.max_uncompressed_bytes:
        raise too_large("uncompressed", member.file_size, limits.max_uncompressed_bytes)
    if member.compress_size and member.file_size / member.compress_size > limits.max_compression_ratio:
        raise _zip_bomb(member.file_size / member.compress_size, limits)


def _zip_bomb(ratio: float, limits: IngestionLimits) -> IngestionError:
    return IngestionError(
        "zip_bomb",
        f"the archive expands {ratio:,.0f} times, above the limit of {limits.max_compression_ratio:,.0f}",
        hint="upload the CSV uncompressed",
        status=413,
    )


def _copy_expanding(source: IO[bytes], target: Path, limits: IngestionLimits, compressed: int) -> None:
    """Copy decompressed bytes, enforcing the size and ratio caps on what actually comes out."""
    written = 0
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > limits.max_uncompressed_bytes:
                raise too_large("uncompressed", written, limits.max_uncompressed_bytes)
            if written > CHUNK and written / max(compressed, 1) > limits.max_compression_ratio:
                raise _zip_bomb(written / max(compressed, 1), limits)
            out.write(chunk)


def _gunzip(path: Path, workdir: Path, limits: IngestionLimits, compressed: int) -> Path:
    target = workdir / "gunzipped.csv"
    try:
        with gzip.open(path, "rb") as source:
            _copy_expanding(source, target, limits, compressed)  # type: ignore[arg-type]
    except (gzip.BadGzipFile, OSError, EOFError) as error:
        raise IngestionError("bad_archive", f"the gzip file cannot be read: {error}") from error
    return target


def read_sample(path: Path, size: int = SAMPLE_BYTES) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def detect_encoding(path: Path, sample: bytes) -> str:
    """The encoding to decode ``path`` with (see the module docstring).

    Raises:
        IngestionError: ``empty_file`` or ``binary_file``.
    """
    if not sample.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise IngestionError("empty_file", "the file is empty", hint="upload a CSV with a header row and data rows")
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    _refuse_binary(sample)
    if _is_utf8(path):
        return "utf-8"
    guess = from_bytes(sample, cp_isolation=LEGACY_ENCODINGS).best()
    if guess is None:
        raise _binary()
    return guess.encoding


def _refuse_binary(sample: bytes) -> None:
    controls = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 13))
    if b"\x00" in sample or controls > 0.01 * len(sample):
        raise _binary()


def _binary() -> IngestionError:
    return IngestionError(
        "binary_file",
        "the file holds binary data, not text: it is not a CSV",
        hint="export the table as CSV (comma, semicolon or tab separated) and upload that",
    )


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(CHUNK * 8):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def decode_sample(sample: bytes, encoding: str, truncated: bool) -> str:
    """The sample as text, cut at its last line break when the file continues past it."""
    text = sample.decode(encoding, errors="replace").lstrip("\ufeff")
    if truncated and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    return text


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
