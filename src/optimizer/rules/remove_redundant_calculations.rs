//! `remove-redundant-calculations`: a deterministic calculation that
//! repeats an earlier one in the same pipeline is replaced by the earlier
//! result (the copy is left for `remove-unnecessary-calculations`).
//!
//! ```text
//! before: LET #3 = i.value   SORT #3   LET #5 = i.value   RETURN #5
//! after:  LET #3 = i.value   SORT #3   LET #5 = i.value   RETURN #3
//! ```
//! Stops at a `COLLECT … INTO`, which hides earlier variables.

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::hash::FastMap;
use crate::plan::{NodeKind, NodeRef, Plan, VarId};

pub struct RemoveRedundantCalculations;

impl Rule for RemoveRedundantCalculations {
    fn apply(&self, plan: &mut Plan, _cx: &Context) -> Outcome {
        let calculations = plan
            .preorder_nodes()
            .iter()
            .filter(|&&n| plan.kind(n).is_calculation())
            .count();
        if calculations < 2 {
            return Outcome::Unchanged;
        }
        let mut replacements = FastMap::default();
        for bottom in plan.pipeline_bottoms() {
            find_repeats(plan, bottom, &mut replacements);
        }
        // Follow chains so every use lands on the top-most equivalent.
        let renames: FastMap<VarId, VarId> = replacements
            .keys()
            .map(|&from| {
                let mut to = replacements[&from];
                while let Some(&next) = replacements.get(&to) {
                    to = next;
                }
                (from, to)
            })
            .collect();
        plan.replace_variables(&renames);
        if renames.is_empty() {
            Outcome::Unchanged
        } else {
            Outcome::Changed
        }
    }
}

/// One pass down the pipeline ending at `bottom`: maps the result of each
/// deterministic calculation that repeats an earlier one (since the last
/// `COLLECT … INTO`) to the top-most earlier result.
fn find_repeats(plan: &Plan, bottom: NodeRef, replacements: &mut FastMap<VarId, VarId>) {
    // Earlier calculations by expression fingerprint, top-most first.
    let mut seen: FastMap<u64, Vec<NodeRef>> = FastMap::default();
    for n in plan.pipeline_ending_at(bottom) {
        match plan.kind(n) {
            NodeKind::Collect(col) if col.into.is_some() => seen.clear(),
            NodeKind::Calculation { out, expr } if expr.is_deterministic() => {
                let earlier = seen.entry(expr.fingerprint()).or_default();
                let same = earlier.iter().find_map(|&e| match plan.kind(e) {
                    NodeKind::Calculation { out, expr: x } if x == expr => Some(*out),
                    _ => None,
                });
                match same {
                    Some(target) => {
                        replacements.insert(*out, target);
                    }
                    None => earlier.push(n),
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::plan::NodeKind;

    #[test]
    fn repeated_expression_reuses_the_first_result() {
        let mut t = TestPlan::single("FOR d IN c SORT d.v RETURN d.v");
        let outcomes = t.run_all(&["remove-redundant-calculations"]);
        assert_eq!(outcomes[0], crate::optimizer::Outcome::Changed);
        let ret = kinds(&t.plan).into_iter().find_map(|k| match k {
            NodeKind::Return { input } => Some(*input),
            _ => None,
        });
        let first = kinds(&t.plan).into_iter().find_map(|k| match k {
            NodeKind::Calculation { out, .. } => Some(*out),
            _ => None,
        });
        assert_eq!(ret, first);
    }

    #[test]
    fn different_expressions_stay() {
        assert!(
            !TestPlan::single("FOR d IN c SORT d.v RETURN d.w")
                .apply("remove-redundant-calculations")
                .1
        );
    }
}
