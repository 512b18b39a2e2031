//! Renderers of a planned query: the explain text, ArangoDB's JSON, and a
//! Graphviz picture.

pub mod dot;
pub mod expr;
pub mod json;
mod json_value;
pub mod text;
pub mod trace;

use crate::compat::Version;
use crate::plan::Expr;

/// The server's word for how a CalculationNode evaluates its expression
/// (`json`, `attribute`, `v8`, `simple`), shared by the text and JSON.
pub(crate) fn expression_type(expr: &Expr, compat: Version) -> &'static str {
    if expr.is_constant() {
        "json"
    } else if expr.attribute_path().is_some() {
        "attribute"
    } else if (expr.uses_v8() || reads_collection(expr)) && !compat.has_async_prefetch() {
        "v8"
    } else {
        "simple"
    }
}

/// Before 3.12 a collection used as a value (`coll[* LIMIT 1]`) was only
/// evaluated by V8 (the 3.4 – 3.11 documentation prints `v8 expression`).
fn reads_collection(expr: &Expr) -> bool {
    let mut found = false;
    expr.walk(&mut |e| found |= matches!(e, Expr::Collection(_)));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_collection_value_was_a_v8_expression_before_3_12() {
        let e = Expr::Collection("coll".into());
        assert_eq!(expression_type(&e, Version::new(3, 11, 0)), "v8");
        assert_eq!(expression_type(&e, Version::NEWEST), "simple");
    }
}
