//! Label selectors as Kubernetes builds and evaluates them: apimachinery's
//! `labels.Selector` (its string syntax, `labels.Parse`) and
//! `metav1.LabelSelectorAsSelector` for the `matchLabels` / `matchExpressions`
//! objects that controllers carry.
//!
//! A [`Selector`] is an AND of [`Requirement`]s kept sorted by key; the empty
//! selector matches every label set and [`Selector::nothing`] (what a missing
//! `LabelSelector` stands for) matches none. Construction validates keys as
//! qualified names and values as label values and fails with the text the
//! kube-apiserver reports, so a bad `?labelSelector=` reads here as it reads
//! from `kubectl get pods -l ...`.
//!
//! # Which operator comes from where
//!
//! | [`Operator`]     | string syntax        | `LabelSelector`                        |
//! |------------------|----------------------|----------------------------------------|
//! | `Equals`         | `key=value`          | every `matchLabels` entry              |
//! | `DoubleEquals`   | `key==value`         | —                                      |
//! | `NotEquals`      | `key!=value`         | —                                      |
//! | `In`             | `key in (a,b)`       | `matchExpressions` `In`                |
//! | `NotIn`          | `key notin (a,b)`    | `matchExpressions` `NotIn`             |
//! | `Exists`         | `key`                | `matchExpressions` `Exists`            |
//! | `DoesNotExist`   | `!key`               | `matchExpressions` `DoesNotExist`      |
//! | `GreaterThan`    | `key>3`              | —                                      |
//! | `LessThan`       | `key<3`              | —                                      |
//!
//! [`Selector::from_set`] builds `Equals` requirements only, and
//! [`Requirement::new`] accepts every operator.
//!
//! # The string syntax, as apimachinery reads it
//!
//! Requirements are separated by commas; blanks (space, tab, CR, LF) may
//! surround any token. A value may be empty (`key=`, `key in ()`,
//! `key in (a,)`), and the words `in` and `notin` are keywords only where an
//! operator is expected. apimachinery's lexer uses byte 0 as its end marker,
//! so a NUL byte where a token would start ends the input, and one right after
//! a token ends that token and is skipped (`x=\0y` reads as `x=y`). Sets of
//! values are sorted and deduplicated. Only the symbol
//! characters `=!(),<>` and blanks end an identifier; anything else is part
//! of it and then fails key or value validation.
//!
//! Requirements with the same key keep the order they were given in, as
//! apimachinery's key sort does for selectors of up to 12 requirements (its
//! unstable sort only reorders equal keys beyond that size).
//! Where apimachinery iterates `matchLabels` as a Go map (random order) and
//! reports only the first bad entry, this module walks the keys in sorted
//! order, so the reported entry is always the same one.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::errors::{go_quote, ErrorType};
use crate::model::LabelSelector;
use crate::validate::names::{is_qualified_name, is_valid_label_value};

/// A selector operator (apimachinery's `selection.Operator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    Equals,
    DoubleEquals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

impl Operator {
    /// The operator's `selection.Operator` spelling (`=`, `in`, `exists`, `gt`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Equals => "=",
            Operator::DoubleEquals => "==",
            Operator::NotEquals => "!=",
            Operator::In => "in",
            Operator::NotIn => "notin",
            Operator::Exists => "exists",
            Operator::DoesNotExist => "!",
            Operator::GreaterThan => "gt",
            Operator::LessThan => "lt",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One condition on one label key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Requirement {
    key: String,
    operator: Operator,
    /// Sorted and deduplicated: the set apimachinery's `Values()` returns.
    values: Vec<String>,
    /// The given values, sorted, when they held duplicates. apimachinery keeps
    /// duplicates and prints every one (`x in (a,a)`), so `Display` needs
    /// them; they change nothing else, and are rare, so they live apart.
    repeated: Option<Box<[String]>>,
}

/// How an empty list of values prints in an error: Go tells a nil slice
/// (`[]string(nil)`) from an empty one (`[]string{}`).
#[derive(Clone, Copy)]
enum EmptyValues {
    Nil,
    Empty,
}

impl Requirement {
    /// apimachinery's `NewRequirement`: checks the key, the number of values
    /// the operator takes, that `gt`/`lt` values are integers and that every
    /// value is a valid label value, reporting all problems in Kubernetes'
    /// words (field paths `key`, `values`, `values[i]`, `values[i][key]`).
    pub fn new(key: &str, operator: Operator, values: Vec<String>) -> Result<Requirement, String> {
        Self::build(key, operator, values, EmptyValues::Empty)
    }

    fn build(
        key: &str,
        operator: Operator,
        values: Vec<String>,
        empty: EmptyValues,
    ) -> Result<Requirement, String> {
        let mut problems = Problems::default();
        let key_problems = is_qualified_name(key);
        if !key_problems.is_empty() {
            problems.push(invalid("key", &go_quote(key), &key_problems.join("; ")));
        }
        let wrong_count = match operator {
            Operator::In | Operator::NotIn => values
                .is_empty()
                .then_some("for 'in', 'notin' operators, values set can't be empty"),
            Operator::Equals | Operator::DoubleEquals | Operator::NotEquals => {
                (values.len() != 1).then_some("exact-match compatibility requires one single value")
            }
            Operator::Exists | Operator::DoesNotExist => (!values.is_empty())
                .then_some("values set must be empty for exists and does not exist"),
            Operator::GreaterThan | Operator::LessThan => (values.len() != 1)
                .then_some("for 'Gt', 'Lt' operators, exactly one value is required"),
        };
        if let Some(detail) = wrong_count {
            problems.push(invalid("values", &go_string_slice(&values, empty), detail));
        }
        if matches!(operator, Operator::GreaterThan | Operator::LessThan) {
            for (i, value) in values.iter().enumerate() {
                if parse_go_int(value).is_none() {
                    problems.push(invalid(
                        &format!("values[{i}]"),
                        &go_quote(value),
                        "for 'Gt', 'Lt' operators, the value must be an integer",
                    ));
                }
            }
        }
        for (i, value) in values.iter().enumerate() {
            let value_problems = is_valid_label_value(value);
            if !value_problems.is_empty() {
                problems.push(invalid(
                    &format!("values[{i}][{key}]"),
                    &go_quote(value),
                    &value_problems.join("; "),
                ));
            }
        }
        problems.into_result()?;

        let mut sorted = values;
        sorted.sort_unstable();
        let mut unique = sorted.clone();
        unique.dedup();
        let repeated = (unique.len() != sorted.len()).then(|| sorted.into_boxed_slice());
        Ok(Requirement {
            key: key.to_owned(),
            operator,
            values: unique,
            repeated,
        })
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// The values, sorted and without duplicates (empty for `Exists` and
    /// `DoesNotExist`, one integer for `GreaterThan` and `LessThan`).
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// Whether a label set satisfies this requirement. `NotIn`, `NotEquals`
    /// and `DoesNotExist` hold when the key is absent; `GreaterThan` and
    /// `LessThan` compare the label value as a 64-bit integer and never hold
    /// for a value that is not one.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let label = labels.get(&self.key);
        match self.operator {
            Operator::In | Operator::Equals | Operator::DoubleEquals => {
                label.is_some_and(|v| self.has_value(v))
            }
            Operator::NotIn | Operator::NotEquals => label.is_none_or(|v| !self.has_value(v)),
            Operator::Exists => label.is_some(),
            Operator::DoesNotExist => label.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                let (Some(have), [bound]) = (label.and_then(|v| parse_go_int(v)), &*self.values)
                else {
                    return false;
                };
                let Some(bound) = parse_go_int(bound) else {
                    return false;
                };
                if self.operator == Operator::GreaterThan {
                    have > bound
                } else {
                    have < bound
                }
            }
        }
    }

    fn has_value(&self, value: &str) -> bool {
        self.values
            .binary_search_by(|v| v.as_str().cmp(value))
            .is_ok()
    }

    /// The values as apimachinery prints them: sorted, duplicates kept.
    fn shown_values(&self) -> &[String] {
        self.repeated.as_deref().unwrap_or(&self.values)
    }
}

impl fmt::Display for Requirement {
    /// apimachinery's `Requirement.String()`: `key=v`, `key==v`, `key!=v`,
    /// `key in (a,b)`, `key notin (a,b)`, `key`, `!key`, `key>v`, `key<v`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (before, after) = match self.operator {
            Operator::Exists => return f.write_str(&self.key),
            Operator::DoesNotExist => return write!(f, "!{}", self.key),
            Operator::Equals => ("=", ""),
            Operator::DoubleEquals => ("==", ""),
            Operator::NotEquals => ("!=", ""),
            Operator::In => (" in (", ")"),
            Operator::NotIn => (" notin (", ")"),
            Operator::GreaterThan => (">", ""),
            Operator::LessThan => ("<", ""),
        };
        write!(
            f,
            "{}{before}{}{after}",
            self.key,
            self.shown_values().join(",")
        )
    }
}

/// A label selector: the AND of its requirements, or a selector that matches
/// nothing at all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Selector {
    /// Sorted by key; requirements with equal keys keep their given order.
    requirements: Vec<Requirement>,
    nothing: bool,
}

impl Selector {
    /// The selector with no requirements: it matches every label set.
    pub fn everything() -> Selector {
        Selector::default()
    }

    /// The selector that matches no label set, which is what an absent
    /// (`null`) `LabelSelector` means to controllers.
    pub fn nothing() -> Selector {
        Selector {
            requirements: Vec::new(),
            nothing: true,
        }
    }

    /// Parses the string syntax (`app=web,tier!=db,env in (a,b),!legacy,version>3`)
    /// as apimachinery's `labels.Parse`; the error is the text the
    /// kube-apiserver answers a bad `labelSelector` with.
    pub fn parse(s: &str) -> Result<Selector, String> {
        let mut parser = Parser {
            items: lex(s),
            pos: 0,
        };
        let requirements = parser.selector()?;
        Ok(Selector::from_requirements(requirements))
    }

    /// apimachinery's `LabelSelectorAsSelector` for a present `LabelSelector`
    /// (the caller maps an absent one to [`Selector::nothing`]): an empty one
    /// selects everything; otherwise each `matchLabels` entry becomes an
    /// `Equals` requirement and each `matchExpressions` entry its operator.
    /// Fails with the first bad entry's message.
    pub fn from_label_selector(ls: &LabelSelector) -> Result<Selector, String> {
        let mut requirements =
            Vec::with_capacity(ls.match_labels.len() + ls.match_expressions.len());
        for (key, value) in &ls.match_labels {
            requirements.push(Requirement::new(
                key,
                Operator::Equals,
                vec![value.clone()],
            )?);
        }
        for expr in &ls.match_expressions {
            let operator = match expr.operator.as_str() {
                "In" => Operator::In,
                "NotIn" => Operator::NotIn,
                "Exists" => Operator::Exists,
                "DoesNotExist" => Operator::DoesNotExist,
                other => {
                    return Err(format!(
                        "{} is not a valid pod selector operator",
                        go_quote(other)
                    ))
                }
            };
            // apimachinery copies the values into a fresh slice, which is nil
            // when there are none; that shows in the error text.
            requirements.push(Requirement::build(
                &expr.key,
                operator,
                expr.values.clone(),
                EmptyValues::Nil,
            )?);
        }
        Ok(Selector::from_requirements(requirements))
    }

    /// apimachinery's `SelectorFromValidatedSet`: one `Equals` requirement per
    /// label, without validation (the labels come from an object that already
    /// passed it, such as a pod template).
    pub fn from_set(labels: &BTreeMap<String, String>) -> Selector {
        let requirements = labels
            .iter()
            .map(|(key, value)| Requirement {
                key: key.clone(),
                operator: Operator::Equals,
                values: vec![value.clone()],
                repeated: None,
            })
            .collect();
        Selector {
            requirements,
            nothing: false,
        }
    }

    /// A selector of these requirements, sorted by key as apimachinery's
    /// `Selector.Add` sorts them.
    pub fn from_requirements(requirements: impl IntoIterator<Item = Requirement>) -> Selector {
        let mut requirements: Vec<Requirement> = requirements.into_iter().collect();
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Selector {
            requirements,
            nothing: false,
        }
    }

    /// Whether every requirement holds for the label set (never, for
    /// [`Selector::nothing`]; always, for an empty selector).
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        !self.nothing && self.requirements.iter().all(|r| r.matches(labels))
    }

    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// apimachinery's `Empty()`: no requirements, so every label set matches.
    pub fn is_everything(&self) -> bool {
        !self.nothing && self.requirements.is_empty()
    }

    pub fn is_nothing(&self) -> bool {
        self.nothing
    }

    /// apimachinery's `RequiresExactMatch`: the single value the first
    /// requirement on `key` pins that label to (`=`, `==`, or `in` with one
    /// value), which lets a label index answer the query directly.
    pub fn requires_exact_match(&self, key: &str) -> Option<&str> {
        let requirement = self.requirements.iter().find(|r| r.key == key)?;
        match (requirement.operator, requirement.shown_values()) {
            (Operator::Equals | Operator::DoubleEquals | Operator::In, [only]) => {
                Some(only.as_str())
            }
            _ => None,
        }
    }
}

impl fmt::Display for Selector {
    /// apimachinery's `String()`: the requirements in key order, joined by
    /// commas; empty for both the everything and the nothing selector.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, requirement) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            fmt::Display::fmt(requirement, f)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Error text
// ---------------------------------------------------------------------------

/// Collected field errors, printed as apimachinery's aggregate of a
/// `field.ErrorList`: repeated messages once, a lone one bare, several in
/// brackets.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn push(&mut self, message: String) {
        if !self.0.contains(&message) {
            self.0.push(message);
        }
    }

    fn into_result(mut self) -> Result<(), String> {
        match self.0.len() {
            0 => Ok(()),
            1 => Err(self.0.pop().unwrap_or_default()),
            _ => Err(format!("[{}]", self.0.join(", "))),
        }
    }
}

/// `field.Invalid(path, value, detail).Error()` with the value already in
/// Go's printed form.
fn invalid(field: &str, shown_value: &str, detail: &str) -> String {
    format!(
        "{field}: {}: {shown_value}: {detail}",
        ErrorType::Invalid.phrase()
    )
}

/// A `[]string` as Go's `%#v` prints it.
fn go_string_slice(values: &[String], empty: EmptyValues) -> String {
    if values.is_empty() {
        return match empty {
            EmptyValues::Nil => "[]string(nil)",
            EmptyValues::Empty => "[]string{}",
        }
        .to_owned();
    }
    let quoted: Vec<String> = values.iter().map(|v| go_quote(v)).collect();
    format!("[]string{{{}}}", quoted.join(", "))
}

/// Go's `strconv.ParseInt(s, 10, 64)`: an optional sign, then ASCII digits,
/// within the range of `i64` (Rust's parser has the same grammar).
fn parse_go_int(s: &str) -> Option<i64> {
    s.parse().ok()
}

// ---------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    End,
    CloseParen,
    Comma,
    Bang,
    DoubleEquals,
    Equals,
    Greater,
    Ident,
    In,
    Less,
    NotEquals,
    NotIn,
    OpenParen,
}

#[derive(Debug, Clone, Copy)]
struct Item<'a> {
    tok: Tok,
    text: &'a str,
}

const END: Item<'static> = Item {
    tok: Tok::End,
    text: "",
};

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_symbol_byte(b: u8) -> bool {
    matches!(b, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

fn symbol(text: &str) -> Option<Tok> {
    Some(match text {
        ")" => Tok::CloseParen,
        "," => Tok::Comma,
        "!" => Tok::Bang,
        "==" => Tok::DoubleEquals,
        "=" => Tok::Equals,
        ">" => Tok::Greater,
        "<" => Tok::Less,
        "!=" => Tok::NotEquals,
        "(" => Tok::OpenParen,
        _ => return None,
    })
}

/// Splits the input into tokens up to and including the end marker, byte by
/// byte as apimachinery's lexer does (so a NUL byte ends a token and, where a
/// token would start, the input).
fn lex(src: &str) -> Vec<Item<'_>> {
    let mut lexer = Lexer { src, pos: 0 };
    let mut items = Vec::new();
    loop {
        let item = lexer.next_item();
        items.push(item);
        if item.tok == Tok::End {
            return items;
        }
    }
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    /// The next byte, or 0 at the end; a NUL byte is consumed and also reads
    /// as 0, the end marker.
    fn read(&mut self) -> u8 {
        match self.src.as_bytes().get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                b
            }
            None => 0,
        }
    }

    /// Steps back over a byte that `read` returned (never the end marker).
    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    fn text(&self, start: usize, end: usize) -> &'a str {
        // Tokens start and stop next to ASCII bytes, so these are always
        // character boundaries; `get` keeps a slip from panicking.
        self.src.get(start..end).unwrap_or("")
    }

    fn next_item(&mut self) -> Item<'a> {
        let mut b = self.read();
        while is_blank(b) {
            b = self.read();
        }
        if b == 0 {
            return END;
        }
        self.unread();
        if is_symbol_byte(b) {
            self.symbol()
        } else {
            self.word()
        }
    }

    /// The longest symbol token starting here (`!=` over `!`, `==` over `=`).
    fn symbol(&mut self) -> Item<'a> {
        let start = self.pos;
        let mut found: Option<(Tok, usize)> = None;
        loop {
            let b = self.read();
            if b == 0 {
                break;
            }
            if !is_symbol_byte(b) {
                self.unread();
                break;
            }
            match symbol(self.text(start, self.pos)) {
                Some(tok) => found = Some((tok, self.pos)),
                None if found.is_some() => {
                    self.unread();
                    break;
                }
                None => {}
            }
        }
        match found {
            Some((tok, end)) => Item {
                tok,
                text: self.text(start, end),
            },
            // Every symbol byte is a token on its own, so the loop always
            // finds one; should that change, read the run as an identifier.
            None => Item {
                tok: Tok::Ident,
                text: self.text(start, self.pos),
            },
        }
    }

    /// An identifier or the keywords `in` / `notin`: everything up to a
    /// blank, a symbol byte or the end.
    fn word(&mut self) -> Item<'a> {
        let start = self.pos;
        let end = loop {
            let here = self.pos;
            let b = self.read();
            if b == 0 {
                break here;
            }
            if is_blank(b) || is_symbol_byte(b) {
                self.unread();
                break here;
            }
        };
        let text = self.text(start, end);
        let tok = match text {
            "in" => Tok::In,
            "notin" => Tok::NotIn,
            _ => Tok::Ident,
        };
        Item { tok, text }
    }
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

/// Where the parser stands: `in` / `notin` are operators only where an
/// operator is expected, and plain identifiers (keys, values) elsewhere.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Operator,
    Values,
}

/// The field path apimachinery's parser validates keys under: the
/// kube-apiserver parses without one, and Go prints that absent path as
/// `<nil>`, which is what users see.
const PARSER_KEY_PATH: &str = "<nil>";

const BINARY_OPERATORS: &str = "in, notin, =, ==, !=, gt, lt";

struct Parser<'a> {
    items: Vec<Item<'a>>,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self, ctx: Ctx) -> (Tok, &'a str) {
        let item = self.items.get(self.pos).copied().unwrap_or(END);
        let tok = match item.tok {
            Tok::In | Tok::NotIn if ctx == Ctx::Values => Tok::Ident,
            tok => tok,
        };
        (tok, item.text)
    }

    fn next(&mut self, ctx: Ctx) -> (Tok, &'a str) {
        let found = self.peek(ctx);
        self.pos += 1;
        found
    }

    fn selector(&mut self) -> Result<Vec<Requirement>, String> {
        let mut requirements = Vec::new();
        loop {
            let (tok, text) = self.peek(Ctx::Values);
            match tok {
                Tok::Ident | Tok::Bang => {
                    let requirement = self
                        .requirement()
                        .map_err(|e| format!("unable to parse requirement: {e}"))?;
                    requirements.push(requirement);
                    let (tok, text) = self.next(Ctx::Values);
                    match tok {
                        Tok::End => return Ok(requirements),
                        Tok::Comma => {
                            let (tok, text) = self.peek(Ctx::Values);
                            if !matches!(tok, Tok::Ident | Tok::Bang) {
                                return Err(format!(
                                    "found '{text}', expected: identifier after ','"
                                ));
                            }
                        }
                        _ => {
                            return Err(format!("found '{text}', expected: ',' or 'end of string'"))
                        }
                    }
                }
                Tok::End => return Ok(requirements),
                _ => {
                    return Err(format!(
                        "found '{text}', expected: !, identifier, or 'end of string'"
                    ))
                }
            }
        }
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        let (key, implied) = self.key_and_implied_operator()?;
        if let Some(operator) = implied {
            return Requirement::new(key, operator, Vec::new());
        }
        let operator = self.operator()?;
        let values = match operator {
            Operator::In | Operator::NotIn => self.value_set()?,
            _ => self.single_value()?,
        };
        Requirement::new(key, operator, values)
    }

    /// The key, with `DoesNotExist` for `!key` and `Exists` for a bare key
    /// followed by a comma or the end; `None` when an operator follows.
    fn key_and_implied_operator(&mut self) -> Result<(&'a str, Option<Operator>), String> {
        let (mut tok, mut text) = self.next(Ctx::Values);
        let negated = tok == Tok::Bang;
        if negated {
            (tok, text) = self.next(Ctx::Values);
        }
        if tok != Tok::Ident {
            return Err(format!("found '{text}', expected: identifier"));
        }
        let problems = is_qualified_name(text);
        if !problems.is_empty() {
            return Err(invalid(
                PARSER_KEY_PATH,
                &go_quote(text),
                &problems.join("; "),
            ));
        }
        let (following, _) = self.peek(Ctx::Values);
        let implied = if negated {
            Some(Operator::DoesNotExist)
        } else if matches!(following, Tok::End | Tok::Comma) {
            Some(Operator::Exists)
        } else {
            None
        };
        Ok((text, implied))
    }

    fn operator(&mut self) -> Result<Operator, String> {
        let (tok, text) = self.next(Ctx::Operator);
        Ok(match tok {
            Tok::In => Operator::In,
            Tok::Equals => Operator::Equals,
            Tok::DoubleEquals => Operator::DoubleEquals,
            Tok::Greater => Operator::GreaterThan,
            Tok::Less => Operator::LessThan,
            Tok::NotIn => Operator::NotIn,
            Tok::NotEquals => Operator::NotEquals,
            _ => return Err(format!("found '{text}', expected: {BINARY_OPERATORS}")),
        })
    }

    /// `( values )`, where `()` is the set holding the empty value.
    fn value_set(&mut self) -> Result<Vec<String>, String> {
        let (tok, text) = self.next(Ctx::Values);
        if tok != Tok::OpenParen {
            return Err(format!("found '{text}' expected: '('"));
        }
        let (tok, text) = self.peek(Ctx::Values);
        match tok {
            Tok::Ident | Tok::Comma => {
                let values = self.value_list()?;
                let (tok, _) = self.next(Ctx::Values);
                if tok != Tok::CloseParen {
                    return Err(format!("found '{text}', expected: ')'"));
                }
                Ok(values.into_iter().collect())
            }
            Tok::CloseParen => {
                self.next(Ctx::Values);
                Ok(vec![String::new()])
            }
            _ => Err(format!("found '{text}', expected: ',', ')' or identifier")),
        }
    }

    /// Comma-separated values up to (not including) `)`; an empty place
    /// between commas, or before or after one, is the empty value. As in
    /// Kubernetes v1.33, a second comma in a row is skipped over, so `(a,,)`
    /// is rejected while `(a,,b)` is not.
    fn value_list(&mut self) -> Result<BTreeSet<String>, String> {
        let mut values = BTreeSet::new();
        loop {
            let (tok, text) = self.next(Ctx::Values);
            match tok {
                Tok::Ident => {
                    values.insert(text.to_owned());
                    let (tok, text) = self.peek(Ctx::Values);
                    match tok {
                        Tok::Comma => {}
                        Tok::CloseParen => return Ok(values),
                        _ => return Err(format!("found '{text}', expected: ',' or ')'")),
                    }
                }
                Tok::Comma => {
                    if values.is_empty() {
                        values.insert(String::new());
                    }
                    match self.peek(Ctx::Values).0 {
                        Tok::CloseParen => {
                            values.insert(String::new());
                            return Ok(values);
                        }
                        Tok::Comma => {
                            self.next(Ctx::Values);
                            values.insert(String::new());
                        }
                        _ => {}
                    }
                }
                _ => return Err(format!("found '{text}', expected: ',', or identifier")),
            }
        }
    }

    /// The value after `=`, `==`, `!=`, `>` or `<`; nothing before a comma or
    /// the end is the empty value.
    fn single_value(&mut self) -> Result<Vec<String>, String> {
        if matches!(self.peek(Ctx::Values).0, Tok::End | Tok::Comma) {
            return Ok(vec![String::new()]);
        }
        let (tok, text) = self.next(Ctx::Values);
        if tok == Tok::Ident {
            Ok(vec![text.to_owned()])
        } else {
            Err(format!("found '{text}', expected: identifier"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LabelSelectorRequirement;

    const NAME_PART_REGEX: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    const LABEL_VALUE_REGEX: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn strings(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    fn req(key: &str, operator: Operator, values: &[&str]) -> Requirement {
        Requirement::new(key, operator, strings(values)).expect("valid requirement")
    }

    fn expression(key: &str, operator: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.to_owned(),
            operator: operator.to_owned(),
            values: strings(values),
        }
    }

    #[test]
    fn parse_accepts_kubernetes_syntax_and_prints_the_canonical_form() {
        let cases: &[(&str, &str)] = &[
            ("", ""),
            ("x=a,y=b,z=c", "x=a,y=b,z=c"),
            ("x!=a,y=b", "x!=a,y=b"),
            ("x=", "x="),
            ("x= ", "x="),
            ("x=,z= ", "x=,z="),
            ("x= ,z= ", "x=,z="),
            ("!x", "!x"),
            ("x>1", "x>1"),
            ("x>1,z<5", "x>1,z<5"),
            ("x==a", "x==a"),
            ("x=a,a=x", "a=x,x=a"),
            ("a=x,x=a", "a=x,x=a"),
            ("\rx", "x"),
            (
                "this-is-a-dns.domain.com/key-with-dash",
                "this-is-a-dns.domain.com/key-with-dash",
            ),
            (
                "this-is-another-dns.domain.com/key-with-dash in (so,what)",
                "this-is-another-dns.domain.com/key-with-dash in (so,what)",
            ),
            (
                "0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
                "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)",
            ),
            ("foo  in\t (abc)", "foo in (abc)"),
            ("x notin\n (abc)", "x notin (abc)"),
            ("x  notin\t\t\t(abc,def)", "x notin (abc,def)"),
            ("x in (abc,def)", "x in (abc,def)"),
            ("x in (def,abc,def)", "x in (abc,def)"),
            ("x in (abc,)", "x in (,abc)"),
            ("x in ()", "x in ()"),
            ("x in (,)", "x in ()"),
            ("x in (a,,b)", "x in (,a,b)"),
            (
                "x notin (abc,,def),bar,z in (),w",
                "bar,w,x notin (,abc,def),z in ()",
            ),
            ("x,y in (a)", "x,y in (a)"),
            ("x notin ( )", "x notin ()"),
            ("x notin (, a)", "x notin (,a)"),
            ("a ", "a"),
            ("a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)"),
            ("notin=in", "notin=in"),
            ("in in (in)", "in in (in)"),
            ("in", "in"),
            (" app = web , tier != db ", "app=web,tier!=db"),
            (
                "app=web,tier!=db,env in (a,b),!legacy,version>3",
                "app=web,env in (a,b),!legacy,tier!=db,version>3",
            ),
            ("x=a,x!=b,x", "x=a,x!=b,x"),
            ("\0x", ""),
            ("x\0,y", "x,y"),
            ("x=\0y", "x=y"),
            ("x,\0y", "x,y"),
        ];
        for (input, want) in cases {
            let got = Selector::parse(input)
                .unwrap_or_else(|e| panic!("{input:?} should parse, got {e}"));
            assert_eq!(got.to_string(), *want, "canonical form of {input:?}");
        }
    }

    #[test]
    fn parse_rejects_bad_syntax_with_the_apiservers_message() {
        let a254 = "a".repeat(254);
        let long_key = format!("{}=v", "k".repeat(64));
        let long_value = format!("x={}", "v".repeat(64));
        let key_error = |key: &str, detail: &str| {
            format!("unable to parse requirement: <nil>: Invalid value: \"{key}\": {detail}")
        };
        let cases: Vec<(&str, String)> = vec![
            (
                "x=a||y=b",
                format!(
                    "unable to parse requirement: values[0][x]: Invalid value: \"a||y\": {LABEL_VALUE_REGEX}"
                ),
            ),
            ("x==a==b", "found '==', expected: ',' or 'end of string'".into()),
            ("!x=a", "found '=', expected: ',' or 'end of string'".into()),
            ("x=a=b", "found '=', expected: ',' or 'end of string'".into()),
            ("x=a b", "found 'b', expected: ',' or 'end of string'".into()),
            (
                "x<a",
                "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer".into(),
            ),
            (
                "x>",
                "unable to parse requirement: values[0]: Invalid value: \"\": for 'Gt', 'Lt' operators, the value must be an integer".into(),
            ),
            (
                "x>-1",
                format!(
                    "unable to parse requirement: values[0][x]: Invalid value: \"-1\": {LABEL_VALUE_REGEX}"
                ),
            ),
            (
                "x>a.",
                format!(
                    "unable to parse requirement: [values[0]: Invalid value: \"a.\": for 'Gt', 'Lt' operators, the value must be an integer, values[0][x]: Invalid value: \"a.\": {LABEL_VALUE_REGEX}]"
                ),
            ),
            (
                "x>=1",
                "unable to parse requirement: found '=', expected: identifier".into(),
            ),
            ("x,,y", "found ',', expected: identifier after ','".into()),
            (",x,y", "found ',', expected: !, identifier, or 'end of string'".into()),
            ("x,", "found '', expected: identifier after ','".into()),
            ("x,=", "found '=', expected: identifier after ','".into()),
            (
                "x nott in (y)",
                "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt".into(),
            ),
            ("a in (xyz),", "found '', expected: identifier after ','".into()),
            (
                "a in (xyz)b notin ()",
                "found 'b', expected: ',' or 'end of string'".into(),
            ),
            (
                "a in (xyz abc)",
                "unable to parse requirement: found 'abc', expected: ',' or ')'".into(),
            ),
            (
                "a in (b",
                "unable to parse requirement: found '', expected: ',' or ')'".into(),
            ),
            (
                "a notin(",
                "unable to parse requirement: found '', expected: ',', ')' or identifier".into(),
            ),
            (
                "a in (=)",
                "unable to parse requirement: found '=', expected: ',', ')' or identifier".into(),
            ),
            (
                "a in (b,=)",
                "unable to parse requirement: found '=', expected: ',', or identifier".into(),
            ),
            (
                "a in (a,,)",
                "unable to parse requirement: found ')', expected: ',', or identifier".into(),
            ),
            (
                "a in b",
                "unable to parse requirement: found 'b' expected: '('".into(),
            ),
            ("a in", "unable to parse requirement: found '' expected: '('".into()),
            (
                "a (",
                "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt".into(),
            ),
            ("(", "found '(', expected: !, identifier, or 'end of string'".into()),
            ("=", "found '=', expected: !, identifier, or 'end of string'".into()),
            ("!", "unable to parse requirement: found '', expected: identifier".into()),
            ("!!x", "unable to parse requirement: found '!', expected: identifier".into()),
            (
                "x=(a)",
                "unable to parse requirement: found '(', expected: identifier".into(),
            ),
            (
                "x\0y",
                "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt".into(),
            ),
            ("x, \0y", "found '', expected: identifier after ','".into()),
            (
                "a/b/c",
                key_error(
                    "a/b/c",
                    "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                ),
            ),
            ("app:monolith", key_error("app:monolith", NAME_PART_REGEX)),
            ("-x", key_error("-x", NAME_PART_REGEX)),
            (
                &long_key,
                key_error(&"k".repeat(64), "name part must be no more than 63 characters"),
            ),
            (
                &a254,
                key_error(&a254, "name part must be no more than 63 characters"),
            ),
            (
                &long_value,
                format!(
                    "unable to parse requirement: values[0][x]: Invalid value: \"{}\": must be no more than 63 characters",
                    "v".repeat(64)
                ),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(
                Selector::parse(input).map(|s| s.to_string()),
                Err(want),
                "error for {input:?}"
            );
        }
    }

    #[test]
    fn parse_sorts_requirements_by_key_and_values_as_a_set() {
        let selector = Selector::parse("z in (b,a,b),a=1,!m").expect("parses");
        let keys: Vec<&str> = selector
            .requirements()
            .iter()
            .map(Requirement::key)
            .collect();
        assert_eq!(keys, ["a", "m", "z"]);
        let z = &selector.requirements()[2];
        assert_eq!(z.operator(), Operator::In);
        assert_eq!(z.values(), ["a", "b"]);
        assert!(selector.requirements()[1].values().is_empty());
    }

    #[test]
    fn parse_reaches_every_operator_of_the_string_syntax() {
        let cases = [
            ("k=v", Operator::Equals),
            ("k==v", Operator::DoubleEquals),
            ("k!=v", Operator::NotEquals),
            ("k in (v)", Operator::In),
            ("k notin (v)", Operator::NotIn),
            ("k", Operator::Exists),
            ("!k", Operator::DoesNotExist),
            ("k>1", Operator::GreaterThan),
            ("k<1", Operator::LessThan),
        ];
        for (input, operator) in cases {
            let selector = Selector::parse(input).expect("parses");
            assert_eq!(selector.requirements()[0].operator(), operator, "{input}");
        }
    }

    #[test]
    fn selectors_match_as_apimachinery_matches() {
        let yes: &[(&str, &[(&str, &str)])] = &[
            ("", &[("x", "y")]),
            ("", &[]),
            ("x=y", &[("x", "y")]),
            ("x==y", &[("x", "y")]),
            ("x=y,z=w", &[("x", "y"), ("z", "w")]),
            ("x!=y,z!=w", &[("x", "z"), ("z", "a")]),
            ("x!=y", &[]),
            ("notin=in", &[("notin", "in")]),
            ("x", &[("x", "z")]),
            ("x", &[("x", "")]),
            ("!x", &[("y", "z")]),
            ("x>1", &[("x", "2")]),
            ("x<1", &[("x", "0")]),
            ("x<5", &[("x", "-3")]),
            ("x>1", &[("x", "+2")]),
            ("x in (foo),y notin (alpha)", &[("x", "foo"), ("y", "baz")]),
            ("x notin (),y", &[("y", "")]),
            ("!x,y", &[("y", "")]),
            ("x in (,a)", &[("x", "")]),
            ("foo=bar", &[("foo", "bar"), ("baz", "blah")]),
            ("baz=blah", &[("foo", "bar"), ("baz", "blah")]),
            ("foo=bar,baz=blah", &[("foo", "bar"), ("baz", "blah")]),
        ];
        let no: &[(&str, &[(&str, &str)])] = &[
            ("x=z", &[]),
            ("x=y", &[("x", "z")]),
            ("x=y,z=w", &[("x", "w"), ("z", "w")]),
            ("x!=y,z!=w", &[("x", "z"), ("z", "w")]),
            ("x", &[("y", "z")]),
            ("!x", &[("x", "z")]),
            ("x>1", &[("x", "0")]),
            ("x>1", &[("x", "1")]),
            ("x<1", &[("x", "2")]),
            ("x>1", &[]),
            ("z>1", &[("z", "v2")]),
            ("z>1", &[("z", "99999999999999999999")]),
            ("z<1", &[("z", "")]),
            ("x in (foo),y in (alpha)", &[("x", "foo"), ("y", "baz")]),
            ("x notin (),!y", &[("y", "")]),
            ("x in ()", &[("y", "baz")]),
            ("x notin (a)", &[("x", "a")]),
            ("foo=blah", &[("foo", "bar"), ("baz", "blah")]),
            ("baz=bar", &[("foo", "bar"), ("baz", "blah")]),
            (
                "foo=bar,foobar=bar,baz=blah",
                &[("foo", "bar"), ("baz", "blah")],
            ),
        ];
        for (selector, set) in yes {
            let parsed = Selector::parse(selector).expect("parses");
            assert!(
                parsed.matches(&labels(set)),
                "{selector:?} should match {set:?}"
            );
        }
        for (selector, set) in no {
            let parsed = Selector::parse(selector).expect("parses");
            assert!(
                !parsed.matches(&labels(set)),
                "{selector:?} should not match {set:?}"
            );
        }
    }

    #[test]
    fn everything_matches_all_and_nothing_matches_none() {
        let set = labels(&[("x", "y")]);
        let everything = Selector::everything();
        assert!(everything.matches(&set) && everything.matches(&BTreeMap::new()));
        assert!(everything.is_everything() && !everything.is_nothing());
        assert_eq!(everything.to_string(), "");
        let nothing = Selector::nothing();
        assert!(!nothing.matches(&set) && !nothing.matches(&BTreeMap::new()));
        assert!(nothing.is_nothing() && !nothing.is_everything());
        assert_eq!(nothing.to_string(), "");
        assert!(Selector::parse("").expect("parses").is_everything());
        assert!(!Selector::parse("x").expect("parses").is_everything());
    }

    #[test]
    fn requirement_constructor_checks_as_new_requirement_does() {
        let ok: &[(&str, Operator, &[&str])] = &[
            ("x", Operator::In, &["foo"]),
            ("x", Operator::NotIn, &["foo"]),
            ("x", Operator::Exists, &[]),
            ("x", Operator::DoesNotExist, &[]),
            ("1foo", Operator::In, &["bar"]),
            ("1234", Operator::In, &["bar"]),
            ("y", Operator::GreaterThan, &["1"]),
            ("z", Operator::LessThan, &["6"]),
            ("x", Operator::In, &[""]),
            ("example.com/x", Operator::Equals, &["a.b-c_d"]),
        ];
        for (key, operator, values) in ok {
            assert!(
                Requirement::new(key, *operator, strings(values)).is_ok(),
                "{key} {operator} {values:?}"
            );
        }
        let a254 = "a".repeat(254);
        let bad: Vec<(&str, Operator, Vec<String>, String)> = vec![
            ("x", Operator::In, vec![], "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty".into()),
            ("x", Operator::NotIn, vec![], "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty".into()),
            ("x", Operator::Equals, strings(&["bar", "foo"]), "values: Invalid value: []string{\"bar\", \"foo\"}: exact-match compatibility requires one single value".into()),
            ("x", Operator::NotEquals, vec![], "values: Invalid value: []string{}: exact-match compatibility requires one single value".into()),
            ("x", Operator::Exists, strings(&["foo"]), "values: Invalid value: []string{\"foo\"}: values set must be empty for exists and does not exist".into()),
            ("x", Operator::GreaterThan, vec![], "values: Invalid value: []string{}: for 'Gt', 'Lt' operators, exactly one value is required".into()),
            ("x", Operator::LessThan, strings(&["1", "2"]), "values: Invalid value: []string{\"1\", \"2\"}: for 'Gt', 'Lt' operators, exactly one value is required".into()),
            ("foo", Operator::GreaterThan, strings(&["bar"]), "values[0]: Invalid value: \"bar\": for 'Gt', 'Lt' operators, the value must be an integer".into()),
            ("barz", Operator::LessThan, strings(&["blah"]), "values[0]: Invalid value: \"blah\": for 'Gt', 'Lt' operators, the value must be an integer".into()),
            (&a254, Operator::Exists, vec![], format!("key: Invalid value: \"{a254}\": name part must be no more than 63 characters")),
            ("x16", Operator::Equals, vec![a254.clone()], format!("values[0][x16]: Invalid value: \"{a254}\": must be no more than 63 characters")),
            ("x17", Operator::Equals, strings(&["a b"]), format!("values[0][x17]: Invalid value: \"a b\": {LABEL_VALUE_REGEX}")),
            ("x", Operator::In, strings(&["ok", "-bad"]), format!("values[1][x]: Invalid value: \"-bad\": {LABEL_VALUE_REGEX}")),
            ("", Operator::In, vec![], format!("[key: Invalid value: \"\": name part must be non-empty; {NAME_PART_REGEX}, values: Invalid value: []string{{}}: for 'in', 'notin' operators, values set can't be empty]")),
        ];
        for (key, operator, values, want) in bad {
            assert_eq!(
                Requirement::new(key, operator, values.clone()),
                Err(want),
                "{key} {operator} {values:?}"
            );
        }
    }

    #[test]
    fn requirements_print_as_apimachinery_prints_them() {
        let cases: Vec<(Vec<Requirement>, &str)> = vec![
            (
                vec![
                    req("x", Operator::In, &["abc", "def"]),
                    req("y", Operator::NotIn, &["jkl"]),
                    req("z", Operator::Exists, &[]),
                ],
                "x in (abc,def),y notin (jkl),z",
            ),
            (
                vec![
                    req("x", Operator::NotIn, &["abc", "def"]),
                    req("y", Operator::NotEquals, &["jkl"]),
                    req("z", Operator::DoesNotExist, &[]),
                ],
                "x notin (abc,def),y!=jkl,!z",
            ),
            (
                vec![
                    req("x", Operator::NotIn, &["abc"]),
                    req("y", Operator::In, &["jkl", "mno"]),
                    req("z", Operator::NotIn, &[""]),
                ],
                "x notin (abc),y in (jkl,mno),z notin ()",
            ),
            (
                vec![
                    req("x", Operator::Equals, &["abc"]),
                    req("y", Operator::DoubleEquals, &["jkl"]),
                    req("z", Operator::NotEquals, &["a"]),
                    req("z", Operator::Exists, &[]),
                ],
                "x=abc,y==jkl,z!=a,z",
            ),
            (
                vec![
                    req("x", Operator::GreaterThan, &["2"]),
                    req("y", Operator::LessThan, &["8"]),
                    req("z", Operator::Exists, &[]),
                ],
                "x>2,y<8,z",
            ),
            (
                vec![
                    req("z", Operator::Exists, &[]),
                    req("a", Operator::In, &["b", "a"]),
                ],
                "a in (a,b),z",
            ),
        ];
        for (requirements, want) in cases {
            assert_eq!(Selector::from_requirements(requirements).to_string(), want);
        }
    }

    #[test]
    fn label_selector_converts_as_label_selector_as_selector() {
        let match_labels = labels(&[("foo", "bar")]);
        let match_expressions = vec![expression("baz", "In", &["qux", "norf"])];
        let cases = [
            (LabelSelector::default(), ""),
            (
                LabelSelector {
                    match_labels: match_labels.clone(),
                    ..LabelSelector::default()
                },
                "foo=bar",
            ),
            (
                LabelSelector {
                    match_expressions: match_expressions.clone(),
                    ..LabelSelector::default()
                },
                "baz in (norf,qux)",
            ),
            (
                LabelSelector {
                    match_labels,
                    match_expressions,
                },
                "baz in (norf,qux),foo=bar",
            ),
            (
                LabelSelector {
                    match_labels: labels(&[("a", "1")]),
                    match_expressions: vec![
                        expression("a", "Exists", &[]),
                        expression("b", "DoesNotExist", &[]),
                        expression("a", "NotIn", &["2"]),
                    ],
                },
                "a=1,a,a notin (2),!b",
            ),
            (
                LabelSelector {
                    match_expressions: vec![expression("x", "In", &["b", "a", "b"])],
                    ..LabelSelector::default()
                },
                "x in (a,b,b)",
            ),
        ];
        for (selector, want) in cases {
            let got = Selector::from_label_selector(&selector).expect("valid selector");
            assert_eq!(got.to_string(), want);
            assert!(!got.is_nothing());
        }
        assert!(Selector::from_label_selector(&LabelSelector::default())
            .expect("valid")
            .is_everything());
    }

    #[test]
    fn label_selector_keeps_duplicate_values_for_printing_only() {
        let selector = Selector::from_label_selector(&LabelSelector {
            match_expressions: vec![expression("x", "In", &["b", "a", "b"])],
            ..LabelSelector::default()
        })
        .expect("valid");
        let requirement = &selector.requirements()[0];
        assert_eq!(requirement.values(), ["a", "b"]);
        assert!(selector.matches(&labels(&[("x", "b")])));
        assert_eq!(selector.requires_exact_match("x"), None);
    }

    #[test]
    fn label_selector_errors_read_as_the_apiservers() {
        let cases = [
            (
                LabelSelector {
                    match_expressions: vec![expression("baz", "Exists", &["qux", "norf"])],
                    ..LabelSelector::default()
                },
                "values: Invalid value: []string{\"qux\", \"norf\"}: values set must be empty for exists and does not exist".to_owned(),
            ),
            (
                LabelSelector {
                    match_expressions: vec![expression("baz", "In", &[])],
                    ..LabelSelector::default()
                },
                "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty".to_owned(),
            ),
            (
                LabelSelector {
                    match_expressions: vec![expression("baz", "Gt", &["1"])],
                    ..LabelSelector::default()
                },
                "\"Gt\" is not a valid pod selector operator".to_owned(),
            ),
            (
                LabelSelector {
                    match_expressions: vec![expression("baz", "in", &["1"])],
                    ..LabelSelector::default()
                },
                "\"in\" is not a valid pod selector operator".to_owned(),
            ),
            (
                LabelSelector {
                    match_labels: labels(&[("a b", "x")]),
                    ..LabelSelector::default()
                },
                format!("key: Invalid value: \"a b\": {NAME_PART_REGEX}"),
            ),
            (
                LabelSelector {
                    match_labels: labels(&[("app", "-x")]),
                    ..LabelSelector::default()
                },
                format!("values[0][app]: Invalid value: \"-x\": {LABEL_VALUE_REGEX}"),
            ),
            (
                LabelSelector {
                    match_labels: labels(&[("b", "-x"), ("a", "-y")]),
                    ..LabelSelector::default()
                },
                format!("values[0][a]: Invalid value: \"-y\": {LABEL_VALUE_REGEX}"),
            ),
            (
                LabelSelector {
                    match_expressions: vec![expression("", "NotIn", &[])],
                    ..LabelSelector::default()
                },
                format!("[key: Invalid value: \"\": name part must be non-empty; {NAME_PART_REGEX}, values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty]"),
            ),
        ];
        for (selector, want) in cases {
            assert_eq!(Selector::from_label_selector(&selector), Err(want));
        }
    }

    #[test]
    fn from_set_selects_exactly_the_set() {
        let set = labels(&[("foo", "bar"), ("baz", "blah")]);
        let have = labels(&[("foo", "bar"), ("baz", "blah"), ("extra", "1")]);
        assert!(Selector::from_set(&BTreeMap::new()).matches(&have));
        assert!(Selector::from_set(&labels(&[("foo", "bar")])).matches(&have));
        assert!(Selector::from_set(&set).matches(&have));
        assert!(!Selector::from_set(&labels(&[("foo", "baz")])).matches(&have));
        assert_eq!(Selector::from_set(&set).to_string(), "baz=blah,foo=bar");
        assert!(Selector::from_set(&BTreeMap::new()).is_everything());
    }

    #[test]
    fn requires_exact_match_reports_single_pinned_values() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("key in (value)", "key", Some("value")),
            ("key in (value,value2)", "key", None),
            (
                "key in (value,value1),key2 in (value2)",
                "key2",
                Some("value2"),
            ),
            ("key=value", "key", Some("value")),
            ("key==value", "key", Some("value")),
            ("key!=value", "key", None),
            ("key in (value),key2 in (value2)", "key", Some("value")),
            ("key", "key", None),
            ("other=x", "key", None),
        ];
        for (input, key, want) in cases {
            let selector = Selector::parse(input).expect("parses");
            assert_eq!(selector.requires_exact_match(key), *want, "{input} / {key}");
        }
    }

    /// xorshift64*: deterministic, dependency-free noise for the fuzz test.
    struct Noise(u64);

    impl Noise {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
        }
    }

    #[test]
    fn parse_never_panics_and_its_output_parses_back_to_itself() {
        const PIECES: &[&str] = &[
            "a", "b", "x", "1", "0", "-", ".", "/", "_", " ", "\t", "\n", "\r", "=", "!", "(", ")",
            ",", "<", ">", "\0", "é", "in", "notin", "==", "!=", "k8s.io/", "9",
        ];
        let sets = [
            labels(&[]),
            labels(&[("a", "1"), ("b", "")]),
            labels(&[("x", "b"), ("in", "notin"), ("k8s.io/a", "0")]),
        ];
        let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
        let mut parsed = 0;
        for _ in 0..40_000 {
            let len = noise.below(12);
            let input: String = (0..len)
                .map(|_| PIECES[noise.below(PIECES.len())])
                .collect();
            let Ok(selector) = Selector::parse(&input) else {
                continue;
            };
            parsed += 1;
            let printed = selector.to_string();
            let again = Selector::parse(&printed)
                .unwrap_or_else(|e| panic!("{printed:?} (from {input:?}) fails: {e}"));
            assert_eq!(again, selector, "{input:?} printed as {printed:?}");
            for set in &sets {
                let _ = selector.matches(set);
            }
        }
        assert!(parsed > 1000, "too few inputs parsed: {parsed}");
    }

    #[test]
    fn label_selector_conversion_never_panics() {
        const KEYS: &[&str] = &["a", "", "a/b", "-", "k8s.io/x", "é"];
        const OPS: &[&str] = &["In", "NotIn", "Exists", "DoesNotExist", "Gt", ""];
        const VALUES: &[&str] = &["", "1", "b", "-", "a b", "é"];
        let mut noise = Noise(7);
        for _ in 0..5_000 {
            let mut selector = LabelSelector::default();
            for _ in 0..noise.below(3) {
                selector.match_labels.insert(
                    KEYS[noise.below(KEYS.len())].to_owned(),
                    VALUES[noise.below(VALUES.len())].to_owned(),
                );
            }
            for _ in 0..noise.below(3) {
                let values: Vec<&str> = (0..noise.below(3))
                    .map(|_| VALUES[noise.below(VALUES.len())])
                    .collect();
                selector.match_expressions.push(expression(
                    KEYS[noise.below(KEYS.len())],
                    OPS[noise.below(OPS.len())],
                    &values,
                ));
            }
            if let Ok(converted) = Selector::from_label_selector(&selector) {
                let _ = converted.matches(&selector.match_labels);
                let _ = converted.to_string();
            }
        }
    }
}
