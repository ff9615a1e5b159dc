#!/usr/bin/env bash
# Installs the app's dependencies and starts it (dev server on http://localhost:5173).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
exec npm run dev -- --host 127.0.0.1
