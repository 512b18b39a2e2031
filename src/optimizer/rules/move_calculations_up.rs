//! `move-calculations-up` (and `-2`): moves each deterministic calculation
//! (and subquery) as far up the pipeline as its inputs allow, so it is
//! evaluated as early — and as rarely — as possible.
//!
//! Does not fire for non-deterministic calculations, nor past the node
//! that defines an input, nor past a LIMIT (on a Coordinator a calculation
//! that reads collection data may pass it). A calculation at the top of a
//! subquery that needs nothing from it moves out, above the SubqueryNode —
//! except out of a subquery that runs only when its ternary branch is taken
//! (3.12.1+; INFERRED from the 3.12 release notes' plan).
//!
//! ```text
//! before: FOR doc IN c  LET #1 = doc.x > 1  FILTER #1  LET #3 = doc.y
//! after:  FOR doc IN c  LET #3 = doc.y  LET #1 = doc.x > 1  FILTER #1
//! ```
//! Candidates are processed root first, so the reference query ends where
//! it began after `move-filters-up` — yet both report a change.

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{NodeKind, Plan};

pub struct MoveCalculationsUp;

impl Rule for MoveCalculationsUp {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let mut candidates = plan.find(NodeKind::is_calculation);
        if cx.compat.optimizes_inside_subqueries() {
            candidates.extend(plan.find(|k| matches!(k, NodeKind::Subquery { .. })));
        }
        let setters = plan.setters();
        // The main pipeline's top belongs to no subquery: no need to look
        // for one (a walk down the plan) each time a calculation reaches it.
        let main_top = plan.upwards(plan.root()).last();
        let mut changed = false;
        for n in candidates {
            if !plan.is_deterministic(n) {
                continue;
            }
            let needed = plan.variables_needed(n);
            let reads_collection_data = needed.iter().any(|v| {
                setters.get(v).is_some_and(|&s| {
                    matches!(
                        plan.kind(s),
                        NodeKind::EnumerateCollection(_)
                            | NodeKind::Index(_)
                            | NodeKind::Subquery { .. }
                    )
                })
            });
            // Walk up to the highest node `n` may pass, then move it once
            // (moving step by step costs graph surgery per node passed).
            let mut highest = None;
            let mut cur = plan.dependency(n);
            while let Some(c) = cur {
                if needed.iter().any(|&v| plan.kind(c).sets_variable(v)) {
                    break;
                }
                if Some(c) == main_top {
                    break;
                }
                if plan.dependency(c).is_none() {
                    // At the top of a subquery: leave it, above its SubqueryNode
                    // (unless the subquery only runs when its branch is taken).
                    let Some(sq) = plan.subquery_node_of(plan.pipeline_bottom(c)) else {
                        break;
                    };
                    if matches!(
                        plan.kind(sq),
                        NodeKind::Subquery {
                            conditional: true,
                            ..
                        }
                    ) {
                        break;
                    }
                    plan.unlink(n);
                    plan.insert_above(sq, n);
                    changed = true;
                    highest = None;
                    cur = plan.dependency(n);
                    continue;
                }
                if matches!(plan.kind(c), NodeKind::Limit { .. })
                    && !(cx.is_cluster() && reads_collection_data)
                {
                    break;
                }
                highest = Some(c);
                cur = plan.dependency(c);
            }
            if let Some(c) = highest {
                plan.move_above(n, c);
                changed = true;
            }
        }
        Outcome::changed_if(changed)
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;

    #[test]
    fn moves_calculation_above_filter_and_reports_change() {
        // Root first: 5 climbs above 4 and 3, then 3 overtakes 5 again
        // (the ping-pong of optimizer.md §10.3); both count as moves.
        let t = TestPlan::single("FOR d IN c FILTER d.x > 1 LET y = d.y RETURN y");
        let (order, changed) = t.apply("move-calculations-up");
        assert!(changed);
        assert_eq!(
            order,
            [
                "1 Singleton",
                "2 EnumerateCollection",
                "3 Calculation",
                "5 Calculation",
                "4 Filter",
                "6 Return"
            ]
        );
    }

    #[test]
    fn stops_at_the_definition_of_an_input() {
        let t = TestPlan::single("FOR d IN c RETURN d.x");
        let (order, changed) = t.apply("move-calculations-up");
        assert!(!changed);
        assert_eq!(
            order,
            [
                "1 Singleton",
                "2 EnumerateCollection",
                "3 Calculation",
                "4 Return"
            ]
        );
    }

    #[test]
    fn non_deterministic_calculations_stay() {
        let t = TestPlan::single("FOR d IN c FILTER d.x > 1 LET r = RAND() RETURN r");
        let (_, changed) = t.apply("move-calculations-up");
        assert!(!changed);
    }

    #[test]
    fn constant_calculation_climbs_to_the_top() {
        let t = TestPlan::single("FOR d IN c LET k = 1 + d.x LET z = [1, 2] RETURN [k, z]");
        let (order, _) = t.apply("move-calculations-up");
        assert_eq!(order[1], "4 Calculation");
    }

    #[test]
    fn does_not_pass_a_limit_on_a_single_server() {
        let t = TestPlan::single("FOR d IN c LIMIT 2 LET y = d.y RETURN y");
        let (_, changed) = t.apply("move-calculations-up");
        assert!(!changed);
    }

    #[test]
    fn nothing_leaves_a_subquery_that_runs_only_for_its_ternary_branch() {
        let query = "LET doc = FIRST(FOR d IN c RETURN d) \
                     RETURN doc ?: FIRST(INSERT { k: 1 } INTO c RETURN NEW)";
        let main_calculations = |compat| {
            let t = TestPlan::new(SINGLE, query, compat);
            let (order, _) = t.apply("move-calculations-up");
            order.iter().filter(|n| n.ends_with("Calculation")).count()
        };
        // 3.12.0: the INSERT document moves out of its subquery.
        assert_eq!(main_calculations(crate::compat::Version::new(3, 12, 0)), 3);
        // 3.12.1+: the guarded subquery keeps its calculations.
        assert_eq!(main_calculations(crate::compat::Version::NEWEST), 2);
    }
}
