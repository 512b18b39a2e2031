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
use crate::plan::{NodeKind, Plan};

pub struct RemoveRedundantCalculations;

impl Rule for RemoveRedundantCalculations {
    fn apply(&self, plan: &mut Plan, _cx: &Context) -> Outcome {
        let calculations = plan.find(NodeKind::is_calculation);
        if calculations.len() < 2 {
            return Outcome::Unchanged;
        }
        let mut replacements = Vec::new();
        for &n in &calculations {
            let NodeKind::Calculation { out, expr } = plan.kind(n) else {
                continue;
            };
            if !expr.is_deterministic() {
                continue;
            }
            let mut target = None;
            let mut cur = plan.dependency(n);
            while let Some(c) = cur {
                match plan.kind(c) {
                    NodeKind::Calculation {
                        out: earlier,
                        expr: e,
                    } if e == expr => target = Some(*earlier),
                    NodeKind::Collect(col) if col.into.is_some() => break,
                    _ => {}
                }
                cur = plan.dependency(c);
            }
            if let Some(t) = target {
                replacements.push((*out, t));
            }
        }
        for &(from, to) in &replacements {
            // Follow chains so every use lands on the top-most equivalent.
            let mut to = to;
            while let Some(&(_, next)) = replacements.iter().find(|(f, _)| *f == to) {
                to = next;
            }
            plan.replace_variable(from, to);
        }
        if replacements.is_empty() {
            Outcome::Unchanged
        } else {
            Outcome::Changed
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
