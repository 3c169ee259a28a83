//! tradetalks: a static-site generator for explainers of trade negotiations.
//!
//! The pipeline, one module per stage (see `pipeline` for the order):
//! `config` → `content` (walk, `front_matter`, slugs, sections) and `data` → `markdown`
//! (with `highlight`) → `templates` (Tera) → `output` (atomic write). `diagnostic` and
//! `source` carry every user-facing problem with its file, line and column; `yaml` is the
//! one module that knows the YAML parser.

pub mod check;
pub mod cli;
pub mod config;
pub mod content;
pub mod data;
pub mod diagnostic;
pub mod facts;
pub mod markdown;
pub mod output;
pub mod pipeline;
pub mod publish;
pub mod scaffold;
pub mod serve;
pub mod shortcodes;
pub mod source;
pub mod templates;
pub mod yaml;
