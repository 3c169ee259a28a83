#!/usr/bin/env bash
# The project's test command: every Rust test (unit, integration, CLI), then the HTML audit
# of the default site with the Nu Html Checker.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --all-targets

# Build the default site into a temporary folder and check every page (and stylesheet) with vnu.
# The output is a folder inside $tmp so that the build's staging folder beside it stays in $tmp.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cargo run --quiet -- build --quiet --output "$tmp/site"
bash scripts/html-check.sh "$tmp/site"
