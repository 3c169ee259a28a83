#!/usr/bin/env bash
# Cold-build benchmark: tradetalks against Hugo on the same generated corpus, in alternation.
#
#   usage: bash scripts/bench.sh [RUNS] [N ...]        (defaults: 3 runs; N = 1000 10000)
#
# For each N it generates the corpus once (scripts/gen-corpus.py, seed 1: a tradetalks site and
# the same content as a Hugo site), then builds each site RUNS times, alternating the tools, with
# the output on tmpfs (/dev/shm) so that the disk does not dominate. It prints every run, then
# per tool the median wall time, the median peak resident memory (GNU time's "Maximum resident
# set size") and the ratio tradetalks / Hugo. Needs python3, hugo (apt-get install hugo) and
# /usr/bin/time (apt-get install time). No test runs this: timings belong in BENCHMARKS.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd -P)
runs=${1:-3}
shift || true
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(1000 10000)
command -v hugo >/dev/null || { echo "bench: hugo is not installed (apt-get install hugo)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
(cd "$root" && cargo build --release --quiet)
tt="$root/target/release/tradetalks"
work=$(mktemp -d /dev/shm/tt-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# Runs a command under GNU time; prints "wall_seconds peak_kb".
measure() {
  local log="$work/time.log"
  /usr/bin/time -v -o "$log" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
  local wall kb
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$log")
  kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  echo "$wall $kb"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(hugo version | cut -d' ' -f1-2), tradetalks $(git -C "$root" rev-parse --short HEAD)"
for n in "${sizes[@]}"; do
  corpus="$work/corpus-$n"
  python3 "$root/scripts/gen-corpus.py" --pages "$n" --out "$corpus/tt" --hugo "$corpus/hugo" >/dev/null
  : >"$work/tt.txt"
  : >"$work/hugo.txt"
  for ((i = 1; i <= runs; i++)); do
    read -r w k < <(measure "$tt" build --root "$corpus/tt" --output "$work/out-tt" --as-of 2025-04-20 --quiet)
    echo "$w $k" >>"$work/tt.txt"
    echo "N=$n run $i tradetalks: ${w}s, $((k / 1024)) MB"
    rm -rf "$work/out-hugo"
    read -r w k < <(measure hugo --quiet --source "$corpus/hugo" --destination "$work/out-hugo")
    echo "$w $k" >>"$work/hugo.txt"
    echo "N=$n run $i hugo:       ${w}s, $((k / 1024)) MB"
  done
  tt_wall=$(cut -d' ' -f1 "$work/tt.txt" | median)
  hugo_wall=$(cut -d' ' -f1 "$work/hugo.txt" | median)
  tt_kb=$(cut -d' ' -f2 "$work/tt.txt" | median)
  hugo_kb=$(cut -d' ' -f2 "$work/hugo.txt" | median)
  echo "N=$n medians: tradetalks ${tt_wall}s $((${tt_kb%.*} / 1024)) MB | hugo ${hugo_wall}s $((${hugo_kb%.*} / 1024)) MB | time ratio $(awk "BEGIN {printf \"%.2f\", $tt_wall / $hugo_wall}") | memory ratio $(awk "BEGIN {printf \"%.2f\", $tt_kb / $hugo_kb}")"
  echo "  output files: tradetalks $(find "$work/out-tt" -type f | wc -l), hugo $(find "$work/out-hugo" -type f | wc -l); search index $(du -sh "$work/out-tt/search-index" | cut -f1)"
  rm -rf "$corpus" "$work/out-tt" "$work/out-hugo"
done
