//! Cost estimation (optimizer.md §8): every node's estimated row count
//! (`Est.`) and cumulative cost, computed from its dependency's estimate.

use super::expr::Expr;
use super::{NodeKind, NodeRef, Plan};
use crate::catalog::Catalog;
use crate::compat::Version;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub items: u64,
    pub cost: f64,
}

/// Estimates of every node of the plan, subquery pipelines included.
#[derive(Debug, Clone, Default)]
pub struct Estimates {
    /// By node index.
    by_node: Vec<Option<Estimate>>,
}

impl Estimates {
    pub fn of(&self, n: NodeRef) -> Estimate {
        self.by_node
            .get(n.index())
            .copied()
            .flatten()
            .unwrap_or(Estimate {
                items: 0,
                cost: 0.0,
            })
    }

    fn set(&mut self, n: NodeRef, e: Estimate) {
        if self.by_node.len() <= n.index() {
            self.by_node.resize(n.index() + 1, None);
        }
        self.by_node[n.index()] = Some(e);
    }
}

/// Computes all estimates of a plan.
pub fn estimate(plan: &Plan, catalog: &Catalog, compat: Version) -> Estimates {
    let mut e = Estimates {
        by_node: vec![None; plan.node_bound()],
    };
    estimate_pipeline(plan, catalog, compat, plan.root(), &mut e);
    e
}

/// The estimate of node `n` alone: only its own pipeline down to it (and
/// the subqueries in that part) is estimated, which gives `n` the value
/// [`estimate`] gives it (each pipeline is estimated from its top).
pub fn estimate_of(plan: &Plan, catalog: &Catalog, compat: Version, n: NodeRef) -> Estimate {
    estimate_pipeline(plan, catalog, compat, n, &mut Estimates::default())
}

fn estimate_pipeline(
    plan: &Plan,
    catalog: &Catalog,
    compat: Version,
    bottom: NodeRef,
    out: &mut Estimates,
) -> Estimate {
    let mut previous = Estimate {
        items: 1,
        cost: 0.0,
    };
    // SubqueryStart remembers its input count for the matching End.
    let mut starts: Vec<u64> = Vec::new();
    // Setters of the variables defined so far in this pipeline, nearest
    // last (`Plan::setter_above` without a walk up per list).
    let mut setters = super::Setters::default();
    for n in plan.pipeline_ending_at(bottom) {
        let (items, cost) = (previous.items, previous.cost);
        let here = match plan.kind(n) {
            NodeKind::Singleton => Estimate {
                items: 1,
                cost: 1.0,
            },
            NodeKind::EnumerateCollection(scan) => {
                let count = catalog.collection(&scan.collection).map_or(0, |c| c.count);
                let n2 = if scan.random {
                    items
                } else {
                    items.saturating_mul(count)
                };
                let factor = if scan.filter.is_some() { 1.25 } else { 1.0 };
                let cost = if scan.random {
                    cost + items as f64 * 1.005 + 1.0
                } else {
                    cost + n2 as f64 * factor + 1.0
                };
                Estimate { items: n2, cost }
            }
            NodeKind::Index(scan) => {
                let per_lookup =
                    crate::optimizer::index_selection::scan_estimate(catalog, scan, compat);
                let factor = if scan.filter.is_some() { 1.25 } else { 1.0 };
                Estimate {
                    items: items.saturating_mul(per_lookup.items),
                    cost: cost + items as f64 * per_lookup.cost * factor,
                }
            }
            NodeKind::EnumerateList { input, filter, .. } => {
                let length = list_length(plan, catalog, compat, setters.get(input).copied(), out);
                let n2 = items.saturating_mul(length);
                let factor = if filter.is_some() { 1.25 } else { 1.0 };
                Estimate {
                    items: n2,
                    cost: cost + n2 as f64 * factor,
                }
            }
            NodeKind::Sort { .. } => {
                let c = if items > 3 {
                    cost + items as f64 * (items as f64).log2()
                } else {
                    cost + items as f64
                };
                Estimate { items, cost: c }
            }
            NodeKind::Limit { offset, limit, .. } => {
                let n2 = (*limit).min(items.saturating_sub(*offset));
                Estimate {
                    items: n2,
                    cost: cost + (*offset).min(items) as f64 * 0.000001 + n2 as f64,
                }
            }
            NodeKind::Collect(c) => {
                let n2 = if c.groups.is_empty() {
                    1
                } else if items < 10 {
                    items
                } else {
                    (items as f64 * 0.8) as u64
                };
                Estimate {
                    items: n2,
                    cost: cost + n2 as f64,
                }
            }
            NodeKind::Join(infos) => {
                // Rows: the product of the scans' rows; cost: each incoming
                // row pays 1 plus every scan's cost.
                let mut rows: u64 = 1;
                let mut per_row = 1.0;
                for info in infos {
                    let e = crate::optimizer::index_selection::join_info_estimate(
                        catalog, info, compat,
                    );
                    rows = rows.saturating_mul(e.items);
                    per_row += e.cost;
                }
                Estimate {
                    items: items.saturating_mul(rows),
                    cost: cost + items as f64 * per_row,
                }
            }
            NodeKind::IndexCollect(c) => {
                // One row per distinct value: selectivity × documents.
                let collection = catalog.collection(&c.collection);
                let count = collection.map_or(0, |c| c.count);
                let selectivity = collection
                    .and_then(|coll| crate::optimizer::index_selection::index_view(coll, c.index))
                    .and_then(|v| v.selectivity)
                    .unwrap_or(1.0);
                let n2 = selectivity * count as f64;
                Estimate {
                    items: n2 as u64,
                    cost: cost + n2 * (count as f64).ln(),
                }
            }
            NodeKind::Modification(m) => {
                let produces = m.produces_results || m.out_old.is_some() || m.out_new.is_some();
                Estimate {
                    items: if produces { items } else { 0 },
                    cost: cost + items as f64,
                }
            }
            // The Coordinator does the one operation: nothing to add.
            NodeKind::SingleRemote(_) => previous,
            NodeKind::MultipleRemoteModification { input, .. } => {
                let n2 = items.saturating_mul(list_length(
                    plan,
                    catalog,
                    compat,
                    setters.get(input).copied(),
                    out,
                ));
                Estimate {
                    items: n2,
                    cost: cost + n2 as f64,
                }
            }
            NodeKind::Subquery { root, .. } => {
                let sub = estimate_pipeline(plan, catalog, compat, *root, out);
                Estimate {
                    items,
                    cost: cost + items as f64 * sub.cost,
                }
            }
            NodeKind::SubqueryStart { .. } => {
                starts.push(items);
                Estimate {
                    items,
                    cost: cost + items as f64,
                }
            }
            NodeKind::SubqueryEnd { .. } => {
                let outer = starts.pop().unwrap_or(items);
                Estimate {
                    items: outer,
                    cost: cost + outer as f64,
                }
            }
            NodeKind::NoResults => Estimate {
                items: 0,
                cost: 0.5,
            },
            // Clients are only registered when engines are built: a
            // ScatterNode costs nothing extra at planning time.
            NodeKind::Scatter => Estimate { items, cost },
            NodeKind::Calculation { .. }
            | NodeKind::Materialize(_)
            | NodeKind::Filter { .. }
            | NodeKind::Return { .. }
            | NodeKind::Remote
            | NodeKind::Gather(_)
            | NodeKind::Distribute { .. } => Estimate {
                items,
                cost: cost + items as f64,
            },
        };
        out.set(n, here);
        previous = here;
        plan.kind(n)
            .for_each_variable_set(&mut |v| setters.insert(v, n));
    }
    previous
}

/// The number of elements an EnumerateListNode iterates over (§8.2).
fn list_length(
    plan: &Plan,
    catalog: &Catalog,
    compat: Version,
    setter: Option<NodeRef>,
    out: &mut Estimates,
) -> u64 {
    let Some(setter) = setter else {
        return 100;
    };
    match plan.kind(setter) {
        NodeKind::Calculation { expr, .. } => match expr {
            Expr::Array(items) => items.len() as u64,
            Expr::Value(crate::value::Value::Array(items)) => items.len() as u64,
            Expr::Range(a, b) => match (
                a.as_value().and_then(|v| v.as_f64()),
                b.as_value().and_then(|v| v.as_f64()),
            ) {
                // `as` saturates; a range wider than u64 counts as u64::MAX.
                (Some(a), Some(b)) if a <= b => ((b - a) as u64).saturating_add(1),
                (Some(_), Some(_)) => 1,
                _ => 100,
            },
            _ => 100,
        },
        NodeKind::Subquery { root, .. } => {
            estimate_pipeline(plan, catalog, compat, *root, out).items
        }
        _ => 100,
    }
}
