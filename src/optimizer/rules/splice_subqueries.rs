//! `splice-subqueries`: inlines every subquery into the main pipeline
//! between a SubqueryStartNode and a SubqueryEndNode (new ids, start
//! first), replacing the SubqueryNode, the subquery's Singleton and its
//! final RETURN:
//!
//! ```text
//! before: FOR x IN c  LET s = ( Singleton  FOR y IN d  RETURN y )  RETURN s
//! after:  FOR x IN c  LET s = ( FOR y IN d  RETURN y )  RETURN s   (one pipeline)
//! ```
//! Subqueries are spliced root first (the lowest one gets the smallest
//! ids). ArangoDB 3.6 spliced only subqueries without a LIMIT and without
//! a `COLLECT WITH COUNT INTO`, neither inside nor after them in their
//! (sub)query (and let a query switch the rule off).

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{CollectMethod, NodeKind, NodeRef, Plan};

pub struct SpliceSubqueries;

impl Rule for SpliceSubqueries {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let mut changed = false;
        let subqueries = plan.find(|k| matches!(k, NodeKind::Subquery { .. }));
        // Decided before anything moves: splicing inlines bodies.
        let suitable: Vec<NodeRef> = subqueries
            .into_iter()
            .filter(|&sq| {
                cx.compat.splices_subqueries_with_limit_or_count() || splicable_in_3_6(plan, sq)
            })
            .collect();
        for sq in suitable {
            let NodeKind::Subquery { root, out, .. } = *plan.kind(sq) else {
                continue;
            };
            let body = plan.pipeline_ending_at(root);
            let start = plan.create(NodeKind::SubqueryStart { out });
            let input = match plan.kind(root) {
                NodeKind::Return { input } => Some(*input),
                _ => None,
            };
            let end = plan.create(NodeKind::SubqueryEnd { input, out });
            // Detach the body from its Singleton and Return, then hang it
            // between start and end, in place of the SubqueryNode.
            let singleton = body[0];
            let inner: Vec<_> = body[1..]
                .iter()
                .copied()
                .filter(|&n| n != root || input.is_none())
                .collect();
            plan.insert_above(sq, start);
            let mut last = start;
            for &n in &inner {
                plan.unlink(n);
                plan.insert_below(last, n);
                last = n;
            }
            plan.insert_below(last, end);
            plan.remove(sq);
            plan.remove(singleton);
            if input.is_some() {
                plan.remove(root);
            }
            plan.forget_subquery_root(root);
            changed = true;
        }
        if changed {
            Outcome::Changed
        } else {
            Outcome::Unchanged
        }
    }
}

/// 3.6 splices a subquery only if neither its body nor the rest of the
/// (sub)query containing it (after it) has a LIMIT or a
/// `COLLECT WITH COUNT INTO` (3.6 release notes).
fn splicable_in_3_6(plan: &Plan, sq: NodeRef) -> bool {
    let NodeKind::Subquery { root, .. } = *plan.kind(sq) else {
        return false;
    };
    let mut after = Vec::new();
    let mut cur = plan.parent(sq);
    while let Some(c) = cur {
        after.push(c);
        cur = plan.parent(c);
    }
    !limits_or_counts(plan, &plan.pipeline_ending_at(root)) && !limits_or_counts(plan, &after)
}

/// Whether nodes include a LIMIT or a `COLLECT WITH COUNT INTO`.
fn limits_or_counts(plan: &Plan, body: &[NodeRef]) -> bool {
    body.iter().any(|&n| match plan.kind(n) {
        NodeKind::Limit { .. } => true,
        NodeKind::Collect(c) => c.method == CollectMethod::Count,
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use crate::compat::Version;
    use crate::optimizer::rules::testing::*;

    #[test]
    fn subquery_is_inlined_between_start_and_end() {
        let t = TestPlan::single("FOR x IN c LET s = (FOR y IN other RETURN y) RETURN [x, s]");
        let (order, changed) = t.apply("splice-subqueries");
        assert!(changed);
        assert_eq!(
            order,
            [
                "1 Singleton",
                "2 EnumerateCollection",
                "9 SubqueryStart",
                "4 EnumerateCollection",
                "10 SubqueryEnd",
                "7 Calculation",
                "8 Return"
            ]
        );
    }

    #[test]
    fn version_3_6_leaves_subqueries_with_limit_or_count_alone() {
        let query = "FOR x IN c LET a = (FOR y IN other LIMIT 1 RETURN y) \
                     LET b = (FOR z IN other COLLECT WITH COUNT INTO n RETURN n) \
                     LET s = (FOR y IN other RETURN y) RETURN [x, a, b, s]";
        let spliced = |compat| {
            let t = TestPlan::new(SINGLE, query, compat);
            let (order, _) = t.apply("splice-subqueries");
            order
                .iter()
                .filter(|n| n.ends_with("SubqueryStart"))
                .count()
        };
        assert_eq!(spliced(Version::new(3, 6, 0)), 1);
        assert_eq!(spliced(Version::new(3, 7, 0)), 3);
    }

    #[test]
    fn version_3_6_leaves_subqueries_before_a_limit_alone() {
        let query = "FOR x IN c LET s = (FOR y IN other RETURN y) LIMIT 2 \
                     LET t = (FOR y IN other RETURN y) RETURN [x, s, t]";
        let t = TestPlan::new(SINGLE, query, Version::new(3, 6, 0));
        let (order, _) = t.apply("splice-subqueries");
        assert_eq!(
            order
                .iter()
                .filter(|n| n.ends_with("SubqueryStart"))
                .count(),
            1,
            "only the subquery after the LIMIT is spliced: {order:?}"
        );
        assert!(order.iter().any(|n| n.ends_with(" Subquery")));
    }
}
