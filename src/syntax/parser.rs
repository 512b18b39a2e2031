//! AQL text → syntax tree.
//!
//! Three phases:
//! 1. `prescan`: one linear pass over the bytes that skips strings, quoted
//!    names and comments, rejects empty queries (1502), unterminated
//!    strings/names/comments (1501) and bracket nesting deeper than
//!    [`MAX_NESTING`] (1524). pest is a recursive-descent parser, so this
//!    bound is what keeps it from exhausting the stack.
//! 2. pest (`grammar/aql.pest`) builds the parse tree. Binary operators are
//!    left flat there (`operand (op operand)*`).
//! 3. The builder below turns pairs into the AST. Operator precedence is
//!    applied with an explicit-stack shunting-yard fold (no recursion), and
//!    every node records its depth: a tree deeper than [`MAX_NESTING`]
//!    (e.g. `1 + 1 + … + 1` with thousands of terms, or thousands of
//!    prefix `-`) is rejected with 1524, so the AST's recursive `Drop`,
//!    `Display` and later passes stay bounded too.
//!
//! ## Syntax error messages
//! ArangoDB (bison, `%define parse.error verbose`) reports
//! `syntax error, unexpected <token>, expecting <token> [or <token>…] near
//! '<region>' at position <line>:<column>`. We reproduce that shape:
//! * `<token>` is the token found at the failure position, named with the
//!   `%token` descriptions of grammar.y ("FOR declaration", "identifier",
//!   "quoted string", "integer number", "end of query string", …).
//! * `expecting …` is only added when the alternatives pest reports map
//!   onto at most four plain tokens (bison drops the list above four). As
//!   pest reports rules rather than LALR lookahead sets, the list can differ
//!   from bison's or be absent where bison has one — the main deviation.
//! * `near '…'`: up to 32 bytes of the query from the error position (cut
//!   back to a UTF-8 boundary), followed by `...` when more text follows,
//!   as in `QueryString::extractRegion`.
//! * position: 1-based line and 1-based column counted in bytes on that
//!   line (flex counts bytes). For an error at the end of the input bison
//!   reports the location of the last lexeme it read (a token or a run of
//!   whitespace); we approximate that lexeme split.

use super::ast::*;
use crate::error::{Error, Result};
use pest::iterators::{Pair, Pairs};
use pest::Parser as _;
use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "../grammar/aql.pest"]
struct AqlParser;

/// ArangoDB's `Ast::maxExpressionNesting` (500): both the bracket nesting
/// accepted by the pre-scan and the depth of the built expression tree.
pub const MAX_NESTING: usize = 500;

/// Parses one AQL query.
pub fn parse(text: &str) -> Result<Query> {
    parse_with_depth(text).map(|(query, _)| query)
}

/// Parses one AQL query and tells how deeply its syntax tree nests
/// (expressions and subqueries; at most [`MAX_NESTING`]), which is how
/// deeply later passes over it recurse.
pub fn parse_with_depth(text: &str) -> Result<(Query, usize)> {
    let scan = prescan(text)?;
    // pest and the builder recurse per bracket level (20–80 KiB per level in
    // a debug build).
    crate::stack::with_room_for(scan.max_depth, || parse_scanned(text, &scan))
}

fn parse_scanned(text: &str, scan: &Scan) -> Result<(Query, usize)> {
    let mut pairs = AqlParser::parse(Rule::query, text).map_err(|e| pest_error(text, scan, e))?;
    let query = pairs.next().expect("grammar guarantees a query pair");
    let b = Builder { text, scan };
    let (q, depth) = b.query(query)?;
    Ok((q, depth.max(scan.max_depth)))
}

// ------------------------------------------------------------------ prescan

struct Scan {
    /// Start of the last lexeme (token or whitespace run) in the text.
    last_lexeme: usize,
    /// Deepest bracket nesting seen.
    max_depth: usize,
}

fn prescan(text: &str) -> Result<Scan> {
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    let mut depth = 0usize;
    let mut max_depth = 0usize;
    let mut tokens = 0usize;
    let mut last_lexeme = 0usize;
    while i < n {
        let c = b[i];
        last_lexeme = i;
        match c {
            b' ' | b'\t' | b'\r' => {
                while i < n && matches!(b[i], b' ' | b'\t' | b'\r') {
                    i += 1;
                }
            }
            b'\n' => i += 1,
            b'/' if i + 1 < n && b[i + 1] == b'/' => {
                while i < n && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if i + 1 < n && b[i + 1] == b'*' => {
                let start = i;
                i += 2;
                loop {
                    if i + 1 >= n {
                        return Err(error_at(
                            text,
                            start,
                            "unexpected unterminated multi-line comment",
                        ));
                    }
                    if b[i] == b'*' && b[i + 1] == b'/' {
                        i += 2;
                        break;
                    }
                    i += 1;
                }
            }
            b'"' | b'\'' | b'`' => {
                tokens += 1;
                let start = i;
                i += 1;
                loop {
                    if i >= n {
                        let what = if c == b'`' {
                            "unexpected unterminated identifier"
                        } else {
                            "unexpected unterminated string literal"
                        };
                        return Err(error_at(text, start, what));
                    }
                    if b[i] == b'\\' {
                        i += 2;
                    } else if b[i] == c {
                        i += 1;
                        break;
                    } else {
                        i += 1;
                    }
                }
            }
            // forward tick ´ (U+00B4, bytes C2 B4)
            0xC2 if i + 1 < n && b[i + 1] == 0xB4 => {
                tokens += 1;
                let start = i;
                i += 2;
                loop {
                    if i + 1 >= n {
                        return Err(error_at(text, start, "unexpected unterminated identifier"));
                    }
                    if b[i] == b'\\' {
                        i += 2;
                    } else if b[i] == 0xC2 && b[i + 1] == 0xB4 {
                        i += 2;
                        break;
                    } else {
                        i += 1;
                    }
                }
            }
            b'(' | b'[' | b'{' => {
                tokens += 1;
                depth += 1;
                max_depth = max_depth.max(depth);
                if depth > MAX_NESTING {
                    return Err(Error::TooMuchNesting);
                }
                i += 1;
            }
            b')' | b']' | b'}' => {
                tokens += 1;
                depth = depth.saturating_sub(1);
                i += 1;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c == b'@' => {
                tokens += 1;
                while i < n && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'$' | b'@'))
                {
                    i += 1;
                }
            }
            b'=' | b'!' | b'<' | b'>' | b'&' | b'|' | b':' | b'.' | b'~' => {
                tokens += 1;
                while i < n
                    && matches!(
                        b[i],
                        b'=' | b'!' | b'<' | b'>' | b'&' | b'|' | b':' | b'.' | b'~'
                    )
                {
                    i += 1;
                }
            }
            _ => {
                tokens += 1;
                i += 1;
                while i < n && !text.is_char_boundary(i) {
                    i += 1;
                }
            }
        }
    }
    if tokens == 0 {
        return Err(Error::QueryEmpty);
    }
    Ok(Scan {
        last_lexeme,
        max_depth,
    })
}

// ------------------------------------------------------------ error helpers

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = 1 + before.iter().filter(|&&c| c == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |p| p + 1);
    (line, before.len() - line_start + 1)
}

fn region(text: &str, offset: usize) -> String {
    const SNIPPET: usize = 32;
    let offset = offset.min(text.len());
    let mut offset = offset;
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let rest = &text[offset..];
    if rest.len() < SNIPPET {
        return rest.to_string();
    }
    let mut end = SNIPPET;
    while !rest.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &rest[..end])
}

/// `<what> near '<region>' at position L:C`
fn error_at(text: &str, offset: usize, what: &str) -> Error {
    let (line, column) = line_col(text, offset);
    Error::Syntax {
        message: format!(
            "{what} near '{}' at position {line}:{column}",
            region(text, offset)
        ),
        line,
        column,
    }
}

/// Skips whitespace and comments from `i`.
fn skip_blank(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    loop {
        if i >= b.len() {
            return b.len();
        }
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => match text[i + 2..].find("*/") {
                Some(p) => i = i + 2 + p + 2,
                None => return b.len(),
            },
            _ => return i,
        }
    }
}

const KEYWORDS: &[(&str, &str)] = &[
    ("for", "FOR declaration"),
    ("let", "LET declaration"),
    ("filter", "FILTER declaration"),
    ("return", "RETURN declaration"),
    ("collect", "COLLECT declaration"),
    ("sort", "SORT declaration"),
    ("limit", "LIMIT declaration"),
    ("window", "WINDOW declaration"),
    ("asc", "ASC keyword"),
    ("desc", "DESC keyword"),
    ("in", "IN keyword"),
    ("with", "WITH keyword"),
    ("into", "INTO keyword"),
    ("aggregate", "AGGREGATE keyword"),
    ("graph", "GRAPH keyword"),
    ("shortest_path", "SHORTEST_PATH keyword"),
    ("k_shortest_paths", "K_SHORTEST_PATHS keyword"),
    ("k_paths", "K_PATHS keyword"),
    ("all_shortest_paths", "ALL_SHORTEST_PATHS keyword"),
    ("distinct", "DISTINCT modifier"),
    ("remove", "REMOVE command"),
    ("insert", "INSERT command"),
    ("update", "UPDATE command"),
    ("replace", "REPLACE command"),
    ("upsert", "UPSERT command"),
    ("null", "null"),
    ("true", "true"),
    ("false", "false"),
    ("not", "not operator"),
    ("and", "and operator"),
    ("or", "or operator"),
    ("like", "like operator"),
    ("outbound", "outbound modifier"),
    ("inbound", "inbound modifier"),
    ("any", "any modifier"),
    ("all", "all modifier"),
    ("none", "none modifier"),
];

/// The reserved words of AQL, lower case (matched in any case). The
/// grammar's `keyword` rule must reserve exactly these (a test checks).
pub fn keywords() -> impl Iterator<Item = &'static str> {
    KEYWORDS.iter().map(|(word, _)| *word)
}

/// Whether `word` is a reserved word of AQL, in any case.
pub fn is_keyword(word: &str) -> bool {
    keyword_description(word).is_some()
}

fn keyword_description(word: &str) -> Option<&'static str> {
    KEYWORDS
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(word))
        .map(|(_, d)| *d)
}

/// The bison name of the token starting at `i` (which is not blank).
fn token_description(text: &str, i: usize) -> &'static str {
    let b = text.as_bytes();
    let c = b[i];
    let rest = &text[i..];
    if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
        let end = rest
            .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '$'))
            .unwrap_or(rest.len());
        let word = &rest[..end];
        if word.eq_ignore_ascii_case("not") {
            let after = rest[end..].trim_start();
            // `get`: the text after NOT may start with a multi-byte char.
            if after.get(..2).is_some_and(|w| w.eq_ignore_ascii_case("in"))
                && !after[2..].starts_with(|ch: char| ch.is_ascii_alphanumeric() || ch == '_')
            {
                return "not in operator";
            }
        }
        if word.eq_ignore_ascii_case("at") {
            let after = rest[end..].trim_start();
            if after
                .get(..5)
                .is_some_and(|w| w.eq_ignore_ascii_case("least"))
            {
                return "at least modifier";
            }
        }
        return keyword_description(word).unwrap_or("identifier");
    }
    if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
        let mut j = 0;
        let rb = rest.as_bytes();
        if rb.len() > 1 && rb[0] == b'0' && matches!(rb[1], b'x' | b'X' | b'b' | b'B') {
            return "integer number";
        }
        while j < rb.len() && rb[j].is_ascii_digit() {
            j += 1;
        }
        if j < rb.len()
            && ((rb[j] == b'.' && rb.get(j + 1).is_some_and(|d| d.is_ascii_digit()))
                || matches!(rb[j], b'e' | b'E'))
        {
            return "number";
        }
        return "integer number";
    }
    let two = rest.get(..2).unwrap_or("");
    match two {
        "==" => return "== operator",
        "!=" => return "!= operator",
        "<=" => return "<= operator",
        ">=" => return ">= operator",
        "=~" => return "~= operator",
        "!~" => return "~! operator",
        "&&" => return "and operator",
        "||" => return "or operator",
        "::" => return "::",
        ".." => return "..",
        "@@" => return "bind data source parameter",
        _ => {}
    }
    match c {
        b'@' => "bind parameter",
        b'"' | b'\'' => "quoted string",
        b'`' => "identifier",
        0xC2 if b.get(i + 1) == Some(&0xB4) => "identifier",
        b'<' => "< operator",
        b'>' => "> operator",
        b'=' => "assignment",
        b'!' => "not operator",
        b'+' => "+ operator",
        b'-' => "- operator",
        b'*' => "* operator",
        b'/' => "/ operator",
        b'%' => "% operator",
        b'?' => "?",
        b':' => ":",
        b',' => "\",\"",
        b'(' => "(",
        b')' => ")",
        b'{' => "{",
        b'}' => "}",
        b'[' => "[",
        b']' => "]",
        b'.' => "'.'",
        _ => "invalid token",
    }
}

/// The bison-style `syntax error, unexpected … near … at position …` for a
/// failure at byte `offset`.
fn unexpected_at(text: &str, scan: &Scan, offset: usize, expecting: &[&str]) -> Error {
    let t = skip_blank(text, offset);
    let (what, pos) = if t >= text.len() {
        ("end of query string", scan.last_lexeme)
    } else {
        (token_description(text, t), t)
    };
    let mut msg = format!("syntax error, unexpected {what}");
    if !expecting.is_empty() && expecting.len() <= 4 {
        msg.push_str(", expecting ");
        msg.push_str(&expecting.join(" or "));
    }
    error_at(text, pos, &msg)
}

fn rule_token(rule: Rule) -> Option<&'static str> {
    let kw = |s: &str| keyword_description(s);
    Some(match rule {
        Rule::kw_for => kw("for")?,
        Rule::kw_let => kw("let")?,
        Rule::kw_filter => kw("filter")?,
        Rule::kw_return => kw("return")?,
        Rule::kw_collect => kw("collect")?,
        Rule::kw_sort => kw("sort")?,
        Rule::kw_limit => kw("limit")?,
        Rule::kw_window => kw("window")?,
        Rule::kw_in => kw("in")?,
        Rule::kw_into => kw("into")?,
        Rule::kw_with => kw("with")?,
        Rule::kw_aggregate => kw("aggregate")?,
        Rule::kw_graph => kw("graph")?,
        Rule::kw_insert => kw("insert")?,
        Rule::kw_update => kw("update")?,
        Rule::kw_replace => kw("replace")?,
        Rule::kw_distinct => kw("distinct")?,
        Rule::kw_outbound => kw("outbound")?,
        Rule::kw_inbound => kw("inbound")?,
        Rule::kw_any => kw("any")?,
        Rule::direction => return None,
        Rule::identifier | Rule::quoted_name | Rule::ctx_to | Rule::ctx_count => "identifier",
        Rule::string => "quoted string",
        Rule::bind_param => "bind parameter",
        Rule::ds_param => "bind data source parameter",
        Rule::EOI => "end of query string",
        _ => return None,
    })
}

fn pest_error(text: &str, scan: &Scan, e: pest::error::Error<Rule>) -> Error {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let mut expecting: Vec<&str> = Vec::new();
    if let pest::error::ErrorVariant::ParsingError { positives, .. } = &e.variant {
        for r in positives {
            match rule_token(*r) {
                Some(t) => {
                    if !expecting.contains(&t) {
                        expecting.push(t);
                    }
                }
                None => {
                    // something like "expression": bison would list many
                    // tokens, i.e. more than four, and print none.
                    expecting.clear();
                    expecting.extend(["", "", "", "", ""]);
                    break;
                }
            }
        }
    }
    if expecting.len() > 4 {
        expecting.clear();
    }
    unexpected_at(text, scan, pos, &expecting)
}

// ------------------------------------------------------------------ helpers

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            break;
        };
        match e {
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'u' => {
                let hex4 = |it: &mut std::iter::Peekable<std::str::Chars<'_>>| -> Option<u32> {
                    let mut probe = it.clone();
                    let mut v = 0u32;
                    for _ in 0..4 {
                        v = v * 16 + probe.next()?.to_digit(16)?;
                    }
                    *it = probe;
                    Some(v)
                };
                match hex4(&mut chars) {
                    None => out.push('u'),
                    Some(hi @ 0xD800..=0xDBFF) => {
                        let mut probe = chars.clone();
                        let lo = if probe.next() == Some('\\') && probe.next() == Some('u') {
                            hex4(&mut probe).filter(|lo| (0xDC00..=0xDFFF).contains(lo))
                        } else {
                            None
                        };
                        match lo {
                            Some(lo) => {
                                chars = probe;
                                let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                            }
                            None => out.push('\u{FFFD}'),
                        }
                    }
                    Some(v) => out.push(char::from_u32(v).unwrap_or('\u{FFFD}')),
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Whether a pair is a postfix of a primary.
fn is_postfix(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::attribute | Rule::expansion | Rule::array_filter | Rule::index
    )
}

/// Whether a pair is a name (the grammar's silent `name`).
fn is_name(rule: Rule) -> bool {
    matches!(rule, Rule::identifier | Rule::quoted_name)
}

fn span_of(p: &Pair<'_, Rule>) -> Span {
    Span::new(p.as_span().start(), p.as_span().end())
}

type Ex = (Expr, usize);

fn node(kind: ExprKind, span: Span, depth: usize) -> Result<Ex> {
    if depth > MAX_NESTING {
        return Err(Error::TooMuchNesting);
    }
    Ok((Expr { kind, span }, depth))
}

fn join(a: Span, b: Span) -> Span {
    Span {
        start: a.start.min(b.start),
        end: a.end.max(b.end),
    }
}

fn is_modification(s: &Statement) -> bool {
    matches!(
        s,
        Statement::Insert { .. }
            | Statement::Update(_)
            | Statement::Replace(_)
            | Statement::Remove { .. }
            | Statement::Upsert(_)
    )
}

enum Op {
    Bin(BinaryOp),
    Cmp(Quantifier, BinaryOp),
    NotRegex,
    NotNRegex,
    Range,
    Ternary(Option<Ex>),
}

impl Op {
    fn precedence(&self) -> u8 {
        use BinaryOp::*;
        let b = match self {
            Op::Ternary(_) => return 1,
            Op::Range => return 7,
            Op::NotRegex | Op::NotNRegex => return 4,
            Op::Bin(b) | Op::Cmp(_, b) => *b,
        };
        match b {
            Or => 2,
            And => 3,
            Eq | Ne | Like | NotLike | RegexMatch | RegexNotMatch => 4,
            In | NotIn => 5,
            Lt | Le | Gt | Ge => 6,
            Add | Sub => 8,
            Mul | Div | Mod => 9,
        }
    }
}

// ------------------------------------------------------------------ builder

struct Builder<'a> {
    text: &'a str,
    scan: &'a Scan,
}

impl<'a> Builder<'a> {
    fn syntax(&self, offset: usize, msg: &str) -> Error {
        error_at(self.text, offset, msg)
    }

    /// A name: an `identifier` or `quoted_name` pair (`name` is silent).
    fn name(&self, p: Pair<'_, Rule>) -> Name {
        let span = span_of(&p);
        let text = match p.as_rule() {
            Rule::identifier => p.as_str().to_string(),
            _ => {
                let body = p
                    .into_inner()
                    .next()
                    .expect("grammar guarantees quoted body");
                unescape(body.as_str())
            }
        };
        Name { text, span }
    }

    fn string(&self, p: Pair<'_, Rule>) -> String {
        let body = p
            .into_inner()
            .next()
            .expect("grammar guarantees string body");
        unescape(body.as_str())
    }

    fn query(&self, p: Pair<'_, Rule>) -> Result<(Query, usize)> {
        let mut statements = Vec::new();
        let mut depth = 0;
        let mut with_stmt = None;
        let mut body = Vec::new();
        for s in p.into_inner() {
            match s.as_rule() {
                Rule::with_stmt => with_stmt = Some(s),
                Rule::EOI => {}
                _ => body.push(s),
            }
        }
        if let Some(w) = with_stmt {
            let mut list = Vec::new();
            for d in w.into_inner() {
                if d.as_rule() == Rule::data_source {
                    list.push(self.data_source(d));
                }
            }
            statements.push(Statement::With(list));
        }
        let end = self.text.len();
        let (mut rest, d) = self.statements(body, end)?;
        depth = depth.max(d);
        statements.append(&mut rest);
        Ok((Query { statements }, depth))
    }

    /// Builds a statement list; `end` is where the list stops in the text
    /// (for the "query must end with RETURN or a modification" error).
    fn statements(
        &self,
        pairs: Vec<Pair<'_, Rule>>,
        end: usize,
    ) -> Result<(Vec<Statement>, usize)> {
        let mut out = Vec::with_capacity(pairs.len());
        let mut depth = 0;
        let mut in_loop = false;
        for p in pairs {
            let start = p.as_span().start();
            let (s, d) = self.statement(p)?;
            depth = depth.max(d);
            match &s {
                Statement::For(_) => in_loop = true,
                Statement::Collect(_) => {}
                Statement::Return { distinct: true, .. } if !in_loop => {
                    return Err(self.syntax(
                        start,
                        "cannot use DISTINCT modifier on top-level query element",
                    ));
                }
                _ => {}
            }
            out.push(s);
        }
        let ok = out
            .last()
            .is_some_and(|s| matches!(s, Statement::Return { .. }) || is_modification(s));
        if !ok {
            return Err(unexpected_at(self.text, self.scan, end, &[]));
        }
        Ok((out, depth))
    }

    fn data_source(&self, p: Pair<'_, Rule>) -> DataSource {
        let inner = p
            .into_inner()
            .next()
            .expect("grammar guarantees data source");
        let span = span_of(&inner);
        match inner.as_rule() {
            Rule::identifier | Rule::quoted_name => DataSource::Name(self.name(inner)),
            Rule::ds_param => DataSource::BindParameter(Name {
                text: inner.as_str()[2..].to_string(),
                span,
            }),
            Rule::bind_param => DataSource::BindParameter(Name {
                text: inner.as_str()[1..].to_string(),
                span,
            }),
            Rule::string => DataSource::Name(Name {
                text: self.string(inner),
                span,
            }),
            _ => unreachable!("grammar guarantees data source kinds"),
        }
    }

    fn options(&self, p: Option<Pair<'_, Rule>>) -> Result<(Option<Expr>, usize)> {
        match p {
            None => Ok((None, 0)),
            Some(p) => {
                let obj = p
                    .into_inner()
                    .nth(1)
                    .expect("grammar guarantees options object");
                let (e, d) = self.object(obj)?;
                Ok((Some(e), d))
            }
        }
    }

    fn assignment(&self, p: Pair<'_, Rule>) -> Result<((Name, Expr), usize)> {
        let mut it = p.into_inner();
        let n = self.name(it.next().expect("grammar guarantees name"));
        let (e, d) = self.expression(it.next().expect("grammar guarantees expression"))?;
        Ok(((n, e), d))
    }

    fn statement(&self, p: Pair<'_, Rule>) -> Result<(Statement, usize)> {
        let start = p.as_span().start();
        let rule = p.as_rule();
        let mut it = p.into_inner().peekable();
        it.next(); // the keyword
        match rule {
            Rule::filter_stmt => {
                let (e, d) = self.expression(it.next().expect("grammar guarantees filter"))?;
                Ok((Statement::Filter(e), d))
            }
            Rule::let_stmt => {
                let mut list = Vec::new();
                let mut depth = 0;
                for a in it {
                    let ((target, e), d) = if a.as_rule() == Rule::destructuring_assignment {
                        let mut parts = a.into_inner();
                        let pattern =
                            self.pattern(parts.next().expect("grammar guarantees a pattern"))?;
                        let (e, d) = self
                            .expression(parts.next().expect("grammar guarantees an expression"))?;
                        ((pattern, e), d)
                    } else {
                        let ((name, e), d) = self.assignment(a)?;
                        ((Pattern::Variable(name), e), d)
                    };
                    depth = depth.max(d);
                    list.push((target, e));
                }
                Ok((Statement::Let(list), depth))
            }
            Rule::limit_stmt => {
                let (a, d1) = self.expression(it.next().expect("grammar guarantees limit"))?;
                match it.next() {
                    Some(b) => {
                        let (b, d2) = self.expression(b)?;
                        Ok((
                            Statement::Limit {
                                offset: Some(a),
                                count: b,
                            },
                            d1.max(d2),
                        ))
                    }
                    None => Ok((
                        Statement::Limit {
                            offset: None,
                            count: a,
                        },
                        d1,
                    )),
                }
            }
            Rule::return_stmt => {
                let mut distinct = false;
                if it.peek().is_some_and(|x| x.as_rule() == Rule::kw_distinct) {
                    distinct = true;
                    it.next();
                }
                let (e, d) = self.expression(it.next().expect("grammar guarantees return"))?;
                Ok((Statement::Return { distinct, expr: e }, d))
            }
            Rule::sort_stmt => {
                let mut list = Vec::new();
                let mut depth = 0;
                for el in it {
                    let mut el = el.into_inner();
                    let (expr, d) =
                        self.expression(el.next().expect("grammar guarantees sort expr"))?;
                    depth = depth.max(d);
                    let direction = match el.next() {
                        None => SortDirection::Default,
                        Some(dir) => {
                            let v = dir.into_inner().next().expect("grammar guarantees dir");
                            match v.as_rule() {
                                Rule::kw_asc => SortDirection::Asc,
                                Rule::kw_desc => SortDirection::Desc,
                                _ => SortDirection::Dynamic(self.atom(v)?.0),
                            }
                        }
                    };
                    list.push(SortElement { expr, direction });
                }
                Ok((Statement::Sort(list), depth))
            }
            Rule::window_stmt => {
                let first = it.next().expect("grammar guarantees window expr");
                let first_start = first.as_span().start();
                let (first, d1) = self.expression(first)?;
                let mut depth = d1;
                let (range, bounds) = if it.peek().is_some_and(|x| x.as_rule() == Rule::kw_with) {
                    it.next();
                    let (o, d) =
                        self.object(it.next().expect("grammar guarantees window object"))?;
                    depth = depth.max(d);
                    (Some(first), o)
                } else {
                    if !matches!(first.kind, ExprKind::Object(_)) {
                        return Err(unexpected_at(
                            self.text,
                            self.scan,
                            first_start,
                            &["WITH keyword"],
                        ));
                    }
                    (None, first)
                };
                let (aggregates, d) =
                    self.aggregate(it.next().expect("grammar guarantees aggregate"))?;
                Ok((
                    Statement::Window(Window {
                        range,
                        bounds,
                        aggregates,
                    }),
                    depth.max(d),
                ))
            }
            Rule::collect_stmt => self.collect(it),
            Rule::for_stmt => self.for_stmt(start, it),
            Rule::insert_stmt | Rule::remove_stmt => {
                let (doc, d1) = self.expression(it.next().expect("grammar guarantees doc"))?;
                it.next(); // IN / INTO
                let coll = self.collection(it.next().expect("grammar guarantees collection"));
                let (options, d2) = self.options(it.next())?;
                let st = if rule == Rule::insert_stmt {
                    Statement::Insert {
                        doc,
                        into: coll,
                        options,
                    }
                } else {
                    Statement::Remove {
                        key: doc,
                        from: coll,
                        options,
                    }
                };
                Ok((st, d1.max(d2)))
            }
            Rule::update_stmt | Rule::replace_stmt => {
                let (first, d1) = self.expression(it.next().expect("grammar guarantees doc"))?;
                let mut depth = d1;
                let (key, doc) = if it.peek().is_some_and(|x| x.as_rule() == Rule::with_doc) {
                    let w = it.next().expect("peeked");
                    let e = w.into_inner().nth(1).expect("grammar guarantees with doc");
                    let (doc, d) = self.expression(e)?;
                    depth = depth.max(d);
                    (Some(first), doc)
                } else {
                    (None, first)
                };
                it.next(); // IN / INTO
                let coll = self.collection(it.next().expect("grammar guarantees collection"));
                let (options, d2) = self.options(it.next())?;
                let m = KeyedModification {
                    key,
                    doc,
                    collection: coll,
                    options,
                };
                let st = if rule == Rule::update_stmt {
                    Statement::Update(m)
                } else {
                    Statement::Replace(m)
                };
                Ok((st, depth.max(d2)))
            }
            Rule::upsert_stmt => {
                let s = it.next().expect("grammar guarantees upsert search");
                let (search, d0) = match s.as_rule() {
                    Rule::upsert_filter => {
                        let e = s.into_inner().nth(1).expect("grammar guarantees filter");
                        let (e, d) = self.expression(e)?;
                        (UpsertSearch::Filter(e), d)
                    }
                    _ => {
                        let (e, d) = self.atom(s)?;
                        (UpsertSearch::Object(e), d)
                    }
                };
                it.next(); // INSERT
                let (insert, d1) =
                    self.expression(it.next().expect("grammar guarantees insert"))?;
                let kw = it.next().expect("grammar guarantees update/replace");
                let replace = kw.as_rule() == Rule::kw_replace;
                let (update, d2) =
                    self.expression(it.next().expect("grammar guarantees update"))?;
                it.next(); // IN / INTO
                let coll = self.collection(it.next().expect("grammar guarantees collection"));
                let (options, d3) = self.options(it.next())?;
                Ok((
                    Statement::Upsert(Upsert {
                        search,
                        insert,
                        update,
                        replace,
                        collection: coll,
                        options,
                    }),
                    d0.max(d1).max(d2).max(d3),
                ))
            }
            _ => unreachable!("grammar guarantees statement kinds"),
        }
    }

    fn collection(&self, p: Pair<'_, Rule>) -> DataSource {
        self.data_source(p)
    }

    fn aggregate(&self, p: Pair<'_, Rule>) -> Result<(Vec<(Name, Expr)>, usize)> {
        let mut list = Vec::new();
        let mut depth = 0;
        for a in p.into_inner().skip(1) {
            let (x, d) = self.assignment(a)?;
            depth = depth.max(d);
            list.push(x);
        }
        Ok((list, depth))
    }

    fn collect<'i>(&self, it: std::iter::Peekable<Pairs<'i, Rule>>) -> Result<(Statement, usize)> {
        let mut c = Collect {
            groups: Vec::new(),
            aggregates: Vec::new(),
            into: None,
            with_count: None,
            options: None,
        };
        let mut depth = 0;
        for p in it {
            match p.as_rule() {
                Rule::groups => {
                    for a in p.into_inner() {
                        let (x, d) = self.assignment(a)?;
                        depth = depth.max(d);
                        c.groups.push(x);
                    }
                }
                Rule::aggregate => {
                    let (a, d) = self.aggregate(p)?;
                    depth = depth.max(d);
                    c.aggregates = a;
                }
                Rule::collect_into => {
                    let mut inner = p.into_inner().skip(1);
                    let variable = self.name(inner.next().expect("grammar guarantees into name"));
                    let expr = match inner.next() {
                        Some(e) => {
                            let (e, d) = self.expression(e)?;
                            depth = depth.max(d);
                            Some(e)
                        }
                        None => None,
                    };
                    c.into = Some(CollectInto {
                        variable,
                        expr,
                        keep: Vec::new(),
                    });
                }
                Rule::keep => {
                    let names: Vec<Name> = p.into_inner().skip(1).map(|n| self.name(n)).collect();
                    if let Some(into) = c.into.as_mut() {
                        into.keep = names;
                    }
                }
                Rule::count_into => {
                    let n = p
                        .into_inner()
                        .nth(3)
                        .expect("grammar guarantees count name");
                    c.with_count = Some(self.name(n));
                }
                Rule::options => {
                    let (o, d) = self.options(Some(p))?;
                    depth = depth.max(d);
                    c.options = o;
                }
                _ => unreachable!("grammar guarantees collect parts"),
            }
        }
        Ok((Statement::Collect(c), depth))
    }

    fn direction(p: Pair<'_, Rule>) -> Direction {
        let word = p.as_str();
        if word.eq_ignore_ascii_case("outbound") {
            Direction::Outbound
        } else if word.eq_ignore_ascii_case("inbound") {
            Direction::Inbound
        } else {
            Direction::Any
        }
    }

    fn graph_subject(&self, p: Pair<'_, Rule>) -> Result<GraphRef> {
        let mut it = p.into_inner().peekable();
        if it.peek().is_some_and(|x| x.as_rule() == Rule::kw_graph) {
            it.next();
            let g = it.next().expect("grammar guarantees graph name");
            let span = span_of(&g);
            let kind = match g.as_rule() {
                Rule::identifier | Rule::quoted_name => ExprKind::String(self.name(g).text),
                Rule::string => ExprKind::String(self.string(g)),
                Rule::bind_param => ExprKind::BindParameter(g.as_str()[1..].to_string()),
                _ => ExprKind::CollectionBindParameter(g.as_str()[2..].to_string()),
            };
            return Ok(GraphRef::Named(Expr { kind, span }));
        }
        let mut list = Vec::new();
        for gc in it {
            let mut inner = gc.into_inner().peekable();
            let dir = if inner.peek().is_some_and(|x| x.as_rule() == Rule::direction) {
                Some(Self::direction(inner.next().expect("peeked")))
            } else {
                None
            };
            let src = inner.next().expect("grammar guarantees edge collection");
            let span = span_of(&src);
            let ds = match src.as_rule() {
                Rule::identifier | Rule::quoted_name => DataSource::Name(self.name(src)),
                Rule::ds_param => DataSource::BindParameter(Name {
                    text: src.as_str()[2..].to_string(),
                    span,
                }),
                _ => DataSource::BindParameter(Name {
                    text: src.as_str()[1..].to_string(),
                    span,
                }),
            };
            list.push((dir, ds));
        }
        Ok(GraphRef::Collections(list))
    }

    fn for_stmt<'i>(
        &self,
        start: usize,
        mut it: std::iter::Peekable<Pairs<'i, Rule>>,
    ) -> Result<(Statement, usize)> {
        let vars = it.next().expect("grammar guarantees for variables");
        let mut pattern = None;
        let mut variables = Vec::new();
        for v in vars.into_inner() {
            match v.as_rule() {
                Rule::array_pattern | Rule::object_pattern => {
                    pattern = Some(self.pattern(v)?);
                }
                _ => variables.push(self.name(v)),
            }
        }
        let destructure = pattern.is_some();
        it.next(); // IN
        let src = it.next().expect("grammar guarantees for source");
        let mut inner = src.into_inner();
        let first = inner.next().expect("grammar guarantees for source content");
        let mut depth = 0;
        let check = |min: usize, max: usize, msg: &str| -> Result<()> {
            if destructure || variables.len() < min || variables.len() > max {
                Err(self.syntax(start, msg))
            } else {
                Ok(())
            }
        };
        let (source, search, options) = match first.as_rule() {
            Rule::graph_head => {
                let mut g = first.into_inner();
                let dir = Self::direction(g.next().expect("grammar guarantees direction"));
                let rest = g.next().expect("grammar guarantees graph rest");
                self.graph_rest(None, dir, rest, &check, &mut depth)?
            }
            _ => {
                let (e, d) = self.expression(first)?;
                depth = d;
                match inner.next() {
                    Some(t) if t.as_rule() == Rule::depth_tail => {
                        let mut g = t.into_inner();
                        let dir = Self::direction(g.next().expect("grammar guarantees direction"));
                        let rest = g.next().expect("grammar guarantees graph rest");
                        self.graph_rest(Some(e), dir, rest, &check, &mut depth)?
                    }
                    other => {
                        if variables.len() != 1 && !destructure {
                            return Err(self.syntax(
                                start,
                                "Collections and views FOR loops only allow a single return variable",
                            ));
                        }
                        let (mut search, mut options) = (None, None);
                        if let Some(fo) = other {
                            let mut parts = fo.into_inner();
                            while let Some(kw) = parts.next() {
                                let ex = parts.next().expect("grammar guarantees option expr");
                                let ex_start = ex.as_span().start();
                                let (x, d) = self.expression(ex)?;
                                depth = depth.max(d);
                                if kw.as_rule() == Rule::ctx_search {
                                    search = Some(x);
                                } else {
                                    if !matches!(x.kind, ExprKind::Object(_)) {
                                        return Err(
                                            self.syntax(ex_start, "'OPTIONS' have to be an object")
                                        );
                                    }
                                    options = Some(x);
                                }
                            }
                        }
                        (ForSource::Expr(e), search, options)
                    }
                }
            }
        };
        Ok((
            Statement::For(For {
                variables,
                pattern,
                source,
                search,
                options,
            }),
            depth,
        ))
    }

    /// A destructuring pattern; its nesting is bounded by the bracket
    /// depth check done before parsing.
    fn pattern(&self, p: Pair<'_, Rule>) -> Result<Pattern> {
        let start = p.as_span().start();
        match p.as_rule() {
            Rule::identifier | Rule::quoted_name => Ok(Pattern::Variable(self.name(p))),
            Rule::array_pattern => {
                let slots = p
                    .into_inner()
                    .map(|slot| {
                        slot.into_inner()
                            .next()
                            .map(|q| self.pattern(q))
                            .transpose()
                    })
                    .collect::<Result<Vec<_>>>()?;
                if slots.iter().all(Option::is_none) {
                    return Err(self.syntax(start, "destructuring assigns no variable"));
                }
                Ok(Pattern::Array(slots))
            }
            _ => {
                let mut entries = Vec::new();
                for entry in p.into_inner() {
                    let entry_start = entry.as_span().start();
                    let mut parts = entry.into_inner();
                    let key = parts.next().expect("grammar guarantees a key");
                    let is_name = is_name(key.as_rule());
                    let key = if is_name {
                        self.name(key)
                    } else {
                        Name {
                            text: self.string(key.clone()),
                            span: span_of(&key),
                        }
                    };
                    let target = match parts.next() {
                        Some(t) => self.pattern(t)?,
                        None if is_name => Pattern::Variable(key.clone()),
                        None => {
                            return Err(self.syntax(
                                entry_start,
                                "a quoted attribute needs a variable to assign it to",
                            ))
                        }
                    };
                    entries.push((key.text, target));
                }
                Ok(Pattern::Object(entries))
            }
        }
    }

    fn graph_rest(
        &self,
        depth_expr: Option<Expr>,
        direction: Direction,
        rest: Pair<'_, Rule>,
        check: &dyn Fn(usize, usize, &str) -> Result<()>,
        depth: &mut usize,
    ) -> Result<(ForSource, Option<Expr>, Option<Expr>)> {
        let rule = rest.as_rule();
        let mut it = rest.into_inner().peekable();
        if rule == Rule::traversal_rest {
            check(
                1,
                3,
                "Traversals only have one, two or three return variables",
            )?;
            let (start, d) = self.expression(it.next().expect("grammar guarantees start"))?;
            *depth = (*depth).max(d);
            let graph = self.graph_subject(it.next().expect("grammar guarantees graph"))?;
            let mut prune = None;
            let mut options = None;
            for p in it {
                match p.as_rule() {
                    Rule::prune => {
                        let mut pi = p.into_inner().skip(1).peekable();
                        let variable = if pi.peek().is_some_and(|x| x.as_rule() == Rule::prune_var)
                        {
                            let pv = pi.next().expect("peeked");
                            Some(
                                self.name(pv.into_inner().next().expect("grammar guarantees name")),
                            )
                        } else {
                            None
                        };
                        let (condition, d) =
                            self.expression(pi.next().expect("grammar guarantees prune cond"))?;
                        *depth = (*depth).max(d);
                        prune = Some(Prune {
                            variable,
                            condition,
                        });
                    }
                    _ => {
                        let (o, d) = self.options(Some(p))?;
                        *depth = (*depth).max(d);
                        options = o;
                    }
                }
            }
            return Ok((
                ForSource::Traversal(Traversal {
                    depth: depth_expr,
                    direction,
                    start,
                    graph,
                    prune,
                }),
                None,
                options,
            ));
        }
        // path_rest / kpaths_rest
        let kind_pair = it.next().expect("grammar guarantees path kind");
        let kind_rule = if kind_pair.as_rule() == Rule::path_kind {
            kind_pair
                .into_inner()
                .next()
                .expect("grammar guarantees path kind")
                .as_rule()
        } else {
            kind_pair.as_rule()
        };
        let kind = match kind_rule {
            Rule::kw_shortest_path => {
                check(1, 2, "SHORTEST_PATH must have one or two return variables")?;
                PathKind::ShortestPath
            }
            Rule::kw_k_shortest_paths => {
                check(1, 1, "K_SHORTEST_PATHS only has one return variable")?;
                PathKind::KShortestPaths
            }
            Rule::kw_all_shortest_paths => {
                check(1, 1, "ALL_SHORTEST_PATHS only has one return variable")?;
                PathKind::AllShortestPaths
            }
            _ => {
                check(1, 1, "K_PATHS only has one return variable")?;
                PathKind::KPaths
            }
        };
        let (start, d1) = self.expression(it.next().expect("grammar guarantees start"))?;
        it.next(); // TO
        let (target, d2) = self.expression(it.next().expect("grammar guarantees target"))?;
        let graph = self.graph_subject(it.next().expect("grammar guarantees graph"))?;
        let (options, d3) = self.options(it.next())?;
        *depth = (*depth).max(d1).max(d2).max(d3);
        Ok((
            ForSource::Path(PathSearch {
                kind,
                depth: depth_expr,
                direction,
                start,
                target,
                graph,
            }),
            None,
            options,
        ))
    }

    // -------------------------------------------------------- expressions

    /// An expression pair: operands and infix operators in turn, where an
    /// operand is its prefix operators, a primary and its postfixes (the
    /// grammar's `operand` and `term` are silent, to keep the token queue
    /// small).
    fn expression(&self, p: Pair<'_, Rule>) -> Result<Ex> {
        let mut operands: Vec<Ex> = Vec::new();
        let mut ops: Vec<Op> = Vec::new();
        let mut items = p.into_inner().peekable();
        loop {
            operands.push(self.operand(&mut items)?);
            let Some(item) = items.next() else { break };
            let op = self.op(item)?;
            let prec = op.precedence();
            while let Some(top) = ops.last() {
                let tp = top.precedence();
                // the ternary (precedence 1) is the only right-associative one
                if tp > prec || (tp == prec && prec != 1) {
                    self.reduce(&mut operands, &mut ops)?;
                } else {
                    break;
                }
            }
            ops.push(op);
        }
        while !ops.is_empty() {
            self.reduce(&mut operands, &mut ops)?;
        }
        Ok(operands.pop().expect("grammar guarantees an operand"))
    }

    fn reduce(&self, operands: &mut Vec<Ex>, ops: &mut Vec<Op>) -> Result<()> {
        let op = ops.pop().expect("reduce called with an operator");
        let (rhs, dr) = operands.pop().expect("grammar guarantees rhs");
        let (lhs, dl) = operands.pop().expect("grammar guarantees lhs");
        let span = join(lhs.span, rhs.span);
        let mut depth = dl.max(dr) + 1;
        let kind = match op {
            Op::Bin(op) => ExprKind::Binary {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            Op::Cmp(quantifier, op) => ExprKind::ArrayCompare {
                quantifier,
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            Op::Range => ExprKind::Range {
                from: Box::new(lhs),
                to: Box::new(rhs),
            },
            Op::NotNRegex => ExprKind::Binary {
                op: BinaryOp::RegexMatch,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            Op::NotRegex => {
                depth += 1;
                let inner = Expr {
                    kind: ExprKind::Binary {
                        op: BinaryOp::RegexMatch,
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                    },
                    span,
                };
                ExprKind::Unary {
                    op: UnaryOp::Not,
                    operand: Box::new(inner),
                }
            }
            Op::Ternary(then) => {
                let then = then.map(|(e, d)| {
                    depth = depth.max(d + 1);
                    Box::new(e)
                });
                ExprKind::Ternary {
                    condition: Box::new(lhs),
                    then,
                    otherwise: Box::new(rhs),
                }
            }
        };
        operands.push(node(kind, span, depth)?);
        Ok(())
    }

    fn op(&self, p: Pair<'_, Rule>) -> Result<Op> {
        use BinaryOp::*;
        Ok(match p.as_rule() {
            Rule::ternary_op => match p.into_inner().next() {
                Some(e) => Op::Ternary(Some(self.expression(e)?)),
                None => Op::Ternary(None),
            },
            Rule::q_op => {
                let mut it = p.into_inner();
                let q = self.quantifier(it.next().expect("grammar guarantees quantifier"))?;
                let inner = it.next().expect("grammar guarantees comparison");
                match self.op(inner)? {
                    Op::Bin(b) => Op::Cmp(q, b),
                    _ => unreachable!("grammar guarantees a comparison operator"),
                }
            }
            Rule::sym_op => match p.as_str() {
                "||" => Op::Bin(Or),
                "&&" => Op::Bin(And),
                "==" => Op::Bin(Eq),
                "!=" => Op::Bin(Ne),
                "<=" => Op::Bin(Le),
                ">=" => Op::Bin(Ge),
                "=~" => Op::Bin(RegexMatch),
                "!~" => Op::Bin(RegexNotMatch),
                "<" => Op::Bin(Lt),
                ">" => Op::Bin(Gt),
                ".." => Op::Range,
                "+" => Op::Bin(Add),
                "-" => Op::Bin(Sub),
                "*" => Op::Bin(Mul),
                "/" => Op::Bin(Div),
                "%" => Op::Bin(Mod),
                s => unreachable!("grammar guarantees an operator symbol, got {s:?}"),
            },
            Rule::word_op => {
                let word = p.as_str();
                if word.eq_ignore_ascii_case("or") {
                    Op::Bin(Or)
                } else if word.eq_ignore_ascii_case("and") {
                    Op::Bin(And)
                } else if word.eq_ignore_ascii_case("in") {
                    Op::Bin(In)
                } else {
                    Op::Bin(Like)
                }
            }
            Rule::op_eq => Op::Bin(Eq),
            Rule::op_ne => Op::Bin(Ne),
            Rule::op_lt => Op::Bin(Lt),
            Rule::op_le => Op::Bin(Le),
            Rule::op_gt => Op::Bin(Gt),
            Rule::op_ge => Op::Bin(Ge),
            Rule::op_in => Op::Bin(In),
            Rule::op_not_in => Op::Bin(NotIn),
            Rule::op_not_like => Op::Bin(NotLike),
            Rule::op_not_regex => Op::NotRegex,
            Rule::op_not_nregex => Op::NotNRegex,
            r => unreachable!("grammar guarantees operator rules, got {r:?}"),
        })
    }

    fn quantifier(&self, p: Pair<'_, Rule>) -> Result<Quantifier> {
        let mut it = p.into_inner();
        let k = it.next().expect("grammar guarantees quantifier keyword");
        Ok(match k.as_rule() {
            Rule::kw_all => Quantifier::All,
            Rule::kw_any => Quantifier::Any,
            Rule::kw_none => Quantifier::None,
            _ => {
                let (e, _) =
                    self.expression(it.next().expect("grammar guarantees AT LEAST expr"))?;
                Quantifier::AtLeast(Box::new(e))
            }
        })
    }

    /// The next operand of an expression's pairs: prefix operators, a
    /// primary, postfixes.
    fn operand(&self, items: &mut std::iter::Peekable<Pairs<'_, Rule>>) -> Result<Ex> {
        let mut prefixes = Vec::new();
        while let Some(pre) = items.next_if(|x| x.as_rule() == Rule::prefix_op) {
            prefixes.push(pre);
        }
        let (mut e, mut d) = self.term(items)?;
        for pre in prefixes.into_iter().rev() {
            let op = match pre.as_str().as_bytes().first() {
                Some(b'-') => UnaryOp::Minus,
                Some(b'+') => UnaryOp::Plus,
                _ => UnaryOp::Not,
            };
            let span = Span::new(pre.as_span().start(), e.span.end as usize);
            let r = node(
                ExprKind::Unary {
                    op,
                    operand: Box::new(e),
                },
                span,
                d + 1,
            )?;
            e = r.0;
            d = r.1;
        }
        Ok((e, d))
    }

    /// A primary and the postfixes that follow it.
    fn term(&self, items: &mut std::iter::Peekable<Pairs<'_, Rule>>) -> Result<Ex> {
        let primary = items.next().expect("grammar guarantees a primary");
        let (mut e, mut d) = self.atom(primary)?;
        while let Some(post) = items.next_if(|x| is_postfix(x.as_rule())) {
            let span = Span::new(e.span.start as usize, post.as_span().end());
            let rule = post.as_rule();
            let mut inner = post.into_inner();
            let (kind, nd) = match rule {
                Rule::attribute => {
                    let a = inner.next().expect("grammar guarantees attribute name");
                    let aspan = span_of(&a);
                    match a.as_rule() {
                        Rule::identifier | Rule::quoted_name => (
                            ExprKind::Attribute {
                                object: Box::new(e),
                                name: self.name(a).text,
                            },
                            d + 1,
                        ),
                        Rule::bind_param => (
                            ExprKind::Index {
                                object: Box::new(e),
                                index: Box::new(Expr {
                                    kind: ExprKind::BindParameter(a.as_str()[1..].to_string()),
                                    span: aspan,
                                }),
                            },
                            d + 1,
                        ),
                        _ => (
                            ExprKind::Index {
                                object: Box::new(e),
                                index: Box::new(Expr {
                                    kind: ExprKind::CollectionBindParameter(
                                        a.as_str()[2..].to_string(),
                                    ),
                                    span: aspan,
                                }),
                            },
                            d + 1,
                        ),
                    }
                }
                Rule::index => {
                    let (i, di) =
                        self.expression(inner.next().expect("grammar guarantees index"))?;
                    (
                        ExprKind::Index {
                            object: Box::new(e),
                            index: Box::new(i),
                        },
                        d.max(di) + 1,
                    )
                }
                Rule::expansion => {
                    let stars = inner.next().expect("grammar guarantees stars");
                    let levels = stars.as_str().bytes().filter(|&c| c == b'*').count() as u32;
                    let mut x = Expansion {
                        input: e,
                        levels,
                        filter: None,
                        limit: None,
                        projection: None,
                    };
                    let mut nd = d + 1;
                    for part in inner {
                        let r = part.as_rule();
                        let mut pi = part.into_inner().skip(1);
                        let (a, da) =
                            self.expression(pi.next().expect("grammar guarantees expr"))?;
                        nd = nd.max(da + 1);
                        match r {
                            Rule::exp_filter => x.filter = Some(a),
                            Rule::exp_return => x.projection = Some(a),
                            _ => match pi.next() {
                                Some(b) => {
                                    let (b, db) = self.expression(b)?;
                                    nd = nd.max(db + 1);
                                    x.limit = Some((Some(a), b));
                                }
                                None => x.limit = Some((None, a)),
                            },
                        }
                    }
                    (ExprKind::Expansion(Box::new(x)), nd)
                }
                Rule::array_filter => {
                    let mut nd = d + 1;
                    let (quantifier, condition) = match inner.next() {
                        None => (
                            None,
                            Expr {
                                kind: ExprKind::Bool(true),
                                span,
                            },
                        ),
                        Some(spec) => {
                            let mut si = spec.into_inner();
                            let first = si.next().expect("grammar guarantees filter spec");
                            let q = match first.as_rule() {
                                Rule::quantifier => {
                                    si.next(); // FILTER
                                    Some(self.quantifier(first)?)
                                }
                                Rule::af_count => {
                                    si.next(); // FILTER
                                    let (c, dc) = self.expression(
                                        first
                                            .into_inner()
                                            .next()
                                            .expect("grammar guarantees count"),
                                    )?;
                                    nd = nd.max(dc + 1);
                                    Some(Quantifier::Count(Box::new(c)))
                                }
                                _ => None, // was the FILTER keyword
                            };
                            let (c, dc) =
                                self.expression(si.next().expect("grammar guarantees condition"))?;
                            nd = nd.max(dc + 1);
                            (q, c)
                        }
                    };
                    (
                        ExprKind::ArrayFilter {
                            input: Box::new(e),
                            quantifier,
                            condition: Box::new(condition),
                        },
                        nd,
                    )
                }
                r => unreachable!("grammar guarantees postfix rules, got {r:?}"),
            };
            let r = node(kind, span, nd)?;
            e = r.0;
            d = r.1;
        }
        Ok((e, d))
    }

    /// A `number` pair: hexadecimal, binary, double or integer by its text.
    fn number(&self, p: &Pair<'_, Rule>) -> Result<ExprKind> {
        let s = p.as_str();
        let out_of_range = || Error::NumberOutOfRange("number out of range".into());
        // A decimal literal that overflows a double is null in ArangoDB (with
        // a 1504 warning, which aqlplan does not report).
        let double = |v: f64| {
            if v.is_finite() {
                ExprKind::Double(v)
            } else {
                ExprKind::Null
            }
        };
        let radix = match s.as_bytes() {
            [b'0', b'x' | b'X', ..] => Some(16),
            [b'0', b'b' | b'B', ..] => Some(2),
            _ => None,
        };
        Ok(match radix {
            Some(radix) => {
                ExprKind::Int(i64::from_str_radix(&s[2..], radix).map_err(|_| out_of_range())?)
            }
            None if s.contains(['.', 'e', 'E']) => double(s.parse().map_err(|_| out_of_range())?),
            None => match s.parse::<i64>() {
                Ok(v) => ExprKind::Int(v),
                Err(_) => double(s.parse().map_err(|_| out_of_range())?),
            },
        })
    }

    /// Primary expressions (and literal-ish pairs used elsewhere).
    fn atom(&self, p: Pair<'_, Rule>) -> Result<Ex> {
        let span = span_of(&p);
        match p.as_rule() {
            Rule::kw_null => node(ExprKind::Null, span, 1),
            Rule::kw_true => node(ExprKind::Bool(true), span, 1),
            Rule::kw_false => node(ExprKind::Bool(false), span, 1),
            Rule::number => node(self.number(&p)?, span, 1),
            Rule::string => node(ExprKind::String(self.string(p)), span, 1),
            Rule::bind_param => node(
                ExprKind::BindParameter(p.as_str()[1..].to_string()),
                span,
                1,
            ),
            Rule::ds_param => node(
                ExprKind::CollectionBindParameter(p.as_str()[2..].to_string()),
                span,
                1,
            ),
            // a variable (the grammar's `reference` is silent)
            Rule::identifier | Rule::quoted_name => {
                node(ExprKind::Name(self.name(p).text), span, 1)
            }
            Rule::array => {
                let mut items = Vec::new();
                let mut d = 0;
                for x in p.into_inner() {
                    let (e, de) = self.expression(x)?;
                    d = d.max(de);
                    items.push(e);
                }
                node(ExprKind::Array(items), span, d + 1)
            }
            Rule::object => self.object(p),
            Rule::call => {
                let mut it = p.into_inner();
                let fname = it.next().expect("grammar guarantees function name");
                let name = self.function_name(fname);
                let mut args = Vec::new();
                let mut d = 0;
                for a in it {
                    let (e, de) = if a.as_rule() == Rule::subquery {
                        self.subquery(a)?
                    } else {
                        self.expression(a)?
                    };
                    d = d.max(de);
                    args.push(e);
                }
                node(ExprKind::Call { name, args }, span, d + 1)
            }
            Rule::paren => {
                let inner = p
                    .into_inner()
                    .next()
                    .expect("grammar guarantees paren content");
                if inner.as_rule() == Rule::subquery {
                    self.subquery(inner)
                } else {
                    self.expression(inner)
                }
            }
            r => unreachable!("grammar guarantees primary rules, got {r:?}"),
        }
    }

    fn function_name(&self, p: Pair<'_, Rule>) -> String {
        let mut parts = Vec::new();
        let mut any = false;
        for n in p.clone().into_inner() {
            any = true;
            if is_name(n.as_rule()) {
                parts.push(self.name(n).text);
            } else {
                parts.push(n.as_str().to_string());
            }
        }
        if !any {
            return p.as_str().to_string();
        }
        parts.join("::")
    }

    fn subquery(&self, p: Pair<'_, Rule>) -> Result<Ex> {
        let span = span_of(&p);
        let end = p.as_span().end();
        let pairs: Vec<_> = p.into_inner().collect();
        let (statements, d) = self.statements(pairs, end)?;
        node(
            ExprKind::Subquery(Box::new(Query { statements })),
            span,
            d + 1,
        )
    }

    fn object(&self, p: Pair<'_, Rule>) -> Result<Ex> {
        let span = span_of(&p);
        let mut entries = Vec::new();
        let mut d = 0;
        for en in p.into_inner() {
            let rule = en.as_rule();
            let espan = span_of(&en);
            let mut it = en.into_inner();
            let first = it.next().expect("grammar guarantees entry content");
            match rule {
                Rule::computed_entry => {
                    let (k, dk) = self.expression(first)?;
                    let (v, dv) = self.expression(it.next().expect("grammar guarantees value"))?;
                    d = d.max(dk).max(dv);
                    entries.push(ObjectEntry::Computed { key: k, value: v });
                }
                Rule::param_entry => {
                    let (k, _) = self.atom(first)?;
                    let (v, dv) = self.expression(it.next().expect("grammar guarantees value"))?;
                    d = d.max(dv);
                    entries.push(ObjectEntry::Computed { key: k, value: v });
                }
                Rule::pair_entry => {
                    let key = if first.as_rule() == Rule::string {
                        self.string(first)
                    } else {
                        self.name(first).text
                    };
                    let (v, dv) = self.expression(it.next().expect("grammar guarantees value"))?;
                    d = d.max(dv);
                    entries.push(ObjectEntry::Pair {
                        key,
                        value: v,
                        shorthand: false,
                    });
                }
                _ => {
                    let n = self.name(first);
                    entries.push(ObjectEntry::Pair {
                        key: n.text.clone(),
                        value: Expr {
                            kind: ExprKind::Name(n.text),
                            span: espan,
                        },
                        shorthand: true,
                    });
                    d = d.max(1);
                }
            }
        }
        node(ExprKind::Object(entries), span, d + 1)
    }
}
