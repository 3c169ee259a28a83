//! Shortcode syntax. Finds `{{ name(arg=value, ...) }}` and `{% name(...) %} ... {% end %}` in
//! a Markdown body, outside code spans and fenced code, and returns them as a tree with byte
//! ranges in the file. `\{{` and `\{%` are literal text (Markdown then drops the backslash).

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag};

/// How deep body shortcodes may nest (a note in a note in a note…).
pub const MAX_NESTING: usize = 16;

/// A typed argument value.
#[derive(Debug, Clone, PartialEq)]
pub enum ArgValue {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Array(Vec<Arg>),
}

impl ArgValue {
    pub fn type_name(&self) -> &'static str {
        match self {
            ArgValue::Str(_) => "a string",
            ArgValue::Int(_) | ArgValue::Float(_) => "a number",
            ArgValue::Bool(_) => "a boolean",
            ArgValue::Array(_) => "an array",
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            ArgValue::Str(s) => s.clone().into(),
            ArgValue::Int(i) => (*i).into(),
            ArgValue::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            ArgValue::Bool(b) => (*b).into(),
            ArgValue::Array(items) => items.iter().map(|a| a.value.to_json()).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub value: ArgValue,
    /// Byte range of the value in the file.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NamedArg {
    pub name: String,
    pub name_span: Range<usize>,
    pub arg: Arg,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub name: String,
    pub name_span: Range<usize>,
    pub args: Vec<NamedArg>,
    /// The whole call, from `{{` or `{%` to the end of `}}` or of the closing `{% end %}`.
    pub span: Range<usize>,
    pub body: Option<Body>,
}

impl Call {
    pub fn arg(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|a| a.name == name).map(|a| &a.arg)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// The Markdown between the opening tag and `{% end %}`.
    pub range: Range<usize>,
    pub nodes: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Text(Range<usize>),
    Call(Call),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Range<usize>,
    pub help: Option<String>,
}

/// Cheap test that lets bodies without shortcodes skip the scan (and its Markdown pre-pass).
pub fn may_contain_shortcodes(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// Byte ranges (relative to `text`) of code spans and code blocks, where nothing expands.
pub fn code_ranges(text: &str) -> Vec<Range<usize>> {
    Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Code(_) | Event::Start(Tag::CodeBlock(_)) => Some(range),
            _ => None,
        })
        .collect()
}

/// Parses `text`, which starts at byte `base` of its file. Every syntax error is returned;
/// the nodes then still hold every call that parsed.
pub fn parse(text: &str, base: usize) -> (Vec<Node>, Vec<SyntaxError>) {
    let code = if may_contain_shortcodes(text) {
        code_ranges(text)
    } else {
        Vec::new()
    };
    let mut scanner = Scanner {
        text,
        base,
        code,
        errors: Vec::new(),
    };
    let nodes = scanner.nodes();
    (nodes, scanner.errors)
}

enum Tag_ {
    Inline(Call),
    Open(Call),
    End(Range<usize>),
}

/// An open body shortcode waiting for its `{% end %}`.
struct Frame {
    call: Call,
    body_start: usize,
    nodes: Vec<Node>,
}

struct Scanner<'a> {
    text: &'a str,
    base: usize,
    code: Vec<Range<usize>>,
    errors: Vec<SyntaxError>,
}

impl Scanner<'_> {
    fn nodes(&mut self) -> Vec<Node> {
        let mut stack: Vec<Frame> = Vec::new();
        let mut top: Vec<Node> = Vec::new();
        let mut text_start = 0;
        let mut pos = 0;
        while let Some(found) = self.text.get(pos..).and_then(|rest| rest.find('{')) {
            let at = pos + found;
            pos = at + 1;
            if !self.is_tag_start(at) {
                continue;
            }
            let (tag, end) = match self.tag(at) {
                Ok(parsed) => parsed,
                Err(error) => {
                    self.errors.push(error);
                    pos = at + 2;
                    continue;
                }
            };
            let nodes = match stack.last_mut() {
                Some(frame) => &mut frame.nodes,
                None => &mut top,
            };
            if text_start < at {
                nodes.push(Node::Text(self.abs(text_start..at)));
            }
            match tag {
                Tag_::Inline(call) => nodes.push(Node::Call(call)),
                Tag_::Open(call) => {
                    if stack.len() == MAX_NESTING {
                        self.errors.push(SyntaxError {
                            message: format!(
                                "shortcode bodies nest more than {MAX_NESTING} deep here"
                            ),
                            span: call.name_span.clone(),
                            help: Some("close some bodies with `{% end %}` first".into()),
                        });
                        // Expansion recurses once per level (and so would dropping a deeper
                        // tree): stop here, report it, and expand nothing.
                        return Vec::new();
                    }
                    stack.push(Frame {
                        call,
                        body_start: end,
                        nodes: Vec::new(),
                    });
                }
                Tag_::End(span) => match stack.pop() {
                    Some(mut frame) => {
                        frame.call.span = frame.call.span.start..self.base + end;
                        frame.call.body = Some(Body {
                            range: self.abs(frame.body_start..at),
                            nodes: frame.nodes,
                        });
                        let parent = match stack.last_mut() {
                            Some(parent) => &mut parent.nodes,
                            None => &mut top,
                        };
                        parent.push(Node::Call(frame.call));
                    }
                    None => self.errors.push(SyntaxError {
                        message: "`{% end %}` without an open shortcode".into(),
                        span,
                        help: Some(
                            "remove it, or open a body shortcode such as `{% note() %}` before it"
                                .into(),
                        ),
                    }),
                },
            }
            text_start = end;
            pos = end;
        }
        // Unclosed body shortcodes: report each, and keep their text as text.
        for frame in stack.into_iter().rev() {
            self.errors.push(SyntaxError {
                message: format!("`{{% {}(...) %}}` is never closed", frame.call.name),
                span: frame.call.name_span.clone(),
                help: Some("close its body with `{% end %}`".into()),
            });
        }
        if text_start < self.text.len() {
            top.push(Node::Text(self.abs(text_start..self.text.len())));
        }
        top
    }

    fn abs(&self, range: Range<usize>) -> Range<usize> {
        self.base + range.start..self.base + range.end
    }

    fn is_tag_start(&self, at: usize) -> bool {
        let (before, rest) = match (self.text.get(..at), self.text.get(at..)) {
            (Some(before), Some(rest)) => (before, rest),
            _ => return false,
        };
        if !(rest.starts_with("{{") || rest.starts_with("{%")) {
            return false;
        }
        if before.ends_with('\\') {
            return false;
        }
        !self.code.iter().any(|r| r.contains(&at))
    }

    /// Parses the tag starting at `at`; returns it and the offset just past it.
    fn tag(&self, at: usize) -> Result<(Tag_, usize), SyntaxError> {
        let block = self
            .text
            .get(at..)
            .is_some_and(|rest| rest.starts_with("{%"));
        let close = if block { "%}" } else { "}}" };
        let mut cur = Cursor {
            text: self.text,
            pos: at + 2,
            base: self.base,
        };
        cur.skip_ws();
        let name_start = cur.pos;
        let name = cur.ident();
        let name_span = self.abs(name_start..cur.pos);
        if name.is_empty() {
            return Err(cur.error_here(
                format!(
                    "expected a shortcode name after `{}`",
                    if block { "{%" } else { "{{" }
                ),
                Some(if block {
                    "write `{% name(...) %}`, or `\\{%` for a literal `{%`".into()
                } else {
                    "write `{{ name(...) }}`, or `\\{{` for a literal `{{`".into()
                }),
            ));
        }
        cur.skip_ws();
        if block && name == "end" && cur.eat(close) {
            return Ok((Tag_::End(self.abs(at..cur.pos)), cur.pos));
        }
        if !cur.eat("(") {
            return Err(cur.error_here(
                format!("expected `(` after the shortcode name `{name}`"),
                Some(format!(
                    "call it as `{name}()`, with arguments inside the parentheses"
                )),
            ));
        }
        let args = cur.args()?;
        cur.skip_ws();
        if !cur.eat(close) {
            return Err(cur.error_here(
                format!("expected `{close}` to close the shortcode `{name}`"),
                None,
            ));
        }
        let call = Call {
            name: name.to_owned(),
            name_span,
            args,
            span: self.abs(at..cur.pos),
            body: None,
        };
        Ok((
            if block {
                Tag_::Open(call)
            } else {
                Tag_::Inline(call)
            },
            cur.pos,
        ))
    }
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    base: usize,
}

impl<'a> Cursor<'a> {
    /// The text after the cursor. The cursor only ever moves by whole characters, so `pos`
    /// is a boundary; `get` keeps even a mistake from panicking.
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or_default()
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> &'a str {
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|&(i, c)| !(c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
            .map_or(rest.len(), |(i, _)| i);
        self.pos += len;
        rest.get(..len).unwrap_or_default()
    }

    fn error_here(&self, message: String, help: Option<String>) -> SyntaxError {
        let len = self.rest().chars().next().map_or(0, char::len_utf8);
        SyntaxError {
            message,
            span: self.base + self.pos..self.base + self.pos + len,
            help,
        }
    }

    fn args(&mut self) -> Result<Vec<NamedArg>, SyntaxError> {
        let mut args: Vec<NamedArg> = Vec::new();
        loop {
            self.skip_ws();
            if self.eat(")") {
                return Ok(args);
            }
            let start = self.pos;
            let name = self.ident();
            if name.is_empty() {
                return Err(self.error_here(
                    "expected an argument name or `)`".into(),
                    Some("arguments are written `name=value`, separated by commas".into()),
                ));
            }
            let name_span = self.base + start..self.base + self.pos;
            if args.iter().any(|a| a.name == name) {
                return Err(SyntaxError {
                    message: format!("argument `{name}` is given twice"),
                    span: name_span,
                    help: None,
                });
            }
            self.skip_ws();
            if !self.eat("=") {
                return Err(self.error_here(
                    format!("expected `=` after the argument name `{name}`"),
                    None,
                ));
            }
            self.skip_ws();
            let arg = self.value(0)?;
            args.push(NamedArg {
                name: name.to_owned(),
                name_span,
                arg,
            });
            self.skip_ws();
            if !self.eat(",") && !self.rest().starts_with(')') {
                return Err(self.error_here("expected `,` or `)` after an argument".into(), None));
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Arg, SyntaxError> {
        let start = self.pos;
        let value = match self.rest().chars().next() {
            Some(quote @ ('"' | '\'')) => ArgValue::Str(self.string(quote)?),
            Some('[') if depth < 8 => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    if self.eat("]") {
                        break;
                    }
                    items.push(self.value(depth + 1)?);
                    self.skip_ws();
                    if !self.eat(",") && !self.rest().starts_with(']') {
                        return Err(self.error_here("expected `,` or `]` in an array".into(), None));
                    }
                }
                ArgValue::Array(items)
            }
            Some(c) if c == '-' || c.is_ascii_digit() => self.number()?,
            _ => {
                let word = self.ident();
                match word {
                    "true" => ArgValue::Bool(true),
                    "false" => ArgValue::Bool(false),
                    _ => {
                        self.pos = start;
                        let help = if word.is_empty() {
                            None
                        } else {
                            Some(format!("put text in quotes: \"{word}\""))
                        };
                        return Err(self.error_here(
                            "expected a value: a \"string\", a number, true, false or [an, array]"
                                .into(),
                            help,
                        ));
                    }
                }
            }
        };
        Ok(Arg {
            value,
            span: self.base + start..self.base + self.pos,
        })
    }

    fn string(&mut self, quote: char) -> Result<String, SyntaxError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                c if c == quote => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, c @ ('"' | '\'' | '\\'))) => out.push(c),
                    Some((j, c)) => {
                        let at = self.base + self.pos + j - 1;
                        return Err(SyntaxError {
                            message: format!("unknown escape `\\{c}` in a string"),
                            span: at..at + 1 + c.len_utf8(),
                            help: Some("the escapes are \\\" \\' \\\\ \\n \\t".into()),
                        });
                    }
                    None => break,
                },
                c => out.push(c),
            }
        }
        Err(SyntaxError {
            message: "this string is never closed".into(),
            span: self.base + open..self.base + open + 1,
            help: Some(format!("end it with {quote}")),
        })
    }

    fn number(&mut self) -> Result<ArgValue, SyntaxError> {
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|&(i, c)| {
                !(c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || (i == 0 && c == '-'))
            })
            .map_or(rest.len(), |(i, _)| i);
        let word = rest.get(..len).unwrap_or_default();
        let span = self.base + self.pos..self.base + self.pos + len.max(1);
        let value = if let Ok(i) = word.parse::<i64>() {
            ArgValue::Int(i)
        } else if let Some(f) = word.parse::<f64>().ok().filter(|f| f.is_finite()) {
            ArgValue::Float(f)
        } else {
            return Err(SyntaxError {
                message: format!("`{word}` is not a number"),
                span,
                help: None,
            });
        };
        self.pos += len;
        Ok(value)
    }
}

#[cfg(test)]
// Tests slice fixed texts at known offsets: a wrong boundary fails the test, as it should.
#[allow(clippy::string_slice)]
mod tests {
    use super::*;

    fn calls(nodes: &[Node]) -> Vec<&Call> {
        nodes
            .iter()
            .filter_map(|n| match n {
                Node::Call(c) => Some(c),
                Node::Text(_) => None,
            })
            .collect()
    }

    fn one(text: &str) -> Call {
        let (nodes, errors) = parse(text, 0);
        assert!(errors.is_empty(), "{errors:?}");
        let found = calls(&nodes);
        assert_eq!(found.len(), 1, "{nodes:?}");
        found[0].clone()
    }

    fn error(text: &str) -> SyntaxError {
        let (_, errors) = parse(text, 100);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors[0].clone()
    }

    #[test]
    fn parses_typed_arguments_with_positions() {
        let text =
            r#"Before {{ chart(data="a.csv", n=3, f=-1.5, ok=true, ys=["a", 'b',]) }} after"#;
        let call = one(text);
        assert_eq!(call.name, "chart");
        assert_eq!(&text[call.span.clone()], &text[7..text.len() - 6]);
        assert_eq!(
            call.arg("data").unwrap().value,
            ArgValue::Str("a.csv".into())
        );
        assert_eq!(&text[call.arg("data").unwrap().span.clone()], "\"a.csv\"");
        assert_eq!(call.arg("n").unwrap().value, ArgValue::Int(3));
        assert_eq!(call.arg("f").unwrap().value, ArgValue::Float(-1.5));
        assert_eq!(call.arg("ok").unwrap().value, ArgValue::Bool(true));
        let ArgValue::Array(items) = &call.arg("ys").unwrap().value else {
            panic!("not an array")
        };
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].value, ArgValue::Str("b".into()));
    }

    #[test]
    fn arguments_may_span_lines_and_strings_keep_escapes() {
        let call = one("{{ note(\n  text=\"say \\\"hi\\\"\\n\",\n) }}");
        assert_eq!(
            call.arg("text").unwrap().value,
            ArgValue::Str("say \"hi\"\n".into())
        );
    }

    #[test]
    fn bodies_nest_and_keep_their_ranges() {
        let text = "{% note() %}\nA {{ source(title=\"x\") }}\n{% note(kind=\"c\") %}in{% end %}\n{% end %}\nafter";
        let call = one(text);
        let body = call.body.as_ref().unwrap();
        assert_eq!(&text[call.span.clone()], &text[..text.len() - 6]);
        let inner = calls(&body.nodes);
        assert_eq!(inner.len(), 2);
        assert_eq!(inner[0].name, "source");
        assert_eq!(inner[1].name, "note");
        let inner_body = inner[1].body.as_ref().unwrap();
        assert_eq!(&text[inner_body.range.clone()], "in");
    }

    #[test]
    fn code_spans_fenced_code_and_escapes_are_left_alone() {
        let text =
            "`{{ x() }}` and\n\n```\n{{ y() }}\n{% end %}\n```\n\n\\{{ z() }} and {{ real() }}";
        let (nodes, errors) = parse(text, 0);
        assert!(errors.is_empty(), "{errors:?}");
        let found = calls(&nodes);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "real");
    }

    #[test]
    fn text_without_shortcodes_is_one_text_node() {
        let (nodes, errors) = parse("plain { text } here", 5);
        assert!(errors.is_empty());
        assert_eq!(nodes, vec![Node::Text(5..24)]);
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = error("x {{ table(data=\"a.csv\" }}");
        assert!(e.message.contains("`,` or `)`"), "{}", e.message);
        assert_eq!(e.span.start, 100 + 24);

        let e = error("{{ table(data=unquoted) }}");
        assert!(e.help.unwrap().contains("\"unquoted\""));
        assert_eq!(e.span.start, 100 + 14);

        let e = error("{{ table(data=\"a.csv) }}");
        assert!(e.message.contains("never closed"));
        assert_eq!(e.span, 114..115);

        let e = error("{{ hello }}");
        assert!(e.message.contains("expected `(`"), "{}", e.message);

        let e = error("{{ 5 }}");
        assert!(e.help.unwrap().contains("\\{{"));

        let e = error("{{ t(a=1, a=2) }}");
        assert!(e.message.contains("given twice"));

        let e = error("{{ t(a=\"\\q\") }}");
        assert!(e.message.contains("unknown escape"));

        let e = error("{{ t(a=1e999) }}");
        assert!(e.message.contains("not a number"));
    }

    #[test]
    fn unbalanced_bodies_are_errors() {
        let e = error("{% note() %} never ended");
        assert!(e.message.contains("never closed"));
        assert_eq!(e.span, 103..107);
        let e = error("text {% end %}");
        assert!(e.message.contains("without an open"));
    }

    #[test]
    fn bodies_nested_past_the_limit_are_one_error_and_nothing_expands() {
        let text = "{% note() %}".repeat(10_000) + &"{% end %}".repeat(10_000);
        let (nodes, errors) = parse(&text, 0);
        assert!(nodes.is_empty());
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("nest more than 16"));
    }

    #[test]
    fn one_bad_tag_does_not_hide_the_others() {
        let (nodes, errors) = parse("{{ a( }} {{ b() }} {{ c(x=) }}", 0);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(calls(&nodes)[0].name, "b");
    }
}
