//! aqlplan plans and explains AQL queries for ArangoDB-style clusters.
//!
//! # Embedding
//!
//! Build a [`Catalog`] once — from a catalog file's JSON or in code with
//! [`Catalog::builder`] — and plan any number of queries against it with
//! [`explain()`]. Planning keeps no global state: a `&Catalog` can be shared
//! by many threads planning at once, and an [`Explanation`] can be sent to
//! another thread.
//!
//! ```
//! use aqlplan::{Catalog, Options, Site};
//!
//! let catalog = Catalog::from_json_text(r#"{"collections": [
//!     {"name": "example", "numberOfShards": 5, "count": 10000}]}"#).unwrap();
//! let options = Options { compat: "3.6".parse().unwrap(), ..Options::default() };
//! let x = aqlplan::explain(&catalog, "FOR doc IN example SORT doc.value LIMIT 10 RETURN doc",
//!                          &options).unwrap();
//!
//! // The plan as values: nodes with their sites, the rules, the OneShard verdict.
//! let nodes = x.nodes();
//! assert_eq!(nodes[0].node_type, "SingletonNode");
//! assert_eq!(nodes[0].site, Some(Site::DbServer));
//! assert!(nodes.iter().any(|n| n.node_type == "GatherNode" && n.site == Some(Site::Coordinator)));
//! assert!(x.rules().contains(&"scatter-in-cluster"));
//! assert!(!x.one_shard.applied);
//! assert_eq!(x.one_shard.reasons[0].kind, "several-shards");
//!
//! // …and rendered: ArangoDB's explain text, its /_api/explain JSON, Graphviz.
//! assert!(x.to_text().contains("GatherNode"));
//! assert!(x.to_json().contains("\"type\": \"GatherNode\""));
//! assert!(x.to_dot().starts_with("digraph plan {"));
//! ```
//!
//! Many threads, one catalog:
//!
//! ```
//! use aqlplan::{Catalog, CollectionSpec, Options};
//!
//! let catalog = Catalog::builder()
//!     .collection(CollectionSpec::new("orders").shards(3).count(1_000))
//!     .build()
//!     .unwrap();
//! let queries = ["FOR o IN orders RETURN o", "FOR o IN orders FILTER o.total > 10 RETURN o._key"];
//! let plans: Vec<String> = std::thread::scope(|s| {
//!     let workers: Vec<_> = queries
//!         .iter()
//!         .map(|q| s.spawn(|| aqlplan::explain(&catalog, q, &Options::default()).map(|x| x.to_json())))
//!         .collect();
//!     workers.into_iter().map(|w| w.join().unwrap().unwrap()).collect()
//! });
//! assert_eq!(plans.len(), 2);
//! ```
//!
//! The crate-root items are the embedding API. The modules below expose
//! the planner's internals (syntax tree, plan graph, rules) for tests and
//! tools; they change with the planner.

// The pest parser is built without its `std` feature, whose per-rule stack
// guard took about a quarter of parse time (perf); its generated code names
// `alloc`. The parser's prescan bounds nesting instead (`MAX_NESTING`).
extern crate alloc;

pub mod catalog;
mod catalog_builder;
pub mod cluster;
pub mod compat;
pub mod error;
pub mod explain;
pub mod functions;
pub mod optimizer;
pub mod plan;
mod planned_node;
pub mod planner;
mod stack;
pub mod syntax;
pub mod value;

pub use catalog::Catalog;
pub use catalog_builder::{CatalogBuilder, CollectionSpec};
pub use cluster::Site;
pub use compat::Version;
pub use error::{Error, Result};
pub use optimizer::Reason;
pub use planned_node::PlannedNode;
pub use planner::{explain, Explanation, OneShardDecision, Options};

/// The explain text of a planned query.
pub fn render_text(x: &Explanation) -> String {
    x.to_text()
}

/// The body of ArangoDB's `POST /_api/explain` answer for a planned query.
pub fn render_json(x: &Explanation) -> String {
    x.to_json()
}

/// A Graphviz (`dot`) picture of a planned query.
pub fn render_dot(x: &Explanation) -> String {
    x.to_dot()
}

/// The embedding promise: catalogs, options and explanations cross
/// threads (checked at compile time).
#[allow(dead_code)]
fn assert_thread_safe() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Catalog>();
    send_sync::<Options>();
    send_sync::<Explanation<'static>>();
    send_sync::<PlannedNode>();
    send_sync::<Error>();
}
