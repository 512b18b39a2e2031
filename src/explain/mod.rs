//! Renderers of a planned query: the explain text, ArangoDB's JSON, and a
//! Graphviz picture.

pub mod expr;
pub mod text;
