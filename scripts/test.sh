#!/usr/bin/env bash
# The whole test suite on a fresh machine: install, lint, then pytest (extra args go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
