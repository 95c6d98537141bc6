#!/usr/bin/env bash
# Load-tests GET /oruk/services on a national-scale directory with wrk (Debian package `wrk`),
# 50 concurrent connections, and prints wrk's latency distribution and the server's peak
# resident memory. The database must hold the generated directory:
#
#   ./bin/linkwell migrate --db dir.db && ./bin/linkwell demo --directory 150000 --db dir.db
#   scripts/load-oruk.sh dir.db [seconds]
#
# Three wrk runs, whose connections ask again the instant an answer arrives (saturation):
# random pages of 50 across the whole feed, the first pages (what most clients read), and
# random pages of a word search. Then scripts/loadclients puts 50 clients in front of the first
# page, a page half way through and a page of the word search, each client pausing about a
# second between pages. The server serves a copy of the database, so the file given is left as
# it was.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:?give the database holding the generated directory}
secs=${2:-20}
command -v wrk >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; }
dir=$(mktemp -d)
port=18182
cp "$db" "$dir/load.db"
./bin/linkwell migrate --db "$dir/load.db" >/dev/null # a database made by an older build
./bin/linkwell serve --db "$dir/load.db" --addr "127.0.0.1:$port" --log-level warn 2>"$dir/server.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port"
pages() { curl -fs "$base/oruk/services?per_page=50$1" | grep -o '"total_pages": *[0-9]*' | grep -o '[0-9]*$'; }
total=$(pages "")
walking=$(pages "&search=walking")
echo "== $total pages of 50; $walking pages of 50 for 'walking'"
echo "== random pages of the whole feed, 50 connections, ${secs}s"
PAGES=$total wrk -t1 -c50 -d"${secs}s" --latency -s scripts/oruk-pages.lua "$base"
echo "== the first 10 pages, 50 connections, ${secs}s"
PAGES=10 wrk -t1 -c50 -d"${secs}s" --latency -s scripts/oruk-pages.lua "$base"
echo "== random pages of services matching 'walking', 50 connections, ${secs}s"
PAGES=$walking SEARCH=walking wrk -t1 -c50 -d"${secs}s" --latency -s scripts/oruk-pages.lua "$base"
go build -o "$dir/loadclients" ./scripts/loadclients
echo "unused=1" >"$dir/cookies" # the feed is anonymous; loadclients sends a cookie all the same
for q in "per_page=50" "per_page=50&page=$((total / 2))" "per_page=50&search=walking&page=$((walking / 2))"; do
  echo "== 50 clients, each pausing about a second: /oruk/services?$q"
  "$dir/loadclients" -url "$base/oruk/services?$q" -cookies "$dir/cookies" -clients 50 -think 1s -duration "${secs}s"
done
echo "== server resident memory"
grep VmHWM "/proc/$server/status"
