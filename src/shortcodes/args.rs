//! The built-in shortcodes' arguments: names, types and which are required, checked before
//! anything renders so that a typo is reported at its position with a suggestion.

use std::ops::Range;

use super::parse::{ArgValue, Call};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::source::SourceFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgType {
    Str,
    Int,
    Bool,
    /// An array of strings; a single string is accepted as a one-item array.
    StrList,
    /// An array of numbers; a single number is accepted as a one-item array.
    NumList,
}

impl ArgType {
    fn name(self) -> &'static str {
        match self {
            ArgType::Str => "a string",
            ArgType::Int => "a whole number",
            ArgType::Bool => "true or false",
            ArgType::StrList => "an array of strings",
            ArgType::NumList => "an array of numbers",
        }
    }
}

pub struct ArgSpec {
    pub name: &'static str,
    pub kind: ArgType,
    pub required: bool,
}

const fn arg(name: &'static str, kind: ArgType) -> ArgSpec {
    ArgSpec {
        name,
        kind,
        required: false,
    }
}

const fn required(name: &'static str, kind: ArgType) -> ArgSpec {
    ArgSpec {
        name,
        kind,
        required: true,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyRule {
    Forbidden,
    Required,
}

pub struct Builtin {
    pub name: &'static str,
    pub args: &'static [ArgSpec],
    pub body: BodyRule,
    /// Makes a block (a table, a figure), so must stand on its own line.
    pub block: bool,
}

use ArgType::{Bool, Int, NumList, Str, StrList};

pub const BUILTINS: [Builtin; 9] = [
    Builtin {
        name: "figure",
        args: &[
            required("src", Str),
            arg("alt", Str),
            arg("caption", Str),
            arg("credit", Str),
            arg("title", Str),
            arg("decorative", Bool),
        ],
        body: BodyRule::Forbidden,
        block: true,
    },
    Builtin {
        name: "map",
        args: &[
            required("data", Str),
            required("value", Str),
            arg("key", Str),
            arg("label", Str),
            arg("caption", Str),
            arg("source", Str),
            arg("as_of", Str),
            arg("on", Str),
            arg("filter", Str),
            arg("bins", NumList),
            arg("highlight", StrList),
            arg("region", Str),
            arg("unit", Str),
            arg("missing", Str),
            arg("id", Str),
        ],
        body: BodyRule::Forbidden,
        block: true,
    },
    Builtin {
        name: "table",
        args: &[
            required("data", Str),
            arg("columns", StrList),
            arg("labels", StrList),
            arg("sort", Str),
            arg("filter", Str),
            arg("on", Str),
            arg("limit", Int),
            arg("caption", Str),
            arg("source", Str),
            arg("as_of", Str),
            arg("highlight", StrList),
            arg("sortable", Bool),
            arg("heat", StrList),
            arg("spark", StrList),
            arg("id", Str),
        ],
        body: BodyRule::Forbidden,
        block: true,
    },
    Builtin {
        name: "compare",
        args: &[
            required("section", Str),
            required("fields", StrList),
            arg("labels", StrList),
            arg("header", Str),
            required("caption", Str),
            arg("id", Str),
        ],
        body: BodyRule::Forbidden,
        block: true,
    },
    Builtin {
        name: "chart",
        args: &[
            arg("data", Str),
            arg("section", Str),
            required("x", Str),
            required("y", StrList),
            arg("kind", Str),
            arg("labels", StrList),
            arg("sort", Str),
            arg("filter", Str),
            arg("on", Str),
            arg("limit", Int),
            arg("unit", Str),
            arg("highlight", StrList),
            arg("caption", Str),
            arg("source", Str),
            arg("as_of", Str),
            arg("id", Str),
            arg("from", Str),
            arg("to", Str),
            arg("events", Str),
            arg("events_filter", Str),
            arg("left", StrList),
            arg("facet", Bool),
        ],
        body: BodyRule::Forbidden,
        block: true,
    },
    Builtin {
        name: "changes",
        args: &[
            required("data", Str),
            required("column", Str),
            arg("x", Str),
            arg("from", Str),
            arg("to", Str),
            arg("caption", Str),
            arg("source", Str),
            arg("id", Str),
        ],
        body: BodyRule::Forbidden,
        block: true,
    },
    Builtin {
        name: "timeline",
        args: &[
            required("data", Str),
            arg("caption", Str),
            arg("filter", Str),
            arg("on", Str),
            arg("id", Str),
        ],
        body: BodyRule::Forbidden,
        block: true,
    },
    Builtin {
        name: "note",
        args: &[arg("kind", Str), arg("title", Str)],
        body: BodyRule::Required,
        block: true,
    },
    Builtin {
        name: "source",
        args: &[
            required("title", Str),
            arg("publisher", Str),
            arg("date", Str),
            arg("url", Str),
        ],
        body: BodyRule::Forbidden,
        block: false,
    },
];

/// A call whose arguments matched its built-in's specification.
pub struct Args<'a> {
    pub call: &'a Call,
}

impl<'a> Args<'a> {
    /// Checks every argument of `call`; returns all problems at once.
    pub fn check(
        builtin: &Builtin,
        call: &'a Call,
        file: &SourceFile,
    ) -> Result<Args<'a>, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        let names = || builtin.args.iter().map(|a| a.name);
        for given in &call.args {
            let Some(spec) = builtin.args.iter().find(|a| a.name == given.name) else {
                let mut d = Diagnostic::error(format!(
                    "shortcode `{}` has no argument `{}`",
                    call.name, given.name
                ))
                .at(file, given.name_span.clone());
                d = match did_you_mean(&given.name, names()) {
                    Some(help) => d.with_help(help),
                    None => d.with_note(format!(
                        "its arguments are: {}",
                        names().collect::<Vec<_>>().join(", ")
                    )),
                };
                problems.push(d);
                continue;
            };
            if !fits(&given.arg.value, spec.kind) {
                problems.push(
                    Diagnostic::error(format!(
                        "argument `{}` of `{}` must be {}, not {}",
                        given.name,
                        call.name,
                        spec.kind.name(),
                        given.arg.value.type_name()
                    ))
                    .at(file, given.arg.span.clone()),
                );
            }
        }
        for spec in builtin.args.iter().filter(|a| a.required) {
            if call.arg(spec.name).is_none() {
                problems.push(
                    Diagnostic::error(format!(
                        "shortcode `{}` needs the argument `{}` ({})",
                        call.name,
                        spec.name,
                        spec.kind.name()
                    ))
                    .at(file, call.name_span.clone()),
                );
            }
        }
        match (builtin.body, call.body.is_some()) {
            (BodyRule::Required, false) => problems.push(
                Diagnostic::error(format!("shortcode `{}` needs a body", call.name))
                    .at(file, call.name_span.clone())
                    .with_help(format!(
                        "write `{{% {}() %}}` … `{{% end %}}` around the text",
                        call.name
                    )),
            ),
            (BodyRule::Forbidden, true) => problems.push(
                Diagnostic::error(format!("shortcode `{}` takes no body", call.name))
                    .at(file, call.name_span.clone())
                    .with_help(format!("write it inline: `{{{{ {}(...) }}}}`", call.name)),
            ),
            _ => {}
        }
        if problems.is_empty() {
            Ok(Args { call })
        } else {
            Err(problems)
        }
    }

    pub fn str(&self, name: &str) -> Option<&'a str> {
        match &self.call.arg(name)?.value {
            ArgValue::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        match &self.call.arg(name)?.value {
            ArgValue::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        match &self.call.arg(name)?.value {
            ArgValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A string list with each item's position.
    pub fn list(&self, name: &str) -> Option<Vec<(&'a str, Range<usize>)>> {
        let arg = self.call.arg(name)?;
        match &arg.value {
            ArgValue::Str(s) => Some(vec![(s.as_str(), arg.span.clone())]),
            ArgValue::Array(items) => Some(
                items
                    .iter()
                    .filter_map(|a| match &a.value {
                        ArgValue::Str(s) => Some((s.as_str(), a.span.clone())),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    /// A number list (`bins=[10, 20.5]`).
    pub fn numbers(&self, name: &str) -> Option<Vec<f64>> {
        let number = |value: &ArgValue| match value {
            ArgValue::Int(i) => Some(*i as f64),
            ArgValue::Float(f) => Some(*f),
            _ => None,
        };
        match &self.call.arg(name)?.value {
            ArgValue::Array(items) => items.iter().map(|a| number(&a.value)).collect(),
            single => number(single).map(|n| vec![n]),
        }
    }

    /// Where an argument's value is, or the shortcode's name when it was not given.
    pub fn span(&self, name: &str) -> Range<usize> {
        self.call
            .arg(name)
            .map_or(self.call.name_span.clone(), |a| a.span.clone())
    }
}

fn fits(value: &ArgValue, kind: ArgType) -> bool {
    match (kind, value) {
        (ArgType::Str, ArgValue::Str(_)) => true,
        (ArgType::Int, ArgValue::Int(_)) => true,
        (ArgType::Bool, ArgValue::Bool(_)) => true,
        (ArgType::StrList, ArgValue::Str(_)) => true,
        (ArgType::StrList, ArgValue::Array(items)) => {
            items.iter().all(|a| matches!(a.value, ArgValue::Str(_)))
        }
        (ArgType::NumList, ArgValue::Int(_) | ArgValue::Float(_)) => true,
        (ArgType::NumList, ArgValue::Array(items)) => items
            .iter()
            .all(|a| matches!(a.value, ArgValue::Int(_) | ArgValue::Float(_))),
        _ => false,
    }
}
