//! Page bodies between the stage that renders them and the stages that use them: every page's
//! template, `get_page`, the feed and the search index.
//!
//! A small site keeps them in memory. Past a threshold they go to unnamed temporary files, one
//! for each thread that renders (deleted by the system when the build ends, however it ends),
//! and are read back one at a time, so that a site of 100,000 pages does not hold two gigabytes of HTML while its
//! templates render. The operating system's page cache keeps recently written bodies in memory
//! when there is room, so reading them back is close to free on a machine with memory to spare.
//! A body the build cache holds (one the build took from it, or put there) is not written
//! again: it is read back from its entry, and only when something needs its HTML. After an
//! edit, most pages come whole from the page cache and never do: copying every body into a
//! temporary file cost a 10,000-page build 0.4 s on this machine's disk.
//!
//! Each body's digest (XXH3-128) is kept beside it: the page cache and the search index key a
//! page by its body's digest, so that neither reads the body to find it unchanged, and a body
//! read back from the build cache is known to be the one the build had.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::{Arc, Mutex};

use tera::Value;

use crate::cache::{Cache, Digest, Key};

/// How many bytes of Markdown files a site has before a build lets each file's text go once
/// parsed and writes its pages' bodies to disk as they render (bodies are two to four times
/// their Markdown with highlighted code): about 5,000 pages of the benchmark corpus.
pub const SPILL_OVER: usize = 32 * 1024 * 1024;

/// Every page's HTML body, by page index.
#[derive(Clone, Default)]
pub struct Texts {
    /// The files spilled bodies are in (one for each thread that wrote them), shared by the
    /// copies of a `Texts` (a body replaced later, by `set`, stays in memory: the files are
    /// never written again). Read at an offset, by any number of threads at once.
    files: Arc<[File]>,
    /// Where the bodies that are in the build cache are read back from.
    stored: Option<Stored>,
    slots: Vec<Slot>,
    /// Set when a body could not be read back (a failing disk, or a cache entry removed or
    /// replaced during the build): the build must not publish pages that came out without it.
    unreadable: Arc<std::sync::atomic::AtomicBool>,
}

#[derive(Clone)]
enum Slot {
    Memory(Value, Digest),
    /// `(file, offset, length)`: which of the files, and where in it.
    Disk(usize, u64, usize, Digest),
    /// In the build cache under this key.
    Cached(Key, Digest),
}

/// The build cache of the bodies a build took from it or put there, and how to read a body's
/// HTML from its entry (`pipeline::bodies::cached_html`).
#[derive(Clone)]
pub struct Stored {
    pub cache: Cache,
    pub read: fn(&Cache, &Key) -> Option<String>,
}

/// Where a spilled body is.
enum Place {
    Disk(u64, usize, Digest),
    Cached(Key, Digest),
}

/// Writes bodies to unnamed temporary files as they render, from any thread: a file for each
/// thread of the pool, so that no thread waits while another copies a body into its file
/// (one shared file had the threads take turns: 270 ms of a 10,000-page build's bodies).
pub struct Spiller {
    shards: Vec<Mutex<Spilling>>,
    stored: Option<Stored>,
}

struct Spilling {
    writer: BufWriter<File>,
    end: u64,
    /// After a failed write nothing more is written: where the file ends is then unknown.
    failed: bool,
    /// Page index to where its body is; a body that could not be written stays with its page.
    spans: std::collections::HashMap<usize, Place>,
}

impl Spiller {
    /// A spiller whose bodies in the build cache (`stored`) are read back from there.
    pub fn new(stored: Option<Stored>) -> std::io::Result<Spiller> {
        let shards = (0..rayon::current_num_threads().max(1))
            .map(|_| {
                Ok(Mutex::new(Spilling {
                    writer: BufWriter::with_capacity(1 << 20, tempfile::tempfile()?),
                    end: 0,
                    failed: false,
                    spans: Default::default(),
                }))
            })
            .collect::<std::io::Result<_>>()?;
        Ok(Spiller { shards, stored })
    }

    /// Writes page `index`'s body and returns an empty string in its place; on a write error
    /// (a full disk), returns the body itself, which then stays in memory: a full disk makes
    /// a build need more memory, not fail.
    pub fn put(&self, index: usize, html: String) -> String {
        let Some(mut spilling) = self.own_shard() else {
            return html;
        };
        if spilling.failed || spilling.writer.write_all(html.as_bytes()).is_err() {
            spilling.failed = true;
            return html;
        }
        let start = spilling.end;
        spilling.end += html.len() as u64;
        let digest = crate::cache::digest(html.as_bytes());
        spilling
            .spans
            .insert(index, Place::Disk(start, html.len(), digest));
        String::new()
    }

    /// Lets page `index`'s body go, to be read back from the build cache's entry `key` (which
    /// holds it: the build took it from there or put it there); returns an empty string in
    /// its place. Without a cache, writes it as `put` does.
    pub fn refer(&self, index: usize, key: Key, html: String) -> String {
        if self.stored.is_none() {
            return self.put(index, html);
        }
        let Some(mut spilling) = self.own_shard() else {
            return html;
        };
        let digest = crate::cache::digest(html.as_bytes());
        spilling.spans.insert(index, Place::Cached(key, digest));
        String::new()
    }

    /// The calling thread's shard: the pool's thread has its own; a thread outside it, the
    /// first. `None` if a thread panicked holding it.
    fn own_shard(&self) -> Option<std::sync::MutexGuard<'_, Spilling>> {
        let shard = rayon::current_thread_index().unwrap_or(0) % self.shards.len();
        self.shards[shard].lock().ok()
    }

    /// Every page's body: those written, from the files; the others from `kept` (by page
    /// index), in memory. An error when what was written cannot be flushed to its file.
    pub fn finish(self, kept: Vec<String>) -> std::io::Result<Texts> {
        let mut files = Vec::new();
        let mut spans = std::collections::HashMap::new();
        for (shard, spilling) in self.shards.into_iter().enumerate() {
            let spilling = spilling
                .into_inner()
                .map_err(|_| std::io::Error::other("a thread failed while writing page bodies"))?;
            files.push(
                spilling
                    .writer
                    .into_inner()
                    .map_err(|err| err.into_error())?,
            );
            spans.extend(
                spilling
                    .spans
                    .into_iter()
                    .map(|(index, place)| (index, (shard, place))),
            );
        }
        let slots = kept
            .into_iter()
            .enumerate()
            .map(|(index, html)| match spans.remove(&index) {
                Some((shard, Place::Disk(offset, length, digest))) => {
                    Slot::Disk(shard, offset, length, digest)
                }
                Some((_, Place::Cached(key, digest))) => Slot::Cached(key, digest),
                None => Slot::memory(&html),
            })
            .collect();
        Ok(Texts {
            files: files.into(),
            stored: self.stored,
            slots,
            unreadable: Default::default(),
        })
    }
}

impl Slot {
    fn memory(html: &str) -> Slot {
        Slot::Memory(
            Value::safe_string(html),
            crate::cache::digest(html.as_bytes()),
        )
    }
}

impl Texts {
    /// Every page's body, in memory.
    pub fn in_memory(bodies: Vec<String>) -> Texts {
        Texts {
            files: Arc::new([]),
            stored: None,
            slots: bodies.iter().map(|html| Slot::memory(html)).collect(),
            unreadable: Default::default(),
        }
    }

    /// Whether a body could not be read back from disk since this `Texts` was made.
    pub fn unreadable(&self) -> bool {
        self.unreadable.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Whether some bodies are on disk (in a temporary file or the build cache).
    pub fn spilled(&self) -> bool {
        self.slots
            .iter()
            .any(|slot| matches!(slot, Slot::Disk(..) | Slot::Cached(..)))
    }

    /// The digest of page `index`'s body (of no body, when there is no such page), known
    /// without reading the body.
    pub fn digest(&self, index: usize) -> Digest {
        match self.slots.get(index) {
            Some(Slot::Memory(_, digest) | Slot::Disk(.., digest) | Slot::Cached(_, digest)) => {
                *digest
            }
            None => crate::cache::digest(b""),
        }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Page `index`'s body, as templates see it (safe HTML). Empty if the temporary file
    /// cannot be read back, which only a failing disk causes (`unreadable` then says so).
    pub fn get(&self, index: usize) -> Value {
        match self.slots.get(index) {
            Some(Slot::Memory(value, _)) => value.clone(),
            Some(Slot::Disk(..) | Slot::Cached(..)) => Value::safe_string(&self.text(index)),
            None => Value::none(),
        }
    }

    /// Page `index`'s body as text.
    pub fn text(&self, index: usize) -> String {
        let text = match self.slots.get(index) {
            Some(Slot::Memory(value, _)) => return value.as_str().unwrap_or_default().to_owned(),
            Some(&Slot::Disk(shard, offset, length, digest)) => {
                let mut bytes = vec![0; length];
                let read = self
                    .files
                    .get(shard)
                    .is_some_and(|file| read_at(file, &mut bytes, offset).is_ok());
                String::from_utf8(bytes)
                    .ok()
                    .filter(|_| read)
                    .zip(Some(digest))
            }
            Some(Slot::Cached(key, digest)) => self
                .stored
                .as_ref()
                .and_then(|stored| (stored.read)(&stored.cache, key))
                .zip(Some(*digest)),
            None => return String::new(),
        };
        // What comes back must be what went: a cache entry can be removed or replaced by
        // another build while this one runs.
        match text {
            Some((text, digest)) if crate::cache::digest(text.as_bytes()) == digest => text,
            _ => {
                self.unreadable
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                String::new()
            }
        }
    }

    /// Replaces page `index`'s body (`serve`, after an edit): in memory, since `serve` does
    /// not spill.
    pub fn set(&mut self, index: usize, html: &str) {
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = Slot::memory(html);
        }
    }
}

/// Fills `buf` from `file` at `offset`, without moving a shared position: many threads read
/// one file at once.
#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                let rest = buf;
                buf = &mut rest[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bodies() -> Vec<String> {
        vec![
            "<p>Café</p>".to_owned(),
            String::new(),
            "<p>日本の関税</p>".repeat(100),
        ]
    }

    fn spilled(bodies: &[String], which: &[usize]) -> Texts {
        let spiller = Spiller::new(None).unwrap();
        let kept = bodies
            .iter()
            .enumerate()
            .map(|(index, body)| match which.contains(&index) {
                true => spiller.put(index, body.clone()),
                false => body.clone(),
            })
            .collect();
        spiller.finish(kept).unwrap()
    }

    #[test]
    fn bodies_spilled_from_many_threads_come_back_each_as_it_was() {
        use rayon::prelude::*;
        let bodies: Vec<String> = (0..500)
            .map(|i| format!("<p>{i} {}</p>", "データ".repeat(i % 7)))
            .collect();
        let spiller = Spiller::new(None).unwrap();
        let kept: Vec<String> = bodies
            .par_iter()
            .enumerate()
            .map(|(index, body)| spiller.put(index, body.clone()))
            .collect();
        let texts = spiller.finish(kept).unwrap();
        assert!(texts.spilled());
        (0..bodies.len())
            .into_par_iter()
            .for_each(|index| assert_eq!(texts.text(index), bodies[index]));
        assert!(!texts.unreadable());
    }

    /// A body the build cache holds is let go without being written, read back from its
    /// entry, and known by its digest; an entry removed or replaced during the build is
    /// told, never read as the body.
    #[test]
    fn bodies_in_the_build_cache_are_read_back_from_it_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().to_owned());
        let stored = Stored {
            cache: cache.clone(),
            read: |cache, key| cache.get::<String>("t", key),
        };
        let key = |i: u8| crate::cache::KeyBuilder::new("t").add([i]).finish();
        let texts = || {
            let spiller = Spiller::new(Some(stored.clone())).unwrap();
            let kept = bodies()
                .into_iter()
                .enumerate()
                .map(|(index, body)| match index {
                    1 => spiller.put(index, body),
                    _ => {
                        assert!(cache.put("t", &key(index as u8), &body));
                        spiller.refer(index, key(index as u8), body)
                    }
                })
                .collect();
            spiller.finish(kept).unwrap()
        };
        let read = texts();
        assert!(read.spilled());
        for (index, body) in bodies().iter().enumerate() {
            assert_eq!(&read.text(index), body);
            assert_eq!(read.get(index).as_str(), Some(body.as_str()));
            assert_eq!(read.digest(index), crate::cache::digest(body.as_bytes()));
        }
        assert!(!read.unreadable());
        // Another build replaced one entry and removed another.
        let replaced = texts();
        assert!(cache.put("t", &key(0), &"<p>Other</p>".to_owned()));
        assert_eq!(replaced.text(0), "");
        assert!(replaced.unreadable());
        let removed = texts();
        std::fs::remove_dir_all(dir.path().join("t")).unwrap();
        assert_eq!(removed.text(1), bodies()[1], "from the temporary file");
        assert!(!removed.unreadable());
        assert_eq!(removed.text(2), "");
        assert!(removed.unreadable());
        // Without a cache, a body to be referred to is written.
        let spiller = Spiller::new(None).unwrap();
        let kept = vec![spiller.refer(0, key(0), bodies()[2].clone())];
        let texts = spiller.finish(kept).unwrap();
        assert!(texts.spilled());
        assert_eq!(texts.text(0), bodies()[2]);
    }

    #[test]
    fn small_sites_keep_bodies_in_memory() {
        let texts = Texts::in_memory(bodies());
        assert!(!texts.spilled());
        assert_eq!(texts.text(0), "<p>Café</p>");
        assert_eq!(texts.get(2).as_str(), Some(bodies()[2].as_str()));
    }

    #[test]
    fn spilled_bodies_are_read_back_as_they_were() {
        // Pages 0 and 2 on disk, page 1 in memory (as after a failed write).
        let mut texts = spilled(&bodies(), &[2, 0]);
        assert!(texts.spilled());
        assert_eq!(texts.len(), 3);
        for (index, body) in bodies().iter().enumerate() {
            assert_eq!(&texts.text(index), body);
            assert_eq!(texts.get(index).as_str(), Some(body.as_str()));
        }
        let before = texts.clone();
        texts.set(2, "<p>नया</p>");
        assert_eq!(texts.text(2), "<p>नया</p>");
        assert_eq!(before.text(2), bodies()[2], "a copy keeps the body it had");
        assert_eq!(texts.text(0), bodies()[0]);
        assert_eq!(texts.text(7), "", "no page, no body");
        assert!(texts.get(7).is_none());
        assert!(!texts.unreadable());
    }
}
