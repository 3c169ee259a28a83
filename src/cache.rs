//! The build cache: what a build computed, kept on disk for the next build, keyed by a hash of
//! everything it was computed from (content-addressed, as Bazel and sccache keep theirs).
//!
//! - **Never stale.** A key covers every input (see `pipeline::BodyCache` for bodies); an
//!   input not in the key is a bug, and the cache equivalence test (a cached build against a
//!   cold one after each of many random edits) is there to find it.
//! - **Never trusted.** Each entry starts with a magic number, the build of tradetalks that
//!   wrote it, the length and an XXH3-128 checksum of its payload. A truncated, corrupt or foreign
//!   entry is ignored (and removed), and the value computed again.
//! - **Safe to share.** Entries are written to a temporary file and renamed into place, so two
//!   builds on one cache never see half an entry; two builds writing one key write the same.
//! - **Bounded.** After a build, entries past the size limit are removed, least recently used
//!   first (a hit refreshes the entry's modification time, unless it is less than an hour
//!   old). The cache's size is kept in a
//!   ledger (`size`) so that a build that wrote little does not list every entry to learn it:
//!   the entries are listed when the ledger plus what the build wrote passes the limit, or
//!   there is no ledger. A listing that finds the cache past its limit removes entries down to
//!   a tenth below it, so that the builds after it write that much before the next listing.
//!   Two builds that trim at once may each miss the other's bytes; the
//!   next listing counts them again.
//!
//! The default place is `.tradetalks-cache/` under the site's root (`--cache-dir`,
//! `--no-cache`); `init` lists it in `.gitignore`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::SystemTime;

use bincode::Options as _;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The folder's name under a site's root.
pub const DEFAULT_DIR: &str = ".tradetalks-cache";
/// How large the cache may grow (its entries' bytes) before the oldest go. A build touches
/// every entry it uses, so a limit below one build's entries would evict, each build, what
/// the next needs: a 10,000-page site with its cards keeps 641 MB (bodies, rendered pages,
/// cards; see BENCHMARKS.md), so 4 GiB holds about 60,000 such pages.
pub const DEFAULT_LIMIT: u64 = 4 << 30;

const MAGIC: &[u8; 8] = b"TTCACHE3";
/// Magic, build, checksum, length: where each is in an entry's header.
const BUILD_AT: std::ops::Range<usize> = 8..24;
const CHECKSUM_AT: std::ops::Range<usize> = 24..40;
const LENGTH_AT: std::ops::Range<usize> = 40..48;
const HEADER: usize = LENGTH_AT.end;
/// How recently an entry may have been written or used for a hit to leave its modification
/// time as it is: eviction orders entries by that time, to within this much.
const FRESH: std::time::Duration = std::time::Duration::from_secs(3600);
/// The largest payload read back: anything claiming more is not ours.
const MAX_PAYLOAD: u64 = 256 << 20;

/// A 128-bit key: the XXH3-128 hash of what an entry was computed from.
///
/// Not a cryptographic hash, as rustc's incremental fingerprints (128-bit SipHash) are not:
/// a key tells apart the states of one editor's own files, where two of them colliding by
/// chance is less likely than 1 in 2^60 even among a billion entries. It was BLAKE3 until keys were
/// measured: fed in small pieces (a key is built from many short fields), BLAKE3 compresses
/// a 64-byte block per piece, and hashing was 9% of an edit build's CPU at 10,000 pages
/// (see BENCHMARKS.md). A translation's `translated_from` is still the start of a BLAKE3
/// hash (`editions::source_version`): editors keep those in their files.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct Key(pub [u8; 16]);

impl Key {
    fn hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut hex = String::with_capacity(2 * self.0.len());
        for byte in self.0 {
            hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
            hex.push(char::from(DIGITS[usize::from(byte & 15)]));
        }
        hex
    }
}

/// Builds a key from the inputs of a computation, in order; each input is length-prefixed so
/// that `("ab", "c")` and `("a", "bc")` differ.
#[derive(Clone)]
pub struct KeyBuilder(xxhash_rust::xxh3::Xxh3);

impl KeyBuilder {
    /// A key for values of `kind` (`body`, …).
    pub fn new(kind: &str) -> KeyBuilder {
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        hasher.update(&(kind.len() as u64).to_le_bytes());
        hasher.update(kind.as_bytes());
        KeyBuilder(hasher)
    }

    pub fn add(&mut self, bytes: impl AsRef<[u8]>) -> &mut KeyBuilder {
        let bytes = bytes.as_ref();
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    /// Adds a template value: its type, whether a string is marked safe (it is then not
    /// escaped), and its contents, each length-prefixed; no text is formatted on the way, so
    /// a page's body is hashed as it is.
    pub fn add_value(&mut self, value: &tera::Value) -> &mut KeyBuilder {
        let mut bytes = Vec::new();
        encode_value(&mut bytes, value);
        self.add(bytes)
    }

    pub fn add_key(&mut self, key: &Key) -> &mut KeyBuilder {
        self.add(key.0)
    }

    pub fn finish(&self) -> Key {
        Key(self.0.digest128().to_le_bytes())
    }
}

/// Writes `value` to `out` for a key (see `KeyBuilder::add_value`): one buffer hashed at
/// once, each piece length-prefixed and tagged.
fn encode_value(out: &mut Vec<u8>, value: &tera::Value) {
    fn tagged(out: &mut Vec<u8>, tag: u8, bytes: &[u8]) {
        out.push(tag);
        out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        out.extend_from_slice(bytes);
    }
    use tera::value::Key as K;
    if value.is_undefined() {
        tagged(out, b'U', &[]);
    } else if value.is_none() {
        tagged(out, b'N', &[]);
    } else if let Some(b) = value.as_bool() {
        tagged(out, b'B', &[u8::from(b)]);
    } else if let Some(text) = value.as_str() {
        let tag = if value.is_safe() { b's' } else { b'S' };
        tagged(out, tag, text.as_bytes());
    } else if let Some(items) = value.as_array() {
        tagged(out, b'A', &(items.len() as u64).to_le_bytes());
        for item in items {
            encode_value(out, item);
        }
    } else if let Some(map) = value.as_map() {
        tagged(out, b'M', &(map.len() as u64).to_le_bytes());
        for (key, item) in map {
            match key {
                K::Bool(b) => tagged(out, b'b', &[u8::from(*b)]),
                K::U64(n) => tagged(out, b'i', &i128::from(*n).to_le_bytes()),
                K::I64(n) => tagged(out, b'i', &i128::from(*n).to_le_bytes()),
                K::U128(n) => tagged(out, b'j', &n.to_le_bytes()),
                K::I128(n) => tagged(out, b'i', &n.to_le_bytes()),
                K::String(text) => tagged(out, b'k', text.as_bytes()),
                K::Str(text) => tagged(out, b'k', text.as_bytes()),
                other => tagged(out, b'?', other.to_string().as_bytes()),
            }
            encode_value(out, item);
        }
    } else if value.is_f64() {
        let bits = value.as_f64().unwrap_or_default().to_bits();
        tagged(out, b'F', &bits.to_le_bytes());
    } else if let Some(n) = value.as_i128() {
        tagged(out, b'I', &n.to_le_bytes());
    } else if let Some(n) = value.as_u128() {
        tagged(out, b'J', &n.to_le_bytes());
    } else if let Some(bytes) = value.as_bytes() {
        tagged(out, b'Y', bytes);
    } else {
        // No other kind of value exists; should one appear, its text stands for it.
        tagged(out, b'?', value.to_string().as_bytes());
    }
}

/// What identifies this build of tradetalks: its version and its executable (a rebuilt binary
/// has another size or time), so that no entry outlives the code that wrote it.
pub fn build_id() -> Key {
    static ID: OnceLock<Key> = OnceLock::new();
    *ID.get_or_init(|| {
        let mut key = KeyBuilder::new("tradetalks");
        key.add(env!("CARGO_PKG_VERSION"));
        if let Ok(meta) = std::env::current_exe().and_then(fs::metadata) {
            key.add(meta.len().to_le_bytes());
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            key.add(modified.to_le_bytes());
        }
        key.finish()
    })
}

/// A cache folder, or none (`--no-cache`): then every lookup misses and nothing is written.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: Option<PathBuf>,
    limit: u64,
    build: Key,
    /// Bytes of the entries written since the last `trim` (by every copy of this cache).
    written: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// The ledger's name in the cache folder: the cache's size in bytes, as text.
const LEDGER: &str = "size";

/// How a build used the cache: shown with `TRADETALKS_TIMINGS`, and counted by tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub hits: usize,
    pub misses: usize,
}

impl Cache {
    pub fn at(dir: PathBuf) -> Cache {
        Cache {
            dir: Some(dir),
            limit: DEFAULT_LIMIT,
            build: build_id(),
            written: Default::default(),
        }
    }

    pub fn none() -> Cache {
        Cache {
            dir: None,
            limit: DEFAULT_LIMIT,
            build: build_id(),
            written: Default::default(),
        }
    }

    pub fn with_limit(mut self, limit: u64) -> Cache {
        self.limit = limit;
        self
    }

    /// A cache written as if by another build of tradetalks (for tests of foreign entries).
    pub fn with_build(mut self, build: Key) -> Cache {
        self.build = build;
        self
    }

    pub fn is_enabled(&self) -> bool {
        self.dir.is_some()
    }

    /// Where the entry of `key` is: its name is also made of this build of tradetalks, so
    /// that two builds sharing a cache (a test binary and the program, two versions) each
    /// keep their own entry of a key that names only data (a search index file by its text)
    /// instead of replacing the other's at every build.
    fn path(&self, kind: &str, key: &Key) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let hex = KeyBuilder::new("entry")
            .add_key(&self.build)
            .add_key(key)
            .finish()
            .hex();
        let (head, tail) = hex.split_at(2);
        Some(dir.join(kind).join(head).join(tail))
    }

    /// The value stored under `key`, when there is one this build of tradetalks wrote and it
    /// is whole. A bad entry is removed.
    pub fn get<T: DeserializeOwned>(&self, kind: &str, key: &Key) -> Option<T> {
        let path = self.path(kind, key)?;
        // Opened once, to read the entry and to mark it used (a cache that cannot be written
        // is still read).
        let mut file = fs::File::options()
            .read(true)
            .write(true)
            .open(&path)
            .or_else(|_| fs::File::open(&path))
            .ok()?;
        // One look at the file for its size and age; then one read of exactly its bytes
        // (`read_to_end` would look at it again for the size, and read once more to find the
        // end: two system calls of four, for 20,000 entries in an edit build of 10,000 pages).
        let meta = file.metadata().ok()?;
        let len = meta.len();
        let bytes = match len <= (HEADER as u64 + MAX_PAYLOAD) {
            true => {
                let mut bytes = vec![0; len as usize];
                std::io::Read::read_exact(&mut file, &mut bytes).map(|()| bytes)
            }
            false => Err(std::io::Error::other("larger than any entry")),
        };
        match bytes.ok().and_then(|bytes| self.decode(&bytes)) {
            Some(value) => {
                // Recently used: the last to be evicted. An entry written or used within
                // `FRESH` is left as it is: marking it again would tell eviction nothing,
                // and costs a write of its inode (two a page for a warm build).
                let now = SystemTime::now();
                let stale = meta.modified().map_or(true, |modified| {
                    now.duration_since(modified).is_ok_and(|age| age > FRESH)
                });
                if stale {
                    let _ = file.set_modified(now);
                }
                Some(value)
            }
            None => {
                let _ = fs::remove_file(&path);
                None
            }
        }
    }

    fn decode<T: DeserializeOwned>(&self, bytes: &[u8]) -> Option<T> {
        let header = bytes.get(..HEADER)?;
        if header.get(..MAGIC.len())? != MAGIC || header.get(BUILD_AT)? != self.build.0 {
            return None;
        }
        let checksum = header.get(CHECKSUM_AT)?;
        let len = u64::from_le_bytes(header.get(LENGTH_AT)?.try_into().ok()?);
        let payload = bytes.get(HEADER..)?;
        if len > MAX_PAYLOAD || payload.len() as u64 != len {
            return None;
        }
        if checksum_of(payload) != checksum {
            return None;
        }
        bincode::DefaultOptions::new()
            .with_limit(MAX_PAYLOAD)
            .deserialize(payload)
            .ok()
    }

    /// Whether an entry is stored under `key` (whole or not: `get` tells).
    pub fn contains(&self, kind: &str, key: &Key) -> bool {
        self.path(kind, key).is_some_and(|path| path.is_file())
    }

    /// Stores `value` under `key`, and says whether it did. A cache that cannot be written is
    /// no error: the build goes on without it.
    pub fn put<T: Serialize>(&self, kind: &str, key: &Key, value: &T) -> bool {
        let Some(path) = self.path(kind, key) else {
            return false;
        };
        let encoding = bincode::DefaultOptions::new();
        let Ok(len) = encoding.serialized_size(value) else {
            return false;
        };
        let header = |checksum: [u8; 16]| {
            let mut header = Vec::with_capacity(HEADER);
            header.extend_from_slice(MAGIC);
            header.extend_from_slice(&self.build.0);
            header.extend_from_slice(&checksum);
            header.extend_from_slice(&len.to_le_bytes());
            header
        };
        let written = if len <= STREAMED_OVER {
            let Ok(payload) = encoding.serialize(value) else {
                return false;
            };
            let mut bytes = header(checksum_of(&payload));
            bytes.extend_from_slice(&payload);
            write_atomically(&path, |file| file.write_all(&bytes))
        } else {
            // A large value (a pack) is encoded twice rather than held twice: once for its
            // checksum, once into the file.
            let mut hashing = Hashing(xxhash_rust::xxh3::Xxh3::new());
            if encoding.serialize_into(&mut hashing, value).is_err() {
                return false;
            }
            let header = header(hashing.0.digest128().to_le_bytes());
            write_atomically(&path, |file| {
                let mut out = std::io::BufWriter::new(file);
                out.write_all(&header)?;
                encoding
                    .serialize_into(&mut out, value)
                    .map_err(std::io::Error::other)?;
                out.flush()
            })
        }
        .is_ok();
        if written {
            self.written
                .fetch_add(HEADER as u64 + len, std::sync::atomic::Ordering::Relaxed);
        }
        written
    }

    /// Keeps a file's bytes whole (kind `files`) under the hash of the bytes, and returns the
    /// key; bytes the cache holds already are not written again.
    pub fn put_file(&self, bytes: &[u8]) -> Key {
        #[derive(Serialize)]
        struct FileOut<'a> {
            #[serde(with = "crate::cache::bytes")]
            bytes: &'a [u8],
        }
        let key = KeyBuilder::new("file").add(bytes).finish();
        if !self.contains("files", &key) {
            self.put("files", &key, &FileOut { bytes });
        }
        key
    }

    /// The bytes kept by `put_file` under `key`, when the cache holds them whole.
    pub fn get_file(&self, key: &Key) -> Option<Vec<u8>> {
        #[derive(Deserialize)]
        struct FileIn {
            #[serde(with = "crate::cache::bytes")]
            bytes: Vec<u8>,
        }
        self.get::<FileIn>("files", key).map(|file| file.bytes)
    }

    /// Removes the least recently used entries until the cache is within its limit. Lists
    /// the entries only when the ledger is missing or says the limit may be passed.
    pub fn trim(&self) {
        let Some(dir) = &self.dir else {
            return;
        };
        let written = self.written.swap(0, std::sync::atomic::Ordering::Relaxed);
        let ledger = dir.join(LEDGER);
        let recorded = fs::read_to_string(&ledger)
            .ok()
            .and_then(|text| text.trim().parse::<u64>().ok());
        if let Some(total) = recorded.map(|bytes| bytes.saturating_add(written))
            && total <= self.limit
        {
            let _ = write_atomically(&ledger, |file| file.write_all(total.to_string().as_bytes()));
            return;
        }
        let mut entries: Vec<(SystemTime, u64, PathBuf)> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file() && e.path() != ledger)
            .filter_map(|e| {
                let meta = e.metadata().ok()?;
                Some((meta.modified().ok()?, meta.len(), e.into_path()))
            })
            .collect();
        let mut total: u64 = entries.iter().map(|e| e.1).sum();
        if total > self.limit {
            // Down to a tenth below the limit, not to it: a cache at its limit would
            // otherwise be listed again by every build that wrote a byte (300,000 entries,
            // a third of a second, for a 4 GiB cache).
            let goal = self.limit - self.limit / 10;
            entries.sort();
            for (_, len, path) in entries {
                if total <= goal {
                    break;
                }
                if fs::remove_file(&path).is_ok() {
                    total -= len;
                }
            }
        }
        let _ = write_atomically(&ledger, |file| file.write_all(total.to_string().as_bytes()));
    }
}

/// Many small values kept together as one entry (kind `packs`), for values that cost less to
/// compute than a file of their own costs to open: a page's parsed front matter takes about
/// 100 µs to parse, and an entry about 30 µs to open, read and mark used. A pack is read once
/// per build; each value in it is still found by its own content-addressed key, so a pack
/// can be out of date but never stale (a value whose key no longer matches is not asked for).
/// Its name says whose it is (a site's root): two sites sharing a cache each keep their own.
/// `Pack::default()` is an empty pack that keeps nothing (no cache, or `serve`'s reload of
/// one page): `get_or` then computes without encoding for a next pack that will not be
/// written.
#[derive(Debug, Default)]
pub struct Pack {
    index: std::collections::HashMap<Key, (usize, usize)>,
    blob: Vec<u8>,
    /// Whether the values computed are encoded for the next pack (the cache is enabled).
    keeps: bool,
}

#[derive(Serialize, Deserialize)]
struct PackEntry {
    index: Vec<(Key, u64, u64)>,
    #[serde(with = "crate::cache::bytes")]
    blob: Vec<u8>,
}

/// One value a build used from a pack (`hit`) or computed for it: `fresh` holds the computed
/// value, encoded, when the pack keeps values (see `Cache::put_pack`).
#[derive(Debug)]
pub struct PackUse {
    pub key: Key,
    pub hit: bool,
    pub fresh: Option<Vec<u8>>,
}

impl Pack {
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The value stored under `key`, if the pack has it and it decodes as a `T`.
    pub fn get<T: DeserializeOwned>(&self, key: &Key) -> Option<T> {
        let &(start, end) = self.index.get(key)?;
        decode_payload(self.blob.get(start..end)?)
    }

    /// Looks `key` up, or computes the value and encodes it for the next pack. Returns the
    /// value and what the build used, for `Cache::put_pack`.
    pub fn get_or<T, E>(
        &self,
        key: Key,
        compute: impl FnOnce() -> Result<T, E>,
    ) -> Result<(T, PackUse), E>
    where
        T: Serialize + DeserializeOwned,
    {
        if let Some(found) = self.lookup(key) {
            return Ok(found);
        }
        let value = compute()?;
        let used = self.fresh(key, &value);
        Ok((value, used))
    }

    /// The value stored under `key`, with what the build used, when the pack has it.
    pub fn lookup<T: DeserializeOwned>(&self, key: Key) -> Option<(T, PackUse)> {
        let value = self.get(&key)?;
        let used = PackUse {
            key,
            hit: true,
            fresh: None,
        };
        Some((value, used))
    }

    /// What the build used when it computed `value` for `key` itself: the value encoded for
    /// the next pack, when the pack keeps values.
    pub fn fresh<T: Serialize>(&self, key: Key, value: &T) -> PackUse {
        let fresh = self
            .keeps
            .then(|| bincode::DefaultOptions::new().serialize(value).ok())
            .flatten();
        PackUse {
            key,
            hit: false,
            fresh,
        }
    }
}

fn decode_payload<T: DeserializeOwned>(payload: &[u8]) -> Option<T> {
    bincode::DefaultOptions::new()
        .with_limit(MAX_PAYLOAD)
        .deserialize(payload)
        .ok()
}

impl Cache {
    /// The pack named `name`, or an empty one (no cache, none written yet, or a bad entry).
    pub fn pack(&self, name: &Key) -> Pack {
        let Some(entry) = self.get::<PackEntry>("packs", name) else {
            return Pack {
                keeps: self.is_enabled(),
                ..Pack::default()
            };
        };
        let len = entry.blob.len() as u64;
        let index = entry
            .index
            .into_iter()
            .filter(|&(_, start, end)| start <= end && end <= len)
            .map(|(key, start, end)| (key, (start as usize, end as usize)))
            .collect();
        Pack {
            index,
            blob: entry.blob,
            keeps: true,
        }
    }

    /// Replaces pack `name` with the values this build used (`uses`), taken from `earlier`
    /// or fresh. Nothing is written when the build used exactly what `earlier` holds, so
    /// that an unchanged site writes nothing.
    /// Each fresh value is let go as soon as it is in the new pack, and the pack is written
    /// without another copy (`put`): at 100,000 pages the front matter alone is 200 MB.
    pub fn put_pack(&self, name: &Key, earlier: &Pack, uses: Vec<PackUse>) {
        if !self.is_enabled() {
            return;
        }
        let mut seen = std::collections::HashSet::with_capacity(uses.len());
        let uses: Vec<PackUse> = uses.into_iter().filter(|u| seen.insert(u.key)).collect();
        let unchanged = uses.len() == earlier.len() && uses.iter().all(|u| u.hit);
        if unchanged {
            return;
        }
        let size = uses
            .iter()
            .map(|used| match &used.fresh {
                Some(bytes) => bytes.len(),
                None => earlier.index.get(&used.key).map_or(0, |&(s, e)| e - s),
            })
            .sum();
        let mut entry = PackEntry {
            index: Vec::with_capacity(uses.len()),
            blob: Vec::with_capacity(size),
        };
        for used in uses {
            let start = entry.blob.len() as u64;
            match used.fresh {
                Some(bytes) => entry.blob.extend_from_slice(&bytes),
                None => match earlier
                    .index
                    .get(&used.key)
                    .and_then(|&(start, end)| earlier.blob.get(start..end))
                {
                    Some(bytes) => entry.blob.extend_from_slice(bytes),
                    None => continue,
                },
            }
            entry.index.push((used.key, start, entry.blob.len() as u64));
        }
        self.put("packs", name, &entry);
    }
}

/// The checksum an entry keeps of its payload, to find one cut short or damaged: no key is
/// made of it, so it need not resist forgery (whoever can write the cache can write any
/// entry), only catch accidents, which a 128-bit XXH3 misses once in 2^128.
fn checksum_of(payload: &[u8]) -> [u8; 16] {
    xxhash_rust::xxh3::xxh3_128(payload).to_le_bytes()
}

/// What tells one output file's bytes from another's (XXH3-128): the build record keeps it
/// for each page it can restore from the page cache, so that a page is restored only as the
/// recorded build wrote it.
pub type Digest = [u8; 16];

pub fn digest(bytes: &[u8]) -> Digest {
    checksum_of(bytes)
}

/// How large an entry's payload may be for `Cache::put` to encode it into memory first.
const STREAMED_OVER: u64 = 1 << 20;

/// A writer that only hashes what it is given (`Cache::put`'s checksum of a large value).
struct Hashing(xxhash_rust::xxh3::Xxh3);

impl Write for Hashing {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes a temporary file beside `path` with `write` and renames it into place.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temp = dir.join(format!(".tmp-{}-{n}", std::process::id()));
    let result = fs::File::create(&temp)
        .and_then(|mut file| write(&mut file))
        .and_then(|()| fs::rename(&temp, path));
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value past `STREAMED_OVER` is encoded straight into its file: it reads back whole,
    /// and a damaged copy is refused as any entry is.
    #[test]
    fn a_large_value_is_written_without_a_copy_and_read_back_whole() {
        let cache = Cache::at(temp());
        let large: String = "figures and their sources; ".repeat(80_000);
        assert!(large.len() as u64 > STREAMED_OVER);
        let key = KeyBuilder::new("test").add("large").finish();
        assert!(cache.put("test", &key, &large));
        assert_eq!(
            cache.get::<String>("test", &key).as_deref(),
            Some(large.as_str())
        );
        let small = KeyBuilder::new("test").add("small").finish();
        assert!(cache.put("test", &small, &"small".to_owned()));
        // Both ways write the same bytes for the same value.
        let path = cache.path("test", &key).unwrap();
        let bytes = fs::read(&path).unwrap();
        let encoded = bincode::DefaultOptions::new().serialize(&large).unwrap();
        assert_eq!(bytes.get(HEADER..), Some(encoded.as_slice()));
        assert_eq!(bytes.get(CHECKSUM_AT), Some(&checksum_of(&encoded)[..]));
        let mut damaged = bytes;
        let middle = damaged.len() / 2;
        damaged[middle] ^= 1;
        fs::write(&path, damaged).unwrap();
        assert_eq!(cache.get::<String>("test", &key), None);
    }

    fn temp() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "tt-cache-test-{}-{}",
            std::process::id(),
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_stored_value_comes_back_and_a_bad_entry_never_does() {
        let dir = temp();
        let cache = Cache::at(dir.clone());
        let key = KeyBuilder::new("t").add("a").finish();
        cache.put("t", &key, &("hello".to_owned(), 42u32));
        assert_eq!(
            cache.get::<(String, u32)>("t", &key),
            Some(("hello".to_owned(), 42))
        );
        let path = cache.path("t", &key).unwrap();
        let whole = fs::read(&path).unwrap();
        // Truncated, one byte changed, garbage, another build's: each is a miss, and removed.
        let mut flipped = whole.clone();
        *flipped.last_mut().unwrap() ^= 1;
        for bad in [
            whole[..whole.len() - 3].to_vec(),
            flipped,
            b"not a cache entry at all".to_vec(),
            Vec::new(),
        ] {
            fs::write(&path, &bad).unwrap();
            assert_eq!(cache.get::<(String, u32)>("t", &key), None);
            assert!(!path.exists());
        }
        let other = Cache::at(dir.clone()).with_build(KeyBuilder::new("other").finish());
        other.put("t", &key, &("from elsewhere".to_owned(), 1u32));
        assert_eq!(cache.get::<(String, u32)>("t", &key), None);
        // No cache: nothing stored, nothing found.
        Cache::none().put("t", &key, &1u32);
        assert_eq!(Cache::none().get::<u32>("t", &key), None);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_pack_keeps_what_a_build_used_and_nothing_else() {
        let dir = temp();
        let cache = Cache::at(dir.clone());
        let name = KeyBuilder::new("pack").add("site").finish();
        let key = |i: u8| KeyBuilder::new("v").add([i]).finish();
        let empty = cache.pack(&name);
        assert!(empty.is_empty());
        let mut uses = Vec::new();
        for i in 0..3u8 {
            let (value, used) = empty
                .get_or(key(i), || Ok::<_, ()>(format!("value {i}")))
                .unwrap();
            assert_eq!(value, format!("value {i}"));
            assert!(!used.hit && used.fresh.is_some());
            uses.push(used);
        }
        cache.put_pack(&name, &empty, uses);
        let pack = cache.pack(&name);
        assert_eq!(pack.len(), 3);
        // A hit does not compute; a value of another type is a miss.
        let (value, used) = pack
            .get_or(key(1), || Err::<String, _>("computed"))
            .unwrap();
        assert_eq!((value.as_str(), used.hit), ("value 1", true));
        assert_eq!(pack.get::<(u64, u64, u64)>(&key(9)), None);
        // The next pack holds only what the next build used.
        let (_, fresh) = pack
            .get_or(key(7), || Ok::<_, ()>("seven".to_owned()))
            .unwrap();
        cache.put_pack(&name, &pack, vec![used, fresh]);
        let next = cache.pack(&name);
        assert_eq!(next.len(), 2);
        assert_eq!(next.get::<String>(&key(1)).as_deref(), Some("value 1"));
        assert_eq!(next.get::<String>(&key(7)).as_deref(), Some("seven"));
        assert_eq!(next.get::<String>(&key(0)), None);
        // A corrupt pack is an empty one.
        let path = cache.path("packs", &name).unwrap();
        let mut bytes = fs::read(&path).unwrap();
        *bytes.last_mut().unwrap() ^= 1;
        fs::write(&path, bytes).unwrap();
        assert!(cache.pack(&name).is_empty());
        // Without a cache nothing is encoded for a pack that will not be written.
        let (_, used) = Cache::none()
            .pack(&name)
            .get_or(key(1), || Ok::<_, ()>(1u8))
            .unwrap();
        assert!(!used.hit && used.fresh.is_none());
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn keys_separate_their_inputs() {
        let ab_c = KeyBuilder::new("k").add("ab").add("c").finish();
        let a_bc = KeyBuilder::new("k").add("a").add("bc").finish();
        assert_ne!(ab_c, a_bc);
        assert_ne!(
            KeyBuilder::new("k").add("x").finish(),
            KeyBuilder::new("j").add("x").finish()
        );
    }

    #[test]
    fn the_ledger_spares_a_listing_until_the_limit_may_be_passed() {
        let dir = temp();
        let cache = Cache::at(dir.clone()).with_limit(5_000);
        let key = |i: u8| KeyBuilder::new("t").add([i]).finish();
        cache.put("t", &key(0), &vec![7u8; 1_000]);
        cache.trim();
        let ledger = || fs::read_to_string(dir.join(LEDGER)).unwrap();
        let first: u64 = ledger().parse().unwrap();
        assert!(first > 1_000, "{first}");
        // Bytes that no build wrote are not seen until a listing…
        fs::write(dir.join("t").join("stray"), vec![0u8; 10_000]).unwrap();
        cache.put("t", &key(1), &vec![7u8; 1_000]);
        cache.trim();
        assert_eq!(ledger().parse::<u64>().unwrap(), first * 2);
        assert!(dir.join("t").join("stray").exists());
        // …which a build that may pass the limit makes: the oldest go.
        for i in 2..5 {
            cache.put("t", &key(i), &vec![7u8; 1_000]);
        }
        cache.trim();
        assert!(!dir.join("t").join("stray").exists());
        assert!(ledger().parse::<u64>().unwrap() <= 5_000);
        // Without a ledger, the entries are listed.
        fs::remove_file(dir.join(LEDGER)).unwrap();
        Cache::at(dir.clone()).with_limit(1_500).trim();
        assert!(ledger().parse::<u64>().unwrap() <= 1_500);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_listing_leaves_room_for_the_next_builds() {
        let dir = temp();
        let cache = Cache::at(dir.clone()).with_limit(5_000);
        let key = |i: u8| KeyBuilder::new("t").add([i]).finish();
        for i in 0..5 {
            cache.put("t", &key(i), &vec![7u8; 1_000]);
        }
        cache.trim();
        let ledger = || fs::read_to_string(dir.join(LEDGER)).unwrap();
        let after: u64 = ledger().parse().unwrap();
        assert!(after <= 4_500, "{after}");
        // The next build writes a little: it is counted, not listed (the stray file stays).
        fs::write(dir.join("t").join("stray"), vec![0u8; 10_000]).unwrap();
        cache.put("t", &key(9), &vec![7u8; 100]);
        cache.trim();
        assert!(dir.join("t").join("stray").exists());
        assert!(ledger().parse::<u64>().unwrap() > after);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn the_least_recently_used_entries_go_first() {
        let dir = temp();
        let cache = Cache::at(dir.clone()).with_limit(2_500);
        let keys: Vec<Key> = (0..4)
            .map(|i| KeyBuilder::new("t").add([i]).finish())
            .collect();
        // Written two hours ago, a second apart, oldest first.
        let then = SystemTime::now() - 2 * FRESH;
        for (i, key) in keys.iter().enumerate() {
            cache.put("t", key, &vec![7u8; 1_000]);
            let path = cache.path("t", key).unwrap();
            let file = fs::File::options().write(true).open(&path).unwrap();
            let at = then + std::time::Duration::from_secs(i as u64);
            file.set_modified(at).unwrap();
        }
        // The first is used again: it is now the most recent.
        assert!(cache.get::<Vec<u8>>("t", &keys[0]).is_some());
        cache.trim();
        let left: Vec<bool> = keys
            .iter()
            .map(|k| cache.path("t", k).unwrap().exists())
            .collect();
        assert_eq!(left, [true, false, false, true]);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_hit_on_a_fresh_entry_leaves_its_time() {
        let dir = temp();
        let cache = Cache::at(dir.clone());
        let key = KeyBuilder::new("t").add("fresh").finish();
        cache.put("t", &key, &1u8);
        let path = cache.path("t", &key).unwrap();
        let written = fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(cache.get::<u8>("t", &key), Some(1));
        assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), written);
        let _ = fs::remove_dir_all(dir);
    }
}

/// Serde for bytes as one byte string, not as a sequence of numbers: a PNG of hundreds of
/// kilobytes is copied into and out of the cache instead of encoded a byte at a time
/// (`#[serde(with = "crate::cache::bytes")]`).
pub mod bytes {
    use serde::de::{SeqAccess, Visitor};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) struct Bytes<'a>(pub(super) &'a [u8]);

    impl Serialize for Bytes<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_bytes(self.0)
        }
    }

    pub(super) struct ByteBuf(pub(super) Vec<u8>);

    impl<'de> Deserialize<'de> for ByteBuf {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Bytes;
            impl<'de> Visitor<'de> for Bytes {
                type Value = ByteBuf;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_bytes<E>(self, v: &[u8]) -> Result<ByteBuf, E> {
                    Ok(ByteBuf(v.to_vec()))
                }
                fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<ByteBuf, E> {
                    Ok(ByteBuf(v))
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ByteBuf, A::Error> {
                    let mut v = Vec::new();
                    while let Some(b) = seq.next_element()? {
                        v.push(b);
                    }
                    Ok(ByteBuf(v))
                }
            }
            deserializer.deserialize_byte_buf(Bytes)
        }
    }

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        Bytes(bytes).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        Ok(ByteBuf::deserialize(deserializer)?.0)
    }
}

/// Serde for a list of `(path, bytes)` (a body's downloads), each file's bytes as one byte
/// string (see `bytes`).
pub mod files {
    use super::bytes::{ByteBuf, Bytes};
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        files: &[(String, Vec<u8>)],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(files.len()))?;
        for (path, bytes) in files {
            seq.serialize_element(&(path, Bytes(bytes)))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<(String, Vec<u8>)>, D::Error> {
        let files: Vec<(String, ByteBuf)> = Vec::deserialize(deserializer)?;
        Ok(files.into_iter().map(|(path, b)| (path, b.0)).collect())
    }
}
