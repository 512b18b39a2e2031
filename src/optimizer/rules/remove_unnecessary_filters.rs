//! `remove-unnecessary-filters` (and `-2`): a FILTER whose condition is
//! computed by a deterministic calculation that is true whatever the
//! variables hold (`LET t = [d.a]  FILTER t`) is removed; the calculation
//! stays for `remove-unnecessary-calculations` to drop if unused.
//!
//! ```text
//! before: FOR d IN c  LET #1 = [d.a]  FILTER #1  RETURN d
//! after:  FOR d IN c  LET #1 = [d.a]  RETURN d
//! ```
//! Before 3.6 an always-false FILTER is replaced by a NoResultsNode here;
//! from 3.6 the plan builder already does that for a FILTER written with a
//! known-false condition, and the rule leaves always-false filters alone. It does not fire when the
//! condition comes from anything but a calculation, is non-deterministic,
//! or cannot be decided from the expression's shape ([`Expr::is_true`]).

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::expr::Expr;
use crate::plan::{NodeKind, NodeRef, Plan};

pub struct RemoveUnnecessaryFilters;

/// What is known about a FILTER's condition at planning time.
enum Verdict {
    AlwaysTrue,
    AlwaysFalse,
    Unknown,
}

impl Rule for RemoveUnnecessaryFilters {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let replaces_false = !cx.compat.plan_builder_decides_constant_filters();
        let setters = plan.setters();
        let mut changed = false;
        for filter in plan.find(|k| matches!(k, NodeKind::Filter { .. })) {
            let NodeKind::Filter { input } = plan.kind(filter) else {
                continue;
            };
            let condition = setters.get(input).and_then(|&s| match plan.kind(s) {
                NodeKind::Calculation { expr, .. } => Some(expr),
                _ => None,
            });
            match condition.map_or(Verdict::Unknown, verdict) {
                Verdict::AlwaysTrue => plan.remove(filter),
                Verdict::AlwaysFalse if replaces_false => replace_with_no_results(plan, filter),
                _ => continue,
            }
            changed = true;
        }
        Outcome::changed_if(changed)
    }
}

fn verdict(condition: &Expr) -> Verdict {
    if !condition.is_deterministic() {
        Verdict::Unknown
    } else if condition.is_true() {
        Verdict::AlwaysTrue
    } else if condition.is_false() {
        Verdict::AlwaysFalse
    } else {
        Verdict::Unknown
    }
}

fn replace_with_no_results(plan: &mut Plan, filter: NodeRef) {
    let empty = plan.create(NodeKind::NoResults);
    plan.replace_node(filter, empty);
}

#[cfg(test)]
mod tests {
    use crate::compat::Version;
    use crate::optimizer::rules::testing::*;

    const RULE: &str = "remove-unnecessary-filters";

    fn has(order: &[String], kind: &str) -> bool {
        order.iter().any(|n| n.ends_with(kind))
    }

    #[test]
    fn always_true_filter_is_removed_and_its_calculation_kept() {
        let t = TestPlan::single("FOR d IN c LET t = [d.a] FILTER t RETURN d");
        let before = t.order();
        let (after, changed) = t.apply(RULE);
        assert!(changed);
        assert!(!has(&after, "Filter"));
        assert_eq!(after.len(), before.len() - 1);
        assert!(has(&after, "Calculation"));
    }

    #[test]
    fn shapes_known_true_are_removed() {
        for q in [
            "FOR d IN c LET t = {a: d.a} FILTER t RETURN d",
            "FOR d IN c LET t = d.a || true FILTER t RETURN d",
            "FOR d IN c LET t = [d.a] && \"x\" FILTER t RETURN d",
            "FOR d IN c LET t = !(d.a && null) FILTER t RETURN d",
        ] {
            let (after, changed) = TestPlan::single(q).apply(RULE);
            assert!(changed, "{q}");
            assert!(!has(&after, "Filter"), "{q}");
        }
    }

    #[test]
    fn always_false_filter_stays_from_3_6() {
        let t = TestPlan::single("FOR d IN c LET f = d.a && false FILTER f RETURN d");
        let (after, changed) = t.apply(RULE);
        assert!(!changed);
        assert!(has(&after, "Filter"));
        assert!(!has(&after, "NoResults"));
    }

    #[test]
    fn always_false_filter_becomes_no_results_before_3_6() {
        let t = TestPlan::new(
            SINGLE,
            "FOR d IN c LET f = d.a && false FILTER f RETURN d",
            Version::new(3, 5, 0),
        );
        let before = t.order();
        let (after, changed) = t.apply(RULE);
        assert!(changed);
        assert!(!has(&after, "Filter"));
        // The NoResultsNode takes the filter's place with a new id; the
        // calculation above it stays.
        let filter_at = before.iter().position(|n| n.ends_with("Filter"));
        let empty_at = after.iter().position(|n| n.ends_with("NoResults"));
        assert_eq!(filter_at, empty_at);
        assert_ne!(before[filter_at.unwrap_or(0)], after[empty_at.unwrap_or(0)]);
        assert!(has(&after, "Calculation"));
    }

    #[test]
    fn undecidable_or_non_deterministic_conditions_are_untouched() {
        for q in [
            "FOR d IN c FILTER d.a == 1 RETURN d",
            "FOR d IN c LET t = d.a FILTER t RETURN d",
            "FOR d IN c LET t = [RAND()] FILTER t RETURN d",
            "FOR d IN c LET t = d.a || false FILTER t RETURN d",
            // The condition comes from a loop, not a calculation.
            "FOR x IN [1, 2] FILTER x RETURN x",
        ] {
            let (after, changed) = TestPlan::single(q).apply(RULE);
            assert!(!changed, "{q}");
            assert!(has(&after, "Filter"), "{q}");
        }
    }

    #[test]
    fn filters_inside_subqueries_are_removed() {
        let q = "FOR d IN c LET s = (FOR x IN 1..3 LET t = [x] FILTER t RETURN x) RETURN s";
        let mut t = TestPlan::single(q);
        let filters = |t: &TestPlan| {
            t.plan
                .find(|k| matches!(k, crate::plan::NodeKind::Filter { .. }))
                .len()
        };
        assert_eq!(filters(&t), 1);
        assert_eq!(t.run_all(&[RULE]), vec![crate::optimizer::Outcome::Changed]);
        assert_eq!(filters(&t), 0);
    }

    #[test]
    fn removed_filter_leaves_an_unused_calculation_to_the_next_rule() {
        let mut t = TestPlan::single("FOR d IN c LET t = [d.a] FILTER t RETURN d");
        t.run_all(&[RULE, "remove-unnecessary-calculations"]);
        let order = t.order();
        assert!(!has(&order, "Filter"));
        assert!(!has(&order, "Calculation"));
    }

    #[test]
    fn plan_builder_decides_constant_filters_from_3_6() {
        let kept = TestPlan::single("FOR d IN c FILTER [d.a] RETURN d").order();
        assert!(!has(&kept, "Filter") && !has(&kept, "Calculation"));
        let empty = TestPlan::single("FOR d IN c FILTER null RETURN d").order();
        assert!(has(&empty, "NoResults") && !has(&empty, "Filter"));
        // The builder judges the shape without asking for determinism.
        let random = TestPlan::single("FOR d IN c FILTER [RAND()] RETURN d").order();
        assert!(!has(&random, "Filter") && !has(&random, "Calculation"));
    }

    #[test]
    fn constant_filters_are_left_to_the_rule_before_3_6() {
        let t = TestPlan::new(
            SINGLE,
            "FOR d IN c FILTER 0 RETURN d",
            Version::new(3, 4, 0),
        );
        assert!(has(&t.order(), "Filter") && !has(&t.order(), "NoResults"));
        let (after, changed) = t.apply(RULE);
        assert!(changed);
        assert!(has(&after, "NoResults") && !has(&after, "Filter"));

        let t = TestPlan::new(
            SINGLE,
            "FOR d IN c FILTER \"x\" RETURN d",
            Version::new(3, 5, 0),
        );
        assert!(has(&t.order(), "Filter"));
        let (after, changed) = t.apply(RULE);
        assert!(changed);
        assert!(!has(&after, "Filter") && !has(&after, "NoResults"));
    }
}
