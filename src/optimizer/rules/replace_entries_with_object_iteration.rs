//! `replace-entries-with-object-iteration` (3.12.3): a loop over
//! `ENTRIES(obj)` whose element is only taken apart into `[0]` and `[1]`
//! (what `FOR [key, value] IN ENTRIES(obj)` plans to) iterates the object
//! directly instead of building the array of pairs.
//!
//! ```text
//! before: LET #7 = ENTRIES(doc)  FOR #4 IN #7  LET key = #4[0]  LET value = #4[1]
//! after:  LET #7 = doc           FOR [key, value] OF #7
//! ```
//! The ENTRIES calculation is replaced by a new node (a new id) computing
//! the object; `remove-unnecessary-calculations` later reads the object
//! variable directly. Does not fire when the element is used in any other
//! way, or when either part is missing or taken twice.

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::expr::Expr;
use crate::plan::{NodeKind, NodeRef, Plan, VarId};
use crate::value::Value;

pub struct ReplaceEntriesWithObjectIteration;

impl Rule for ReplaceEntriesWithObjectIteration {
    fn apply(&self, plan: &mut Plan, _cx: &Context) -> Outcome {
        let mut changed = false;
        let lists = plan.find(|k| matches!(k, NodeKind::EnumerateList { value: None, .. }));
        if lists.is_empty() {
            return Outcome::Unchanged;
        }
        // Looked up once: asking per list would scan the plan per list.
        let mut entries = entries_calculations(plan);
        for list in lists {
            let NodeKind::EnumerateList { input, out, .. } = plan.kind(list) else {
                continue;
            };
            let (input, element) = (*input, *out);
            let Some((entries_calc, object)) = entries_calculation(plan, &entries, input) else {
                continue;
            };
            let Some([key, value]) = key_and_value(plan, element) else {
                continue;
            };
            let (key_var, value_var) = (out_of(plan, key), out_of(plan, value));
            if let NodeKind::EnumerateList { out, value, .. } = plan.kind_mut(list) {
                *out = key_var;
                *value = Some(value_var);
            }
            plan.remove(key);
            plan.remove(value);
            let object_calc = plan.create(NodeKind::Calculation {
                out: input,
                expr: object,
            });
            plan.replace_node(entries_calc, object_calc);
            // `ENTRIES(ENTRIES(x))`: the new calculation is one too.
            if entries_of(plan, object_calc, input).is_some() {
                entries.push(object_calc);
            }
            changed = true;
        }
        Outcome::changed_if(changed)
    }
}

/// Whether `n` is a calculation `var = ENTRIES(x)`; then `x`.
fn entries_of(plan: &Plan, n: NodeRef, var: VarId) -> Option<&Expr> {
    match plan.kind(n) {
        NodeKind::Calculation {
            out,
            expr: Expr::Call { function, args, .. },
        } if *out == var && function.name == "ENTRIES" && args.len() == 1 => Some(&args[0]),
        _ => None,
    }
}

/// The calculations `… = ENTRIES(x)` of the plan, in pre-order.
fn entries_calculations(plan: &Plan) -> Vec<NodeRef> {
    plan.find(|k| {
        matches!(k, NodeKind::Calculation {
            expr: Expr::Call { function, args, .. },
            ..
        } if function.name == "ENTRIES" && args.len() == 1)
    })
}

/// The calculation `var = ENTRIES(x)` (one of `entries` still in the
/// plan; a variable has one setter) and its argument `x`.
fn entries_calculation(plan: &Plan, entries: &[NodeRef], var: VarId) -> Option<(NodeRef, Expr)> {
    entries
        .iter()
        .filter(|&&n| plan.contains(n))
        .find_map(|&n| entries_of(plan, n, var).map(|x| (n, x.clone())))
}

/// The calculations `k = element[0]` and `v = element[1]`, when they are
/// the only readers of `element` and each exists exactly once.
fn key_and_value(plan: &Plan, element: VarId) -> Option<[NodeRef; 2]> {
    let mut parts: [Option<NodeRef>; 2] = [None, None];
    for &n in plan.preorder_nodes() {
        if !plan.kind(n).uses_variable(element) {
            continue;
        }
        let NodeKind::Calculation {
            expr: Expr::Indexed(object, index),
            ..
        } = plan.kind(n)
        else {
            return None;
        };
        let slot = match (object.as_ref(), index.as_value()) {
            (Expr::Reference(v), Some(Value::Int(i))) if *v == element => {
                parts.get_mut(usize::try_from(*i).ok()?)?
            }
            _ => return None,
        };
        if slot.replace(n).is_some() {
            return None;
        }
    }
    Some([parts[0]?, parts[1]?])
}

fn out_of(plan: &Plan, calculation: NodeRef) -> VarId {
    plan.kind(calculation).variables_set()[0]
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::plan::NodeKind;

    const QUERY: &str = "FOR doc IN [{ a: 1 }] FOR [k, v] IN ENTRIES(doc) RETURN CONCAT(k, v)";

    #[test]
    fn destructured_entries_become_an_object_iteration() {
        let t = TestPlan::single(QUERY);
        let mut plan = t.plan.clone();
        assert_eq!(
            t.run(&mut plan, "replace-entries-with-object-iteration"),
            crate::optimizer::Outcome::Changed
        );
        let lists: Vec<_> = kinds(&plan)
            .into_iter()
            .filter(|k| matches!(k, NodeKind::EnumerateList { value: Some(_), .. }))
            .collect();
        assert_eq!(lists.len(), 1);
        // the pair calculations are gone; ENTRIES is replaced by a new node
        let order = order(&plan);
        assert!(!order
            .iter()
            .any(|n| n.starts_with("6 ") || n.starts_with("7 ")));
        assert!(order.iter().any(|n| n == "10 Calculation"), "{order:?}");
    }

    #[test]
    fn the_object_iteration_sets_both_key_and_value() {
        let t = TestPlan::single(QUERY);
        let mut plan = t.plan.clone();
        t.run(&mut plan, "replace-entries-with-object-iteration");
        let list = plan
            .find(|k| matches!(k, NodeKind::EnumerateList { value: Some(_), .. }))
            .into_iter()
            .next()
            .expect("object iteration");
        let NodeKind::EnumerateList {
            out,
            value: Some(value),
            ..
        } = *plan.kind(list)
        else {
            unreachable!("found as an object iteration");
        };
        assert_eq!(plan.kind(list).variables_set(), vec![out, value]);
        assert!(plan.kind(list).sets_variable(value));
        assert_eq!(plan.setter(value), Some(list));
    }

    #[test]
    fn an_element_used_whole_stays_a_list_iteration() {
        let t = TestPlan::single(
            "FOR doc IN [{ a: 1 }] FOR e IN ENTRIES(doc) LET k = e[0] LET v = e[1] RETURN [k, v, e]",
        );
        assert!(!t.apply("replace-entries-with-object-iteration").1);
    }

    #[test]
    fn other_functions_are_left_alone() {
        let t = TestPlan::single("FOR doc IN [{ a: 1 }] FOR [k, v] IN VALUES(doc) RETURN [k, v]");
        assert!(!t.apply("replace-entries-with-object-iteration").1);
    }
}
