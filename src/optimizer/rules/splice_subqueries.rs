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
//! ids). In a cluster, a body with an odd number of RemoteNodes ends on
//! the other side from where it starts (`restrict-to-single-shard` took
//! the Remote in front of a write away): a ScatterNode and a RemoteNode
//! after the SubqueryStartNode bring the rows over, as ArangoDB does. ArangoDB 3.6 spliced only subqueries without a LIMIT and without
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
            let crossing = crosses_sides(plan, &body).then(|| {
                let scatter = plan.create(NodeKind::Scatter);
                (scatter, plan.create(NodeKind::Remote))
            });
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
            if let Some((scatter, remote)) = crossing {
                plan.insert_below(start, scatter);
                plan.insert_below(scatter, remote);
                last = remote;
            }
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
        Outcome::changed_if(changed)
    }
}

/// Whether a subquery body switches between Coordinator and DB-Server an
/// odd number of times (each RemoteNode is one switch).
fn crosses_sides(plan: &Plan, body: &[NodeRef]) -> bool {
    body.iter()
        .filter(|&&n| matches!(plan.kind(n), NodeKind::Remote))
        .count()
        % 2
        == 1
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
    fn a_body_ending_on_the_other_side_gets_a_scatter_and_a_remote() {
        // The write's Distribute and Remote go (constant key): the body
        // starts on the Coordinator and ends there after one Remote.
        let mut t = TestPlan::cluster("LET s = (INSERT { _key: 'a' } INTO c) RETURN s");
        t.run_all(&[
            "distribute-in-cluster",
            "restrict-to-single-shard",
            "splice-subqueries",
        ]);
        let order = t.order();
        let at = |suffix: &str| order.iter().position(|n| n.ends_with(suffix));
        let (start, insert) = (at("SubqueryStart"), at("Insert"));
        assert!(start.is_some() && insert.is_some(), "{order:?}");
        let between = &order[start.unwrap_or(0) + 1..insert.unwrap_or(0)];
        assert!(between[0].ends_with("Scatter"), "{order:?}");
        assert!(between[1].ends_with("Remote"), "{order:?}");
        let remotes = order.iter().filter(|n| n.ends_with("Remote")).count();
        assert_eq!(remotes, 2, "{order:?}");
    }

    #[test]
    fn a_body_with_balanced_remotes_is_spliced_as_is() {
        let mut t = TestPlan::cluster("LET s = (FOR y IN c RETURN y) RETURN s");
        t.run_all(&["scatter-in-cluster", "splice-subqueries"]);
        let order = t.order();
        assert_eq!(order.iter().filter(|n| n.ends_with("Scatter")).count(), 1);
        assert_eq!(order.iter().filter(|n| n.ends_with("Remote")).count(), 2);
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
