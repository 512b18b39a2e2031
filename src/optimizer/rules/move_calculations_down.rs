//! `move-calculations-down`: a deterministic calculation is moved below
//! the FILTERs, SORTs and LIMITs after it that do not read its result, so
//! it runs on fewer rows (or, after a SORT, does not travel through it).
//!
//! ```text
//! before: LET #5 = { a, b }   SORT a   RETURN #5
//! after:  SORT a   LET #5 = { a, b }   RETURN #5
//! ```
//! It moves only past nodes of that kind (and other calculations), never
//! past a node that reads its variable, a loop, a COLLECT or anything
//! else; it lands directly below the last FILTER/SORT/LIMIT it passed. On a
//! Coordinator it does not pass a LIMIT when it reads a collection
//! variable (the rows would have to travel first).

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{NodeKind, NodeRef, Plan};

pub struct MoveCalculationsDown;

impl Rule for MoveCalculationsDown {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let mut changed = false;
        for n in plan.find(NodeKind::is_calculation) {
            if !plan.is_deterministic(n) {
                continue;
            }
            let Some(target) = last_passable(plan, n, cx.is_cluster()) else {
                continue;
            };
            plan.unlink(n);
            plan.insert_below(target, n);
            changed = true;
        }
        Outcome::changed_if(changed)
    }
}

/// The last FILTER, SORT or LIMIT below `n` that it can move past.
fn last_passable(plan: &Plan, n: NodeRef, cluster: bool) -> Option<NodeRef> {
    let out = plan.kind(n).variables_set()[0];
    let mut last = None;
    let mut cur = plan.parent(n);
    while let Some(c) = cur {
        if plan.node_uses(c, out) {
            break;
        }
        match plan.kind(c) {
            NodeKind::Limit { .. } if cluster && reads_collection_variable(plan, n) => break,
            NodeKind::Filter { .. } | NodeKind::Sort { .. } | NodeKind::Limit { .. } => {
                last = Some(c)
            }
            NodeKind::Calculation { .. } => {}
            _ => break,
        }
        cur = plan.parent(c);
    }
    // Nothing to land on below the last node (it is the root).
    last.filter(|&l| plan.parent(l).is_some())
}

/// Whether the calculation reads a variable a collection or index scan set.
fn reads_collection_variable(plan: &Plan, n: NodeRef) -> bool {
    plan.kind(n).variables_used().into_iter().any(|v| {
        plan.setter_above(n, v).is_some_and(|s| {
            matches!(
                plan.kind(s),
                NodeKind::EnumerateCollection(_) | NodeKind::Index(_)
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;

    #[test]
    fn a_result_needed_after_the_sort_moves_below_it() {
        let mut t = TestPlan::single("FOR d IN c SORT d.a LET x = [d.b, 1] RETURN x");
        t.run_all(&["move-calculations-up"]);
        let before = t.order();
        let (order, changed) = t.apply("move-calculations-down");
        assert!(changed, "{before:?}");
        let sort = order.iter().position(|n| n.ends_with(" Sort"));
        let last_calc = order.iter().rposition(|n| n.ends_with(" Calculation"));
        assert!(sort < last_calc, "{order:?}");
    }

    #[test]
    fn a_result_the_filter_reads_stays() {
        let t = TestPlan::single("FOR d IN c FILTER d.a > 1 RETURN d");
        assert!(!t.apply("move-calculations-down").1);
    }

    #[test]
    fn it_does_not_leave_its_loop() {
        let t = TestPlan::single("FOR d IN c LET x = d.a * 2 FOR e IN other RETURN [x, e]");
        assert!(!t.apply("move-calculations-down").1);
    }
}
