#!/bin/sh
# Measures `linkwell postcodes import` on a generated national-scale ONS Postcode Directory
# (2.7 million rows, about 1.6 GB): wall time and peak resident memory, from /usr/bin/time -v.
# Everything it makes goes in DIR (default: a new temporary directory), never in the repository.
#
#   scripts/bench-postcodes.sh [DIR] [ROWS]
set -eu
dir=${1:-$(mktemp -d)}
rows=${2:-2700000}
mkdir -p "$dir"
go build -o "$dir/linkwell" ./cmd/linkwell
go build -o "$dir/gen-onspd" ./scripts/gen-onspd
[ -f "$dir/onspd-$rows.csv" ] || "$dir/gen-onspd" -rows "$rows" -out "$dir/onspd-$rows.csv"
rm -f "$dir/postcodes.db" "$dir/postcodes.db-wal" "$dir/postcodes.db-shm"
"$dir/linkwell" migrate --db "$dir/postcodes.db" >/dev/null
echo "== first import, empty database"
/usr/bin/time -v "$dir/linkwell" postcodes import "$dir/onspd-$rows.csv" --db "$dir/postcodes.db"
echo "== second import of the same file"
/usr/bin/time -v "$dir/linkwell" postcodes import "$dir/onspd-$rows.csv" --db "$dir/postcodes.db"
ls -l "$dir/postcodes.db"
