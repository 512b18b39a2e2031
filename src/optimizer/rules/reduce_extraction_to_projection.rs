//! `reduce-extraction-to-projection`: when the rest of the query reads a
//! scanned document only through a few attributes (at most 5), the scan
//! produces just those ("projections"); an IndexNode whose index holds
//! them all (as fields or stored values) answers from the index alone
//! ("index only").
//!
//! Does not fire when the document is used whole (`RETURN doc`).

use crate::optimizer::index_selection::{attribute_uses, index_view};
use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{NodeKind, NodeRef, Plan, VarId};

pub struct ReduceExtractionToProjection;

/// ArangoDB's default `maxProjections`.
const MAX_PROJECTIONS: usize = 5;

/// The attribute paths of `var` read after `n`, or None if `var` is read
/// whole (or through something aqlplan cannot see into).
pub fn projections_after(
    plan: &Plan,
    n: NodeRef,
    var: VarId,
    top_level_only: bool,
) -> Option<Vec<Vec<String>>> {
    let mut paths = Vec::new();
    let mut cur = plan.parent(n);
    while let Some(c) = cur {
        if plan.node_uses(c, var) {
            match plan.kind(c) {
                NodeKind::Calculation { expr, .. } => {
                    if !attribute_uses(expr, var, &mut paths) {
                        return None;
                    }
                }
                _ => return None,
            }
        }
        cur = plan.parent(c);
    }
    if top_level_only {
        for p in &mut paths {
            p.truncate(1);
        }
        paths.dedup();
    }
    paths.sort();
    paths.dedup();
    Some(paths)
}

impl Rule for ReduceExtractionToProjection {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let top_level_only = !cx.compat.projections_in_parentheses();
        let mut changed = false;
        for n in plan.find(|k| matches!(k, NodeKind::EnumerateCollection(_) | NodeKind::Index(_))) {
            let out = plan.kind(n).variables_set()[0];
            let Some(paths) = projections_after(plan, n, out, top_level_only) else {
                continue;
            };
            if paths.is_empty() || paths.len() > MAX_PROJECTIONS {
                continue;
            }
            let covers = match plan.kind(n) {
                NodeKind::Index(scan) => {
                    let collection = cx.catalog.collection(&scan.collection);
                    let view = collection
                        .and_then(|c| scan.indexes.first().and_then(|r| index_view(c, *r)));
                    scan.indexes.len() == 1
                        && view.is_some_and(|v| {
                            paths.iter().all(|p| {
                                v.fields.iter().chain(&v.stored).any(|f| *f == p.join("."))
                            })
                        })
                }
                _ => false,
            };
            match plan.kind_mut(n) {
                NodeKind::EnumerateCollection(scan) if scan.projections != paths => {
                    scan.projections = paths
                }
                NodeKind::Index(scan) if scan.projections != paths => {
                    scan.projections = paths;
                    scan.covers_projections = covers;
                }
                _ => continue,
            }
            changed = true;
        }
        if changed {
            Outcome::Changed
        } else {
            Outcome::Unchanged
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::plan::NodeKind;

    #[test]
    fn attributes_read_later_become_projections() {
        let mut t = TestPlan::single("FOR d IN c RETURN [d.b, d.a]");
        t.run_all(&["reduce-extraction-to-projection"]);
        let NodeKind::EnumerateCollection(scan) = kinds(&t.plan)[1] else {
            panic!()
        };
        assert_eq!(
            scan.projections,
            [vec!["a".to_string()], vec!["b".to_string()]]
        );
    }

    #[test]
    fn whole_documents_are_not_projected() {
        assert!(
            !TestPlan::single("FOR d IN c RETURN d")
                .apply("reduce-extraction-to-projection")
                .1
        );
    }
}
