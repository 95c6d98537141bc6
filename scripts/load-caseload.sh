#!/usr/bin/env bash
# Load-tests the caseload page on a generated national-scale database, each request from one of
# 100 signed-in link workers: first wrk's 100 connections that never pause (saturation), then
# 100 clients that pause between pages as people do (THINK, default 1s). Usage:
#   ./bin/linkwell migrate --db national.db && ./bin/linkwell demo --scale national --db national.db
#   scripts/load-caseload.sh national.db [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
db=$1
secs=${2:-30}
command -v wrk >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; }
dir=$(mktemp -d)
port=18182
"${BIN:-./bin/linkwell}" serve --db "$db" --addr "127.0.0.1:$port" --mfa optional --log-level warn 2>"$dir/server.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 300); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
for pcn in $(seq 0 99); do
  email=$(printf 'lw-%03d-0@generated.linkwell' "$pcn")
  curl -fs -o /dev/null -D - --data-urlencode "email=$email" --data-urlencode 'password=Linkwell-demo-2026' \
    "http://127.0.0.1:$port/login" | sed -n 's/^Set-Cookie: \(linkwell_session=[^;]*\).*/\1/p' >>"$dir/cookies"
done
echo "signed in $(wc -l <"$dir/cookies") link workers"
echo "== wrk: 100 connections, each asking again the moment it has an answer (saturation)"
COOKIES="$dir/cookies" wrk -t1 -c100 -d"${secs}s" --latency -s scripts/caseload.lua "http://127.0.0.1:$port/"
echo "== 100 signed-in people, each pausing about ${THINK:-1s} between pages"
go run ./scripts/loadclients -url "http://127.0.0.1:$port/caseload" -cookies "$dir/cookies" -clients 100 \
  -think "${THINK:-1s}" -duration "${secs}s"
grep VmHWM "/proc/$server/status"
