#!/usr/bin/env bash
# Paired edit builds: two builds of tradetalks, in alternation, on one corpus.
#
#   usage: bash scripts/edit-pairs.sh OLD_BINARY NEW_BINARY [PAIRS] [CORPUS]
#
# CORPUS defaults to a 10,000-page corpus made with scripts/gen-corpus.py (seed 1,
# `social_cards = false`, as bench.sh builds it) in a folder on tmpfs. Each binary brings its
# own output folder and cache (under the work folder, on tmpfs) to its state with two builds;
# then, PAIRS times, one sentence is added to one page and each binary builds again. Prints
# every build's wall time, CPU time (user + system) and peak memory from GNU time, then the
# medians: what one change to the code bought, with the machine's drift shared by both.
# Build each binary first (`cargo build --release`, and copy target/release/tradetalks
# aside). No test runs this: timings belong in BENCHMARKS.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd -P)
old=${1:?usage: edit-pairs.sh OLD NEW [PAIRS] [CORPUS]}
new=${2:?usage: edit-pairs.sh OLD NEW [PAIRS] [CORPUS]}
pairs=${3:-8}
[[ -x /usr/bin/time ]] || { echo "edit-pairs: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
work=$(mktemp -d /dev/shm/tt-pairs.XXXXXX)
trap 'rm -rf "$work"' EXIT
export TMPDIR="$work/tmp"
mkdir -p "$TMPDIR"
corpus=${4:-}
if [[ -z $corpus ]]; then
  corpus="$work/corpus"
  python3 "$root/scripts/gen-corpus.py" --pages 10000 --out "$corpus" >/dev/null
  sed -i '1i social_cards = false' "$corpus/tradetalks.toml"
fi
page=$(find "$corpus/content" -name '*.md' ! -name '_index.md' | sort | sed -n 1p)
build() {
  local name=$1 binary=$2
  "$binary" build --root "$corpus" --output "$work/out-$name" --cache-dir "$work/cache-$name" \
    --as-of 2025-04-20 --quiet
}
for name in old new; do
  binary=${!name}
  build "$name" "$binary"
  build "$name" "$binary"
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for i in $(seq 1 "$pairs"); do
  echo "A sentence added in pair $i." >>"$page"
  for name in old new; do
    binary=${!name}
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$binary" build --root "$corpus" \
      --output "$work/out-$name" --cache-dir "$work/cache-$name" --as-of 2025-04-20 --quiet
    read -r wall user system kb <"$work/time"
    awk -v n="$name" -v w="$wall" -v u="$user" -v s="$system" -v k="$kb" \
      'BEGIN {printf "%s wall %d ms cpu %d ms peak %d MB\n", n, w*1000, (u+s)*1000, k/1024}'
  done
done | tee "$work/runs"
for name in old new; do
  wall=$(awk -v n="$name" '$1 == n {print $3}' "$work/runs" | median)
  cpu=$(awk -v n="$name" '$1 == n {print $6}' "$work/runs" | median)
  echo "$name: median wall $wall ms, cpu $cpu ms"
done
