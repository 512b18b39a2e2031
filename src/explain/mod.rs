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
    } else if expr.uses_v8() && !compat.has_async_prefetch() {
        "v8"
    } else {
        "simple"
    }
}
