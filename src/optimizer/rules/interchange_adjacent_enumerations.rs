//! `interchange-adjacent-enumerations`: for directly nested FOR loops
//! (collection scans and list iterations that do not read each other's
//! variables), makes one alternative plan per other loop order. Every
//! alternative goes through the remaining rules; the cheapest plan wins,
//! and on equal costs an alternative wins over this (unchanged) plan.
//!
//! ```text
//! this plan:    FOR a IN x  FOR b IN y  …      (handed on unchanged)
//! alternative:  FOR b IN y  FOR a IN x  …      (same node ids)
//! ```
//!
//! Runs are taken bottom-up (pre-order from the root). A run stops at a
//! loop whose variables an inner loop reads, at two list iterations in a
//! row, and — as ArangoDB does to save plans — where a list iteration is
//! followed by a collection scan whose FILTERs read the list's variable.
//! Does not fire for a single loop. With this plan, at most
//! `maxNumberOfPlans` plans exist afterwards (128 unless the query says).

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{NodeKind, NodeRef, Plan, VarId};

pub struct InterchangeAdjacentEnumerations;

impl Rule for InterchangeAdjacentEnumerations {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let runs = adjacent_runs(plan);
        if runs.is_empty() {
            return Outcome::Unchanged;
        }
        let mut permutation: Vec<Vec<usize>> =
            runs.iter().map(|r| (0..r.len()).collect()).collect();
        let mut variants = Vec::new();
        while variants.len() + 1 < cx.max_plans && next_permutation_tuple(&mut permutation) {
            let mut variant = plan.clone();
            for (run, order) in runs.iter().zip(&permutation) {
                reorder(&mut variant, run, order);
            }
            variants.push(variant);
        }
        Outcome::Variants(variants)
    }
}

fn is_enumeration(kind: &NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::EnumerateCollection(_) | NodeKind::EnumerateList { .. }
    )
}

/// Maximal runs of directly nested, independent loops, each listed from
/// the innermost (bottom) loop upwards.
fn adjacent_runs(plan: &Plan) -> Vec<Vec<NodeRef>> {
    let candidates = plan.find(is_enumeration);
    let mut taken: Vec<NodeRef> = Vec::new();
    let mut runs = Vec::new();
    for &first in &candidates {
        if taken.contains(&first) {
            continue;
        }
        taken.push(first);
        let mut run = vec![first];
        let mut inputs: Vec<VarId> = Vec::new();
        let mut walker = first;
        while let Some(dep) = plan.dependency(walker) {
            if !is_enumeration(plan.kind(dep)) {
                break;
            }
            let is_list = |n: NodeRef| matches!(plan.kind(n), NodeKind::EnumerateList { .. });
            if is_list(first) && is_list(dep) {
                break;
            }
            let set = plan.kind(dep).variables_set();
            if is_list(dep)
                && matches!(plan.kind(walker), NodeKind::EnumerateCollection(_))
                && filters_read(plan, walker, &set)
            {
                break;
            }
            inputs.extend(plan.kind(walker).variables_used());
            if set.iter().any(|v| inputs.contains(v)) {
                break;
            }
            walker = dep;
            run.push(dep);
            taken.push(dep);
        }
        if run.len() > 1 {
            runs.push(run);
        }
    }
    runs
}

/// Whether a FILTER directly below `n` (past calculations and filters
/// only) reads one of `vars`.
fn filters_read(plan: &Plan, n: NodeRef, vars: &[VarId]) -> bool {
    let mut calculations: Vec<(VarId, NodeRef)> = Vec::new();
    let mut cur = plan.parent(n);
    while let Some(c) = cur {
        match plan.kind(c) {
            NodeKind::Calculation { out, .. } => calculations.push((*out, c)),
            NodeKind::Filter { input } => {
                let Some(&(_, calc)) = calculations.iter().find(|(v, _)| v == input) else {
                    return false;
                };
                if plan
                    .kind(calc)
                    .variables_used()
                    .iter()
                    .any(|v| vars.contains(v))
                {
                    return true;
                }
            }
            _ => return false,
        }
        cur = plan.parent(c);
    }
    false
}

/// Puts the loops of `run` (bottom first) back in `order`: `order[0]`
/// becomes the innermost loop.
fn reorder(plan: &mut Plan, run: &[NodeRef], order: &[usize]) {
    let Some(parent) = plan.parent(run[0]) else {
        return;
    };
    for &n in run {
        plan.unlink(n);
    }
    for &i in order.iter().rev() {
        plan.insert_above(parent, run[i]);
    }
}

/// Advances the tuple of permutations to the next one in lexicographic
/// order (the last permutation varies fastest); false after the last.
fn next_permutation_tuple(tuple: &mut [Vec<usize>]) -> bool {
    tuple.iter_mut().rev().any(|p| next_permutation(p))
}

/// `std::next_permutation`: false (and back to sorted) after the last.
fn next_permutation(p: &mut [usize]) -> bool {
    let Some(i) = (1..p.len()).rev().find(|&i| p[i - 1] < p[i]) else {
        p.reverse();
        return false;
    };
    let j = (i..p.len()).rev().find(|&j| p[j] > p[i - 1]).unwrap_or(i);
    p.swap(i - 1, j);
    p[i..].reverse();
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::rules::testing::*;

    fn variants(query: &str) -> Vec<Vec<String>> {
        let t = TestPlan::cluster(query);
        let mut plan = t.plan.clone();
        match t.run(&mut plan, "interchange-adjacent-enumerations") {
            Outcome::Variants(v) => v.iter().map(order).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn two_loops_give_one_swapped_variant() {
        let v = variants("FOR a IN c FOR b IN one RETURN [a, b]");
        assert_eq!(v.len(), 1);
        assert_eq!(
            v[0][..3],
            [
                "1 Singleton",
                "3 EnumerateCollection",
                "2 EnumerateCollection"
            ]
        );
    }

    #[test]
    fn three_loops_give_five_variants() {
        assert_eq!(
            variants("FOR a IN c FOR b IN one FOR x IN sat RETURN [a, b, x]").len(),
            5
        );
    }

    #[test]
    fn a_list_over_the_outer_variable_stays_inside() {
        assert!(variants("FOR a IN c FOR b IN a RETURN b").is_empty());
    }

    #[test]
    fn a_single_loop_is_left_alone() {
        let t = TestPlan::cluster("FOR a IN c RETURN a");
        let mut plan = t.plan.clone();
        assert_eq!(
            t.run(&mut plan, "interchange-adjacent-enumerations"),
            Outcome::Unchanged
        );
    }

    #[test]
    fn permutations_run_in_lexicographic_order() {
        let mut p = vec![0, 1, 2];
        let mut seen = vec![p.clone()];
        while next_permutation(&mut p) {
            seen.push(p.clone());
        }
        assert_eq!(seen.len(), 6);
        assert_eq!(seen[1], [0, 2, 1]);
        assert_eq!(p, [0, 1, 2]);
    }
}
