"""``python -m web_app.api.openapi PATH``: write the app's OpenAPI document for the frontend's client.

The browser app generates its TypeScript client from ``frontend/openapi.json``; a test compares that file
with :func:`openapi_text` so the committed copy cannot drift from the routes. The app is built with default
settings on a throwaway sqlite state directory (the schema does not depend on the configuration).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

from privsyn_platform.settings import Settings
from web_app.main import create_app


def openapi_text() -> str:
    """The OpenAPI JSON of the app: sorted keys, indent 2, one trailing newline (stable under git)."""
    with tempfile.TemporaryDirectory(prefix="privsyn-openapi-") as state:
        app = create_app(Settings(_env_file=None, state_root=Path(state)))  # type: ignore[call-arg]
        schema = app.openapi()
        app.state.services.store.dispose()
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="where to write the JSON, e.g. frontend/openapi.json")
    args = parser.parse_args(argv)
    args.path.parent.mkdir(parents=True, exist_ok=True)
    args.path.write_text(openapi_text(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
