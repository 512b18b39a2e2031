//! `move-filters-into-enumerate`: folds `LET #t = cond(x) FILTER #t`
//! directly after an enumeration of `x` into the enumeration itself
//! ("early pruning"), so rejected documents never leave the scan.
//!
//! Only calculations that are deterministic, can run on a DB-Server, read
//! the loop variable and nothing computed in between are folded; the walk
//! stops at the first node that is neither a calculation nor a filter on
//! such a candidate. IndexNodes qualify only with exactly one index, list
//! iterations only from 3.12.
//!
//! ```text
//! before: FOR doc IN c  LET #1 = doc.v % 2 == 0  FILTER #1
//! after:  FOR doc IN c  /* … */ FILTER ((doc.`v` % 2) == 0) /* early pruning */
//! ```

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{Expr, NodeKind, NodeRef, Plan, ReadCounts, VarId};
use crate::syntax::BinaryOp;
use crate::value::Value;

pub struct MoveFiltersIntoEnumerate;

impl Rule for MoveFiltersIntoEnumerate {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let lists_qualify = cx.compat.has_async_prefetch();
        let candidates = plan.find(|k| match k {
            NodeKind::EnumerateCollection(_) => true,
            NodeKind::Index(scan) => scan.indexes.len() == 1,
            NodeKind::EnumerateList { .. } => lists_qualify,
            _ => false,
        });
        if candidates.is_empty() {
            return Outcome::Unchanged;
        }
        let mut reads = ReadCounts::default();
        let mut changed = false;
        for n in candidates {
            // The version check first: `in_subquery` walks the plan.
            if !cx.compat.optimizes_inside_subqueries() && plan.in_subquery(n) {
                continue;
            }
            let out = plan.kind(n).variables_set()[0];
            if !reads.is_used_after(plan, n, out) {
                continue;
            }
            changed |= fold_filters(plan, cx, &mut reads, n, out);
        }
        Outcome::changed_if(changed)
    }
}

fn fold_filters(
    plan: &mut Plan,
    cx: &Context,
    reads: &mut ReadCounts,
    n: NodeRef,
    out: VarId,
) -> bool {
    let mut changed = false;
    let mut scan_reads = plan.kind(n).variables_used();
    let mut introduced: Vec<VarId> = Vec::new();
    let mut candidates: Vec<(VarId, NodeRef)> = Vec::new();
    let mut cur = plan.parent(n);
    while let Some(c) = cur {
        let next = plan.parent(c);
        match plan.kind(c) {
            NodeKind::Calculation { out: var, expr } => {
                let used = expr.variables();
                let runs_there =
                    !cx.is_cluster() || expr.can_run_on_db_server(cx.one_shard_database());
                let qualifies = runs_there
                    && expr.is_deterministic()
                    && used.contains(&out)
                    && !used.iter().any(|v| introduced.contains(v));
                if qualifies {
                    candidates.push((*var, c));
                }
                introduced.push(*var);
            }
            NodeKind::Filter { input } => {
                let Some(&(var, calc)) = candidates.iter().find(|(v, _)| v == input) else {
                    break;
                };
                if !plan.kind(calc).is_calculation() {
                    break;
                }
                reads.forget(plan, c);
                plan.remove(c);
                // A calculation nobody else reads leaves the plan: its
                // expression moves into the scan instead of being copied.
                let condition = if reads.is_used_after(plan, calc, var) {
                    match plan.kind(calc) {
                        NodeKind::Calculation { expr, .. } => expr.clone(),
                        _ => break,
                    }
                } else {
                    reads.forget(plan, calc);
                    let taken = match plan.kind_mut(calc) {
                        NodeKind::Calculation { expr, .. } => {
                            std::mem::replace(expr, Expr::Value(Value::Null))
                        }
                        _ => break,
                    };
                    plan.remove(calc);
                    candidates.retain(|(v, _)| *v != var);
                    taken
                };
                // The scan now reads what the condition reads (counted
                // without walking the scan's whole filter again).
                for v in condition.variables() {
                    if !scan_reads.contains(&v) {
                        scan_reads.push(v);
                        reads.add_reader(v);
                    }
                }
                set_filter(plan, n, condition);
                changed = true;
            }
            _ => break,
        }
        cur = next;
    }
    changed
}

fn set_filter(plan: &mut Plan, n: NodeRef, condition: Expr) {
    let slot = match plan.kind_mut(n) {
        NodeKind::EnumerateCollection(scan) => &mut scan.filter,
        NodeKind::Index(scan) => &mut scan.filter,
        NodeKind::EnumerateList { filter, .. } => filter,
        _ => return,
    };
    *slot = Some(match slot.take() {
        Some(existing) => Expr::Binary(BinaryOp::And, Box::new(existing), Box::new(condition)),
        None => condition,
    });
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::plan::NodeKind;

    #[test]
    fn folds_filter_into_the_scan() {
        let mut t = TestPlan::single("FOR d IN c FILTER d.x > 1 RETURN d");
        t.run_all(&["move-filters-into-enumerate"]);
        assert_eq!(
            t.order(),
            ["1 Singleton", "2 EnumerateCollection", "5 Return"]
        );
        assert!(
            matches!(kinds(&t.plan)[1], NodeKind::EnumerateCollection(s) if s.filter.is_some())
        );
    }

    #[test]
    fn keeps_filters_that_do_not_read_the_loop_variable() {
        let t = TestPlan::single("LET a = RAND() FOR d IN c FILTER a > 1 RETURN d");
        assert!(!t.apply("move-filters-into-enumerate").1);
    }

    #[test]
    fn unused_loop_variable_is_left_alone() {
        let t = TestPlan::single("FOR d IN c FILTER d.x > 1 RETURN 1");
        assert!(t.apply("move-filters-into-enumerate").1);
        let t = TestPlan::single("FOR d IN c FOR e IN other FILTER e.x RETURN 1");
        let (order, changed) = t.apply("move-filters-into-enumerate");
        assert!(changed);
        assert_eq!(order.len(), 5);
    }
}
