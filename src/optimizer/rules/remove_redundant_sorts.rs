//! `remove-redundant-sorts` (and `-2`): drops constant sort keys (a SORT
//! with only constant keys, e.g. `SORT null`, disappears), and removes an
//! earlier SORT that a later one makes pointless (same keys, or a prefix
//! of them), when only filters and calculations lie between.

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{NodeKind, Plan};

pub struct RemoveRedundantSorts;

impl Rule for RemoveRedundantSorts {
    fn apply(&self, plan: &mut Plan, _cx: &Context) -> Outcome {
        let mut changed = false;
        for s in plan.find(|k| matches!(k, NodeKind::Sort { .. })) {
            if !plan.contains(s) {
                continue;
            }
            let NodeKind::Sort { elements, .. } = plan.kind(s) else {
                continue;
            };
            let kept: Vec<_> = elements
                .iter()
                .filter(|e| {
                    !plan
                        .setter_above(s, e.var)
                        .is_some_and(|c| matches!(plan.kind(c), NodeKind::Calculation { expr, .. } if expr.is_constant()))
                })
                .cloned()
                .collect();
            if kept.is_empty() {
                plan.remove(s);
                changed = true;
                continue;
            }
            let dropped_keys = matches!(plan.kind(s), NodeKind::Sort { elements, .. } if elements.len() != kept.len());
            if dropped_keys {
                if let NodeKind::Sort { elements, .. } = plan.kind_mut(s) {
                    *elements = kept.clone();
                }
            }
            let mut cur = plan.dependency(s);
            while let Some(c) = cur {
                match plan.kind(c) {
                    NodeKind::Filter { .. } | NodeKind::Calculation { .. } => {}
                    NodeKind::Sort {
                        elements: earlier, ..
                    } => {
                        let covered = earlier.len() <= kept.len()
                            && earlier
                                .iter()
                                .zip(&kept)
                                .all(|(a, b)| a.var == b.var && a.ascending == b.ascending);
                        if covered {
                            plan.remove(c);
                            changed = true;
                        }
                        break;
                    }
                    _ => break,
                }
                cur = plan.dependency(c);
            }
        }
        Outcome::changed_if(changed)
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;

    #[test]
    fn sort_null_disappears() {
        let t = TestPlan::single("FOR d IN c SORT null RETURN d");
        let (order, changed) = t.apply("remove-redundant-sorts");
        assert!(changed);
        assert!(!order.iter().any(|n| n.ends_with("Sort")));
    }

    #[test]
    fn an_earlier_identical_sort_is_removed() {
        let t = TestPlan::single("FOR d IN c LET k = d.k SORT k SORT k RETURN d");
        let (order, changed) = t.apply("remove-redundant-sorts");
        assert!(changed);
        assert_eq!(order.iter().filter(|n| n.ends_with("Sort")).count(), 1);
    }

    #[test]
    fn different_sorts_stay() {
        assert!(
            !TestPlan::single("FOR d IN c SORT d.a RETURN d")
                .apply("remove-redundant-sorts")
                .1
        );
    }
}
