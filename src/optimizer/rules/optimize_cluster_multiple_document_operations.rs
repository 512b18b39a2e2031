//! `optimize-cluster-multiple-document-operations` (3.11+): `FOR d IN
//! <constant array> INSERT d INTO c` becomes one
//! MultipleRemoteModificationNode — the Coordinator inserts the whole array
//! in one bulk operation, with no AQL snippets on the DB-Servers:
//!
//! ```text
//! before: LET #2 = [ … ] → FOR d IN #2 → INSERT d IN c
//! after:  LET #2 = [ … ] → FOR d IN #2 INSERT d IN c   (MultipleRemoteModificationNode)
//! ```
//!
//! Only for the query's single INSERT, inserting the loop variable itself,
//! with nothing after it (no RETURN), outside subqueries, over an array
//! computed by a constant calculation with only constant calculations
//! above it, and not into a SmartGraph edge collection. Once applied, the
//! remaining cluster rules do not run for the plan.

use crate::catalog::CollectionType;
use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{ModificationKind, NodeKind, NodeRef, Plan};

pub struct OptimizeClusterMultipleDocumentOperations;

impl Rule for OptimizeClusterMultipleDocumentOperations {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let inserts: Vec<NodeRef> = plan
            .find(|k| matches!(k, NodeKind::Modification(m) if m.kind == ModificationKind::Insert))
            .into_iter()
            .filter(|&n| !plan.in_subquery(n))
            .collect();
        let [insert] = inserts[..] else {
            return Outcome::Unchanged;
        };
        let Some(list) = plan.dependency(insert) else {
            return Outcome::Unchanged;
        };
        if !bulk_insert_pattern(plan, insert, list, cx) {
            return Outcome::Unchanged;
        }
        let (NodeKind::Modification(m), NodeKind::EnumerateList { input, .. }) =
            (plan.kind(insert), plan.kind(list))
        else {
            return Outcome::Unchanged;
        };
        let node = plan.create(NodeKind::MultipleRemoteModification {
            collection: m.collection.clone(),
            input: *input,
            out_old: m.out_old,
            out_new: m.out_new,
        });
        plan.replace_node(insert, node);
        plan.remove(list);
        plan.cluster_rules_off = true;
        Outcome::Changed
    }
}

fn bulk_insert_pattern(plan: &Plan, insert: NodeRef, list: NodeRef, cx: &Context) -> bool {
    let (
        NodeKind::Modification(m),
        NodeKind::EnumerateList {
            input,
            out,
            filter,
            value: None,
        },
    ) = (plan.kind(insert), plan.kind(list))
    else {
        return false;
    };
    let smart_edges = cx
        .catalog
        .collection(&m.collection)
        .is_some_and(|c| c.is_smart && c.kind == CollectionType::Edge);
    let outputs_read = [m.out_old, m.out_new]
        .into_iter()
        .flatten()
        .any(|v| plan.is_used_after(insert, v));
    let constant_array = plan.setter(*input).is_some_and(|s| {
        matches!(plan.kind(s), NodeKind::Calculation { expr, .. }
            if expr.is_constant() && expr.is_deterministic())
    });
    !smart_edges
        && !outputs_read
        && filter.is_none()
        && m.input == *out
        && plan.parent(insert).is_none()
        && constant_array
        && only_constants_above(plan, list)
}

/// Whether everything above `n` is a Singleton and calculations that read
/// no variables.
pub fn only_constants_above(plan: &Plan, n: NodeRef) -> bool {
    let mut cur = plan.dependency(n);
    while let Some(c) = cur {
        match plan.kind(c) {
            NodeKind::Singleton => return true,
            NodeKind::Calculation { expr, .. } if expr.variables().is_empty() => {}
            _ => return false,
        }
        cur = plan.dependency(c);
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;

    #[test]
    fn a_constant_array_is_inserted_in_bulk() {
        let t = TestPlan::cluster("FOR d IN [{ a: 1 }, { a: 2 }] INSERT d INTO c");
        let (order, changed) = t.apply("optimize-cluster-multiple-document-operations");
        assert!(changed);
        assert_eq!(
            order,
            [
                "1 Singleton",
                "2 Calculation",
                "5 MultipleRemoteModification"
            ]
        );
    }

    #[test]
    fn returning_new_keeps_the_loop() {
        let t = TestPlan::cluster("FOR d IN [{ a: 1 }] INSERT d INTO c RETURN NEW");
        assert!(!t.apply("optimize-cluster-multiple-document-operations").1);
    }

    #[test]
    fn a_computed_document_keeps_the_loop() {
        let t = TestPlan::cluster("FOR d IN [{ a: 1 }] INSERT MERGE(d, { b: 2 }) INTO c");
        assert!(!t.apply("optimize-cluster-multiple-document-operations").1);
    }

    #[test]
    fn documents_from_a_collection_keep_the_loop() {
        let t = TestPlan::cluster("FOR d IN one INSERT d INTO c");
        assert!(!t.apply("optimize-cluster-multiple-document-operations").1);
    }
}
