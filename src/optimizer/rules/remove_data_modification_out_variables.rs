//! `remove-data-modification-out-variables`: a modification stops
//! producing `OLD`/`NEW` when nothing after it reads them, and a
//! modification that ends the query produces no rows at all (its Est.
//! becomes 0).
//!
//! When `OLD` is read but the removed/updated document is the loop
//! variable of a collection scan (`FOR d IN c REMOVE d IN c RETURN OLD`),
//! `OLD` is replaced by that variable: the scan already has the document.
//!
//! Counts as applied for every query that modifies data (ArangoDB clears
//! the absent `OLD` of an INSERT too and reports that as a change).

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{ModificationKind, NodeKind, NodeRef, Plan, VarId};

pub struct RemoveDataModificationOutVariables;

impl Rule for RemoveDataModificationOutVariables {
    fn apply(&self, plan: &mut Plan, _cx: &Context) -> Outcome {
        let nodes = plan.find(|k| matches!(k, NodeKind::Modification(_)));
        for &n in &nodes {
            reduce_outputs(plan, n);
        }
        if nodes.is_empty() {
            Outcome::Unchanged
        } else {
            Outcome::Changed
        }
    }
}

fn reduce_outputs(plan: &mut Plan, n: NodeRef) {
    let NodeKind::Modification(m) = plan.kind(n) else {
        return;
    };
    let (old, new) = (m.out_old, m.out_new);
    let old_used = old.is_some_and(|v| plan.is_used_after(n, v));
    let new_used = new.is_some_and(|v| plan.is_used_after(n, v));
    if let (Some(old), true) = (old, old_used) {
        if let Some(doc) = scanned_document(plan, n) {
            plan.replace_variable(old, doc);
        }
    }
    let has_parent = plan.parent(n).is_some();
    if let NodeKind::Modification(m) = plan.kind_mut(n) {
        if !old_used {
            m.out_old = None;
        }
        if !new_used {
            m.out_new = None;
        }
        if !has_parent {
            m.produces_results = false;
        }
    }
}

/// For UPDATE/REPLACE `key WITH …` and REMOVE: the key variable, when a
/// collection scan or index lookup produced it.
fn scanned_document(plan: &Plan, n: NodeRef) -> Option<VarId> {
    let NodeKind::Modification(m) = plan.kind(n) else {
        return None;
    };
    let var = match m.kind {
        ModificationKind::Update | ModificationKind::Replace => m.key?,
        ModificationKind::Remove => m.input,
        _ => return None,
    };
    let setter = plan.setter(var)?;
    matches!(
        plan.kind(setter),
        NodeKind::EnumerateCollection(_) | NodeKind::Index(_)
    )
    .then_some(var)
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::plan::{Modification, NodeKind};

    fn modification(t: &TestPlan) -> Modification {
        kinds(&t.plan)
            .into_iter()
            .find_map(|k| match k {
                NodeKind::Modification(m) => Some(m.clone()),
                _ => None,
            })
            .expect("a modification node")
    }

    #[test]
    fn unused_outputs_are_dropped_and_the_last_node_produces_nothing() {
        let mut t = TestPlan::single("FOR d IN c UPDATE d WITH { a: 1 } IN c");
        t.run_all(&["remove-data-modification-out-variables"]);
        let m = modification(&t);
        assert_eq!((m.out_old, m.out_new), (None, None));
        assert!(!m.produces_results);
    }

    #[test]
    fn returned_new_is_kept() {
        let mut t = TestPlan::single("FOR d IN c UPDATE d WITH { a: 1 } IN c RETURN NEW");
        t.run_all(&["remove-data-modification-out-variables"]);
        let m = modification(&t);
        assert!(m.out_new.is_some());
        assert!(m.out_old.is_none());
        assert!(m.produces_results);
    }

    #[test]
    fn old_of_a_scanned_document_becomes_the_loop_variable() {
        let mut t = TestPlan::single("FOR d IN c REMOVE d IN c RETURN OLD");
        t.run_all(&["remove-data-modification-out-variables"]);
        let ret = kinds(&t.plan)
            .into_iter()
            .find_map(|k| match k {
                NodeKind::Return { input } => Some(*input),
                _ => None,
            })
            .expect("a return");
        assert_eq!(t.plan.vars.display_name(ret), "d");
        // ArangoDB keeps the (now unread) OLD on the node in this pass.
        assert!(modification(&t).out_old.is_some());
    }

    #[test]
    fn read_only_queries_are_unchanged() {
        assert!(
            !TestPlan::single("FOR d IN c RETURN d")
                .apply("remove-data-modification-out-variables")
                .1
        );
    }
}
