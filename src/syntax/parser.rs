//! PLACEHOLDER — the pest grammar and the tree builder are being written.
use super::ast::Query;
use crate::error::{Error, Result};

pub fn parse(text: &str) -> Result<Query> {
    let _ = text;
    Err(Error::QueryEmpty)
}
