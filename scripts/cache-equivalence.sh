#!/usr/bin/env bash
# The build cache's full equivalence test: 200 random edits of a generated explainer (bodies,
# titles, dates, weights, taxonomies, data cells, templates, config, renames, deletions, site
# shortcodes), and after each a cached build compared with a cold build byte for byte; every
# other edit also `build` on the command line into the site's public/ with the cache (which
# links the pages it would write again from the last output), compared file by file with the
# cold build. `cargo test` runs the same test with 40 edits.
#
#   usage: bash scripts/cache-equivalence.sh [EDITS] [SEED]      (defaults: 200 edits, the test's own seed)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$root"
export TT_CACHE_EDITS=${1:-200}
[[ -n ${2:-} ]] && export TT_CACHE_SEED=$2
cargo test --release --test suite -- cache::a_cached_build_is_a_cold_build_after_any_edit --exact --nocapture
