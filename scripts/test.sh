#!/usr/bin/env bash
# The whole test suite on a fresh machine: install (Python + the built frontend), Debian's Chromium for the
# browser tests, lint and type checks (ruff; mypy --strict on web_app and privsyn_platform), the frontend's
# unit tests (vitest), then pytest last so its summary is the final line (extra args go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/chromium.sh
.venv/bin/ruff check .
.venv/bin/mypy
(cd frontend && npm test --silent)
.venv/bin/python -m pytest "$@"
