"""Issue #19, the ingestion edge: the dialect sniffer is linear, the row cap stops the parse early, the
expansion of a zip is capped by the upload cap, PRIVSYN_MAX_COLUMNS caps uploads, and header cells are
defused like data cells. Each of these failed before."""

from __future__ import annotations

import random
import tempfile
import threading
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from privsyn_platform.settings import load_settings
from web_app.ingestion.dialect import sniff_dialect
from web_app.ingestion.errors import IngestionError, IngestionLimits
from web_app.ingestion.reader import ingest_path, ingest_upload
from web_app.preview_service import limits_from
from web_app.review.output import CsvFormat, write_csv

HOSTILE_SAMPLE = ',"a' * 21_000  # 63 KB: csv.Sniffer took ~40 s on it, holding the GIL


def test_sniffing_a_hostile_sample_does_not_freeze() -> None:
    """A liveness bound, not a timing: the old sniffer needed ~40 s here, the linear one milliseconds."""
    result: list[str] = []
    worker = threading.Thread(target=lambda: result.append(sniff_dialect(HOSTILE_SAMPLE).delimiter), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert result == [","]


def test_the_hostile_upload_reads_as_a_file(tmp_path: Path) -> None:
    path = tmp_path / "hostile.csv"
    path.write_text("a,b\n" + HOSTILE_SAMPLE + "\n")
    with pytest.raises(IngestionError) as caught:  # one ragged record: refused with a code, not a freeze
        ingest_path(path)
    assert caught.value.status in (413, 422)


def test_the_row_cap_stops_the_parse_before_the_end(tmp_path: Path) -> None:
    """Rows past the cap are never parsed: a ragged row 1.2 MB in is not reached (the full parse reported it)."""
    path = tmp_path / "long.csv"
    path.write_bytes(b"a\n" + b"1\n" * 600_000 + b"1,2,3\n")
    with pytest.raises(IngestionError) as caught:
        ingest_path(path, limits=IngestionLimits(max_rows=1_000))
    assert caught.value.code == "too_many_rows"


def test_a_zip_expands_to_at_most_the_upload_cap(tmp_path: Path) -> None:
    rng = random.Random(0)
    rows = "".join(f"{rng.randrange(10**9)},{rng.randrange(10**9)}\n" for _ in range(20_000))
    archive = tmp_path / "data.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("data.csv", "a,b\n" + rows)
    cap = 300_000
    assert archive.stat().st_size < cap < len(rows)  # the upload is under the cap, its content over it
    limits = limits_from(load_settings(_env_file=None, state_root=tmp_path, max_upload_bytes=cap))
    with pytest.raises(IngestionError) as caught:
        ingest_path(archive, limits=limits)
    assert (caught.value.code, caught.value.status) == ("uncompressed_too_large", 413)


def test_max_columns_is_an_upload_limit_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(30)) + "\n" + ",".join("1" * 30) + "\n")
    limits = limits_from(load_settings(_env_file=None, state_root=tmp_path, max_columns=20))
    with pytest.raises(IngestionError) as caught:
        ingest_path(path, limits=limits)
    assert caught.value.code == "too_many_columns" and "PRIVSYN_MAX_COLUMNS" in caught.value.message
    assert "20" in caught.value.message


def test_formula_like_column_names_are_defused_in_the_csv() -> None:
    frame = pd.DataFrame({"=HYPERLINK(\"http://x\")": ["a"], "+1": [1], "ok": ["=2"]})
    header = write_csv(frame, CsvFormat()).decode().splitlines()[0]
    assert header.split(",")[0].startswith("\"'=HYPERLINK") and "'+1" in header and ",ok" in header


def test_a_discarded_upload_stream_is_emptied_once_copied(tmp_path: Path) -> None:
    """The service's spooled upload does not stay on disk next to its copy while the table is read."""
    spooled = tempfile.SpooledTemporaryFile(max_size=16)
    spooled.write(b"a,b\n1,2\n3,4\n")
    spooled.seek(0)
    table = ingest_upload(spooled, "t.csv", tmp_path, discard_source=True)  # type: ignore[arg-type]
    assert len(table.frame) == 2
    spooled.seek(0, 2)
    assert spooled.tell() == 0
