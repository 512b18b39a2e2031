//! AST → AQL text. The output re-parses to an equal tree: every operator
//! node is fully parenthesized, strings are re-escaped, names that are
//! keywords or not plain identifiers are put in backticks, and doubles keep
//! a fraction or exponent so they stay doubles.

use super::ast::*;
use std::fmt::{self, Display, Formatter, Write};

fn is_plain_identifier(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if b.first() == Some(&b'$') {
        i = 1;
    }
    let ok = if b.get(i).is_some_and(|c| c.is_ascii_alphabetic()) {
        true
    } else if i == 0 && b.first() == Some(&b'_') {
        while i < b.len() && b[i] == b'_' {
            i += 1;
        }
        b.get(i).is_some_and(|c| c.is_ascii_alphabetic())
    } else {
        false
    };
    ok && b[i..]
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        && !super::parser::is_keyword(s)
}

/// A name as AQL source: bare when possible, else in backticks.
struct NameText<'a>(&'a str);

impl Display for NameText<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if is_plain_identifier(self.0) {
            return f.write_str(self.0);
        }
        f.write_char('`')?;
        for c in self.0.chars() {
            if c == '`' || c == '\\' {
                f.write_char('\\')?;
            }
            f.write_char(c)?;
        }
        f.write_char('`')
    }
}

/// A double-quoted string literal.
struct StringText<'a>(&'a str);

impl Display for StringText<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('"')?;
        for c in self.0.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                '\u{8}' => f.write_str("\\b")?,
                '\u{c}' => f.write_str("\\f")?,
                c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32)?,
                c => f.write_char(c)?,
            }
        }
        f.write_char('"')
    }
}

fn write_double(f: &mut Formatter<'_>, v: f64) -> fmt::Result {
    if !v.is_finite() {
        // not representable as an AQL literal; ArangoDB turns these into null
        return f.write_str("null");
    }
    if v < 0.0 || (v == 0.0 && v.is_sign_negative()) {
        // a literal is never negative; keep the value as -(literal)
        f.write_str("(-")?;
        write_double(f, -v)?;
        return f.write_char(')');
    }
    // `{:?}` always keeps a `.` or an exponent (`1.0`, `1e20`, `1.5e-7`)
    write!(f, "{v:?}")
}

impl Display for Name {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        NameText(&self.text).fmt(f)
    }
}

impl Display for Pattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::Variable(n) => n.fmt(f),
            Pattern::Array(items) => {
                f.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    if let Some(p) = item {
                        p.fmt(f)?;
                    }
                }
                f.write_char(']')
            }
            Pattern::Object(entries) => {
                f.write_str("{ ")?;
                comma_list(f, entries, |f, (key, p)| match p {
                    Pattern::Variable(n) if n.text == *key => n.fmt(f),
                    p => write!(f, "{}: {p}", NameText(key)),
                })?;
                f.write_str(" }")
            }
        }
    }
}

impl Display for DataSource {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            DataSource::Name(n) => n.fmt(f),
            DataSource::BindParameter(n) => write!(f, "@@{}", n.text),
        }
    }
}

impl Display for Direction {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Outbound => "OUTBOUND",
            Direction::Inbound => "INBOUND",
            Direction::Any => "ANY",
        })
    }
}

impl Display for BinaryOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        use BinaryOp::*;
        f.write_str(match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
            Eq => "==",
            Ne => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            In => "IN",
            NotIn => "NOT IN",
            Like => "LIKE",
            NotLike => "NOT LIKE",
            RegexMatch => "=~",
            RegexNotMatch => "!~",
            And => "&&",
            Or => "||",
        })
    }
}

impl Display for Quantifier {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Quantifier::All => f.write_str("ALL"),
            Quantifier::Any => f.write_str("ANY"),
            Quantifier::None => f.write_str("NONE"),
            Quantifier::AtLeast(e) => write!(f, "AT LEAST ({e})"),
            // only meaningful inside `[? … FILTER …]`
            Quantifier::Count(e) => e.fmt(f),
        }
    }
}

fn comma_list<T>(
    f: &mut Formatter<'_>,
    items: &[T],
    mut each: impl FnMut(&mut Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        each(f, x)?;
    }
    Ok(())
}

fn assignments(f: &mut Formatter<'_>, list: &[(Name, Expr)]) -> fmt::Result {
    comma_list(f, list, |f, (n, e)| write!(f, "{n} = {e}"))
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Null => f.write_str("null"),
            ExprKind::Bool(b) => f.write_str(if *b { "true" } else { "false" }),
            ExprKind::Int(v) => {
                if *v < 0 {
                    // a literal is never negative
                    write!(f, "(-{})", v.unsigned_abs())
                } else {
                    write!(f, "{v}")
                }
            }
            ExprKind::Double(v) => write_double(f, *v),
            ExprKind::String(s) => StringText(s).fmt(f),
            ExprKind::Array(items) => {
                f.write_char('[')?;
                comma_list(f, items, |f, e| e.fmt(f))?;
                f.write_char(']')
            }
            ExprKind::Object(entries) => {
                f.write_char('{')?;
                comma_list(f, entries, |f, en| match en {
                    ObjectEntry::Pair {
                        key,
                        shorthand: true,
                        ..
                    } => NameText(key).fmt(f),
                    ObjectEntry::Pair { key, value, .. } => {
                        write!(f, "{}: {value}", StringText(key))
                    }
                    ObjectEntry::Computed { key, value } => write!(f, "[{key}]: {value}"),
                })?;
                f.write_char('}')
            }
            ExprKind::Name(n) => NameText(n).fmt(f),
            ExprKind::BindParameter(n) => write!(f, "@{n}"),
            ExprKind::CollectionBindParameter(n) => write!(f, "@@{n}"),
            ExprKind::Attribute { object, name } => {
                write!(f, "{object}.{}", NameText(name))
            }
            ExprKind::Index { object, index } => write!(f, "{object}[{index}]"),
            ExprKind::Expansion(x) => {
                write!(f, "{}[", x.input)?;
                for _ in 0..x.levels.max(1) {
                    f.write_char('*')?;
                }
                if let Some(c) = &x.filter {
                    write!(f, " FILTER {c}")?;
                }
                match &x.limit {
                    Some((Some(o), c)) => write!(f, " LIMIT {o}, {c}")?,
                    Some((None, c)) => write!(f, " LIMIT {c}")?,
                    None => {}
                }
                if let Some(p) = &x.projection {
                    write!(f, " RETURN {p}")?;
                }
                f.write_char(']')
            }
            ExprKind::ArrayFilter {
                input,
                quantifier,
                condition,
            } => {
                write!(f, "{input}[? ")?;
                if let Some(q) = quantifier {
                    write!(f, "{q} ")?;
                }
                write!(f, "FILTER {condition}]")
            }
            ExprKind::Call { name, args } => {
                let mut first = true;
                for part in name.split("::") {
                    if !first {
                        f.write_str("::")?;
                    }
                    first = false;
                    if part.eq_ignore_ascii_case("like") && !name.contains("::") {
                        f.write_str(part)?;
                    } else {
                        NameText(part).fmt(f)?;
                    }
                }
                f.write_char('(')?;
                comma_list(f, args, |f, e| e.fmt(f))?;
                f.write_char(')')
            }
            ExprKind::Unary { op, operand } => {
                let o = match op {
                    UnaryOp::Minus => "-",
                    UnaryOp::Plus => "+",
                    UnaryOp::Not => "NOT ",
                };
                write!(f, "({o}{operand})")
            }
            ExprKind::Binary { op, lhs, rhs } => write!(f, "({lhs} {op} {rhs})"),
            ExprKind::ArrayCompare {
                quantifier,
                op,
                lhs,
                rhs,
            } => write!(f, "({lhs} {quantifier} {op} {rhs})"),
            ExprKind::Ternary {
                condition,
                then,
                otherwise,
            } => match then {
                Some(t) => write!(f, "({condition} ? {t} : {otherwise})"),
                None => write!(f, "({condition} ?: {otherwise})"),
            },
            ExprKind::Range { from, to } => write!(f, "({from} .. {to})"),
            ExprKind::Subquery(q) => write!(f, "({q})"),
        }
    }
}

impl Display for GraphRef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            GraphRef::Named(e) => write!(f, "GRAPH {e}"),
            GraphRef::Collections(list) => comma_list(f, list, |f, (d, c)| match d {
                Some(d) => write!(f, "{d} {c}"),
                None => c.fmt(f),
            }),
        }
    }
}

impl Display for SortElement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)?;
        match &self.direction {
            SortDirection::Default => Ok(()),
            SortDirection::Asc => f.write_str(" ASC"),
            SortDirection::Desc => f.write_str(" DESC"),
            SortDirection::Dynamic(e) => write!(f, " {e}"),
        }
    }
}

fn options(f: &mut Formatter<'_>, o: &Option<Expr>) -> fmt::Result {
    match o {
        Some(o) => write!(f, " OPTIONS {o}"),
        None => Ok(()),
    }
}

impl Display for For {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("FOR ")?;
        match &self.pattern {
            Some(p) => p.fmt(f)?,
            None => comma_list(f, &self.variables, |f, v| v.fmt(f))?,
        }
        f.write_str(" IN ")?;
        match &self.source {
            ForSource::Expr(e) => e.fmt(f)?,
            ForSource::Traversal(t) => {
                if let Some(d) = &t.depth {
                    write!(f, "{d} ")?;
                }
                write!(f, "{} {} {}", t.direction, t.start, t.graph)?;
                if let Some(p) = &t.prune {
                    f.write_str(" PRUNE ")?;
                    if let Some(v) = &p.variable {
                        write!(f, "{v} = ")?;
                    }
                    p.condition.fmt(f)?;
                }
            }
            ForSource::Path(p) => {
                if let Some(d) = &p.depth {
                    write!(f, "{d} ")?;
                }
                let kind = match p.kind {
                    PathKind::ShortestPath => "SHORTEST_PATH",
                    PathKind::KShortestPaths => "K_SHORTEST_PATHS",
                    PathKind::KPaths => "K_PATHS",
                    PathKind::AllShortestPaths => "ALL_SHORTEST_PATHS",
                };
                write!(
                    f,
                    "{} {kind} {} TO {} {}",
                    p.direction, p.start, p.target, p.graph
                )?;
            }
        }
        if let Some(s) = &self.search {
            write!(f, " SEARCH {s}")?;
        }
        options(f, &self.options)
    }
}

impl Display for Collect {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("COLLECT")?;
        if !self.groups.is_empty() {
            f.write_char(' ')?;
            assignments(f, &self.groups)?;
        }
        if !self.aggregates.is_empty() {
            f.write_str(" AGGREGATE ")?;
            assignments(f, &self.aggregates)?;
        }
        if let Some(into) = &self.into {
            write!(f, " INTO {}", into.variable)?;
            if let Some(e) = &into.expr {
                write!(f, " = {e}")?;
            }
            if !into.keep.is_empty() {
                f.write_str(" KEEP ")?;
                comma_list(f, &into.keep, |f, n| n.fmt(f))?;
            }
        }
        if let Some(c) = &self.with_count {
            write!(f, " WITH COUNT INTO {c}")?;
        }
        options(f, &self.options)
    }
}

fn keyed(f: &mut Formatter<'_>, kw: &str, m: &KeyedModification) -> fmt::Result {
    f.write_str(kw)?;
    if let Some(k) = &m.key {
        write!(f, " {k} WITH")?;
    }
    write!(f, " {} IN {}", m.doc, m.collection)?;
    options(f, &m.options)
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Statement::With(list) => {
                f.write_str("WITH ")?;
                comma_list(f, list, |f, d| d.fmt(f))
            }
            Statement::For(x) => x.fmt(f),
            Statement::Filter(e) => write!(f, "FILTER {e}"),
            Statement::Let(list) => {
                f.write_str("LET ")?;
                comma_list(f, list, |f, (target, e)| write!(f, "{target} = {e}"))
            }
            Statement::Sort(list) => {
                f.write_str("SORT ")?;
                comma_list(f, list, |f, s| s.fmt(f))
            }
            Statement::Limit { offset, count } => match offset {
                Some(o) => write!(f, "LIMIT {o}, {count}"),
                None => write!(f, "LIMIT {count}"),
            },
            Statement::Collect(c) => c.fmt(f),
            Statement::Window(w) => {
                f.write_str("WINDOW ")?;
                if let Some(r) = &w.range {
                    write!(f, "{r} WITH ")?;
                }
                write!(f, "{} AGGREGATE ", w.bounds)?;
                assignments(f, &w.aggregates)
            }
            Statement::Return { distinct, expr } => {
                if *distinct {
                    write!(f, "RETURN DISTINCT {expr}")
                } else {
                    write!(f, "RETURN {expr}")
                }
            }
            Statement::Insert {
                doc,
                into,
                options: o,
            } => {
                write!(f, "INSERT {doc} INTO {into}")?;
                options(f, o)
            }
            Statement::Update(m) => keyed(f, "UPDATE", m),
            Statement::Replace(m) => keyed(f, "REPLACE", m),
            Statement::Remove {
                key,
                from,
                options: o,
            } => {
                write!(f, "REMOVE {key} IN {from}")?;
                options(f, o)
            }
            Statement::Upsert(u) => {
                match &u.search {
                    UpsertSearch::Object(e) => write!(f, "UPSERT {e}")?,
                    UpsertSearch::Filter(e) => write!(f, "UPSERT FILTER {e}")?,
                }
                let kw = if u.replace { "REPLACE" } else { "UPDATE" };
                write!(
                    f,
                    " INSERT {} {kw} {} IN {}",
                    u.insert, u.update, u.collection
                )?;
                options(f, &u.options)
            }
        }
    }
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, s) in self.statements.iter().enumerate() {
            if i > 0 {
                f.write_char(' ')?;
            }
            s.fmt(f)?;
        }
        Ok(())
    }
}
