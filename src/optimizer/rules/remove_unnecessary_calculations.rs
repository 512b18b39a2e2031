//! `remove-unnecessary-calculations` (and `-2`, `-4`): drops deterministic
//! calculations (and subqueries) whose result nobody reads, and folds away
//! calculations that merely rename a variable (`LET #2 = #4`) or compute
//! one attribute that only other calculations read.
//!
//! ```text
//! before: LET #1 = doc.a < 23 (unused)   LET #3 = #4   RETURN #3
//! after:  RETURN #4
//! ```

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{NodeKind, NodeRef, Plan, VarId};

pub struct RemoveUnnecessaryCalculations;

impl Rule for RemoveUnnecessaryCalculations {
    fn apply(&self, plan: &mut Plan, _cx: &Context) -> Outcome {
        let mut changed = false;
        // ArangoDB reruns the rule while it keeps removing things.
        loop {
            let mut removed = false;
            let mut candidates = plan.find(NodeKind::is_calculation);
            candidates.extend(plan.find(|k| matches!(k, NodeKind::Subquery { .. })));
            for n in candidates {
                if !plan.nodes().any(|x| x == n) || !plan.is_deterministic(n) {
                    continue;
                }
                let out = plan.kind(n).variables_set()[0];
                if !plan.is_used_after(n, out) {
                    if matches!(plan.kind(n), NodeKind::Subquery { .. }) && subquery_writes(plan, n)
                    {
                        continue;
                    }
                    plan.remove(n);
                    removed = true;
                    continue;
                }
                let NodeKind::Calculation { expr, .. } = plan.kind(n) else {
                    continue;
                };
                if collect_into_below(plan, n) {
                    continue;
                }
                if let Some(source) = expr.reference() {
                    plan.replace_variable(out, source);
                    plan.remove(n);
                    removed = true;
                } else if expr.attribute_path().is_some()
                    && users(plan, n, out)
                        .iter()
                        .all(|&u| plan.kind(u).is_calculation())
                {
                    let replacement = expr.clone();
                    for u in users(plan, n, out) {
                        if let NodeKind::Calculation { expr, .. } = plan.kind_mut(u) {
                            let e = std::mem::replace(expr, replacement.clone());
                            *expr = e.rewrite(&mut |x| match x {
                                crate::plan::Expr::Reference(v) if v == out => replacement.clone(),
                                other => other,
                            });
                        }
                    }
                    plan.remove(n);
                    removed = true;
                }
            }
            if !removed {
                break;
            }
            changed = true;
        }
        if changed {
            Outcome::Changed
        } else {
            Outcome::Unchanged
        }
    }
}

fn subquery_writes(plan: &Plan, n: NodeRef) -> bool {
    let NodeKind::Subquery { root, .. } = plan.kind(n) else {
        return false;
    };
    plan.pipeline_ending_at(*root)
        .into_iter()
        .any(|s| matches!(plan.kind(s), NodeKind::Modification(_)))
}

/// Nodes below `n` that read `var`.
fn users(plan: &Plan, n: NodeRef, var: VarId) -> Vec<NodeRef> {
    let mut out = Vec::new();
    let mut cur = plan.parent(n);
    while let Some(c) = cur {
        if plan.node_uses(c, var) {
            out.push(c);
        }
        cur = plan.parent(c);
    }
    out
}

/// A later `COLLECT … INTO g` without expression captures all variables.
fn collect_into_below(plan: &Plan, n: NodeRef) -> bool {
    let mut cur = plan.parent(n);
    while let Some(c) = cur {
        if let NodeKind::Collect(col) = plan.kind(c) {
            if col.into.is_some() && col.into_expression.is_none() && col.keep.is_none() {
                return true;
            }
        }
        cur = plan.parent(c);
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;

    #[test]
    fn unused_calculation_is_removed() {
        let t = TestPlan::single("FOR d IN c LET x = d.a RETURN d");
        let (order, changed) = t.apply("remove-unnecessary-calculations");
        assert!(changed);
        assert_eq!(order, ["1 Singleton", "2 EnumerateCollection", "4 Return"]);
    }

    #[test]
    fn renaming_calculation_is_folded_away() {
        let t = TestPlan::single("FOR d IN c LET x = d RETURN x");
        let (order, _) = t.apply("remove-unnecessary-calculations");
        assert_eq!(order, ["1 Singleton", "2 EnumerateCollection", "4 Return"]);
    }

    #[test]
    fn non_deterministic_calculation_stays() {
        let t = TestPlan::single("LET x = RAND() RETURN 1");
        assert!(!t.apply("remove-unnecessary-calculations").1);
    }
}
