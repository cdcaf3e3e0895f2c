#!/usr/bin/env bash
# Create .venv (Python 3.11) and install the project with its pinned dependencies, then install and build the
# browser app (scripts/frontend.sh: npm ci + npm run build into frontend/dist). Idempotent and quick when
# nothing changed: pip re-installs only when pyproject.toml or constraints.txt is newer than the stamp, npm
# only when package-lock.json changed, and the build only when a frontend source is newer than dist.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
say() { echo "bootstrap: $*" >&2; }
if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $("$PY" --version 2>&1)"
  "$PY" -m venv .venv
fi
stamp=.venv/.privsyn-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
  log=.venv/pip-install.log
  say "installing the pinned Python dependencies (the first time takes a few minutes; log: $log)"
  if ! { .venv/bin/python -m pip install -q --upgrade pip && \
         .venv/bin/python -m pip install -q -c constraints.txt -e '.[dev]'; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "bootstrap: installing the dependencies failed (log above, also in $log)" >&2
    exit 1
  fi
  touch "$stamp"
fi
scripts/frontend.sh
