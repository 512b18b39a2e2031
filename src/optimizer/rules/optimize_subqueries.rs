//! `optimize-subqueries`: a subquery whose result is only read through
//! `FIRST(sq)` or `sq[n]` stops after the rows it needs (a `LIMIT 0, k`
//! before its RETURN); one whose result is only counted (`LENGTH(sq)`,
//! `COUNT(sq)`) returns `true` per row instead of its documents.
//!
//! ```text
//! before: LET s = ( FOR d IN c FILTER …  RETURN d )  LET x = FIRST(s)
//! after:  LET s = ( FOR d IN c FILTER …  LIMIT 0, 1  RETURN d )  LET x = FIRST(s)
//! ```
//! It does not fire for subqueries that modify data, for results read in
//! any other way (or by any non-calculation node), for results both
//! counted and indexed, and a subquery already ending in a LIMIT keeps it.

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::expr::{Expr, VarId};
use crate::plan::{NodeKind, NodeRef, Plan, Setters};
use crate::value::Value;

pub struct OptimizeSubqueries;

/// How the calculations read one subquery's result.
struct Usage {
    subquery: NodeRef,
    /// Rows needed; not positive: the optimization is off.
    limit: i64,
    /// Calculations that read the result in a way the limit serves.
    readers: Vec<NodeRef>,
    counted: bool,
}

impl Rule for OptimizeSubqueries {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        // Only reads of a SubqueryNode's result count.
        let has_subqueries = plan
            .preorder_nodes()
            .iter()
            .any(|&n| matches!(plan.kind(n), NodeKind::Subquery { .. }));
        if !has_subqueries {
            return Outcome::Unchanged;
        }
        let mut usages: Vec<Usage> = Vec::new();
        let setters = plan.setters();
        for n in plan.find(|k| matches!(k, NodeKind::Calculation { .. })) {
            let NodeKind::Calculation { expr, .. } = plan.kind(n) else {
                continue;
            };
            for (subquery, limit, counted) in subquery_reads(plan, &setters, expr) {
                record(&mut usages, subquery, n, limit, counted);
            }
        }
        let mut changed = false;
        for usage in usages {
            changed |= optimize(plan, cx, &usage);
        }
        Outcome::changed_if(changed)
    }
}

/// Every read of a subquery result in `expr`: (SubqueryNode, rows needed
/// or -1, counted?). A read is not looked into further.
/// `setters` is [`Plan::setters`] (looked up per reference).
fn subquery_reads(plan: &Plan, setters: &Setters, expr: &Expr) -> Vec<(NodeRef, i64, bool)> {
    let subquery_of = |e: &Expr| -> Option<NodeRef> {
        let v: VarId = e.reference()?;
        setters
            .get(&v)
            .copied()
            .filter(|&s| matches!(plan.kind(s), NodeKind::Subquery { .. }))
    };
    let mut out = Vec::new();
    let mut stack = vec![expr];
    while let Some(e) = stack.pop() {
        let found = match e {
            Expr::Reference(_) => subquery_of(e).map(|s| (s, -1, false)),
            Expr::Indexed(base, index) => subquery_of(base).and_then(|s| match index.as_value() {
                Some(Value::Int(i)) => Some((s, if *i >= 0 { i + 1 } else { -1 }, false)),
                Some(Value::Double(d)) => Some((s, (*d as i64).saturating_add(1).max(-1), false)),
                _ => None,
            }),
            Expr::Call { function, args, .. } => match (function.name, args.first()) {
                ("FIRST", Some(a)) => subquery_of(a).map(|s| (s, 1, false)),
                ("LENGTH" | "COUNT", Some(a)) => subquery_of(a).map(|s| (s, -1, true)),
                _ => None,
            },
            _ => None,
        };
        match found {
            Some(read) => out.push(read),
            None => {
                let mark = stack.len();
                e.for_each_child(|c| stack.push(c));
                stack[mark..].reverse();
            }
        }
    }
    out
}

/// Merges one read into the usages, as ArangoDB does: any read that needs
/// the whole result switches the limit off, counting and indexing together
/// switch both off, otherwise the largest limit wins.
fn record(usages: &mut Vec<Usage>, subquery: NodeRef, reader: NodeRef, limit: i64, counted: bool) {
    let Some(u) = usages.iter_mut().find(|u| u.subquery == subquery) else {
        usages.push(Usage {
            subquery,
            limit,
            readers: vec![reader],
            counted,
        });
        return;
    };
    if counted {
        u.counted = u.limit <= 0;
        u.limit = -1;
        u.readers.clear();
    } else {
        if limit <= 0 || u.limit < 0 {
            u.limit = -1;
            u.readers.clear();
        } else {
            u.limit = u.limit.max(limit);
            u.readers.push(reader);
        }
        u.counted = false;
    }
}

/// Applies one usage; whether the plan changed.
fn optimize(plan: &mut Plan, cx: &Context, u: &Usage) -> bool {
    let NodeKind::Subquery { root, out, .. } = *plan.kind(u.subquery) else {
        return false;
    };
    if plan.subquery_modifies(u.subquery) || (u.limit <= 0 && !u.counted) {
        return false;
    }
    if read_elsewhere(plan, u, out) {
        return false;
    }
    let (NodeKind::Return { .. }, Some(last)) = (plan.kind(root), plan.dependency(root)) else {
        return false;
    };
    if u.counted {
        let flag = plan.vars.create_temporary(cx.compat);
        let calc = plan.create(NodeKind::Calculation {
            out: flag,
            expr: Expr::value(Value::Bool(true)),
        });
        plan.insert_below(last, calc);
        if let NodeKind::Return { input } = plan.kind_mut(root) {
            *input = flag;
        }
        return true;
    }
    if matches!(plan.kind(last), NodeKind::Limit { .. }) {
        return false;
    }
    let limit = plan.create(NodeKind::Limit {
        offset: 0,
        limit: u.limit.unsigned_abs(),
        full_count: false,
    });
    plan.insert_below(last, limit);
    true
}

/// Whether a node after the subquery other than the recorded readers
/// reads its result.
fn read_elsewhere(plan: &Plan, u: &Usage, out: VarId) -> bool {
    let mut cur = plan.parent(u.subquery);
    while let Some(c) = cur {
        if !u.readers.contains(&c) && plan.node_uses(c, out) {
            return true;
        }
        cur = plan.parent(c);
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::plan::NodeKind;

    fn limits(query: &str) -> (Vec<u64>, bool) {
        let mut t = TestPlan::single(query);
        let changed = t.run_all(&["optimize-subqueries"])[0] == crate::optimizer::Outcome::Changed;
        let limits = t
            .plan
            .nodes()
            .filter_map(|n| match t.plan.kind(n) {
                NodeKind::Limit { limit, .. } => Some(*limit),
                _ => None,
            })
            .collect();
        (limits, changed)
    }

    #[test]
    fn first_of_a_subquery_needs_one_row() {
        let (limits, changed) = limits("LET s = (FOR d IN c RETURN d) RETURN FIRST(s)");
        assert!(changed);
        assert_eq!(limits, [1]);
    }

    #[test]
    fn an_index_needs_that_many_rows_and_the_largest_wins() {
        let (limits, _) = limits("LET s = (FOR d IN c RETURN d) RETURN [s[2], s[0]]");
        assert_eq!(limits, [3]);
    }

    #[test]
    fn a_whole_result_read_switches_it_off() {
        assert!(!limits("LET s = (FOR d IN c RETURN d) RETURN [FIRST(s), s]").1);
        assert!(!limits("LET s = (FOR d IN c RETURN d) FOR x IN s RETURN FIRST(s)").1);
    }

    #[test]
    fn data_modification_subqueries_are_left_alone() {
        assert!(!limits("LET s = (INSERT {} INTO c RETURN NEW) RETURN FIRST(s)").1);
    }

    #[test]
    fn a_counted_subquery_returns_true_per_row() {
        let mut t = TestPlan::single("LET s = (FOR d IN c RETURN d) RETURN LENGTH(s)");
        t.run_all(&["optimize-subqueries"]);
        let returns_true = t.plan.nodes().any(|n| {
            matches!(t.plan.kind(n), NodeKind::Calculation { expr, .. }
                if expr.as_value() == Some(&crate::value::Value::Bool(true)))
        });
        assert!(returns_true);
    }
}
