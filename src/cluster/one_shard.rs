//! Whether a query can run entirely on one DB-Server (`cluster-one-shard`),
//! decided from the catalog and the plan as ArangoDB does, with a reason
//! for every obstacle (ArangoDB only omits the rule from the list).

use crate::catalog::{Catalog, Collection};
use crate::optimizer::{Context, Reason};
use crate::plan::{Expr, NodeKind, Plan};

/// Functions that need JavaScript (V8) and therefore a Coordinator.
const V8_FUNCTIONS: &[&str] = &["V8", "CALL", "APPLY"];

/// Everything that keeps the query from running as OneShard; empty when it
/// can.
pub fn one_shard_refusals(plan: &Plan, cx: &Context) -> Vec<Reason> {
    let mut reasons = Vec::new();
    collection_reasons(cx.catalog, &cx.info.collections, &mut reasons);
    for expr in plan.expressions() {
        function_reasons(expr, cx, &mut reasons);
    }
    for n in plan.nodes() {
        if let NodeKind::Modification(m) = plan.kind(n) {
            if cx
                .catalog
                .collection(&m.collection)
                .is_some_and(|c| c.is_satellite())
            {
                push_unique(
                    &mut reasons,
                    Reason {
                        kind: "satellite-write",
                        message: format!(
                            "the query writes into SatelliteCollection '{}'",
                            m.collection
                        ),
                        position: None,
                    },
                );
            }
        }
    }
    reasons
}

fn push_unique(reasons: &mut Vec<Reason>, reason: Reason) {
    if !reasons.contains(&reason) {
        reasons.push(reason);
    }
}

fn collection_reasons(catalog: &Catalog, used: &[String], reasons: &mut Vec<Reason>) {
    let collections: Vec<_> = used.iter().filter_map(|c| catalog.collection(c)).collect();
    if collections.is_empty() {
        reasons.push(Reason {
            kind: "no-collection",
            message: "the query accesses no collection, so there is no DB-Server to run it on"
                .into(),
            position: None,
        });
        return;
    }
    for c in &collections {
        if c.number_of_shards != 1 {
            reasons.push(Reason {
                kind: "several-shards",
                message: format!("collection '{}' has {} shards", c.name, c.number_of_shards),
                position: None,
            });
        }
        if c.is_smart && c.kind == crate::catalog::CollectionType::Edge {
            reasons.push(Reason {
                kind: "smart-edge-collection",
                message: format!(
                    "collection '{}' is an edge collection of a SmartGraph",
                    c.name
                ),
                position: None,
            });
        }
    }
    if catalog.is_one_shard_database() || reasons.iter().any(|r| r.kind == "several-shards") {
        return;
    }
    // A SatelliteCollection has a copy on every DB-Server, so reading it
    // never pulls the query away from the others' server.
    let placed: Vec<_> = collections.iter().filter(|c| !c.is_satellite()).collect();
    let Some(first) = placed.first() else { return };
    let leader = |c: &Collection| {
        c.shards
            .first()
            .map(|s| s.leader().to_string())
            .unwrap_or_default()
    };
    if placed.iter().any(|c| leader(c) != leader(first)) {
        let list: Vec<String> = placed
            .iter()
            .map(|c| format!("'{}' on {}", c.name, leader(c)))
            .collect();
        reasons.push(Reason {
            kind: "different-leaders",
            message: format!("the shards have different leaders: {}", list.join(", ")),
            position: None,
        });
    }
    // A collection without `distributeShardsLike` is its own prototype.
    if placed.iter().any(|c| prototype(c) != prototype(first)) {
        let list: Vec<String> = placed
            .iter()
            .map(|c| match &c.distribute_shards_like {
                Some(p) => format!("'{}' follows '{p}'", c.name),
                None => format!("'{}' is its own prototype", c.name),
            })
            .collect();
        reasons.push(Reason {
            kind: "different-prototypes",
            message: format!(
                "the collections are not sharded like one another (distributeShardsLike): {}",
                list.join(", ")
            ),
            position: None,
        });
    }
}

/// The collection whose placement `c` follows: a collection without
/// `distributeShardsLike` is its own prototype.
fn prototype(c: &Collection) -> &str {
    c.distribute_shards_like.as_deref().unwrap_or(&c.name)
}

fn function_reasons(expr: &Expr, cx: &Context, reasons: &mut Vec<Reason>) {
    for call in expr.calls() {
        let reason = match call {
            Expr::UserCall { name, span, .. } => Reason {
                kind: "user-function",
                message: format!(
                    "user-defined function {name}() runs in JavaScript on a Coordinator"
                ),
                position: Some(cx.position(span.start)),
            },
            Expr::Call { function, span, .. } if V8_FUNCTIONS.contains(&function.name) => Reason {
                kind: "v8-function",
                message: format!(
                    "{}() needs JavaScript (V8), which only a Coordinator runs",
                    function.name
                ),
                position: Some(cx.position(span.start)),
            },
            Expr::Call { function, span, .. } if !function.runs_on_db_server(true) => Reason {
                kind: "coordinator-only-function",
                message: format!("{}() can only run on a Coordinator", function.name),
                position: Some(cx.position(span.start)),
            },
            _ => continue,
        };
        push_unique(reasons, reason);
    }
}
