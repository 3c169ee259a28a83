//! tradetalks: a static-site generator for explainers of trade negotiations.
//!
//! The pipeline, one module per stage (see `pipeline` for the order):
//! `config` → `content` (walk, `front_matter`, slugs, sections) and `data` → `markdown`
//! (with `highlight`) → `templates` (Tera) → `output` (atomic write). `diagnostic` and
//! `source` carry every user-facing problem with its file, line and column; `yaml` is the
//! one module that knows the YAML parser; `text` holds the Unicode rules that slugs, anchors
//! and search share.

// User text is sliced only at boundaries a comment proves; anything else goes through
// `str::get`, `split_once` and friends (see `text` and `source::floor_char_boundary`).
#![warn(clippy::string_slice)]

pub mod cache;
pub mod check;
pub mod cli;
pub mod config;
pub mod content;
pub mod data;
pub mod diagnostic;
pub mod facts;
pub mod failure;
pub mod geo;
pub mod graphics;
pub mod guard;
pub mod images;
pub mod markdown;
pub mod messages;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod publish;
pub mod scaffold;
pub mod serve;
pub mod shortcodes;
pub mod source;
pub mod spill;
pub mod templates;
pub mod text;
pub mod toml_tree;
pub mod yaml;
