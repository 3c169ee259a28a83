//! The search index: built at build time, fetched in pieces by `search.js`, so search works on
//! any static host. Terms are sharded by their first two characters and documents chunked by
//! 256, so a query downloads a few small files whatever the size of the site.
//!
//! Layout under `search-index/`: `info.json` `{docs, chunk}`; `docs-K.json`
//! `[[title, url, excerpt, section], ...]` for ids K*256…; `terms-PP.json`
//! `{term: [[doc, score], ...]}` with postings by descending score.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use foldhash::HashMap;
use std::fmt::Write as _;

use memchr::memmem;
use rayon::prelude::*;
use serde_json::json;

pub const CHUNK: usize = 256;

/// English words too common to search for (`search.js` has the same list).
fn is_stop_word(word: &str) -> bool {
    // None is longer than four letters: most words are ruled out by their length alone.
    word.len() <= 4
        && matches!(
            word,
            "a" | "an"
                | "and"
                | "are"
                | "as"
                | "at"
                | "be"
                | "by"
                | "for"
                | "from"
                | "has"
                | "he"
                | "in"
                | "is"
                | "it"
                | "its"
                | "of"
                | "on"
                | "or"
                | "that"
                | "the"
                | "to"
                | "was"
                | "were"
                | "will"
                | "with"
                | "this"
                | "but"
        )
}

/// What the index knows of one page.
#[derive(Clone)]
pub struct Document<'a> {
    pub title: &'a str,
    pub url: String,
    pub description: Option<&'a str>,
    pub section: &'a str,
    pub headings: Vec<&'a str>,
    /// The page's text without markup.
    pub text: String,
}

impl Document<'_> {
    /// Adds every field to `key` (the build cache's key of an index). Destructured, so that
    /// a field added to `Document` cannot be left out of the key.
    pub fn add_to(&self, key: &mut crate::cache::KeyBuilder) {
        let Document {
            title,
            url,
            description,
            section,
            headings,
            text,
        } = self;
        key.add(title)
            .add(url)
            .add([u8::from(description.is_some())])
            .add(description.unwrap_or_default())
            .add(section)
            .add((headings.len() as u64).to_le_bytes());
        for heading in headings {
            key.add(heading);
        }
        key.add(text);
    }
}

/// The terms of `text`, as the index keys them (see `crate::text::words`): each word of two
/// or more characters (or one letter of a syllabary, abjad or ideographic script), lower-cased
/// and in NFC, English stop words dropped; words in Japanese, Chinese, Korean, Thai… as their
/// overlapping pairs of characters, so that `関税` is found inside `日本の関税交渉` and `관세`
/// inside `상호관세를` with no dictionary. `search.js` makes the same terms of a query.
pub fn tokens(text: &str) -> Terms<'_> {
    Terms {
        rest: text,
        pending: Vec::new().into_iter(),
    }
}

/// The terms of a text, one at a time (see `tokens`). ASCII punctuation, spaces and controls
/// end a word in every script, and nothing composes across them: the text is cut there
/// first. Most runs are plain ASCII words, which are slices of the text (copied only to
/// lower-case them); only runs with other characters (`café`, `日本の関税交渉は続く`, a lone
/// `—`) go through the Unicode rules. A hand-written iterator, because this runs on every
/// word of every page.
pub struct Terms<'a> {
    rest: &'a str,
    /// Terms of the last run that needed the Unicode rules, not yet returned.
    pending: std::vec::IntoIter<String>,
}

impl<'a> Iterator for Terms<'a> {
    type Item = Cow<'a, str>;

    fn next(&mut self) -> Option<Cow<'a, str>> {
        let separator = |b: &u8| b.is_ascii() && !b.is_ascii_alphanumeric();
        loop {
            if let Some(term) = self.pending.next() {
                if !is_stop_word(&term) {
                    return Some(Cow::Owned(term));
                }
                continue;
            }
            // Separators are single ASCII bytes, so both ends of a run are boundaries.
            let start = self.rest.bytes().position(|b| !separator(&b))?;
            let after = self.rest.get(start..).unwrap_or_default();
            let len = after
                .bytes()
                .position(|b| separator(&b))
                .unwrap_or(after.len());
            let run = after.get(..len).unwrap_or_default();
            self.rest = after.get(len..).unwrap_or_default();
            if !run.is_ascii() {
                let terms: Vec<String> = crate::text::words(run)
                    .into_iter()
                    .flat_map(word_terms)
                    .collect();
                self.pending = terms.into_iter();
                continue;
            }
            if run.len() < 2 {
                continue;
            }
            let word = if run.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(run.to_ascii_lowercase())
            } else {
                Cow::Borrowed(run)
            };
            if !is_stop_word(&word) {
                return Some(word);
            }
        }
    }
}

/// The terms one word gives: itself, or the pairs of an unspaced word.
fn word_terms(word: crate::text::Word) -> Vec<String> {
    let chars: Vec<char> = word.text.chars().collect();
    match chars.as_slice() {
        [] => Vec::new(),
        [one] if word.unspaced || crate::text::is_other_letter(*one) => vec![word.text],
        [_] => Vec::new(),
        _ if word.unspaced => chars.windows(2).map(|pair| pair.iter().collect()).collect(),
        _ => vec![word.text],
    }
}

/// The shard a term lives in: its first two characters when the first is in a–z or 0–9 (any
/// other second character as `_`); otherwise `_` and the low byte of the first character's
/// code point in hex, so that the terms of other scripts spread over up to 256 shards.
pub fn shard_of(term: &str) -> String {
    let mut chars = term.chars();
    let Some(first) = chars.next() else {
        return "_".to_owned();
    };
    let plain = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !plain(first) {
        return format!("_{:02x}", u32::from(first) & 0xff);
    }
    let second = chars.next().map(|c| if plain(c) { c } else { '_' });
    std::iter::once(first).chain(second).collect()
}

/// Builds the index files (name under `search-index/`, JSON text) for documents `0..count`.
pub fn build<'a>(
    count: usize,
    document: impl Fn(usize) -> Document<'a> + Sync,
) -> Vec<(String, String)> {
    Index::new(count, document).files()
}

/// Postings of the terms of one shard, by term: `(document, score)` by descending score,
/// then by document. Shared pieces (`Arc`) so that a copy of the index costs little and
/// replacing a document copies only the lists it is in.
type Shard = BTreeMap<Arc<str>, Arc<Vec<(u32, u32)>>>;

/// The search index in memory, from which its files are written. `serve` keeps one and
/// replaces the documents of edited pages; copies share what did not change.
#[derive(Clone, Default)]
pub struct Index {
    /// Each document's row of `docs-K.json`, by document id.
    rows: Vec<Arc<str>>,
    shards: BTreeMap<String, Arc<Shard>>,
}

impl Index {
    /// Indexes documents `0..count`. Documents are made on demand, scored in parallel and
    /// dropped: only their postings and rows are kept, never every page's text at once.
    pub fn new<'a>(count: usize, document: impl Fn(usize) -> Document<'a> + Sync) -> Index {
        type Postings = HashMap<String, Vec<(u32, u32)>>;
        let new_postings = || Postings::with_hasher(Default::default());
        // Few, large folds: merging per-fold maps costs more than scoring a page.
        let (postings, mut rows) = (0..count)
            .into_par_iter()
            .with_min_len(512)
            .fold(
                || (new_postings(), Vec::new()),
                |(mut postings, mut rows), id| {
                    let doc = document(id);
                    for (term, score) in scores(&doc) {
                        // Terms are copied only the first time this fold sees them.
                        match postings.get_mut(term.as_ref()) {
                            Some(list) => list.push((id as u32, score)),
                            None => {
                                postings.insert(term.into_owned(), vec![(id as u32, score)]);
                            }
                        }
                    }
                    rows.push((id, row(&doc)));
                    (postings, rows)
                },
            )
            .reduce(
                || (new_postings(), Vec::new()),
                |(mut postings, mut rows), (more, mut more_rows)| {
                    for (term, mut list) in more {
                        postings.entry(term).or_default().append(&mut list);
                    }
                    rows.append(&mut more_rows);
                    (postings, rows)
                },
            );
        let mut postings: Vec<(String, Vec<(u32, u32)>)> = postings.into_iter().collect();
        postings
            .par_iter_mut()
            .for_each(|(_, list)| sort_postings(list));
        let mut shards: BTreeMap<String, Shard> = BTreeMap::new();
        for (term, list) in postings {
            shards
                .entry(shard_of(&term))
                .or_default()
                .insert(term.into(), Arc::new(list));
        }
        rows.sort_unstable_by_key(|(id, _)| *id);
        Index {
            rows: rows.into_iter().map(|(_, row)| row.into()).collect(),
            shards: shards.into_iter().map(|(k, v)| (k, Arc::new(v))).collect(),
        }
    }

    /// Replaces document `id`, which was `old`, by `new`. Only the terms whose score changed
    /// are touched: a posting whose score holds keeps its place.
    pub fn replace(&mut self, id: usize, old: &Document, new: &Document) {
        let doc = id as u32;
        let (before, after) = (scores(old), scores(new));
        for term in before
            .iter()
            .filter(|(term, score)| after.get(*term) != Some(*score))
            .map(|(term, _)| term)
        {
            let key = shard_of(term);
            let Some(shard) = self.shards.get_mut(&key) else {
                continue;
            };
            let shard = Arc::make_mut(shard);
            if let Some(list) = shard.get_mut(term.as_ref()) {
                let list = Arc::make_mut(list);
                list.retain(|&(d, _)| d != doc);
                if list.is_empty() {
                    shard.remove(term.as_ref());
                }
            }
            if shard.is_empty() {
                self.shards.remove(&key);
            }
        }
        for (term, score) in after
            .iter()
            .filter(|(term, score)| before.get(*term) != Some(*score))
        {
            let score = *score;
            let shard = Arc::make_mut(self.shards.entry(shard_of(term)).or_default());
            let list = match shard.get_mut(term.as_ref()) {
                Some(list) => Arc::make_mut(list),
                None => Arc::make_mut(shard.entry(Arc::from(term.as_ref())).or_default()),
            };
            // The list is in order already: the document goes where it belongs.
            let at = list.partition_point(|&(d, s)| s > score || (s == score && d < doc));
            list.insert(at, (doc, score));
        }
        if let Some(row_of_id) = self.rows.get_mut(id) {
            *row_of_id = row(new).into();
        }
    }

    /// Every file (name under `search-index/`, JSON text).
    pub fn files(&self) -> Vec<(String, String)> {
        self.file_names()
            .into_iter()
            .filter_map(|name| {
                let text = self.file(&name)?;
                Some((name, text))
            })
            .collect()
    }

    /// The names of its files, in the order `files` gives them: each can be written on its
    /// own (`file`), so that a large index need not have every file's text at once.
    pub fn file_names(&self) -> Vec<String> {
        let mut names = vec!["info.json".to_owned()];
        for k in 0..self.rows.len().div_ceil(CHUNK) {
            names.push(format!("docs-{k}.json"));
        }
        for name in self.shards.keys() {
            names.push(format!("terms-{name}.json"));
        }
        names
    }

    /// One file by name (`info.json`, `docs-3.json`, `terms-ri.json`), written now.
    pub fn file(&self, name: &str) -> Option<String> {
        let stem = name.strip_suffix(".json")?;
        if stem == "info" {
            return Some(self.info());
        }
        if let Some(k) = stem.strip_prefix("docs-") {
            let k: usize = k.parse().ok()?;
            return (k * CHUNK < self.rows.len()).then(|| self.docs_chunk(k));
        }
        self.shards
            .get(stem.strip_prefix("terms-")?)
            .map(|shard| shard_text(shard))
    }

    /// The documents that match `query`, by id (see `lookup`).
    pub fn lookup(&self, query: &str) -> Vec<usize> {
        lookup(|name| self.file(name), query)
    }

    fn info(&self) -> String {
        json!({"docs": self.rows.len(), "chunk": CHUNK}).to_string()
    }

    fn docs_chunk(&self, k: usize) -> String {
        let end = ((k + 1) * CHUNK).min(self.rows.len());
        let rows: Vec<&str> = self.rows[k * CHUNK..end].iter().map(|r| &**r).collect();
        format!("[{}]", rows.join(","))
    }
}

/// Replaces the postings and rows of the `changed` documents (by id) in an index's `files`
/// (`(name, text)`, as `Index::files` gives them, and in that order), as `Update::apply` does
/// for a build: the proptest below pins it to indexing every document again. `None` when a
/// file is not what this module writes.
#[cfg(test)]
fn update_files(files: &mut Vec<(String, String)>, changed: &[(usize, Document)]) -> Option<()> {
    fn order(name: &str) -> (u8, usize, &str) {
        let stem = name.strip_suffix(".json").unwrap_or(name);
        match (stem.strip_prefix("docs-"), stem.strip_prefix("terms-")) {
            (Some(k), _) => (1, k.parse().unwrap_or(usize::MAX), ""),
            (_, Some(shard)) => (2, 0, shard),
            _ => (0, 0, ""),
        }
    }
    let mut updated = Update::new(changed)?.apply(
        files,
        |text| Some(text.clone()),
        |name, text| (name.to_owned(), text),
    )?;
    // In the order `Index::files` gives them: `info`, the rows by number, the shards by name.
    updated.sort_by(|(a, _), (b, _)| order(a).cmp(&order(b)));
    *files = updated;
    Some(())
}

/// A change of some documents of an index, made to its files one at a time (`file`), so that
/// a large index is never held whole: the new postings of the changed documents by shard, and
/// their new rows by chunk. A document's postings are found in a shard by their text `[id,`
/// (`Ids`).
pub struct Update {
    ids: Ids,
    /// The new postings, by shard: (term, document, score).
    added: BTreeMap<String, Vec<(String, u32, u32)>>,
    /// The new rows, by chunk (`docs-K.json`): (place in the chunk, row).
    rows: BTreeMap<usize, Vec<(usize, String)>>,
}

impl Update {
    /// The change that makes the `changed` documents (by id) what they are now.
    pub fn new(changed: &[(usize, Document)]) -> Option<Update> {
        let ids = Ids::new(
            changed
                .iter()
                .map(|(id, _)| u32::try_from(*id).ok())
                .collect::<Option<_>>()?,
        );
        let mut added: BTreeMap<String, Vec<(String, u32, u32)>> = BTreeMap::new();
        let mut rows: BTreeMap<usize, Vec<(usize, String)>> = BTreeMap::new();
        for (id, doc) in changed {
            for (term, score) in scores(doc) {
                added.entry(shard_of(&term)).or_default().push((
                    term.into_owned(),
                    *id as u32,
                    score,
                ));
            }
            rows.entry(id / CHUNK)
                .or_default()
                .push((id % CHUNK, row(doc)));
        }
        Some(Update { ids, added, rows })
    }

    /// The index's `files` (by name, each read with `read`) with the change made: each one
    /// read, changed if the change is in it, and handed to `each` (name, text) at once, so that
    /// no more than a file a thread is held; then the shards the change adds. The results in
    /// that order (a file left without a term is not handed on). `None` when a file does not
    /// read, is not what this module writes, or the index lacks a file the change needs (its
    /// `info.json`, a changed document's chunk of rows): the caller indexes from scratch.
    /// Every file handed on before that is one the new index has under its name.
    pub fn apply<F: Sync, T: Send>(
        &self,
        files: &[(String, F)],
        read: impl Fn(&F) -> Option<String> + Sync,
        each: impl Fn(&str, String) -> T + Sync,
    ) -> Option<Vec<T>> {
        let has: std::collections::HashSet<&str> =
            files.iter().map(|(name, _)| name.as_str()).collect();
        if !self.fits(|name| has.contains(name)) {
            return None;
        }
        let mut made: Vec<T> = files
            .par_iter()
            .map(|(name, file)| {
                let text = self.file(name, read(file)?)?;
                Some(text.map(|text| each(name, text)))
            })
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        for (name, text) in self.new_files(|name| has.contains(name))? {
            made.push(each(&name, text));
        }
        Some(made)
    }

    /// Whether an index whose files `has` names can take the change: it has its `info.json`
    /// and the chunk of rows of every changed document.
    fn fits(&self, has: impl Fn(&str) -> bool) -> bool {
        has("info.json") && self.rows.keys().all(|k| has(&format!("docs-{k}.json")))
    }

    /// File `name` of the index (`info.json`, `docs-K.json`, `terms-X.json`) with the change
    /// made: as it is when the change is not in it, none when it is left without a term;
    /// `None` when it is not a file this module writes.
    fn file(&self, name: &str, text: String) -> Option<Option<String>> {
        let stem = name.strip_suffix(".json")?;
        if stem == "info" {
            return Some(Some(text));
        }
        if let Some(k) = stem.strip_prefix("docs-") {
            let Some(changed) = self.rows.get(&k.parse().ok()?) else {
                return Some(Some(text));
            };
            let mut rows: Vec<serde_json::Value> = serde_json::from_str(&text).ok()?;
            for (at, row) in changed {
                *rows.get_mut(*at)? = serde_json::from_str(row).ok()?;
            }
            let rows: Vec<String> = rows.iter().map(serde_json::Value::to_string).collect();
            return Some(Some(format!("[{}]", rows.join(","))));
        }
        let shard = stem.strip_prefix("terms-")?;
        let added = self.added.get(shard);
        // Searched once: whether the shard changes, and where (for `update_shard`).
        let found = self.ids.at(&text);
        let mentioned = match &found {
            Some(found) => !found.is_empty(),
            None => self.ids.mentioned_in(&text),
        };
        if added.is_none() && !mentioned {
            return Some(Some(text));
        }
        update_shard(&text, &self.ids, found.as_deref(), added)
    }

    /// The shard files the change makes that the index does not have (`has` says which it
    /// has), by name.
    fn new_files(&self, has: impl Fn(&str) -> bool) -> Option<Vec<(String, String)>> {
        let mut files = Vec::new();
        for (shard, added) in &self.added {
            let name = format!("terms-{shard}.json");
            if !has(&name)
                && let Some(text) = update_shard("{}", &self.ids, Some(&[]), Some(added))?
            {
                files.push((name, text));
            }
        }
        Some(files)
    }
}

/// Shard file `text` without the postings of `ids` and with `added` (term, document, score):
/// `None` inside when no term is left. Lists that do not change are copied as they are; a
/// list that changes is spliced (`splice`): its other postings are copied as text, not
/// parsed and written again (the lists of common words hold a posting for nearly every
/// document: rewritten whole, they were 7% of an edit build's CPU at 10,000 pages). The
/// file's terms are in order (`None` when they are not), so new ones are merged in as they
/// come. `found`: where the few documents' postings are in the whole text (`Ids::at`), or
/// `None` for many documents, whose postings are then looked for list by list.
fn update_shard(
    text: &str,
    ids: &Ids,
    found: Option<&[usize]>,
    added: Option<&Vec<(String, u32, u32)>>,
) -> Option<Option<String>> {
    // The new postings of each term, in the order of its list: score down, then document.
    let mut new: BTreeMap<&str, Vec<(u32, u32)>> = BTreeMap::new();
    for (term, doc, score) in added.into_iter().flatten() {
        new.entry(term.as_str()).or_default().push((*doc, *score));
    }
    for pairs in new.values_mut() {
        sort_postings(pairs);
    }
    let mut new = new.into_iter().peekable();
    // Each list is mentioned when one of `found` is in it.
    let mut next_found = 0;
    let mut out = String::with_capacity(text.len() + 64);
    out.push('{');
    let mut previous: Option<Cow<str>> = None;
    for ShardTerm {
        term,
        quoted,
        start,
        list,
    } in shard_terms(text)?
    {
        if previous.as_ref().is_some_and(|previous| *previous >= term) {
            return None;
        }
        while let Some((added, adds)) = new.next_if(|(added, _)| *added < term.as_ref()) {
            push_term(&mut out, None, added, &splice("[]", ids, &adds)?)?;
        }
        let adds = new
            .next_if(|(added, _)| *added == term.as_ref())
            .map(|(_, adds)| adds)
            .unwrap_or_default();
        let mentioned = match &found {
            Some(found) => {
                while found.get(next_found).is_some_and(|&at| at < start) {
                    next_found += 1;
                }
                found
                    .get(next_found)
                    .is_some_and(|&at| at < start + list.len())
            }
            None => ids.mentioned_in(list),
        };
        if adds.is_empty() && !mentioned {
            push_term(&mut out, Some(quoted), &term, list)?;
        } else {
            push_term(&mut out, Some(quoted), &term, &splice(list, ids, &adds)?)?;
        }
        previous = Some(term);
    }
    for (added, adds) in new {
        push_term(&mut out, None, added, &splice("[]", ids, &adds)?)?;
    }
    out.push('}');
    Some((out.len() > 2).then_some(out))
}

/// Puts `"term":list` in shard text `out` (its quoted text as the file had it, when it had
/// it), unless the list is empty.
fn push_term(out: &mut String, quoted: Option<&str>, term: &str, list: &str) -> Option<()> {
    if list == "[]" {
        return Some(());
    }
    if out.len() > 1 {
        out.push(',');
    }
    match quoted {
        Some(quoted) => out.push_str(quoted),
        None => out.push_str(&serde_json::to_string(term).ok()?),
    }
    out.push(':');
    out.push_str(list);
    Some(())
}

/// Postings list `list` (`[[doc,score],...]`, score down, then document) without those of
/// `remove`, with `adds` (in the list's order) in their places: the postings kept are copied
/// as runs of text. `None` when `list` is not such a list.
fn splice(list: &str, remove: &Ids, adds: &[(u32, u32)]) -> Option<String> {
    fn push_run(out: &mut String, text: &str) {
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(text);
    }
    fn push_pair(out: &mut String, (doc, score): (u32, u32)) {
        if out.len() > 1 {
            out.push(',');
        }
        let _ = write!(out, "[{doc},{score}]");
    }
    let inner = list.strip_prefix('[')?.strip_suffix(']')?;
    let bytes = inner.as_bytes();
    let mut out = String::with_capacity(list.len() + 16 * adds.len());
    out.push('[');
    let mut adds = adds.iter().copied().peekable();
    // The postings copied next, as a range of `inner`.
    let mut run: Option<(usize, usize)> = None;
    let mut at = 0;
    while at < bytes.len() {
        let (doc, score, end) = posting(bytes, at)?;
        while let Some(add) = adds.next_if(|&(d, s)| s > score || (s == score && d < doc)) {
            if let Some((from, to)) = run.take() {
                push_run(&mut out, inner.get(from..to)?);
            }
            push_pair(&mut out, add);
        }
        if remove.contains(doc) {
            if let Some((from, to)) = run.take() {
                push_run(&mut out, inner.get(from..to)?);
            }
        } else {
            run = Some((run.map_or(at, |(from, _)| from), end));
        }
        at = end;
        if at < bytes.len() {
            if bytes.get(at) != Some(&b',') || at + 1 == bytes.len() {
                return None;
            }
            at += 1;
        }
    }
    if let Some((from, to)) = run {
        push_run(&mut out, inner.get(from..to)?);
    }
    for add in adds {
        push_pair(&mut out, add);
    }
    out.push(']');
    Some(out)
}

/// The posting `[doc,score]` at `at` in `bytes`: its document, its score and where it ends;
/// `None` when there is none there (each number one to ten digits, as `u32` has them).
fn posting(bytes: &[u8], at: usize) -> Option<(u32, u32, usize)> {
    fn number(bytes: &[u8], at: usize) -> Option<(u32, usize)> {
        let digits = bytes
            .get(at..)?
            .iter()
            .take(11)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 || digits > 10 {
            return None;
        }
        let mut value = 0u64;
        for &b in bytes.get(at..at + digits)? {
            value = value * 10 + u64::from(b - b'0');
        }
        Some((u32::try_from(value).ok()?, at + digits))
    }
    if bytes.get(at) != Some(&b'[') {
        return None;
    }
    let (doc, at) = number(bytes, at + 1)?;
    if bytes.get(at) != Some(&b',') {
        return None;
    }
    let (score, at) = number(bytes, at + 1)?;
    (bytes.get(at) == Some(&b']')).then_some((doc, score, at + 1))
}

/// A term of a shard file: the term, its quoted text, where its postings start in the file,
/// and their text.
struct ShardTerm<'t> {
    term: Cow<'t, str>,
    quoted: &'t str,
    start: usize,
    list: &'t str,
}

/// The terms of a shard file as `write_shard` writes it, each with its quoted text and the
/// text of its postings (`[[doc,score],...]`); `None` when the text is not such a file.
fn shard_terms(text: &str) -> Option<Vec<ShardTerm<'_>>> {
    let close_lists = memchr::memmem::Finder::new("]]");
    let mut rest = text.strip_prefix('{')?.strip_suffix('}')?;
    let mut terms = Vec::new();
    while !rest.is_empty() {
        // The term: a JSON string, whose only escaped characters are `\"`, `\\` and controls.
        let mut escaped = false;
        let end = rest.bytes().enumerate().skip(1).find_map(|(at, b)| {
            let end = b == b'"' && !escaped;
            escaped = b == b'\\' && !escaped;
            end.then_some(at)
        })?;
        let quoted = rest.get(..=end)?;
        let term = match quoted.contains('\\') {
            true => Cow::Owned(serde_json::from_str(quoted).ok()?),
            false => Cow::Borrowed(quoted.get(1..end)?),
        };
        rest = rest.get(end + 1..)?.strip_prefix(':')?;
        // Its postings: pairs of numbers, so the list ends at the first `]]`.
        let close = close_lists.find(rest.as_bytes())? + 2;
        terms.push(ShardTerm {
            term,
            quoted,
            start: text.len() - rest.len(),
            list: rest.get(..close)?,
        });
        rest = rest.get(close..)?;
        if let Some(more) = rest.strip_prefix(',') {
            rest = more;
            if rest.is_empty() {
                return None;
            }
        } else if !rest.is_empty() {
            return None;
        }
    }
    Some(terms)
}

/// The documents whose postings an update replaces, and how their postings are found in a
/// shard's text: by the text `[id,`, which nothing else in a shard can hold (a term never
/// contains ASCII punctuation), searched for as bytes when there are a few of them.
struct Ids {
    /// In order.
    ids: Vec<u32>,
    patterns: Option<Vec<memmem::Finder<'static>>>,
}

/// Past this many documents, a shard is read posting by posting instead of searched once
/// for each document.
const SEARCHED_FOR_UP_TO: usize = 16;

impl Ids {
    fn new(set: std::collections::HashSet<u32>) -> Ids {
        let mut ids: Vec<u32> = set.into_iter().collect();
        ids.sort_unstable();
        let patterns = (ids.len() <= SEARCHED_FOR_UP_TO).then(|| {
            ids.iter()
                .map(|id| memmem::Finder::new(format!("[{id},").as_bytes()).into_owned())
                .collect()
        });
        Ids { ids, patterns }
    }

    fn contains(&self, id: u32) -> bool {
        self.ids.binary_search(&id).is_ok()
    }

    /// Where `text` holds a posting of one of the documents, in order, when they are few
    /// enough to search for (`None` past `SEARCHED_FOR_UP_TO`).
    fn at(&self, text: &str) -> Option<Vec<usize>> {
        let patterns = self.patterns.as_ref()?;
        let mut at: Vec<usize> = patterns
            .iter()
            .flat_map(|pattern| pattern.find_iter(text.as_bytes()))
            .collect();
        at.sort_unstable();
        Some(at)
    }

    /// Whether `text` holds a posting of one of the documents.
    fn mentioned_in(&self, text: &str) -> bool {
        if let Some(patterns) = &self.patterns {
            return patterns
                .iter()
                .any(|pattern| pattern.find(text.as_bytes()).is_some());
        }
        text.match_indices('[').any(|(at, _)| {
            let after = text.get(at + 1..).unwrap_or_default();
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            after.as_bytes().get(digits) == Some(&b',')
                && after
                    .get(..digits)
                    .and_then(|n| n.parse().ok())
                    .is_some_and(|n: u32| self.contains(n))
        })
    }
}

/// The documents that match `query` in the index files that `read` gives by name (the files
/// of `search-index/`), as `search.js` matches them: every term of the query, the last one
/// (and any of one character) also as the start of a term. Sorted by document id. What the
/// tests use to prove that a page's words are found.
pub fn lookup(read: impl Fn(&str) -> Option<String>, query: &str) -> Vec<usize> {
    let terms: Vec<String> = tokens(query).map(Cow::into_owned).collect();
    let Some(last) = terms.len().checked_sub(1) else {
        return Vec::new();
    };
    let mut found: Option<std::collections::BTreeSet<u64>> = None;
    for (i, term) in terms.iter().enumerate() {
        let prefix = i == last || term.chars().nth(1).is_none();
        let shard: BTreeMap<String, Vec<(u64, u64)>> =
            read(&format!("terms-{}.json", shard_of(term)))
                .and_then(|text| serde_json::from_str(&text).ok())
                .unwrap_or_default();
        let docs: std::collections::BTreeSet<u64> = shard
            .iter()
            .filter(|(t, _)| {
                if prefix {
                    t.starts_with(term.as_str())
                } else {
                    *t == term
                }
            })
            .flat_map(|(_, list)| list.iter().map(|&(doc, _)| doc))
            .collect();
        found = Some(match found {
            Some(so_far) => so_far.intersection(&docs).copied().collect(),
            None => docs,
        });
    }
    found
        .unwrap_or_default()
        .into_iter()
        .filter_map(|doc| usize::try_from(doc).ok())
        .collect()
}

/// The URL of document `id`, from the index files that `read` gives.
pub fn document_url(read: impl Fn(&str) -> Option<String>, id: usize) -> Option<String> {
    let chunk: Vec<serde_json::Value> =
        serde_json::from_str(&read(&format!("docs-{}.json", id / CHUNK))?).ok()?;
    chunk.get(id % CHUNK)?.get(1)?.as_str().map(str::to_owned)
}

/// A document's row in `docs-K.json`: `[title, url, excerpt, section]`.
fn row(doc: &Document) -> String {
    json!([doc.title, doc.url, excerpt(doc), doc.section]).to_string()
}

fn sort_postings(list: &mut [(u32, u32)]) {
    list.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
}

/// A shard file: its terms in order, each with its postings. Written as text directly:
/// millions of postings as JSON values would cost more than everything else here.
fn shard_text(shard: &Shard) -> String {
    write_shard(shard.iter().map(|(term, list)| (&**term, list.as_slice())))
}

/// A shard file of `terms` (in order), each with its postings.
fn write_shard<'t>(terms: impl Iterator<Item = (&'t str, &'t [(u32, u32)])>) -> String {
    let mut text = String::from("{");
    for (term, postings) in terms {
        if text.len() > 1 {
            text.push(',');
        }
        text.push_str(&serde_json::to_string(term).unwrap_or_default());
        text.push_str(":[");
        for (i, (doc, score)) in postings.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            let _ = write!(text, "[{doc},{score}]");
        }
        text.push(']');
    }
    text.push('}');
    text
}

/// Each term's weight in one document: 10 per occurrence in the title, 4 in a heading, 3 in
/// the description, and 1 per occurrence in the text up to 10.
fn scores<'d>(doc: &'d Document) -> HashMap<Cow<'d, str>, u32> {
    let mut scores: HashMap<Cow<'d, str>, u32> = HashMap::default();
    let mut add = |text: &'d str, weight: u32| {
        for term in tokens(text) {
            *scores.entry(term).or_insert(0) += weight;
        }
    };
    add(doc.title, 10);
    for heading in &doc.headings {
        add(heading, 4);
    }
    if let Some(description) = doc.description {
        add(description, 3);
    }
    let mut body: HashMap<Cow<str>, u32> = HashMap::default();
    for term in tokens(&doc.text) {
        *body.entry(term).or_insert(0) += 1;
    }
    for (term, count) in body {
        *scores.entry(term).or_insert(0) += count.min(10);
    }
    scores
}

/// The description, or the first 25 words of the text and at most 160 characters (text in
/// scripts without spaces has few "words"), never cutting a character in two.
fn excerpt(doc: &Document) -> String {
    if let Some(description) = doc.description {
        return description.to_owned();
    }
    let words: Vec<&str> = doc.text.split_whitespace().take(25).collect();
    let mut text = words.join(" ");
    if doc.text.split_whitespace().nth(25).is_some() {
        text.push('…');
    }
    match crate::text::truncate(&text, EXCERPT_CHARS) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(cut) => cut,
    }
}

/// The longest excerpt, in grapheme clusters.
const EXCERPT_CHARS: usize = 160;

/// The text of an HTML fragment: tags dropped (with `<script>` and `<style>` contents),
/// common entities decoded, whitespace collapsed. One pass: this runs on every page.
pub fn html_text(html: &str) -> String {
    const ENTITIES: [(&str, char); 6] = [
        ("&nbsp;", ' '),
        ("&#39;", '\''),
        ("&quot;", '"'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&amp;", '&'),
    ];
    let mut text = CollapsedText::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(at) = rest.find(['<', '&']) {
        // `find` returns the start of the character it found: a boundary.
        let (before, tail) = rest.split_at(at);
        text.push_str(before);
        if let Some(after) = tail.strip_prefix('&') {
            let entity = ENTITIES
                .iter()
                .find_map(|(name, c)| Some((tail.strip_prefix(name)?, *c)));
            match entity {
                Some((after_entity, c)) => {
                    text.push(c);
                    rest = after_entity;
                }
                None => {
                    text.push('&');
                    rest = after;
                }
            }
            continue;
        }
        // A tag separates words; `<script>` and `<style>` take their contents with them.
        text.push(' ');
        let name = tail.strip_prefix('<').unwrap_or(tail);
        let skip_to = ["script", "style"].iter().find_map(|element| {
            let opens = name
                .get(..element.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(element))
                && name.len() > element.len();
            opens.then(|| {
                let close = format!("</{element}>");
                tail.find(&close).map(|i| i + close.len())
            })
        });
        let end = match skip_to {
            Some(Some(end)) => end,
            Some(None) => tail.len(),
            None => tail.find('>').map_or(tail.len(), |i| i + 1),
        };
        rest = tail.get(end..).unwrap_or_default();
    }
    text.push_str(rest);
    text.out
}

/// Text with every run of whitespace as one space, none at either end.
struct CollapsedText {
    out: String,
    space: bool,
}

impl CollapsedText {
    fn with_capacity(capacity: usize) -> CollapsedText {
        CollapsedText {
            out: String::with_capacity(capacity),
            space: false,
        }
    }

    fn push(&mut self, c: char) {
        if c.is_whitespace() {
            self.space = true;
            return;
        }
        if self.space && !self.out.is_empty() {
            self.out.push(' ');
        }
        self.space = false;
        self.out.push(c);
    }

    fn push_str(&mut self, text: &str) {
        for c in text.chars() {
            self.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_comes_out_of_html() {
        assert_eq!(
            html_text("<p>Rice &amp; beef</p><script>var x = '<p>';</script><p>tariffs</p>"),
            "Rice & beef tariffs"
        );
    }

    #[test]
    fn replacing_a_document_gives_the_index_made_from_scratch() {
        let doc = |title: &'static str, text: &str| Document {
            title,
            url: format!("/{title}/"),
            description: None,
            section: "",
            headings: vec!["Rice"],
            text: text.to_owned(),
        };
        let before = [
            doc("rice", "rice rice beef tariffs"),
            doc("cars", "cars and rice"),
            doc("steel", "steel quotas rice"),
        ];
        let mut index = Index::new(3, |i| before[i].clone());
        let edited = doc("cars", "trucks and beef, no rice at all");
        index.replace(1, &before[1], &edited);
        let after = [before[0].clone(), edited, before[2].clone()];
        assert_eq!(index.files(), Index::new(3, |i| after[i].clone()).files());
        assert!(index.file("terms-ca.json").is_some());
        assert!(
            index
                .file("terms-tr.json")
                .unwrap()
                .contains("\"trucks\":[[1,")
        );
        assert_eq!(index.file("docs-1.json"), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// Whatever changes in some documents, updating the files gives the files made from
        /// scratch: postings dropped and added, terms and shards that appear or go, rows of
        /// any chunk.
        #[test]
        fn updating_the_files_gives_the_index_made_from_scratch(
            texts in proptest::collection::vec("((rice|beef|cars|a|日本|관세|x1|[a-z]{1,3}|[0-9]{1,2}) ){0,12}", 1..400),
            edits in proptest::collection::vec((0usize..400, "((rice|trucks|日本の|[a-z]{1,3}|\\[1,) ){0,12}"), 1..6),
            titles in proptest::bool::ANY,
        ) {
            let doc = |id: usize, text: &str| Document {
                title: if titles { "rice and beef" } else { "" },
                url: format!("/p{id}/"),
                description: id.is_multiple_of(3).then_some("Rice quotas"),
                section: "",
                headings: if id.is_multiple_of(2) { vec!["Beef"] } else { Vec::new() },
                text: text.to_owned(),
            };
            let count = texts.len();
            let mut after = texts.clone();
            let mut changed: BTreeMap<usize, String> = BTreeMap::new();
            for (id, text) in edits {
                let id = id % count;
                after[id] = text.clone();
                changed.insert(id, text);
            }
            let mut index = Index::new(count, |i| doc(i, &texts[i]));
            let mut files = index.files();
            let changed: Vec<(usize, Document)> =
                changed.iter().map(|(&id, text)| (id, doc(id, text))).collect();
            let fresh = Index::new(count, |i| doc(i, &after[i])).files();
            proptest::prop_assert!(update_files(&mut files, &changed).is_some());
            proptest::prop_assert_eq!(&files, &fresh);
            // `serve`'s way: the index in memory, each document replaced.
            for (id, new) in &changed {
                index.replace(*id, &doc(*id, &texts[*id]), new);
            }
            proptest::prop_assert_eq!(index.files(), fresh);
        }
    }

    #[test]
    fn a_spliced_list_keeps_its_order_and_copies_what_it_keeps() {
        let ids = |list: &[u32]| Ids::new(list.iter().copied().collect());
        let list = "[[4,9],[1,5],[7,5],[2,1]]";
        // Removed from the middle, one added before all and one between equal scores.
        assert_eq!(
            splice(list, &ids(&[1, 3]), &[(3, 10), (5, 5)]).as_deref(),
            Some("[[3,10],[4,9],[5,5],[7,5],[2,1]]")
        );
        // Added last; every posting removed; a new list.
        assert_eq!(
            splice(list, &ids(&[8]), &[(8, 1)]).as_deref(),
            Some("[[4,9],[1,5],[7,5],[2,1],[8,1]]")
        );
        assert_eq!(
            splice(list, &ids(&[4, 1, 7, 2]), &[]).as_deref(),
            Some("[]")
        );
        assert_eq!(
            splice("[]", &ids(&[]), &[(0, 2)]).as_deref(),
            Some("[[0,2]]")
        );
        // Past `SEARCHED_FOR_UP_TO` documents, postings are read one by one: the same.
        let many: Vec<u32> = (100..100 + SEARCHED_FOR_UP_TO as u32 + 1)
            .chain([7])
            .collect();
        assert!(ids(&many).patterns.is_none());
        assert!(ids(&many).mentioned_in(list) && !ids(&[3]).mentioned_in(list));
        assert_eq!(
            splice(list, &ids(&many), &[]).as_deref(),
            Some("[[4,9],[1,5],[2,1]]")
        );
        // Not a list of ours.
        for bad in [
            "[[4,9],]",
            "[[4,9]",
            "[[4,x]]",
            "[4,9]",
            "[[4,9][1,5]]",
            "[[+4,9]]",
            "[[4,]]",
            "[[4294967296,1]]",
            "[[4,9 ]]",
        ] {
            assert_eq!(splice(bad, &ids(&[]), &[]), None, "{bad}");
        }
        assert_eq!(
            splice("[[4294967295,0]]", &ids(&[]), &[]).as_deref(),
            Some("[[4294967295,0]]")
        );
    }

    #[test]
    fn a_shard_update_merges_new_terms_in_order_and_refuses_a_file_out_of_order() {
        let ids = |list: &[u32]| Ids::new(list.iter().copied().collect());
        let shard = r#"{"rib":[[2,3],[1,1]],"rice":[[1,4]],"rick":[[3,2]]}"#;
        let added = vec![
            ("rica".to_owned(), 1, 5),
            ("rice".to_owned(), 1, 2),
            ("rim".to_owned(), 1, 1),
            ("ri".to_owned(), 1, 1),
        ];
        assert_eq!(
            update_shard(shard, &ids(&[1]), ids(&[1]).at(shard).as_deref(), Some(&added)),
            Some(Some(
                r#"{"ri":[[1,1]],"rib":[[2,3]],"rica":[[1,5]],"rice":[[1,2]],"rick":[[3,2]],"rim":[[1,1]]}"#
                    .to_owned()
            ))
        );
        // Every posting gone: no file.
        let rice = r#"{"rice":[[1,4]]}"#;
        assert_eq!(ids(&[1]).at(rice), Some(vec![9]), "`[1,` at byte 9");
        assert_eq!(update_shard(rice, &ids(&[1]), Some(&[9]), None), Some(None));
        for bad in [
            r#"{"rice":[[1,4]],"rib":[[2,3]]}"#,
            r#"{"rib":[[1,4]],"rib":[[2,3]]}"#,
        ] {
            assert_eq!(update_shard(bad, &ids(&[1]), None, None), None, "{bad}");
        }
    }

    #[test]
    fn shard_files_that_are_not_ours_are_refused() {
        let text = Document {
            title: "rice",
            url: "/rice/".to_owned(),
            description: None,
            section: "",
            headings: Vec::new(),
            text: "rice".to_owned(),
        };
        let mut files = vec![
            ("info.json".to_owned(), "{}".to_owned()),
            ("docs-0.json".to_owned(), "[[]]".to_owned()),
            ("terms-ri.json".to_owned(), "{\"rice\":[[0,".to_owned()),
        ];
        assert_eq!(update_files(&mut files, &[(0, text)]), None);
    }

    #[test]
    fn entities_are_decoded_once_and_whitespace_collapses() {
        assert_eq!(
            html_text("  <p>a&amp;lt;b &nbsp; c&foo; &#39;d&#39;</p>\n<p>e</p>  "),
            "a&lt;b c&foo; 'd' e"
        );
        assert_eq!(html_text("<style>p{}</style>x<script>"), "x");
    }

    #[test]
    fn tokens_and_shards() {
        let words: Vec<Cow<str>> = tokens("The US–Japan talks: 24% on rice, Ōsaka").collect();
        assert_eq!(words, ["us", "japan", "talks", "24", "rice", "ōsaka"]);
        assert_eq!(shard_of("rice"), "ri");
        assert_eq!(shard_of("r"), "r");
        assert_eq!(shard_of("rō"), "r_");
        assert_eq!(shard_of("ōsaka"), "_4d");
        assert_eq!(shard_of("関税"), "_a2");
    }

    #[test]
    fn text_in_any_script_comes_out_of_html() {
        // A tag followed by multi-byte text used to be sliced inside a character.
        assert_eq!(html_text("<p>日本の関税交渉</p>"), "日本の関税交渉");
        assert_eq!(html_text("<s>한국</s><sty>x"), "한국 x");
        assert_eq!(html_text("<scrip日本>é"), "é");
        assert_eq!(html_text("&amp日本&"), "&amp日本&");
    }

    proptest::proptest! {
        /// Cutting at ASCII punctuation first gives the terms the Unicode rules give the
        /// whole text.
        #[test]
        fn the_ascii_shortcut_changes_no_term(text in "[a-zA-Z0-9 .,;:!?'\"()\\-]{0,20}\\PC{0,20}[a-z .é—日本한국]{0,20}") {
            let whole: Vec<String> = crate::text::words(&text)
                .into_iter()
                .flat_map(word_terms)
                .filter(|w| !is_stop_word(w))
                .collect();
            let cut: Vec<String> = tokens(&text).map(Cow::into_owned).collect();
            proptest::prop_assert_eq!(cut, whole);
        }
    }

    #[test]
    fn words_of_every_script_become_terms() {
        let terms = |text: &str| tokens(text).map(Cow::into_owned).collect::<Vec<_>>();
        assert_eq!(terms("日本の関税"), ["日本", "本の", "の関", "関税"]);
        assert_eq!(terms("米"), ["米"]);
        assert_eq!(terms("쌀 관세를"), ["쌀", "관세", "세를"]);
        assert_eq!(terms("भारत की स्थिति"), ["भारत", "की", "स्थिति"]);
        assert_eq!(terms("Café a x"), ["café"]);
    }

    #[test]
    fn a_query_finds_words_in_any_script() {
        let docs = [
            ("日本", "日本の関税交渉は続く。"),
            ("한국", "한국의 입장: 쌀 관세"),
            ("भारत", "भारत की स्थिति"),
        ];
        let index = Index::new(docs.len(), |i| Document {
            title: docs[i].0,
            url: format!("/{i}/"),
            description: None,
            section: "",
            headings: vec![],
            text: docs[i].1.to_owned(),
        });
        assert_eq!(index.lookup("関税"), [0]);
        assert_eq!(index.lookup("関税交渉"), [0]);
        assert_eq!(
            index.lookup("関"),
            [0],
            "one character finds the pairs it starts"
        );
        assert_eq!(index.lookup("쌀"), [1]);
        assert_eq!(index.lookup("स्थिति"), [2]);
        assert_eq!(
            index.lookup("स्थि"),
            [2],
            "the last word of a query is a prefix"
        );
        assert!(index.lookup("交渉 쌀").is_empty());
    }

    #[test]
    fn titles_outrank_bodies_and_files_are_sharded() {
        let docs = [
            Document {
                title: "Rice tariffs",
                url: "/a/".into(),
                description: None,
                section: "",
                headings: vec![],
                text: "about rice".into(),
            },
            Document {
                title: "Cars",
                url: "/b/".into(),
                description: Some("cars"),
                section: "",
                headings: vec![],
                text: "rice rice rice".into(),
            },
        ];
        let files: BTreeMap<String, String> = build(docs.len(), |i| Document {
            title: docs[i].title,
            url: docs[i].url.clone(),
            description: docs[i].description,
            section: docs[i].section,
            headings: docs[i].headings.clone(),
            text: docs[i].text.clone(),
        })
        .into_iter()
        .collect();
        let shard: serde_json::Value = serde_json::from_str(&files["terms-ri.json"]).unwrap();
        assert_eq!(shard["rice"][0][0], 0, "the title match ranks first");
        assert_eq!(shard["rice"][1], json!([1, 3]));
        assert!(files.contains_key("docs-0.json"));
        let info: serde_json::Value = serde_json::from_str(&files["info.json"]).unwrap();
        assert_eq!(info, json!({"docs": 2, "chunk": 256}));
    }
}
