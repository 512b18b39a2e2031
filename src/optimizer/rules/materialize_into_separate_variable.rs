//! `materialize-into-separate-variable` (3.12.1+): a MaterializeNode
//! writes the fetched documents into a new variable
//! (`MATERIALIZE doc INTO #4`), and every later use of the loop variable
//! reads the new one, so projections can tell the index's attributes from
//! the materialized document's. An IndexNode whose loop variable is then
//! read by nothing (and has no projections) only produces document ids
//! (`scan only`).
//!
//! Always applies to every MaterializeNode.

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{NodeKind, NodeRef, Plan, VarId};

pub struct MaterializeIntoSeparateVariable;

impl Rule for MaterializeIntoSeparateVariable {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let nodes = plan.find(|k| matches!(k, NodeKind::Materialize(_)));
        for &m in &nodes {
            let NodeKind::Materialize(mat) = plan.kind(m) else {
                continue;
            };
            let (old, doc_id) = (mat.old, mat.doc_id);
            let new = plan.vars.create_temporary(cx.compat);
            if let NodeKind::Materialize(mat) = plan.kind_mut(m) {
                mat.out = new;
            }
            replace_below(plan, m, old, new);
            mark_scan_only(plan, doc_id, old);
        }
        if nodes.is_empty() {
            Outcome::Unchanged
        } else {
            Outcome::Changed
        }
    }
}

/// Replaces uses of `from` by `to` in the nodes after `n` (subquery
/// bodies included).
fn replace_below(plan: &mut Plan, n: NodeRef, from: VarId, to: VarId) {
    let mut cur = plan.parent(n);
    while let Some(c) = cur {
        if let NodeKind::Subquery { root, .. } = plan.kind(c) {
            for s in plan.pipeline_ending_at(*root) {
                plan.kind_mut(s).replace_variable(from, to);
            }
        }
        plan.kind_mut(c).replace_variable(from, to);
        cur = plan.parent(c);
    }
}

/// The IndexNode producing `doc_id` stops producing `doc` when nothing
/// reads it any more.
fn mark_scan_only(plan: &mut Plan, doc_id: VarId, doc: VarId) {
    let Some(index) = plan.setter(doc_id) else {
        return;
    };
    if plan.is_used_after(index, doc) {
        return;
    }
    if let NodeKind::Index(scan) = plan.kind_mut(index) {
        if scan.projections.is_empty() {
            scan.produces_result = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::plan::NodeKind;

    const CATALOG: &str = r#"{"role": "single", "collections": [{"name": "c", "count": 1000, "indexes": [
        {"type": "persistent", "fields": ["x"], "name": "x"}]}]}"#;

    #[test]
    fn later_nodes_read_the_materialized_variable() {
        let mut t = TestPlan::new(
            CATALOG,
            "FOR d IN c FILTER d.x > 5 RETURN d",
            crate::compat::Version::NEWEST,
        );
        t.run_all(&[
            "use-indexes",
            "remove-filter-covered-by-index",
            "remove-unnecessary-calculations-2",
            "batch-materialize-documents",
            "materialize-into-separate-variable",
        ]);
        let kinds = kinds(&t.plan);
        let Some(NodeKind::Materialize(m)) =
            kinds.iter().find(|k| matches!(k, NodeKind::Materialize(_)))
        else {
            panic!("no MaterializeNode");
        };
        assert_ne!(m.out, m.old);
        assert!(kinds
            .iter()
            .any(|k| matches!(k, NodeKind::Return { input } if *input == m.out)));
        assert!(kinds
            .iter()
            .any(|k| matches!(k, NodeKind::Index(s) if !s.produces_result)));
    }
}
