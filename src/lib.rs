//! aqlplan plans and explains AQL queries for ArangoDB-style clusters.
//!
//! ```
//! use aqlplan::{Catalog, Options};
//!
//! let catalog = Catalog::from_json_text(r#"{"collections": [
//!     {"name": "example", "numberOfShards": 5, "count": 10000}]}"#).unwrap();
//! let options = Options { compat: "3.6".parse().unwrap(), ..Options::default() };
//! let explained = aqlplan::explain(&catalog, "FOR doc IN example RETURN doc", &options).unwrap();
//! assert!(aqlplan::render_text(&explained).contains("GatherNode"));
//! ```

pub mod catalog;
pub mod cluster;
pub mod compat;
pub mod error;
pub mod explain;
pub mod functions;
pub mod optimizer;
pub mod plan;
pub mod planner;
pub mod syntax;
pub mod value;

pub use catalog::Catalog;
pub use compat::Version;
pub use error::{Error, Result};
pub use planner::{explain, Explanation, OneShardDecision, Options};

/// The explain text of a planned query.
pub fn render_text(x: &Explanation) -> String {
    explain::text::render(x)
}

/// The body of ArangoDB's `POST /_api/explain` answer for a planned query.
pub fn render_json(x: &Explanation) -> String {
    explain::json::render(x)
}

/// A Graphviz (`dot`) picture of a planned query.
pub fn render_dot(x: &Explanation) -> String {
    explain::dot::render(x)
}
