//! aqlplan plans and explains AQL queries for ArangoDB-style clusters.

pub mod error;
pub mod functions;
pub mod syntax;

pub use error::{Error, Result};
