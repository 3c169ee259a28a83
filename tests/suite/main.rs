//! One integration test binary (as mdBook and just do): fixture sites under `tests/fixtures`
//! built by the real `tradetalks` binary, and CLI tests pinning exit codes and messages.

mod browser;
mod build;
mod cache;
mod chart_kinds;
mod commands;
mod data_errors;
mod editions;
mod editor;
mod errors;
mod faults;
mod hostile;
mod html;
mod images;
mod incremental;
mod maps;
mod publish;
mod publishing;
mod serve;
mod shortcodes;
mod support;
mod through_time;
mod unicode;
