# Sourced by the test scripts: whether an npm folder's node_modules holds exactly what its
# package-lock.json records (packages, versions, integrity hashes; npm writes
# node_modules/.package-lock.json on install), so `npm ci` runs only when something changed.
#
#   npm_lock_satisfied DIR   → exit status 0 when DIR/node_modules matches DIR/package-lock.json
npm_lock_satisfied() {
  local dir=$1
  [[ -f "$dir/node_modules/.package-lock.json" ]] || return 1
  node -e '
    const fs = require("fs"), path = require("path");
    const dir = process.argv[1];
    const want = JSON.parse(fs.readFileSync(path.join(dir, "package-lock.json"), "utf8")).packages || {};
    const have = JSON.parse(fs.readFileSync(path.join(dir, "node_modules/.package-lock.json"), "utf8")).packages || {};
    const keys = Object.keys(want).filter((k) => k !== "");
    let ok = keys.length === Object.keys(have).length;
    for (const k of keys) {
      const w = want[k], h = have[k];
      if (!h || h.version !== w.version || h.integrity !== w.integrity) { ok = false; break; }
      const pj = path.join(dir, k, "package.json");
      if (!fs.existsSync(pj) || JSON.parse(fs.readFileSync(pj, "utf8")).version !== w.version) { ok = false; break; }
    }
    process.exit(ok ? 0 : 1);
  ' "$dir"
}

# The lock a script holds while it checks and installs DIR's node_modules: `cargo test` runs
# several checks at once, and two `npm ci` in one folder remove each other's files (on a clean
# clone, one check failed with "node_modules does not match package-lock.json after npm ci").
#
#   npm_install_lock DIR     → prints the lock file's path (in /tmp, one per folder)
npm_install_lock() {
  printf '/tmp/tradetalks-npm-%s.lock\n' "$(printf '%s' "$1" | cksum | cut -d' ' -f1)"
}
