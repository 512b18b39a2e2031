//! `specialize-collect` (hidden): decides how each COLLECT groups.
//!
//! Unless OPTIONS fix the method, the plan is split in two: a *hash*
//! variant (a new plan, placed first) that groups in a hash table and, to
//! keep COLLECT's sorted output, sorts its result afterwards — unless a
//! `SORT null` follows; and the *sorted* variant (this plan), which sorts
//! the input by the group keys first. The cheaper plan wins later; on a
//! tie the hash plan does. A COLLECT without groups counts or aggregates
//! in one pass.

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{CollectMethod, NodeKind, NodeRef, Plan, SortElement};

pub struct SpecializeCollect;

impl Rule for SpecializeCollect {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let Some(n) = plan
            .find(|k| matches!(k, NodeKind::Collect(c) if !c.fixed_method))
            .into_iter()
            .next()
        else {
            return Outcome::Unchanged;
        };
        let NodeKind::Collect(c) = plan.kind(n) else {
            return Outcome::Unchanged;
        };
        if c.groups.is_empty() {
            let counting = c.into.is_none()
                && c.aggregates
                    .iter()
                    .all(|a| a.input.is_none() && a.function == "LENGTH");
            fix(
                plan,
                n,
                if counting {
                    CollectMethod::Count
                } else {
                    CollectMethod::Sorted
                },
            );
            return Outcome::Changed;
        }
        let outs: Vec<_> = c.groups.iter().map(|g| g.0).collect();
        let ins: Vec<_> = c.groups.iter().map(|g| g.1).collect();
        let option = c.method_option;

        if option == Some(CollectMethod::Hash) {
            // The user's choice: hash in place, no alternative plan.
            make_hash(plan, n, &outs);
            return Outcome::Changed;
        }
        let mut hash = plan.clone();
        make_hash(&mut hash, n, &outs);

        fix(plan, n, CollectMethod::Sorted);
        if !(cx.compat.sorted_collect_reuses_covering_sort() && sorted_above(plan, n, &ins)) {
            let sort = plan.create(NodeKind::Sort {
                elements: ascending(&ins),
                limit: 0,
                grouped: 0,
            });
            plan.insert_above(n, sort);
        }
        if option == Some(CollectMethod::Sorted) {
            return Outcome::Changed;
        }
        Outcome::Alternatives(vec![hash])
    }
}

/// Hash grouping, sorting the result afterwards unless a `SORT null`
/// follows.
fn make_hash(plan: &mut Plan, n: NodeRef, outs: &[crate::plan::VarId]) {
    fix(plan, n, CollectMethod::Hash);
    if !followed_by_sort_null(plan, n) {
        let sort = plan.create(NodeKind::Sort {
            elements: ascending(outs),
            limit: 0,
            grouped: 0,
        });
        plan.insert_below(n, sort);
    }
}

fn ascending(vars: &[crate::plan::VarId]) -> Vec<SortElement> {
    vars.iter()
        .map(|&var| SortElement {
            var,
            ascending: true,
            path: Vec::new(),
        })
        .collect()
}

fn fix(plan: &mut Plan, n: NodeRef, method: CollectMethod) {
    if let NodeKind::Collect(c) = plan.kind_mut(n) {
        c.method = method;
        c.fixed_method = true;
    }
}

/// Whether the nearest SORT above `n` (looking past nodes that keep the
/// order) sorts by every group key, whatever the direction.
fn sorted_above(plan: &Plan, n: NodeRef, keys: &[crate::plan::VarId]) -> bool {
    let mut cur = plan.dependency(n);
    while let Some(c) = cur {
        match plan.kind(c) {
            NodeKind::Sort { elements, .. } => {
                return keys.iter().all(|k| elements.iter().any(|e| e.var == *k));
            }
            NodeKind::Filter { .. }
            | NodeKind::Limit { .. }
            | NodeKind::Calculation { .. }
            | NodeKind::Subquery { .. }
            | NodeKind::Modification(_) => {}
            _ => return false,
        }
        cur = plan.dependency(c);
    }
    false
}

/// `COLLECT … SORT null`: the user does not care about the order.
fn followed_by_sort_null(plan: &Plan, n: NodeRef) -> bool {
    let mut cur = plan.parent(n);
    while let Some(c) = cur {
        match plan.kind(c) {
            NodeKind::Calculation { .. } => {}
            NodeKind::Sort { elements, .. } => {
                return elements.iter().all(|e| {
                    plan.setter_above(c, e.var)
                        .is_some_and(|s| matches!(plan.kind(s), NodeKind::Calculation { expr, .. } if expr.is_constant()))
                })
            }
            _ => return false,
        }
        cur = plan.parent(c);
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::optimizer::Outcome;

    #[test]
    fn grouping_splits_into_a_hash_and_a_sorted_plan() {
        let t = TestPlan::single("FOR d IN c COLLECT g = d.g RETURN g");
        let mut plan = t.plan.clone();
        let Outcome::Alternatives(extra) = t.run(&mut plan, "specialize-collect") else {
            panic!()
        };
        assert_eq!(
            order(&plan),
            [
                "1 Singleton",
                "2 EnumerateCollection",
                "3 Calculation",
                "6 Sort",
                "4 Collect",
                "5 Return"
            ]
        );
        assert_eq!(
            order(&extra[0]),
            [
                "1 Singleton",
                "2 EnumerateCollection",
                "3 Calculation",
                "4 Collect",
                "6 Sort",
                "5 Return"
            ]
        );
    }

    #[test]
    fn sort_null_keeps_the_hash_result_unsorted() {
        let t = TestPlan::single("FOR d IN c COLLECT g = d.g SORT null RETURN g");
        let mut plan = t.plan.clone();
        let Outcome::Alternatives(extra) = t.run(&mut plan, "specialize-collect") else {
            panic!()
        };
        assert!(!order(&extra[0]).iter().any(|n| n == "8 Sort"));
    }

    #[test]
    fn a_descending_sort_on_the_keys_is_reused_from_3_12_3() {
        let q = "FOR d IN c SORT d.g DESC COLLECT g = d.g RETURN g";
        let sorts = |compat: &str| {
            let mut t = TestPlan::new(SINGLE, q, compat.parse().unwrap());
            // The SORT and the COLLECT read one variable only after this.
            t.run_all(&["remove-redundant-calculations"]);
            let mut plan = t.plan.clone();
            t.run(&mut plan, "specialize-collect");
            order(&plan).iter().filter(|n| n.ends_with(" Sort")).count()
        };
        assert_eq!(sorts("3.12.3"), 1);
        assert_eq!(sorts("3.12.0"), 2);
    }

    #[test]
    fn a_sort_missing_a_key_is_not_reused() {
        let t = TestPlan::single("FOR d IN c SORT d.g COLLECT g = d.g, h = d.h RETURN g");
        let mut plan = t.plan.clone();
        t.run(&mut plan, "specialize-collect");
        assert_eq!(
            order(&plan).iter().filter(|n| n.ends_with(" Sort")).count(),
            2
        );
    }

    #[test]
    fn method_option_picks_one_plan() {
        for (method, expected) in [("hash", "hash"), ("sorted", "sorted")] {
            let t = TestPlan::single(&format!(
                "FOR d IN c COLLECT g = d.g OPTIONS {{ method: '{method}' }} RETURN g"
            ));
            let mut plan = t.plan.clone();
            assert_eq!(t.run(&mut plan, "specialize-collect"), Outcome::Changed);
            let m = kinds(&plan).into_iter().find_map(|k| match k {
                crate::plan::NodeKind::Collect(c) => Some(c.method),
                _ => None,
            });
            let want = if expected == "hash" {
                crate::plan::CollectMethod::Hash
            } else {
                crate::plan::CollectMethod::Sorted
            };
            assert_eq!(m, Some(want));
        }
    }

    #[test]
    fn counting_needs_no_alternative() {
        let t = TestPlan::single("FOR d IN c COLLECT WITH COUNT INTO n RETURN n");
        assert!(t.apply("specialize-collect").1);
    }
}
