//! A small ordered JSON value for the renderers: members keep the order
//! ArangoDB emits them in (serde_json's map would sort them), and numbers
//! print as ArangoDB's VelocyPack dumper prints doubles.

use crate::value::{js_number, write_json_string};
use std::fmt::Write;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Int(i64),
    /// A double: integral values print without a fraction (`22`), others
    /// with the shortest digits that read back the same value.
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    pub(crate) fn str(s: &str) -> Json {
        Json::String(s.to_string())
    }

    /// Counts and ids; saturates at `i64::MAX` (no count gets near it).
    pub(crate) fn uint(n: impl TryInto<i64>) -> Json {
        Json::Int(n.try_into().unwrap_or(i64::MAX))
    }

    pub(crate) fn object(members: Vec<(&'static str, Json)>) -> Json {
        Json::Object(
            members
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    /// Two-space indented text, `"key": value`, empty containers as
    /// `[]`/`{}`.
    pub(crate) fn pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out
    }

    fn write(&self, out: &mut String, depth: usize) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Json::Number(x) => out.push_str(&js_number(*x)),
            Json::String(s) => {
                let _ = write_json_string(out, s);
            }
            Json::Array(items) if items.is_empty() => out.push_str("[]"),
            Json::Object(members) if members.is_empty() => out.push_str("{}"),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    indent(out, depth + 1);
                    item.write(out, depth + 1);
                }
                out.push('\n');
                indent(out, depth);
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    indent(out, depth + 1);
                    let _ = write_json_string(out, key);
                    out.push_str(": ");
                    value.write(out, depth + 1);
                }
                out.push('\n');
                indent(out, depth);
                out.push('}');
            }
        }
    }
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_keep_their_order_and_numbers_print_like_arangodb() {
        let j = Json::object(vec![
            ("b", Json::Number(22.0)),
            ("a", Json::Number(4.3719280948873624)),
            ("e", Json::Array(vec![])),
        ]);
        assert_eq!(
            j.pretty(),
            "{\n  \"b\": 22,\n  \"a\": 4.3719280948873624,\n  \"e\": []\n}"
        );
    }

    #[test]
    fn nesting_indents_by_two_spaces() {
        let j = Json::Array(vec![Json::object(vec![("x", Json::Null)])]);
        assert_eq!(j.pretty(), "[\n  {\n    \"x\": null\n  }\n]");
    }
}
