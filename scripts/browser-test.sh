#!/usr/bin/env bash
# Runs the browser tests (tests/browser/*.test.js) over a built site in headless Chromium.
#
#   usage: bash scripts/browser-test.sh SITE_DIR
#          bash scripts/browser-test.sh --fixture          # the hand-written fixture + static/
#          bash scripts/browser-test.sh --broken-fixture   # proves the axe audit can fail
#          bash scripts/browser-test.sh --live URL SITE_ROOT   # live reload of `tradetalks serve`
#
# The tests serve SITE_DIR themselves (node:http on 127.0.0.1, a free port) and drive Debian's
# Chromium (/usr/bin/chromium, or CHROMIUM_PATH) with puppeteer-core and axe-core, pinned by
# tests/browser/package-lock.json. Set TT_BASE_PATH=/sub/path/ for a site built with a base_url
# that has a path; TT_SEARCH_QUERY and TT_SEARCH_EXPECT set what search.test.js types into the
# search page and the end of the href it must find (default "rice" and "countries/japan/").
# --fixture assembles tests/browser/fixture/ with static/style.css and
# static/tables.js in a temporary folder, to test the browser side without building a site.
#
# Exits 0 only when every test passed. A missing node, npm or Chromium is a failure (on Debian
# as root, Chromium is installed with apt-get when missing), never a silent skip.
#
# --broken-fixture inverts that for tests/browser/broken-fixture/, a page with known
# accessibility errors: it runs the suite there and exits 0 only when the suite fails and its
# output names every rule in BROKEN_RULES below (`bash scripts/browser-test.sh
# tests/browser/broken-fixture` is the same run, uninverted: it must exit non-zero).
#
# --live URL SITE_ROOT runs only tests/browser/livereload.test.js, against a `tradetalks serve`
# already running at URL and serving SITE_ROOT: it edits SITE_ROOT/content/countries/japan.md
# (TT_PAGE_FILE; the page TT_PAGE, default countries/japan/), checks that the open page reloads
# and shows, then clears, the error overlay, and writes the file back. Use a scratch site.
set -euo pipefail

die() {
  echo "browser-test: FAIL: $*" >&2
  exit 1
}

root=$(cd "$(dirname "$0")/.." && pwd -P)
test_dir="$root/tests/browser"

usage="usage: bash scripts/browser-test.sh SITE_DIR | --fixture | --broken-fixture | --live URL SITE_ROOT"
live=""
if [[ "${1:-}" == "--live" ]]; then
  [[ $# -eq 3 ]] || die "$usage"
  live=1
  [[ "$2" =~ ^https?://[^/]+ ]] || die "--live: '$2' is not an http:// URL (the address \`tradetalks serve\` printed)"
  [[ -f "$3/tradetalks.toml" ]] || die "--live: '$3' is not a site folder (no tradetalks.toml)"
  live_url="$2"
  live_root=$(cd "$3" && pwd -P)
  # The test runs in tests/browser: a relative TT_PAGE_FILE means one relative to here.
  [[ -z "${TT_PAGE_FILE:-}" || "$TT_PAGE_FILE" == /* ]] || export TT_PAGE_FILE="$PWD/$TT_PAGE_FILE"
else
  [[ $# -eq 1 ]] || die "$usage"
fi
tmp=""
trap '[[ -n "$tmp" ]] && rm -rf "$tmp"' EXIT
# The axe rules tests/browser/broken-fixture/index.html breaks on purpose (see its comments), and
# the element that fails only in dark mode.
BROKEN_RULES=(image-alt color-contrast th-has-data-cells td-has-header scope-attr-valid
  empty-table-header duplicate-id)
BROKEN_DARK_ONLY="dark-only"  # class
broken=""
if [[ -n "$live" ]]; then
  site=""
elif [[ "$1" == "--broken-fixture" ]]; then
  broken=1
  site="$test_dir/broken-fixture"
elif [[ "$1" == "--fixture" ]]; then
  tmp=$(mktemp -d)
  cp -R "$test_dir/fixture/." "$tmp/"
  cp "$root/static/style.css" "$root/static/tables.js" "$tmp/"
  [[ -f "$root/static/favicon.svg" ]] && cp "$root/static/favicon.svg" "$tmp/"
  site="$tmp"
else
  [[ -d "$1" ]] || die "site directory '$1' does not exist"
  site=$(cd "$1" && pwd -P)
fi

# --- npm dependencies (puppeteer-core, axe-core) ----------------------------------------------
# node_modules is up to date when it holds exactly the packages, versions and integrity hashes
# that package-lock.json records (npm writes node_modules/.package-lock.json on install).
# shellcheck source=lib/npm-lock.sh
source "$root/scripts/lib/npm-lock.sh"
deps_up_to_date() {
  npm_lock_satisfied "$test_dir"
}

command -v node >/dev/null 2>&1 || die "node is not installed (the browser tests are Node, 20 or newer)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[[ "$node_major" -ge 20 ]] || die "node $(node --version) is too old: the browser tests need Node 20 or newer"
# One check at a time installs; the others wait, then find it done.
exec 8>"$(npm_install_lock "$test_dir")" && flock 8
if ! deps_up_to_date; then
  command -v npm >/dev/null 2>&1 || die "npm is not installed (needed to install puppeteer-core and axe-core in tests/browser)"
  echo "browser-test: installing tests/browser npm dependencies (npm ci --ignore-scripts)" >&2
  # --ignore-scripts (also in tests/browser/.npmrc): nothing may download a browser.
  (cd "$test_dir" && npm ci --ignore-scripts --no-audit --no-fund >&2) || die "npm ci failed in tests/browser"
  deps_up_to_date || die "tests/browser/node_modules does not match package-lock.json after npm ci"
fi
exec 8>&-

# --- Chromium -----------------------------------------------------------------------------------
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [[ ! -x "$chromium" && -z "${CHROMIUM_PATH:-}" ]]; then
  if [[ -f /etc/debian_version && $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "browser-test: no Chromium at $chromium; installing Debian's chromium with apt-get" >&2
    # cargo test runs this beside the other suites: one apt-get at a time.
    exec 9>/tmp/tradetalks-apt.lock && flock 9
    apt-get update >&2 || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-dejavu-core >&2 \
      || die "apt-get install chromium failed"
  fi
fi
[[ -x "$chromium" ]] || die "Chromium not found at $chromium (on Debian: apt-get install chromium; or set CHROMIUM_PATH)"

# --- run ------------------------------------------------------------------------------------------
cd "$test_dir"
if [[ -n "$live" ]]; then
  echo "browser-test: live reload of $live_url (serving $live_root) with $("$chromium" --version 2>/dev/null || echo "$chromium")" >&2
  export TT_SERVE_URL="$live_url" TT_SITE_ROOT="$live_root" CHROMIUM_PATH="$chromium"
  tmp=$(mktemp -d)
  # The spec report for people, a TAP copy to check that the steps ran rather than skipped.
  node --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tmp/tap" livereload.test.js
  grep -qE '^# fail 0$' "$tmp/tap" && grep -qE '^# skipped 0$' "$tmp/tap" && grep -qE '^# pass [1-9]' "$tmp/tap" \
    || die "--live: livereload.test.js did not run and pass all of its steps"
  echo "browser-test: --live: OK" >&2
  exit 0
fi
echo "browser-test: testing $site with $("$chromium" --version 2>/dev/null || echo "$chromium")" >&2
export TT_SITE_DIR="$site" CHROMIUM_PATH="$chromium"
# One test file at a time: each starts its own Chromium, and the machine may have two cores.
tests=(pages.test.js tables.test.js charts.test.js axe.test.js search.test.js)
# TT_ONLY="search.test.js pages.test.js" runs just those files (e.g. a subpath build).
if [[ -n "${TT_ONLY:-}" ]]; then
  read -r -a tests <<<"$TT_ONLY"
fi
if [[ -z "$broken" ]]; then
  node --test --test-concurrency=1 "${tests[@]}"
  exit 0  # reached only when node passed (set -e)
fi
tmp=$(mktemp -d)
status=0
node --test --test-concurrency=1 --test-reporter=tap "${tests[@]}" >"$tmp/out" 2>&1 || status=$?
cat "$tmp/out"
[[ $status -ne 0 ]] || die "--broken-fixture: the suite passed on tests/browser/broken-fixture (it must fail)"
# Failure messages list each rule as "  RULE (impact, N element(s)): help" (with "[needs review]"
# after RULE when axe was undecided) and each element as "- SELECTOR"; notes start with "#".
missing=()
for rule in "${BROKEN_RULES[@]}"; do
  grep -qE "^[[:space:]]+${rule}( \[needs review\])? \(" "$tmp/out" || missing+=("$rule")
done
grep -qE "^[[:space:]]+- \\.${BROKEN_DARK_ONLY}\$" "$tmp/out" || missing+=(".$BROKEN_DARK_ONLY (dark mode)")
[[ ${#missing[@]} -eq 0 ]] || die "--broken-fixture: the suite failed, but its output does not name: ${missing[*]}"
echo "browser-test: --broken-fixture: OK: the suite failed (exit $status), naming ${BROKEN_RULES[*]} and .$BROKEN_DARK_ONLY" >&2
