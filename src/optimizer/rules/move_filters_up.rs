//! `move-filters-up` (and `-2`): moves each FILTER up to just below the
//! node that computes its condition, so rows are dropped early.
//!
//! Does not pass a LIMIT or WINDOW, a non-deterministic node, a
//! data-modification node, or the top of the pipeline.
//!
//! ```text
//! before: FOR d IN c  LET #1 = d.x > 1  LET #3 = d.y  FILTER #1
//! after:  FOR d IN c  LET #1 = d.x > 1  FILTER #1  LET #3 = d.y
//! ```

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::hash::FastMap;
use crate::plan::{NodeKind, NodeRef, Plan};

pub struct MoveFiltersUp;

impl Rule for MoveFiltersUp {
    fn apply(&self, plan: &mut Plan, _cx: &Context) -> Outcome {
        let mut changed = false;
        // Whether a node is deterministic walks its expressions; nodes only
        // move here, so each is asked once however many filters pass it.
        let mut deterministic: FastMap<NodeRef, bool> = FastMap::default();
        for f in plan.find(|k| matches!(k, NodeKind::Filter { .. })) {
            let NodeKind::Filter { input } = *plan.kind(f) else {
                continue;
            };
            let mut cur = plan.dependency(f);
            while let Some(c) = cur {
                let blocked = matches!(
                    plan.kind(c),
                    NodeKind::Limit { .. } | NodeKind::Modification(_)
                ) || !*deterministic
                    .entry(c)
                    .or_insert_with(|| plan.is_deterministic(c))
                    || plan.kind(c).sets_variable(input)
                    || plan.dependency(c).is_none();
                if blocked {
                    break;
                }
                plan.move_above(f, c);
                changed = true;
                cur = plan.dependency(f);
            }
        }
        Outcome::changed_if(changed)
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;

    #[test]
    fn filter_climbs_to_its_calculation() {
        let mut t = TestPlan::single("FOR d IN c FILTER d.x > 1 LET y = d.y RETURN y");
        t.run_all(&["move-calculations-up"]);
        let (order, changed) = t.apply("move-filters-up");
        assert!(changed);
        assert_eq!(
            order,
            [
                "1 Singleton",
                "2 EnumerateCollection",
                "3 Calculation",
                "4 Filter",
                "5 Calculation",
                "6 Return"
            ]
        );
    }

    #[test]
    fn filter_next_to_its_calculation_stays() {
        let t = TestPlan::single("FOR d IN c LET y = d.y FILTER d.x > 1 RETURN y");
        assert!(!t.apply("move-filters-up").1);
    }

    #[test]
    fn filter_on_outer_variable_leaves_the_loop() {
        // (a constant `LET a = 1 … FILTER a` is folded away before planning)
        let t = TestPlan::single("FOR a IN [true, false] FOR d IN c FILTER a RETURN d");
        let (order, changed) = t.apply("move-filters-up");
        assert!(changed);
        assert_eq!(
            order,
            [
                "1 Singleton",
                "2 Calculation",
                "3 EnumerateList",
                "5 Filter",
                "4 EnumerateCollection",
                "6 Return"
            ]
        );
    }

    #[test]
    fn filter_does_not_pass_a_limit() {
        let t = TestPlan::single("FOR d IN c LIMIT 3 FILTER d.x RETURN d");
        let (_, changed) = t.apply("move-filters-up");
        assert!(!changed);
    }
}
