//! Parsing AQL text into the syntax tree (`ast`), and printing it back.

pub mod ast;
mod parser;
mod print;

pub use ast::*;
pub use parser::{parse, parse_with_depth, MAX_NESTING};
