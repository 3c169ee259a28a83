#!/usr/bin/env bash
# Time from starting `tradetalks serve` until it answers its first page, with a warm cache.
#
#   usage: bash scripts/serve-first.sh SITE [RUNS]       (default 5 runs)
#
# Starts `serve --root SITE --port PORT --cache-dir CACHE --as-of 2025-04-20` once to fill a
# new cache (in /dev/shm) and waits until its snapshot is kept; then RUNS times starts it
# again, asks for `/` every 20 ms until it answers, notes the seconds, and stops it. Prints
# each run, the median, and what the server said it did. The same port every time: the cache
# and the snapshot belong to one address. Needs curl. No test runs this.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd -P)
site=$(cd "$1" && pwd -P)
runs=${2:-5}
port=${PORT:-18111}
(cd "$root" && cargo build --release --quiet)
tt="$root/target/release/tradetalks"
cache=$(mktemp -d /dev/shm/tt-serve-cache.XXXXXX)
log=$(mktemp)
trap 'rm -rf "$cache" "$log"' EXIT
serve() { "$tt" serve --root "$site" --port "$port" --cache-dir "$cache" --as-of 2025-04-20 >"$log" 2>&1 & pid=$!; }
answered() { curl -s -o /dev/null "http://127.0.0.1:$port/"; }

serve
until answered; do sleep 0.2; done
# The snapshot's list is written last.
until [[ -n $(ls -A "$cache/serve" 2>/dev/null) ]]; do sleep 0.2; done
sleep 0.5
kill -INT "$pid"; wait "$pid" || true
echo "filled: $(grep -m1 'Built the site' "$log")"
times=()
for ((i = 1; i <= runs; i++)); do
  start=$(date +%s.%N)
  serve
  until answered; do sleep 0.02; done
  end=$(date +%s.%N)
  # Let the build behind the snapshot finish, so that runs do not overlap.
  until grep -q 'Built the site\|build failed' "$log"; do sleep 0.1; done
  kill -INT "$pid"; wait "$pid" || true
  t=$(echo "$end - $start" | bc)
  times+=("$t")
  echo "run $i: first page after ${t} s; $(grep -m1 'Serving the site as it was\|Built the site' "$log" | cut -c1-90)"
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "median: " a[int((NR+1)/2)] " s"}'
