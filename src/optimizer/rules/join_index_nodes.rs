//! `join-index-nodes` (3.12): a full scan of a sorted index directly
//! followed (past calculations and materializations) by an index lookup
//! whose condition equates the first scan's first index field with its
//! own first index field becomes one JoinNode, which merges the two sorted
//! index streams instead of looking up once per row.
//!
//! ```text
//! before: FOR o IN orders /* index on user, full scan */  FOR u IN users /* o.user == u._key */
//! after:  JOIN  FOR o IN orders …  FOR u IN users …
//! ```
//! Projections of the first scan that only the join condition read are
//! dropped; a late-materialized scan stays so (its MaterializeNode
//! follows the join). Does not fire for descending, sparse or multi-index
//! scans, scans with a post-filter, a first scan with a
//! condition of its own, or a lookup that depends on a calculation between
//! the two.

use super::reduce_extraction_to_projection::projections_after;
use crate::optimizer::index_selection::{conjuncts, index_view};
use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::expr::{Expr, Logic};
use crate::plan::{IndexScan, JoinInfo, NodeKind, NodeRef, Plan, VarId};
use crate::syntax::BinaryOp;

pub struct JoinIndexNodes;

impl Rule for JoinIndexNodes {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let mut changed = false;
        for first in plan.find(|k| matches!(k, NodeKind::Index(_))) {
            if !plan.contains(first) {
                continue;
            }
            let Some(second) = joinable_pair(plan, cx, first) else {
                continue;
            };
            let (NodeKind::Index(a), NodeKind::Index(b)) = (plan.kind(first), plan.kind(second))
            else {
                continue;
            };
            let infos = vec![info(a), info(b)];
            let join = plan.create(NodeKind::Join(infos));
            plan.replace_node(first, join);
            plan.remove(second);
            drop_join_only_projections(plan, join);
            changed = true;
        }
        Outcome::changed_if(changed)
    }
}

fn info(scan: &IndexScan) -> JoinInfo {
    JoinInfo {
        collection: scan.collection.clone(),
        out: scan.out,
        index: scan.indexes[0],
        condition: scan.condition.clone(),
        projections: scan.projections.clone(),
        projection_vars: scan.projection_vars.clone(),
        covers_projections: scan.covers_projections,
        produces_output: scan.produces_result,
        late_doc_id: scan.late_doc_id,
    }
}

/// The first index field of a scan that may take part in a join.
fn join_field(scan: &IndexScan, cx: &Context) -> Option<String> {
    if !scan.ascending || scan.indexes.len() != 1 || scan.filter.is_some() {
        return None;
    }
    let view = index_view(cx.catalog.collection(&scan.collection)?, scan.indexes[0])?;
    let sorted = matches!(view.kind, "primary" | "persistent" | "hash" | "skiplist");
    if !sorted || view.sparse {
        return None;
    }
    view.fields.first().map(|f| f.to_string())
}

/// The lookup below `first` that can be joined with it.
fn joinable_pair(plan: &Plan, cx: &Context, first: NodeRef) -> Option<NodeRef> {
    let NodeKind::Index(a) = plan.kind(first) else {
        return None;
    };
    if a.condition.is_some() {
        return None;
    }
    let a_field = join_field(a, cx)?;
    // Calculations in between may not feed the lookup.
    let mut computed: Vec<VarId> = Vec::new();
    let mut cur = plan.parent(first);
    let second = loop {
        let c = cur?;
        match plan.kind(c) {
            NodeKind::Calculation { out, .. } => computed.push(*out),
            NodeKind::Materialize(_) => {}
            NodeKind::Index(_) => break c,
            _ => return None,
        }
        cur = plan.parent(c);
    };
    let NodeKind::Index(b) = plan.kind(second) else {
        return None;
    };
    if plan
        .kind(second)
        .variables_used()
        .iter()
        .any(|v| computed.contains(v))
    {
        return None;
    }
    let b_field = join_field(b, cx)?;
    joins_on(b, a.out, &a_field, &b_field).then_some(second)
}

/// Whether the lookup's condition is exactly `outer.a_field == b.b_field`.
fn joins_on(b: &IndexScan, outer: VarId, a_field: &str, b_field: &str) -> bool {
    let Some(Expr::Nary(Logic::Or, branches)) = &b.condition else {
        return false;
    };
    let [branch] = branches.as_slice() else {
        return false;
    };
    let parts = conjuncts(branch);
    let [Expr::Binary(BinaryOp::Eq, l, r)] = parts.as_slice() else {
        return false;
    };
    let is = |e: &Expr, var: VarId, field: &str| {
        e.attribute_path()
            .is_some_and(|(v, path)| v == var && path.join(".") == field)
    };
    (is(l, outer, a_field) && is(r, b.out, b_field))
        || (is(r, outer, a_field) && is(l, b.out, b_field))
}

/// Projections of the first scan read only by the join condition go.
fn drop_join_only_projections(plan: &mut Plan, join: NodeRef) {
    let NodeKind::Join(infos) = plan.kind(join) else {
        return;
    };
    let out = infos[0].out;
    let used = projections_after(plan, join, out, false, true);
    if let NodeKind::Join(infos) = plan.kind_mut(join) {
        let first = &mut infos[0];
        if first.projections.is_empty() {
            return;
        }
        if let Some(used) = used {
            first
                .projections
                .retain(|p| used.iter().any(|u| u.starts_with(p)));
        }
        if first.projections.is_empty() {
            first.produces_output = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::plan::NodeKind;

    const CATALOG: &str = r#"{"role": "single", "collections": [
        {"name": "orders", "count": 1000, "indexes": [
            {"type": "persistent", "fields": ["user"], "name": "user", "storedValues": ["total"]}]},
        {"name": "users", "count": 50}]}"#;

    fn joined(query: &str) -> Option<Vec<crate::plan::JoinInfo>> {
        let mut t = TestPlan::new(CATALOG, query, crate::compat::Version::NEWEST);
        t.run_all(&[
            "use-indexes",
            "remove-filter-covered-by-index",
            "remove-unnecessary-calculations-2",
            "reduce-extraction-to-projection",
            "join-index-nodes",
        ]);
        kinds(&t.plan).into_iter().find_map(|k| match k {
            NodeKind::Join(infos) => Some(infos.clone()),
            _ => None,
        })
    }

    #[test]
    fn a_covering_full_scan_and_a_key_lookup_are_joined() {
        let infos =
            joined("FOR o IN orders FOR u IN users FILTER o.user == u._key RETURN [o.total, u]")
                .expect("a JoinNode");
        assert_eq!(infos.len(), 2);
        // `user` only feeds the join condition.
        assert_eq!(infos[0].projections, [vec!["total".to_string()]]);
    }

    #[test]
    fn a_lookup_on_another_attribute_is_not_joined() {
        let q = "FOR o IN orders FOR u IN users FILTER o.total == u._key RETURN [o.user, u]";
        assert!(joined(q).is_none());
    }
}
