#!/usr/bin/env bash
# Install the browser app's npm dependencies and build it into frontend/dist (what FastAPI serves at /).
# Quick when nothing changed: `npm ci` runs only when package-lock.json's hash differs from the stamp in
# node_modules, and `npm run build` only when dist is missing or older than a source file.
# Needs Node 20 + npm.
set -euo pipefail
cd "$(dirname "$0")/../frontend"
command -v npm >/dev/null || { echo "frontend.sh: npm is missing; install Node.js 20" >&2; exit 1; }

stamp=node_modules/.privsyn-lock.sha256
lock_hash=$(sha256sum package-lock.json package.json | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  log=${TMPDIR:-/tmp}/privsyn-npm-ci.log
  echo "frontend: installing the browser app's npm packages (log: $log)" >&2
  npm ci --no-audit --no-fund >"$log" 2>&1 || { cat "$log" >&2; echo "frontend.sh: npm ci failed" >&2; exit 1; }
  echo "$lock_hash" >"$stamp"
fi

sources=(src index.html package.json package-lock.json openapi.json public vite.config.ts tsconfig.json)
existing=()
for path in "${sources[@]}"; do [ -e "$path" ] && existing+=("$path"); done
if [ ! -f dist/index.html ] || [ -n "$(find "${existing[@]}" -newer dist/index.html -print -quit)" ]; then
  log=${TMPDIR:-/tmp}/privsyn-npm-build.log
  echo "frontend: building the browser app into frontend/dist (log: $log)" >&2
  npm run build >"$log" 2>&1 || { cat "$log" >&2; echo "frontend.sh: npm run build failed" >&2; exit 1; }
  touch dist/index.html  # vite may keep an unchanged file's old mtime
fi
