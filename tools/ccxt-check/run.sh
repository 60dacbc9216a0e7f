#!/usr/bin/env bash
# Starts the standalone fake Binance on a free port, runs check.js (ccxt's binanceusdm) against it, stops the fake.
# Not part of the test run. Needs node and `npm install` in this folder (ccxt, pinned in package.json).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
[ -d "$here/node_modules/ccxt" ] || (cd "$here" && npm install --no-audit --no-fund)
out="$(mktemp)"
dotnet run --project "$repo/tests/FakeBinance" -c Release -- --port 0 --candles "$repo/samples/data/BTCUSDT-1h.csv" --speed 1 >"$out" 2>&1 &
fake=$!
trap 'kill "$fake" 2>/dev/null || true; wait "$fake" 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 240); do grep -q "API secret" "$out" && break; sleep 0.5; done
grep -q "API secret" "$out" || { cat "$out"; echo "the fake did not start" >&2; exit 2; }
port="$(awk '$1=="port"{print $2}' "$out")"
FAKE_URL="http://127.0.0.1:$port" \
FAKE_KEY="$(awk '$1=="API" && $2=="key"{print $3}' "$out")" \
FAKE_SECRET="$(awk '$1=="API" && $2=="secret"{print $3}' "$out")" \
node "$here/check.js"
