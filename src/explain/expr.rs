//! Expressions in the explainer's notation (explain-text-format.md §7):
//! every binary operator parenthesized, attribute names in backticks,
//! values as `JSON.stringify` prints them.

use crate::compat::Version;
use crate::plan::expr::{Expr, Logic, ObjectMember, Quantifier, VarId};
use crate::plan::{Variable, Variables};
use crate::syntax::{BinaryOp, UnaryOp};
use crate::value::{js_key_order, Value};
use std::fmt::{self, Write};

/// Longest string the explainer's value formatter prints in full.
const MAX_STRING_UNITS: usize = 1024;
/// Arrays and objects print at most this many members.
const MAX_MEMBERS: usize = 20;

/// A variable as the explainer prints it: temporaries (names starting
/// with a digit or `_`) as `#name`.
#[derive(Clone, Copy)]
pub struct DisplayName<'a>(pub &'a Variable);

impl DisplayName<'_> {
    /// Appends the name (without the formatting machinery of `write!`).
    pub fn push_to(self, out: &mut String) {
        if self.0.is_temporary() {
            out.push('#');
        }
        out.push_str(&self.0.name);
    }
}

impl fmt::Display for DisplayName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_temporary() {
            f.write_char('#')?;
        }
        f.write_str(&self.0.name)
    }
}

/// Renders expressions; remembers which collection variables were met
/// (for the "collections used" annotation).
pub struct ExprPrinter<'a, 's> {
    pub vars: &'a Variables,
    pub compat: Version,
    /// Variables known to be produced by collection accesses: (var, collection).
    pub collection_vars: &'a [(VarId, &'s str)],
    /// Collection variables met while rendering, in first-use order.
    pub met: Vec<(VarId, &'s str)>,
    /// Expansion iterators waiting for their reference.
    pending: Vec<(VarId, String)>,
}

impl<'a, 's> ExprPrinter<'a, 's> {
    pub fn new(
        vars: &'a Variables,
        compat: Version,
        collection_vars: &'a [(VarId, &'s str)],
    ) -> ExprPrinter<'a, 's> {
        ExprPrinter {
            vars,
            compat,
            collection_vars,
            met: Vec::new(),
            pending: Vec::new(),
        }
    }

    pub fn render(&mut self, e: &Expr) -> String {
        let mut out = String::new();
        self.write(&mut out, e);
        out
    }

    /// Appends `e` to `out`.
    pub fn write_into(&mut self, out: &mut String, e: &Expr) {
        self.write(out, e);
    }

    /// Appends variable `v`'s name, noting a collection variable as met.
    pub fn var(&mut self, out: &mut String, v: VarId) {
        if let Some((_, c)) = self.collection_vars.iter().find(|(id, _)| *id == v) {
            if !self.met.iter().any(|(id, _)| *id == v) {
                self.met.push((v, c));
            }
        }
        DisplayName(self.vars.get(v)).push_to(out);
    }

    fn write(&mut self, out: &mut String, e: &Expr) {
        match e {
            Expr::Value(v) => write_value(out, v),
            Expr::Array(items) => {
                self.list(out, "[", "]", items.len(), |p, out, i| {
                    p.write(out, &items[i])
                });
            }
            Expr::Object(members) => {
                self.list(out, "{", "}", members.len(), |p, out, i| {
                    match &members[i] {
                        ObjectMember::Element(k, v) => {
                            write_string(out, k);
                            out.push_str(" : ");
                            p.write(out, v);
                        }
                        ObjectMember::Calculated(k, v) => {
                            out.push_str("[ ");
                            p.write(out, k);
                            out.push_str(" ] : ");
                            p.write(out, v);
                        }
                    }
                });
            }
            Expr::Reference(v) => match self.pending.iter().position(|(id, _)| id == v) {
                Some(i) => {
                    let (_, text) = self.pending.remove(i);
                    out.push_str(&text);
                }
                None => self.var(out, *v),
            },
            Expr::Attribute(object, name) => {
                self.write(out, object);
                out.push_str(".`");
                out.push_str(name);
                out.push('`');
            }
            Expr::Indexed(object, index) => {
                self.write(out, object);
                out.push('[');
                self.write(out, index);
                out.push(']');
            }
            Expr::Unary(op, operand) => {
                out.push_str(match op {
                    UnaryOp::Not => "! ",
                    UnaryOp::Plus => "+ ",
                    UnaryOp::Minus => "- ",
                });
                self.write(out, operand);
            }
            Expr::Binary(op, l, r) => {
                out.push('(');
                self.write(out, l);
                out.push(' ');
                out.push_str(operator(*op));
                out.push(' ');
                self.write(out, r);
                out.push(')');
            }
            Expr::Nary(logic, members) => {
                let sep = if *logic == Logic::And { " && " } else { " || " };
                if members.len() > 1 {
                    out.push('(');
                }
                for (i, m) in members.iter().enumerate() {
                    if i > 0 {
                        out.push_str(sep);
                    }
                    self.write(out, m);
                }
                if members.len() > 1 {
                    out.push(')');
                }
            }
            Expr::ArrayCompare {
                quantifier,
                op,
                lhs,
                rhs,
            } => {
                out.push('(');
                self.write(out, lhs);
                out.push(' ');
                let upper = self.compat.quantifiers_upper_case();
                let word = |w: &str| {
                    if upper {
                        w.to_string()
                    } else {
                        w.to_ascii_lowercase()
                    }
                };
                match quantifier {
                    Quantifier::All => out.push_str(&word("ALL")),
                    Quantifier::Any => out.push_str(&word("ANY")),
                    Quantifier::None => out.push_str(&word("NONE")),
                    Quantifier::AtLeast(n) => {
                        out.push_str(&word("AT LEAST"));
                        out.push_str(" (");
                        self.write(out, n);
                        out.push(')');
                    }
                }
                let _ = write!(out, " {} ", operator(*op));
                self.write(out, rhs);
                out.push(')');
            }
            Expr::Ternary(c, t, otherwise) => {
                out.push('(');
                self.write(out, c);
                match t {
                    Some(t) => {
                        out.push_str(" ? ");
                        self.write(out, t);
                        out.push_str(" : ");
                    }
                    None => out.push_str(" ?: "),
                }
                self.write(out, otherwise);
                out.push(')');
            }
            Expr::Range(a, b) => {
                self.write(out, a);
                out.push_str(" .. ");
                self.write(out, b);
                out.push_str("   /* range */");
            }
            Expr::Call { function, args, .. } => self.call(out, function.name, args, false),
            Expr::UserCall { name, args, .. } => self.call(out, name, args, true),
            Expr::Collection(name) => {
                out.push_str(name);
                out.push_str("   /* all collection documents */");
            }
            Expr::Expansion(x) => {
                let mut text = self.render(&x.input);
                text.push('[');
                text.push_str(&"*".repeat(x.levels.max(1) as usize));
                if !x.plain {
                    if let Some(f) = &x.filter {
                        text.push_str(" FILTER ");
                        text.push_str(&self.render(f));
                    }
                    if let Some((o, c)) = &x.limit {
                        text.push_str(" LIMIT  ");
                        text.push_str(&self.render(o));
                        text.push_str(", ");
                        text.push_str(&self.render(c));
                    }
                    if x.projection != Expr::Reference(x.iterator) {
                        text.push_str(" RETURN  ");
                        let projection = self.render(&x.projection);
                        text.push_str(&projection);
                        text.push(']');
                        out.push_str(&text);
                        return;
                    }
                }
                text.push(']');
                self.pending.push((x.iterator, text));
                self.write(out, &x.projection);
            }
        }
    }

    fn call(&mut self, out: &mut String, name: &str, args: &[Expr], user: bool) {
        out.push_str(name);
        out.push('(');
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            self.write(out, a);
        }
        out.push(')');
        if user {
            out.push_str("   /* user-defined function */");
        }
    }

    fn list(
        &mut self,
        out: &mut String,
        open: &str,
        close: &str,
        len: usize,
        mut item: impl FnMut(&mut Self, &mut String, usize),
    ) {
        if len == 0 {
            let _ = write!(out, "{open} {close}");
            return;
        }
        out.push_str(open);
        out.push(' ');
        for i in 0..len.min(MAX_MEMBERS) {
            if i > 0 {
                out.push_str(", ");
            }
            item(self, out, i);
        }
        if len > MAX_MEMBERS {
            out.push_str(", ...");
        }
        out.push(' ');
        out.push_str(close);
    }
}

fn operator(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        BinaryOp::Mod => "%",
        BinaryOp::Eq => "==",
        BinaryOp::Ne => "!=",
        BinaryOp::Lt => "<",
        BinaryOp::Le => "<=",
        BinaryOp::Gt => ">",
        BinaryOp::Ge => ">=",
        BinaryOp::In => "IN",
        // Multi-word operators keep the server's lower case.
        BinaryOp::NotIn => "not in",
        BinaryOp::And => "&&",
        BinaryOp::Or => "||",
        BinaryOp::Like => "LIKE",
        BinaryOp::NotLike => "NOT LIKE",
        BinaryOp::RegexMatch => "=~",
        BinaryOp::RegexNotMatch => "!~",
    }
}

/// Appends [`value_text`] of `v`; scalars without a String of their own.
fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => crate::value::write_int(out, *i),
        Value::Double(d) => crate::value::write_js_number(out, *d),
        Value::String(s) => write_string(out, s),
        Value::Array(_) | Value::Object(_) => out.push_str(&value_text(v)),
    }
}

/// A string constant: JSON, cut after 1024 UTF-16 units.
fn write_string(out: &mut String, s: &str) {
    let start = out.len();
    let _ = crate::value::write_json_string(out, s);
    // Only a literal of more than 1024 bytes can exceed 1024 units.
    if out.len() - start > MAX_STRING_UNITS {
        let literal = out.split_off(start);
        out.push_str(&cut(literal));
    }
}

/// A constant as the value formatter prints it: JSON, strings cut after
/// 1024 UTF-16 units. Objects/arrays held as one value print as the
/// explainer prints the equivalent AST (`[ 1, 2 ]`, `{ "a" : 1 }`).
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(_) => cut(v.to_string()),
        Value::Array(items) => {
            if items.is_empty() {
                return "[ ]".into();
            }
            let shown: Vec<String> = items.iter().take(MAX_MEMBERS).map(value_text).collect();
            let more = if items.len() > MAX_MEMBERS {
                ", ..."
            } else {
                ""
            };
            format!("[ {}{more} ]", shown.join(", "))
        }
        Value::Object(members) => {
            if members.is_empty() {
                return "{ }".into();
            }
            let ordered = js_key_order(members);
            let shown: Vec<String> = ordered
                .iter()
                .take(MAX_MEMBERS)
                .map(|(k, v)| {
                    format!(
                        "{} : {}",
                        cut(Value::String((*k).to_string()).to_string()),
                        value_text(v)
                    )
                })
                .collect();
            let more = if ordered.len() > MAX_MEMBERS {
                ", ..."
            } else {
                ""
            };
            format!("{{ {}{more} }}", shown.join(", "))
        }
        other => other.to_string(),
    }
}

/// The explainer's 1024-unit cut.
pub fn cut(text: String) -> String {
    let units: usize = text.chars().map(char::len_utf16).sum();
    if units <= MAX_STRING_UNITS {
        return text;
    }
    let mut taken = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        if taken + c.len_utf16() > MAX_STRING_UNITS {
            break;
        }
        taken += c.len_utf16();
        end = i + c.len_utf8();
    }
    format!("{}...", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printed(e: &Expr) -> String {
        let vars = Variables::default();
        ExprPrinter::new(&vars, Version::NEWEST, &[]).render(e)
    }

    #[test]
    fn string_constants_are_cut_after_1024_units() {
        let short = Expr::Value(Value::String("a\"b".into()));
        assert_eq!(printed(&short), r#""a\"b""#);
        // 1022 letters and the quotes: exactly 1024 units, kept whole.
        let whole = "é".repeat(1022);
        let e = Expr::Value(Value::String(whole.clone()));
        assert_eq!(printed(&e), format!("\"{whole}\""));
        let long = Expr::Value(Value::String("x".repeat(2000)));
        assert_eq!(printed(&long), format!("\"{}...", "x".repeat(1023)));
    }

    #[test]
    fn scalars_print_as_json() {
        let e = Expr::Array(vec![
            Expr::Value(Value::Null),
            Expr::Value(Value::Bool(false)),
            Expr::Value(Value::Int(-7)),
            Expr::Value(Value::Double(0.5)),
        ]);
        assert_eq!(printed(&e), "[ null, false, -7, 0.5 ]");
    }
}
