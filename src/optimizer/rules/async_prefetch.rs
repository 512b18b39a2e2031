//! `async-prefetch` (3.12): lets a node fetch its next input batch while it
//! still works on the current one — the ✓ of the `Par` column.
//!
//! A node is marked when its type allows it (filters, sorts, list
//! iterations, COLLECT, deterministic V8-free calculations and scans),
//! it belongs to the main query (not a subquery), and no LIMIT lies
//! between it and the root. Any data-modification node switches the rule
//! off for the whole plan.

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{NodeKind, Plan};

pub struct AsyncPrefetch;

#[derive(PartialEq)]
enum Eligibility {
    Enable,
    DisableForNode,
    DisableForNodeAndAbove,
    DisableGlobally,
}

fn eligibility(kind: &NodeKind) -> Eligibility {
    use Eligibility::*;
    let pure = |e: &crate::plan::Expr| e.is_deterministic() && !e.uses_v8();
    match kind {
        NodeKind::Filter { .. } | NodeKind::Sort { .. } | NodeKind::Collect(_) => Enable,
        NodeKind::EnumerateList { filter, .. } if filter.as_ref().is_none_or(pure) => Enable,
        NodeKind::Calculation { expr, .. } if pure(expr) => Enable,
        NodeKind::EnumerateCollection(s) if s.filter.as_ref().is_none_or(pure) => Enable,
        NodeKind::Index(s)
            if s.filter.as_ref().is_none_or(pure) && s.condition.as_ref().is_none_or(pure) =>
        {
            Enable
        }
        NodeKind::Join(infos) if infos.iter().all(|i| i.condition.as_ref().is_none_or(pure)) => {
            Enable
        }
        NodeKind::Limit { .. } => DisableForNodeAndAbove,
        NodeKind::Modification(_)
        | NodeKind::SingleRemote(_)
        | NodeKind::MultipleRemoteModification { .. } => DisableGlobally,
        _ => DisableForNode,
    }
}

impl Rule for AsyncPrefetch {
    fn apply(&self, plan: &mut Plan, _cx: &Context) -> Outcome {
        if plan
            .nodes()
            .any(|n| eligibility(plan.kind(n)) == Eligibility::DisableGlobally)
        {
            return Outcome::Unchanged;
        }
        // Walking up from the root: a LIMIT disables everything above it.
        let mut limits_below = 0;
        let mut changed = false;
        for n in plan.pipeline().into_iter().rev() {
            match eligibility(plan.kind(n)) {
                Eligibility::DisableForNodeAndAbove => limits_below += 1,
                Eligibility::Enable if limits_below == 0 => {
                    plan.node_mut(n).async_prefetch = true;
                    changed = true;
                }
                _ => {}
            }
        }
        Outcome::changed_if(changed)
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;

    fn marked(t: &TestPlan) -> Vec<u32> {
        t.plan
            .pipeline()
            .into_iter()
            .filter(|&n| t.plan.node(n).async_prefetch)
            .map(|n| t.plan.id(n))
            .collect()
    }

    #[test]
    fn marks_scans_and_calculations_without_a_limit_below() {
        let mut t = TestPlan::single("FOR d IN c FILTER d.x > 1 RETURN d");
        t.run_all(&["async-prefetch"]);
        assert_eq!(marked(&t), [2, 3, 4]);
    }

    #[test]
    fn a_limit_disables_everything_above_it() {
        let mut t = TestPlan::single("FOR d IN c LIMIT 3 LET y = d.y RETURN y");
        t.run_all(&["async-prefetch"]);
        assert_eq!(marked(&t), [4]);
    }

    #[test]
    fn writes_disable_the_rule() {
        let t = TestPlan::single("FOR d IN c INSERT d INTO other");
        assert!(!t.apply("async-prefetch").1);
    }

    #[test]
    fn non_deterministic_calculations_are_not_marked() {
        let mut t = TestPlan::single("LET s = SLEEP(1) RETURN 1");
        t.run_all(&["async-prefetch"]);
        assert_eq!(marked(&t), [3]);
    }
}
