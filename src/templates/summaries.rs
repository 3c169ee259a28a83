//! Page summaries as the templates' lists hold them: packed into bytes, and made into template
//! values only while something shows them.
//!
//! A page's summary is a Tera map of about a hundred entries (its fields, its figures with
//! their sources and dates, its terms). As values, every summary of a 100,000-page site took
//! about 900 MB, held from the first render to the last; packed, the same summaries take
//! 213 MB. A section's pages are unpacked while that section renders
//! (`SectionParts`), a list's while the list renders, and `get_page`'s when it is called.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;
use tera::Value;
use tera::value::Key;

/// Makes template values from JSON, or from a packed summary, with one shared copy of each
/// map key. Summaries of thousands of pages repeat the same few dozen keys (`title`,
/// `value`, `source`, …); Tera's own conversion allocates each key again in every map, which
/// was about a third of what a summary weighs.
#[derive(Default)]
pub(crate) struct Keys {
    keys: foldhash::HashMap<String, Key<'static>>,
}

impl Keys {
    /// The one copy of map key `key`.
    fn key(&mut self, key: &str) -> Key<'static> {
        match self.keys.get(key) {
            Some(shared) => shared.clone(),
            None => {
                let shared = Key::String(Arc::from(key));
                self.keys.insert(key.to_owned(), shared.clone());
                shared
            }
        }
    }

    pub(crate) fn value(&mut self, json: &serde_json::Value) -> Value {
        use serde_json::Value as Json;
        match json {
            Json::Null => Value::none(),
            Json::Bool(b) => Value::from(*b),
            Json::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => Value::from(u),
                (None, Some(i)) => Value::from(i),
                (None, None) => Value::from(n.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(text) => Value::from(text.as_str()),
            Json::Array(items) => Value::from(
                items
                    .iter()
                    .map(|item| self.value(item))
                    .collect::<Vec<Value>>(),
            ),
            Json::Object(entries) => {
                let mut map = tera::Map::with_capacity(entries.len());
                for (key, item) in entries {
                    let value = self.value(item);
                    map.insert(self.key(key), value);
                }
                Value::from(map)
            }
        }
    }

    /// The value `packed` holds: the value `Keys::value` makes of the JSON it was packed
    /// from.
    pub(crate) fn unpack(&mut self, packed: &Packed) -> Value {
        let mut reader = Reader {
            bytes: &packed.0,
            at: 0,
        };
        // Packed here, so never short; should it be, the summary shows as nothing.
        self.read(&mut reader).unwrap_or_else(Value::none)
    }

    fn read(&mut self, reader: &mut Reader) -> Option<Value> {
        Some(match reader.byte()? {
            NONE => Value::none(),
            FALSE => Value::from(false),
            TRUE => Value::from(true),
            UNSIGNED => Value::from(reader.number()?),
            SIGNED => Value::from(i64::from_le_bytes(reader.eight()?)),
            FLOAT => Value::from(f64::from_le_bytes(reader.eight()?)),
            TEXT => Value::from(reader.text()?),
            LIST => {
                let count = reader.count()?;
                let mut items = Vec::with_capacity(count);
                for _ in 0..count {
                    items.push(self.read(reader)?);
                }
                Value::from(items)
            }
            MAP => {
                let count = reader.count()?;
                let mut map = tera::Map::with_capacity(count);
                for _ in 0..count {
                    let key = self.key(reader.text()?);
                    let item = self.read(reader)?;
                    map.insert(key, item);
                }
                Value::from(map)
            }
            _ => return None,
        })
    }
}

const NONE: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const UNSIGNED: u8 = 3;
const SIGNED: u8 = 4;
const FLOAT: u8 = 5;
const TEXT: u8 = 6;
const LIST: u8 = 7;
const MAP: u8 = 8;

/// A summary (any JSON value) packed into bytes: a tag byte for each value, lengths and
/// whole numbers as LEB128, texts and map keys as their UTF-8 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Packed(Box<[u8]>);

impl Packed {
    /// A JSON value packed (what `Packer` writes without one).
    #[cfg(test)]
    pub(crate) fn of(json: &serde_json::Value) -> Packed {
        let mut bytes = Vec::new();
        write(&mut bytes, json);
        Packed(bytes.into())
    }

    /// The packed bytes: what the page cache hashes of a summary.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Writes a packed summary value by value, without a JSON value first: the bytes `Packed::of`
/// gives for the JSON value with the same entries in the same order (a page's summary was
/// made as JSON and packed, 10% of an edit build's CPU at 10,000 pages). Each map or list
/// says how many items follow; the caller writes exactly that many.
#[derive(Default)]
pub(crate) struct Packer {
    bytes: Vec<u8>,
}

impl Packer {
    pub(crate) fn finish(self) -> Packed {
        Packed(self.bytes.into())
    }

    pub(crate) fn map(&mut self, count: usize) -> &mut Self {
        self.bytes.push(MAP);
        write_number(&mut self.bytes, count as u64);
        self
    }

    /// A map's key; its value follows.
    pub(crate) fn key(&mut self, key: &str) -> &mut Self {
        write_text(&mut self.bytes, key);
        self
    }

    pub(crate) fn list(&mut self, count: usize) -> &mut Self {
        self.bytes.push(LIST);
        write_number(&mut self.bytes, count as u64);
        self
    }

    pub(crate) fn text(&mut self, text: &str) {
        self.bytes.push(TEXT);
        write_text(&mut self.bytes, text);
    }

    pub(crate) fn null(&mut self) {
        self.bytes.push(NONE);
    }

    pub(crate) fn bool(&mut self, value: bool) {
        self.bytes.push(if value { TRUE } else { FALSE });
    }

    /// A whole number, as JSON holds it: unsigned when it is not negative.
    pub(crate) fn int(&mut self, value: i64) {
        match u64::try_from(value) {
            Ok(unsigned) => self.unsigned(unsigned),
            Err(_) => {
                self.bytes.push(SIGNED);
                self.bytes.extend_from_slice(&value.to_le_bytes());
            }
        }
    }

    pub(crate) fn unsigned(&mut self, value: u64) {
        self.bytes.push(UNSIGNED);
        write_number(&mut self.bytes, value);
    }

    /// A number with a fraction; none for one JSON cannot hold (NaN, infinities).
    pub(crate) fn float(&mut self, value: f64) {
        if value.is_finite() {
            self.bytes.push(FLOAT);
            self.bytes.extend_from_slice(&value.to_le_bytes());
        } else {
            self.null();
        }
    }

    pub(crate) fn opt_text(&mut self, text: Option<&str>) {
        match text {
            Some(text) => self.text(text),
            None => self.null(),
        }
    }

    pub(crate) fn json(&mut self, json: &serde_json::Value) {
        write(&mut self.bytes, json);
    }

    /// A YAML value as `Yaml::to_json` makes it.
    pub(crate) fn yaml(&mut self, yaml: &crate::yaml::Yaml) {
        use crate::yaml::YamlValue;
        match &yaml.value {
            YamlValue::Null => self.null(),
            YamlValue::Bool(b) => self.bool(*b),
            YamlValue::Int(i) => self.int(*i),
            YamlValue::Float(f) => self.float(*f),
            YamlValue::Str(s) => self.text(s),
            YamlValue::Seq(items) => {
                self.list(items.len());
                for item in items {
                    self.yaml(item);
                }
            }
            // A key given twice is one entry in JSON (where the first was, with the last
            // value): rare enough to go through JSON.
            YamlValue::Map(entries) if has_repeated_keys(entries) => self.json(&yaml.to_json()),
            YamlValue::Map(entries) => {
                self.map(entries.len());
                for (key, value) in entries {
                    self.key(&key.name).yaml(value);
                }
            }
        }
    }
}

fn has_repeated_keys(entries: &[(crate::yaml::YamlKey, crate::yaml::Yaml)]) -> bool {
    if entries.len() <= 16 {
        return entries
            .iter()
            .enumerate()
            .any(|(i, (key, _))| entries.iter().take(i).any(|(k, _)| k.name == key.name));
    }
    let mut seen = std::collections::HashSet::with_capacity(entries.len());
    !entries
        .iter()
        .all(|(key, _)| seen.insert(key.name.as_str()))
}

fn write(bytes: &mut Vec<u8>, json: &serde_json::Value) {
    use serde_json::Value as Json;
    match json {
        Json::Null => bytes.push(NONE),
        Json::Bool(false) => bytes.push(FALSE),
        Json::Bool(true) => bytes.push(TRUE),
        Json::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => {
                bytes.push(UNSIGNED);
                write_number(bytes, u);
            }
            (None, Some(i)) => {
                bytes.push(SIGNED);
                bytes.extend_from_slice(&i.to_le_bytes());
            }
            (None, None) => {
                bytes.push(FLOAT);
                bytes.extend_from_slice(&n.as_f64().unwrap_or(f64::NAN).to_le_bytes());
            }
        },
        Json::String(text) => {
            bytes.push(TEXT);
            write_text(bytes, text);
        }
        Json::Array(items) => {
            bytes.push(LIST);
            write_number(bytes, items.len() as u64);
            for item in items {
                write(bytes, item);
            }
        }
        Json::Object(entries) => {
            bytes.push(MAP);
            write_number(bytes, entries.len() as u64);
            for (key, item) in entries {
                write_text(bytes, key);
                write(bytes, item);
            }
        }
    }
}

fn write_text(bytes: &mut Vec<u8>, text: &str) {
    write_number(bytes, text.len() as u64);
    bytes.extend_from_slice(text.as_bytes());
}

fn write_number(bytes: &mut Vec<u8>, mut number: u64) {
    loop {
        let low = (number & 0x7f) as u8;
        number >>= 7;
        if number == 0 {
            bytes.push(low);
            return;
        }
        bytes.push(low | 0x80);
    }
}

/// Reads packed bytes; `None` past their end or on a malformed value.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let byte = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(byte)
    }

    fn number(&mut self) -> Option<u64> {
        let mut number = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            number |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(number);
            }
        }
        None
    }

    /// A length: never more than the bytes left, so that a malformed one allocates nothing.
    fn count(&mut self) -> Option<usize> {
        let count = usize::try_from(self.number()?).ok()?;
        (count <= self.bytes.len() - self.at).then_some(count)
    }

    fn eight(&mut self) -> Option<[u8; 8]> {
        let bytes = self.bytes.get(self.at..self.at + 8)?;
        self.at += 8;
        bytes.try_into().ok()
    }

    fn text(&mut self) -> Option<&'a str> {
        let len = self.count()?;
        let bytes = self.bytes.get(self.at..self.at + len)?;
        self.at += len;
        std::str::from_utf8(bytes).ok()
    }
}

/// Every page's summary, packed, by page index; shared by the template values and the
/// lookup of the template functions. `serve` also keeps each as a value (`unpacked`): it
/// keeps the whole site anyway, and an edit then renders its page's section without
/// unpacking every summary of it again.
#[derive(Clone, Default)]
pub(crate) struct Summaries {
    packed: Arc<Vec<Packed>>,
    values: Option<Arc<Vec<Value>>>,
}

impl Summaries {
    pub(crate) fn new(packed: Vec<Packed>) -> Summaries {
        Summaries {
            packed: Arc::new(packed),
            values: None,
        }
    }

    /// The same summaries, each also kept as a value.
    pub(crate) fn unpacked(self) -> Summaries {
        let indexes: Vec<usize> = (0..self.packed.len()).collect();
        let values = self.values(&indexes);
        Summaries {
            values: Some(Arc::new(values)),
            ..self
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.packed.len()
    }

    pub(crate) fn packed(&self, index: usize) -> Option<&Packed> {
        self.packed.get(index)
    }

    /// Page `index`'s summary as a value.
    pub(crate) fn get(&self, index: usize) -> Option<Value> {
        if let Some(values) = &self.values {
            return values.get(index).cloned();
        }
        Some(Keys::default().unpack(self.packed.get(index)?))
    }

    /// The summaries of pages `indexes`, in their order (in parallel; one copy of each key).
    pub(crate) fn values(&self, indexes: &[usize]) -> Vec<Value> {
        if let Some(values) = &self.values {
            let value = |&index: &usize| values.get(index).cloned().unwrap_or_else(Value::none);
            return indexes.iter().map(value).collect();
        }
        indexes
            .par_iter()
            .map_init(Keys::default, |keys, &index| {
                self.packed
                    .get(index)
                    .map_or_else(Value::none, |packed| keys.unpack(packed))
            })
            .collect()
    }

    /// Replaces page `index`'s summary (after its file changed).
    pub(crate) fn set(&mut self, index: usize, packed: Packed) {
        if let Some(values) = &mut self.values
            && let Some(slot) = Arc::make_mut(values).get_mut(index)
        {
            *slot = Keys::default().unpack(&packed);
        }
        if let Some(slot) = Arc::make_mut(&mut self.packed).get_mut(index) {
            *slot = packed;
        }
    }
}

/// A section's value without its pages' summaries, which go in when it is made (`value`):
/// its own summary's entries, then `pages`, then `subsections`, then what follows them
/// (its body and table of contents, once bodies have rendered).
#[derive(Clone)]
pub(crate) struct SectionParts {
    pub(crate) head: tera::Map,
    /// Its pages, by page index, in the section's order.
    pub(crate) pages: Vec<usize>,
    pub(crate) subsections: Value,
    pub(crate) tail: Vec<(&'static str, Value)>,
}

impl SectionParts {
    /// The section's value with `pages`, the summaries of its pages in its order.
    pub(crate) fn value(&self, pages: Vec<Value>) -> Value {
        let mut map = self.head.clone();
        map.insert("pages".into(), Value::from(pages));
        map.insert("subsections".into(), self.subsections.clone());
        for (name, item) in &self.tail {
            map.insert((*name).into(), item.clone());
        }
        Value::from(map)
    }

    /// Field `name` of the section's value, but for `pages`.
    pub(crate) fn field(&self, name: &'static str) -> Option<&Value> {
        if let Some((_, item)) = self.tail.iter().rev().find(|(n, _)| *n == name) {
            return Some(item);
        }
        match name {
            "pages" => None,
            "subsections" => Some(&self.subsections),
            _ => self.head.get(&Key::from(name)),
        }
    }

    /// The section's value, its pages' summaries unpacked from `summaries`.
    pub(crate) fn value_from(&self, summaries: &Summaries) -> Value {
        self.value(summaries.values(&self.pages))
    }
}

/// A taxonomy's value without its terms' pages: `{name, url, …, terms: [{…, pages}]}`.
#[derive(Clone, Default)]
pub(crate) struct TaxonomyParts {
    pub(crate) head: tera::Map,
    /// Each term's own entries and its pages, by page index.
    pub(crate) terms: Vec<(tera::Map, Vec<usize>)>,
}

impl TaxonomyParts {
    pub(crate) fn value_from(&self, summaries: &Summaries) -> Value {
        let terms: Vec<Value> = self
            .terms
            .iter()
            .map(|(term, pages)| {
                let mut map = term.clone();
                map.insert("pages".into(), Value::from(summaries.values(pages)));
                Value::from(map)
            })
            .collect();
        let mut map = self.head.clone();
        map.insert("terms".into(), Value::from(terms));
        Value::from(map)
    }
}

/// Sections' parts by key (content path or folder).
pub(crate) type SectionsParts = BTreeMap<String, SectionParts>;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// `Keys` makes the values Tera's own conversion makes, key order included; a packed
    /// value unpacks to the same.
    #[test]
    fn shared_keys_make_the_same_values() {
        let json = json!({
            "title": "日本の関税", "weight": 3, "below": -7, "big": u64::MAX, "rate": 24.5,
            "low": i64::MIN, "draft": false, "yes": true, "none": null,
            "terms": {"sectors": [{"name": "Café", "url": "/c/"}]},
            "fields": {"tariff": {"value": 10.0, "as_of": "2025-04-02", "source": "USTR"}},
            "empty": {}, "list": [1, "two", [3.5], {"वाणिज्य": "शुल्क"}], "": "",
            "long": "a text longer than twenty-one bytes, which Tera keeps apart"
        });
        let mut keys = Keys::default();
        let value = keys.value(&json);
        assert!(value == Value::from_serializable(&json));
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            serde_json::to_string(&json).unwrap()
        );
        // A second value reuses the keys of the first.
        let again = keys.value(&json);
        assert!(again == value);
        for _ in 0..2 {
            let unpacked = keys.unpack(&Packed::of(&json));
            assert!(unpacked == value);
            assert_eq!(
                serde_json::to_string(&unpacked).unwrap(),
                serde_json::to_string(&json).unwrap()
            );
        }
    }

    /// Cut or damaged bytes unpack to nothing, or to some value, and never panic.
    #[test]
    fn damaged_packed_bytes_never_panic() {
        let packed = Packed::of(&json!({"title": "한국", "list": [1, 2.5, -3, "x"]}));
        for end in 0..packed.0.len() {
            let cut = Packed(packed.0[..end].into());
            assert!(Keys::default().unpack(&cut) == Value::none());
        }
        let mut huge = vec![LIST];
        huge.extend_from_slice(&[0xff; 9]);
        huge.push(0x01);
        assert!(Keys::default().unpack(&Packed(huge.into())) == Value::none());
        assert!(Keys::default().unpack(&Packed(vec![9].into())) == Value::none());
        let bad_utf8 = Packed(vec![TEXT, 2, 0xc3, 0x28].into());
        assert!(Keys::default().unpack(&bad_utf8) == Value::none());
    }

    /// A section's and a taxonomy's values have their pages in the order given, after the
    /// entries of their own, as when they were made whole.
    #[test]
    fn parts_make_the_whole_values() {
        let summaries = Summaries::new(vec![
            Packed::of(&json!({"title": "Japan"})),
            Packed::of(&json!({"title": "India"})),
        ]);
        let section = SectionParts {
            head: Value::from_serializable(&json!({"title": "Asia", "path": "asia/"}))
                .into_map()
                .unwrap(),
            pages: vec![1, 0],
            subsections: Value::from(Vec::<Value>::new()),
            tail: vec![("content", Value::from("<p>Hi</p>"))],
        };
        let made = section.value_from(&summaries);
        // Kept as values too (`serve`), they make the same, and a replaced one shows.
        let mut unpacked = summaries.clone().unpacked();
        assert!(section.value_from(&unpacked) == made);
        unpacked.set(0, Packed::of(&json!({"title": "日本"})));
        assert!(unpacked.get(0).unwrap() == Value::from_serializable(&json!({"title": "日本"})));
        assert!(unpacked.packed(0) == Some(&Packed::of(&json!({"title": "日本"}))));
        assert_eq!(
            serde_json::to_string(&made).unwrap(),
            r#"{"title":"Asia","path":"asia/","pages":[{"title":"India"},{"title":"Japan"}],"subsections":[],"content":"<p>Hi</p>"}"#
        );
        let taxonomy = TaxonomyParts {
            head: Value::from_serializable(&json!({"name": "sectors"}))
                .into_map()
                .unwrap(),
            terms: vec![(
                Value::from_serializable(&json!({"name": "rice"}))
                    .into_map()
                    .unwrap(),
                vec![0],
            )],
        };
        assert_eq!(
            serde_json::to_string(&taxonomy.value_from(&summaries)).unwrap(),
            r#"{"name":"sectors","terms":[{"name":"rice","pages":[{"title":"Japan"}]}]}"#
        );
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<u64>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(serde_json::Value::from),
            any::<String>().prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::from),
                prop::collection::vec((any::<String>(), inner), 0..8).prop_map(|entries| {
                    serde_json::Value::Object(entries.into_iter().collect())
                }),
            ]
        })
    }

    proptest! {
        /// Any JSON, in any script, unpacks to the value made from it directly.
        #[test]
        fn any_json_unpacks_to_its_value(json in json_value()) {
            let direct = Keys::default().value(&json);
            let unpacked = Keys::default().unpack(&Packed::of(&json));
            prop_assert!(unpacked == direct);
            prop_assert_eq!(
                serde_json::to_string(&unpacked).unwrap(),
                serde_json::to_string(&direct).unwrap()
            );
        }
    }
}
