#!/usr/bin/env bash
# The whole test suite on a fresh machine: install (Python + the built frontend), Debian's Chromium for the
# browser tests, lint, the frontend's unit tests (vitest), then pytest last so its summary is the final line
# (extra args go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/chromium.sh
.venv/bin/ruff check .
(cd frontend && npm test --silent)
.venv/bin/python -m pytest "$@"
