#!/usr/bin/env bash
# Checks a built site with the Nu Html Checker (vnu.jar, pinned by tests/html/package-lock.json).
#
#   usage: bash scripts/html-check.sh SITE_DIR
#
# Every *.html file under SITE_DIR is checked as HTML, then every *.css file as CSS (--css),
# with --errors-only (warnings and info messages are not reported). vnu's CSS checker accepts
# what static/style.css uses (custom properties, var(), prefers-color-scheme, color-scheme,
# clamp/max/calc) without complaint, so CSS stays in the check. It is a second vnu run rather
# than --also-check-css in the first: with that option vnu 26.9.27 reports HTML errors one
# line too early (and --skip-non-css reports CSS errors one line too late).
#
# Exits 0 only when vnu reports no error. Once vnu has run, the last line is
#   html-check: N files, N errors
# Nothing is skipped silently: a missing java, npm or vnu.jar, an empty site or a vnu crash
# is a failure.
set -euo pipefail

die() {
  echo "html-check: FAIL: $*" >&2
  exit 1
}

[[ $# -eq 1 ]] || die "usage: bash scripts/html-check.sh SITE_DIR"
[[ -d "$1" ]] || die "site directory '$1' does not exist"
site=$(cd "$1" && pwd -P)

root=$(cd "$(dirname "$0")/.." && pwd -P)
html_dir="$root/tests/html"
jar="$html_dir/node_modules/vnu-jar/build/dist/vnu.jar"

# --- npm dependencies (vnu-jar) ---------------------------------------------------------------
# node_modules is up to date when it holds exactly the packages, versions and integrity hashes
# that package-lock.json records (npm writes node_modules/.package-lock.json on install).
# shellcheck source=lib/npm-lock.sh
source "$root/scripts/lib/npm-lock.sh"
deps_up_to_date() {
  [[ -f "$jar" ]] || return 1
  npm_lock_satisfied "$html_dir"
}

command -v node >/dev/null 2>&1 || die "node is not installed (needed to install and verify tests/html's npm dependencies)"
# One check at a time installs; the others wait, then find it done.
exec 8>"$(npm_install_lock "$html_dir")" && flock 8
if ! deps_up_to_date; then
  command -v npm >/dev/null 2>&1 || die "npm is not installed (needed to install vnu-jar in tests/html)"
  echo "html-check: installing tests/html npm dependencies (npm ci --ignore-scripts)" >&2
  # --ignore-scripts: vnu-jar's postinstall would download a Java runtime; we use the system java.
  (cd "$html_dir" && npm ci --ignore-scripts --no-audit --no-fund >&2) || die "npm ci failed in tests/html"
  deps_up_to_date || die "tests/html/node_modules does not match package-lock.json after npm ci"
fi
exec 8>&-
[[ -f "$jar" ]] || die "vnu.jar not found at $jar"

# --- java (vnu.jar needs Java 17 or newer) ----------------------------------------------------
java_major() {
  # Prints the major version of the java on PATH, or nothing when there is none that runs.
  command -v java >/dev/null 2>&1 || return 0
  { java -version 2>&1 || true; } | sed -nE '/ version "/{s/.* version "(1\.)?([0-9]+).*/\2/p;q;}'
}
java_ok() {
  local major
  major=$(java_major)
  [[ -n "$major" && "$major" -ge 17 ]]
}

if ! java_ok; then
  if [[ -f /etc/debian_version && $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "html-check: no Java 17+ found; installing default-jre-headless with apt-get" >&2
    # Slim Debian images lack this directory and the JRE's postinst fails without it.
    mkdir -p /usr/share/man/man1
    # cargo test runs this beside the other suites: one apt-get at a time.
    exec 9>/tmp/tradetalks-apt.lock && flock 9
    apt-get update >&2 || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends default-jre-headless >&2 \
      || die "apt-get install default-jre-headless failed"
    hash -r
  fi
  if ! java_ok; then
    found=$(java_major)
    if [[ -n "$found" ]]; then found="Java $found"; else found="no working java on PATH"; fi
    die "Java 17 or newer is required to run vnu.jar; found $found." \
      "Install a JRE (on Debian: apt-get install default-jre-headless) and run again."
  fi
fi

# --- run vnu ----------------------------------------------------------------------------------
list_files() { # NAME_PATTERN: NUL-separated, sorted
  find "$site" -type f -name "$1" -print0 | LC_ALL=C sort -z
}
html_files=()
while IFS= read -r -d '' f; do html_files+=("$f"); done < <(list_files '*.html')
css_files=()
while IFS= read -r -d '' f; do css_files+=("$f"); done < <(list_files '*.css')
[[ ${#html_files[@]} -gt 0 ]] || die "no .html files under $site (was the site built?)"

out=$(mktemp)
trap 'rm -f "$out"' EXIT

# vnu writes its messages (GNU format, one per line) to stderr; it exits 1 when it reports any.
status=0
java -jar "$jar" --errors-only --skip-non-html "${html_files[@]}" >>"$out" 2>&1 || status=$?
if [[ ${#css_files[@]} -gt 0 ]]; then
  java -jar "$jar" --errors-only --css "${css_files[@]}" >>"$out" 2>&1 || status=$?
fi

# With --errors-only every message line (those starting with "file:...") is an error. Any other
# output (a Java exception, say) is printed as well and fails the check, except the JVM's notes
# that it picked up JAVA_TOOL_OPTIONS / _JAVA_OPTIONS / JDK_JAVA_OPTIONS.
errors=0
other=0
while IFS= read -r line || [[ -n "$line" ]]; do
  [[ -n "$line" ]] || continue
  if [[ "$line" == '"file:'* ]]; then
    errors=$((errors + 1))
    # Paths relative to SITE_DIR, so the output reads the same for any build folder.
    echo "${line//"\"file:$site/"/\"}"
  elif [[ "$line" == *"Picked up "*_OPTIONS:* ]]; then
    echo "$line" >&2
  else
    other=$((other + 1))
    echo "$line"
  fi
done <"$out"

if [[ $errors -eq 0 && ( $status -ne 0 || $other -gt 0 ) ]]; then
  # vnu failed without reporting a document error: count it as one so the check fails.
  echo "html-check: vnu exited with status $status without reporting document errors" >&2
  errors=1
fi

echo "html-check: $((${#html_files[@]} + ${#css_files[@]})) files, $errors errors"
[[ $errors -eq 0 ]]
