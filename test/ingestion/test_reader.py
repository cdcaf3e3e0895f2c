"""Ingestion: one generated file per dialect equals the DataFrame it was written from; hostile inputs fail
with the right IngestionError code."""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from web_app.ingestion.errors import IngestionError, IngestionLimits
from web_app.ingestion.reader import IngestionOptions, copy_limited, ingest_path, ingest_upload


def write_csv(frame: pd.DataFrame, path: Path, *, sep: str = ",", encoding: str = "utf-8", decimal: str = ".",
              quoting: int = csv.QUOTE_MINIMAL, lineterminator: str = "\n", na_rep: str = "") -> Path:
    frame.to_csv(path, sep=sep, encoding=encoding, decimal=decimal, quoting=quoting, index=False,
                 lineterminator=lineterminator, na_rep=na_rep)
    return path


def assert_same(ingested: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(ingested.columns) == list(expected.columns)
    assert ingested.dtypes.astype(str).to_dict() == expected.dtypes.astype(str).to_dict()
    pd.testing.assert_frame_equal(ingested, expected, check_dtype=True)


DIALECTS = {
    "comma": {},
    "semicolon_decimal_comma": {"sep": ";", "decimal": ","},
    "tab_named_csv": {"sep": "\t"},
    "pipe": {"sep": "|"},
    "all_quoted": {"quoting": csv.QUOTE_ALL},
    "crlf": {"lineterminator": "\r\n"},
    "utf8_bom": {"encoding": "utf-8-sig"},
    "na_token": {"na_rep": "NA"},
    "question_mark_token": {"na_rep": "?"},
    "n_slash_a_token": {"na_rep": "N/A"},
}


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_each_dialect_round_trips(dialect: str, known_frame: pd.DataFrame, tmp_path: Path) -> None:
    path = write_csv(known_frame, tmp_path / "data.csv", **DIALECTS[dialect])
    table = ingest_path(path)
    assert_same(table.frame, known_frame)
    assert "\ufeff" not in table.frame.columns[0]


def test_cp1252_keeps_accents(known_frame: pd.DataFrame, tmp_path: Path) -> None:
    frame = known_frame.copy()
    frame["name (full)"] = frame["name (full)"].str.replace("Ærø", "Aero")  # Æ ø are in cp1252 too, keep it simple
    path = write_csv(frame, tmp_path / "data.csv", encoding="cp1252")
    table = ingest_path(path)
    assert table.encoding in ("cp1252", "latin-1")
    assert_same(table.frame, frame)


def test_decimal_comma_is_detected(known_frame: pd.DataFrame, tmp_path: Path) -> None:
    table = ingest_path(write_csv(known_frame, tmp_path / "d.csv", sep=";", decimal=","))
    assert table.dialect.decimal == "," and table.dialect.delimiter == ";"
    assert table.frame["score/10"].tolist() == known_frame["score/10"].tolist()


@pytest.mark.parametrize("suffix", [".zip", ".gz"])
def test_archives(suffix: str, known_frame: pd.DataFrame, tmp_path: Path) -> None:
    raw = write_csv(known_frame, tmp_path / "inner.csv").read_bytes()
    path = tmp_path / f"upload{suffix}"
    if suffix == ".zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("__MACOSX/._inner.csv", b"junk")
            archive.writestr("folder/inner.csv", raw)
    else:
        path.write_bytes(gzip.compress(raw))
    assert_same(ingest_path(path).frame, known_frame)


def test_upload_stream_is_copied_under_the_cap(known_frame: pd.DataFrame, tmp_path: Path) -> None:
    raw = write_csv(known_frame, tmp_path / "inner.csv").read_bytes()
    workdir = tmp_path / "work"
    workdir.mkdir()
    table = ingest_upload(io.BytesIO(raw), "../../evil.csv", workdir)
    assert_same(table.frame, known_frame)
    assert sorted(p.name for p in workdir.iterdir()) == ["upload.csv"]


def test_copy_limited_refuses_oversize(tmp_path: Path) -> None:
    with pytest.raises(IngestionError) as caught:
        copy_limited(io.BytesIO(b"x" * 5000), tmp_path / "big.csv", max_bytes=4096)
    assert caught.value.code == "file_too_large" and caught.value.status == 413
    assert "0.0 MB" in caught.value.message and not (tmp_path / "big.csv").exists()


def test_duplicate_and_empty_headers_are_renamed_visibly(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("id,,Name,name,id\n1,2,a,b,3\n4,5,c,d,6\n")
    table = ingest_path(path)
    assert list(table.frame.columns) == ["id", "column_2", "Name", "name (2)", "id (2)"]
    assert len(table.header_renames) == 3 and len(table.warnings) == 3
    assert table.frame["id (2)"].tolist() == [3, 6]


def test_whitespace_around_values_and_tokens_is_trimmed(tmp_path: Path) -> None:
    path = tmp_path / "adult-like.csv"
    path.write_text("age, work\n25, Private\n38, ?\n")
    frame = ingest_path(path).frame
    assert frame["age"].dtype == "int64" and frame[" work"].tolist()[0] == "Private"
    assert frame[" work"].isna().tolist() == [False, True]


def test_custom_null_tokens(tmp_path: Path) -> None:
    path = tmp_path / "n.csv"
    path.write_text("a,b\n1,missing\n2,x\n")
    frame = ingest_path(path, options=IngestionOptions(null_tokens=("missing",))).frame
    assert frame["b"].isna().tolist() == [True, False]


def test_late_text_in_a_numeric_column_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    path.write_text("a,b\n" + "1,x\n" * 1_200_000 + "oops,y\n")
    table = ingest_path(path)
    assert table.frame["a"].iloc[-1] == "oops" and table.frame["a"].iloc[0] == "1"


def _bytes(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


HOSTILE = {
    "empty_file": ("empty.csv", b""),
    "header_only": ("h.csv", b"a,b,c\n"),
    "binary_file": ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8),
    "ragged_rows": ("r.csv", b"a,b\n1,2\n3,4,5\n"),
    "unsupported_file_type": ("data.xlsx", b"a,b\n1,2\n"),
    "bad_archive": ("broken.zip", b"PK\x03\x04 not really a zip"),
}


@pytest.mark.parametrize("code", sorted(HOSTILE))
def test_hostile_inputs(code: str, tmp_path: Path) -> None:
    name, content = HOSTILE[code]
    with pytest.raises(IngestionError) as caught:
        ingest_path(_bytes(tmp_path, name, content))
    assert caught.value.code == code and caught.value.status == 422 and caught.value.message


def test_random_binary_without_nul_bytes(tmp_path: Path) -> None:
    noise = np.random.default_rng(0).integers(1, 256, 4096, dtype=np.uint8).tobytes()
    with pytest.raises(IngestionError) as caught:
        ingest_path(_bytes(tmp_path, "noise.csv", noise))
    assert caught.value.code == "binary_file"


def test_too_many_columns(tmp_path: Path) -> None:
    header = ",".join(f"c{i}" for i in range(10_001))
    path = _bytes(tmp_path, "wide.csv", (header + "\n" + ",".join("1" * 10_001) + "\n").encode())
    with pytest.raises(IngestionError) as caught:
        ingest_path(path)
    assert caught.value.code == "too_many_columns" and "10,000" in caught.value.message


def test_limits_on_rows_and_size(tmp_path: Path) -> None:
    path = _bytes(tmp_path, "rows.csv", b"a\n" + b"1\n" * 50)
    with pytest.raises(IngestionError) as rows:
        ingest_path(path, limits=IngestionLimits(max_rows=10))
    with pytest.raises(IngestionError) as size:
        ingest_path(path, limits=IngestionLimits(max_bytes=20))
    assert (rows.value.code, rows.value.status) == ("too_many_rows", 413)
    assert (size.value.code, size.value.status) == ("file_too_large", 413)


def test_zip_guards(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.csv", b"a\n" + b"0\n" * 2_000_000)
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../../etc/a.csv", b"a\n1\n")
    none = tmp_path / "none.zip"
    with zipfile.ZipFile(none, "w") as archive:
        archive.writestr("readme.md", b"hi")
    codes = []
    for path in (bomb, evil, none):
        with pytest.raises(IngestionError) as caught:
            ingest_path(path)
        codes.append(caught.value.code)
    assert codes == ["zip_bomb", "unsafe_archive_member", "no_csv_in_archive"]
