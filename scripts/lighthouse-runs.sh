#!/usr/bin/env bash
# Lighthouse's performance score of one page of a built site, N times, with the metrics that
# make it: score, first contentful paint, largest contentful paint, total blocking time (ms),
# and the page's and its stylesheet's bytes. Lighthouse's simulated mobile profile varies from
# run to run by a few points on this machine, so look at several runs, not one.
#
#   usage: bash scripts/lighthouse-runs.sh SITE_DIR [RUNS] [PATH]
#   e.g.   bash scripts/lighthouse-runs.sh public 5 /
#
# Needs Debian's chromium and Lighthouse: LIGHTHOUSE=path/to/lighthouse, else `lighthouse` on
# the PATH. The external audit's copy is the one BENCHMARKS.md used: copy ../shared/eval to a
# writable folder, run its setup.sh, then LIGHTHOUSE=that/folder/node_modules/.bin/lighthouse.
set -euo pipefail
SITE=${1:?usage: lighthouse-runs.sh SITE_DIR [RUNS] [PATH]}
RUNS=${2:-5}
PAGE=${3:-/}
LIGHTHOUSE=${LIGHTHOUSE:-$(command -v lighthouse || true)}
[ -n "$LIGHTHOUSE" ] && [ -x "$LIGHTHOUSE" ] || { echo "lighthouse-runs: no Lighthouse at $LIGHTHOUSE (set LIGHTHOUSE)" >&2; exit 2; }
export CHROME_PATH=${CHROME_PATH:-$(command -v chromium)}
PORT=$((20000 + RANDOM % 20000))
python3 -m http.server "$PORT" --bind 127.0.0.1 -d "$SITE" >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
sleep 1
OUT=$(mktemp -d)
echo "score fcp_ms lcp_ms tbt_ms html_bytes css_bytes"
for i in $(seq "$RUNS"); do
  "$LIGHTHOUSE" "http://127.0.0.1:$PORT$PAGE" --only-categories=performance --output=json \
    --output-path="$OUT/run-$i.json" --chrome-flags="--headless=new --no-sandbox" --quiet >/dev/null 2>&1
  python3 - "$OUT/run-$i.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
a = r["audits"]
requests = a["network-requests"]["details"]["items"]
size = lambda kind: sum(q.get("resourceSize", 0) for q in requests if q.get("resourceType") == kind)
print(round(r["categories"]["performance"]["score"] * 100),
      round(a["first-contentful-paint"]["numericValue"]),
      round(a["largest-contentful-paint"]["numericValue"]),
      round(a["total-blocking-time"]["numericValue"]),
      size("Document"), size("Stylesheet"))
PY
done
rm -rf "$OUT"
