//! Parsing AQL text into the syntax tree (`ast`), and printing it back.

pub mod ast;
mod parser;
mod print;

pub use ast::*;
pub use parser::{is_keyword, keywords, parse, parse_with_depth, MAX_NESTING};
