#!/usr/bin/env bash
# Load-tests the signed-in home page and the sign-in page of a demo Linkwell with wrk (Debian
# package `wrk`), 50 concurrent connections each, and prints wrk's latency distribution.
# Usage: scripts/load-pages.sh [seconds]   (builds bin/linkwell first with `make build`)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
command -v wrk >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; }
dir=$(mktemp -d)
port=18181
./bin/linkwell migrate --db "$dir/load.db" >/dev/null
env ${LOAD_ENV:-} ./bin/linkwell serve --demo --db "$dir/load.db" --addr "127.0.0.1:$port" --log-level warn 2>"$dir/server.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
cookie=$(curl -fs -o /dev/null -D - -d 'email=ot@linkwell.demo&password=Linkwell-demo-2026' \
  "http://127.0.0.1:$port/login" | sed -n 's/^Set-Cookie: \(linkwell_session=[^;]*\).*/\1/p')
[ -n "$cookie" ] || { echo "could not sign in" >&2; exit 1; }
echo "== signed-in home page, 50 connections, ${secs}s"
wrk -t${WRK_THREADS:-1} -c50 -d"${secs}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$port/"
echo "== sign-in page, 50 connections, ${secs}s"
wrk -t${WRK_THREADS:-1} -c50 -d"${secs}s" --latency "http://127.0.0.1:$port/login"
echo "== server resident memory"
grep VmHWM "/proc/$server/status"
