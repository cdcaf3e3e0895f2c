#!/usr/bin/env bash
# Set up .venv and build the browser app when frontend/dist is missing or stale (scripts/bootstrap.sh), then
# serve the PrivSyn web service and its UI on http://127.0.0.1:8001/ with sqlite + local files under
# temp_synthesis_output/ and the bundled Adult sample. HOST/PORT and any PRIVSYN_* setting can be overridden.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
url="http://${HOST:-127.0.0.1}:${PORT:-8001}"
echo "run: starting the service; when uvicorn says it is running, open $url/ (API docs at $url/docs)" >&2
# web_app.serve: uvicorn with the deployment's flags (--no-proxy-headers, header cap, keep-alive); it refuses a
# non-loopback HOST while PRIVSYN_AUTH_BACKEND=none (see docs/deployment.md).
exec .venv/bin/python -m web_app.serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8001}"
