//! Page bodies between the stage that renders them and the stages that use them: every page's
//! template, `get_page`, the feed and the search index.
//!
//! A small site keeps them in memory. Past a threshold they go to unnamed temporary files, one
//! for each thread that renders (deleted by the system when the build ends, however it ends),
//! and are read back one at a time, so that a site of 100,000 pages does not hold two gigabytes of HTML while its
//! templates render. The operating system's page cache keeps recently written bodies in memory
//! when there is room, so reading them back is close to free on a machine with memory to spare.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::{Arc, Mutex};

use tera::Value;

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
    slots: Vec<Slot>,
    /// Set when a body could not be read back (a failing disk): the build must not publish
    /// pages that came out without it.
    unreadable: Arc<std::sync::atomic::AtomicBool>,
}

#[derive(Clone)]
enum Slot {
    Memory(Value),
    /// `(file, offset, length)`: which of the files, and where in it.
    Disk(usize, u64, usize),
}

/// Writes bodies to unnamed temporary files as they render, from any thread: a file for each
/// thread of the pool, so that no thread waits while another copies a body into its file
/// (one shared file had the threads take turns: 270 ms of a 10,000-page build's bodies).
pub struct Spiller {
    shards: Vec<Mutex<Spilling>>,
}

struct Spilling {
    writer: BufWriter<File>,
    end: u64,
    /// After a failed write nothing more is written: where the file ends is then unknown.
    failed: bool,
    /// Page index to where its body is; a body that could not be written stays with its page.
    spans: std::collections::HashMap<usize, (u64, usize)>,
}

impl Spiller {
    pub fn new() -> std::io::Result<Spiller> {
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
        Ok(Spiller { shards })
    }

    /// Writes page `index`'s body and returns an empty string in its place; on a write error
    /// (a full disk), returns the body itself, which then stays in memory: a full disk makes
    /// a build need more memory, not fail.
    pub fn put(&self, index: usize, html: String) -> String {
        // The pool's thread writes to its own file; a thread outside it, to the first.
        let shard = rayon::current_thread_index().unwrap_or(0) % self.shards.len();
        let Ok(mut spilling) = self.shards[shard].lock() else {
            return html;
        };
        if spilling.failed || spilling.writer.write_all(html.as_bytes()).is_err() {
            spilling.failed = true;
            return html;
        }
        let start = spilling.end;
        spilling.end += html.len() as u64;
        spilling.spans.insert(index, (start, html.len()));
        String::new()
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
                    .map(|(index, (offset, length))| (index, (shard, offset, length))),
            );
        }
        let slots = kept
            .into_iter()
            .enumerate()
            .map(|(index, html)| match spans.get(&index) {
                Some(&(shard, offset, length)) => Slot::Disk(shard, offset, length),
                None => Slot::Memory(Value::safe_string(&html)),
            })
            .collect();
        Ok(Texts {
            files: files.into(),
            slots,
            unreadable: Default::default(),
        })
    }
}

impl Texts {
    /// Every page's body, in memory.
    pub fn in_memory(bodies: Vec<String>) -> Texts {
        Texts {
            files: Arc::new([]),
            slots: bodies
                .iter()
                .map(|html| Slot::Memory(Value::safe_string(html)))
                .collect(),
            unreadable: Default::default(),
        }
    }

    /// Whether a body could not be read back from disk since this `Texts` was made.
    pub fn unreadable(&self) -> bool {
        self.unreadable.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Whether some bodies are on disk.
    pub fn spilled(&self) -> bool {
        self.slots.iter().any(|slot| matches!(slot, Slot::Disk(..)))
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
            Some(Slot::Memory(value)) => value.clone(),
            Some(Slot::Disk(..)) => Value::safe_string(&self.text(index)),
            None => Value::none(),
        }
    }

    /// Page `index`'s body as text.
    pub fn text(&self, index: usize) -> String {
        match self.slots.get(index) {
            Some(Slot::Memory(value)) => value.as_str().unwrap_or_default().to_owned(),
            Some(&Slot::Disk(shard, offset, length)) => {
                let mut bytes = vec![0; length];
                let read = self
                    .files
                    .get(shard)
                    .is_some_and(|file| read_at(file, &mut bytes, offset).is_ok());
                match String::from_utf8(bytes) {
                    Ok(text) if read => text,
                    _ => {
                        self.unreadable
                            .store(true, std::sync::atomic::Ordering::Relaxed);
                        String::new()
                    }
                }
            }
            None => String::new(),
        }
    }

    /// Replaces page `index`'s body (`serve`, after an edit): in memory, since `serve` does
    /// not spill.
    pub fn set(&mut self, index: usize, html: &str) {
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = Slot::Memory(Value::safe_string(html));
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
        let spiller = Spiller::new().unwrap();
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
        let spiller = Spiller::new().unwrap();
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
