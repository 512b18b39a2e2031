//! `optimize-cluster-single-document-operations`: a query that reads or
//! writes one document by a constant `_key` is done by the Coordinator
//! itself, as one SingleRemoteOperationNode, with no AQL on the
//! DB-Servers. Two forms, tried in this order:
//!
//! * **index form** — the query's only IndexNode looks `_key` up in the
//!   primary index (`FILTER d._key == "k"`), has only constant
//!   calculations above it, and is followed either by nothing but
//!   calculations and a RETURN (a document read), or directly by a
//!   REMOVE/UPDATE/REPLACE of that document in the same collection
//!   (then the IndexNode goes too);
//! * **no-index form** — the query's only modification has only constant
//!   calculations above it, nothing but calculations and a RETURN after
//!   it, and a constant key (`REMOVE "k" IN c`, `UPDATE { _key: "k" } …`;
//!   not with `_rev`, not an array of documents). INSERT needs no key.
//!
//! Not with `OPTIONS { exclusive: true }`. Once applied, the remaining
//! cluster rules do not run for the plan.

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::expr::ObjectMember;
use crate::plan::{
    Expr, IndexRef, Modification, ModificationKind, NodeKind, NodeRef, Plan, SingleRemote,
    SingleRemoteMode, VarId,
};
use crate::syntax::BinaryOp;
use crate::value::Value;

use super::optimize_cluster_multiple_document_operations::only_constants_above;

pub struct OptimizeClusterSingleDocumentOperations;

impl Rule for OptimizeClusterSingleDocumentOperations {
    fn apply(&self, plan: &mut Plan, _cx: &Context) -> Outcome {
        if index_form(plan) || no_index_form(plan) {
            plan.cluster_rules_off = true;
            Outcome::Changed
        } else {
            Outcome::Unchanged
        }
    }
}

/// The nodes of the main query (not subqueries) matching `pred`.
fn main_nodes(plan: &Plan, pred: impl Fn(&NodeKind) -> bool) -> Vec<NodeRef> {
    plan.find(pred)
        .into_iter()
        .filter(|&n| !plan.in_subquery(n))
        .collect()
}

/// Whether only calculations and a RETURN follow `n`.
fn only_results_after(plan: &Plan, n: NodeRef) -> bool {
    let mut cur = plan.parent(n);
    while let Some(c) = cur {
        if !matches!(
            plan.kind(c),
            NodeKind::Calculation { .. } | NodeKind::Return { .. }
        ) {
            return false;
        }
        cur = plan.parent(c);
    }
    true
}

fn exclusive(m: &Modification) -> bool {
    matches!(&m.options, Value::Object(members)
        if members.iter().any(|(k, v)| k == "exclusive" && matches!(v, Value::Bool(true))))
}

fn index_form(plan: &mut Plan) -> bool {
    let indexes = main_nodes(plan, |k| matches!(k, NodeKind::Index(_)));
    let [index] = indexes[..] else {
        return false;
    };
    let NodeKind::Index(scan) = plan.kind(index) else {
        return false;
    };
    if scan.indexes != [IndexRef::Primary] || !only_constants_above(plan, index) {
        return false;
    }
    let Some(key) = scan.condition.as_ref().and_then(first_key) else {
        return false;
    };
    let (collection, out) = (scan.collection.clone(), scan.out);
    let parent = plan.parent(index);
    let modification = parent.and_then(|p| match plan.kind(p) {
        NodeKind::Modification(m) if m.kind != ModificationKind::Upsert => Some((p, m.clone())),
        _ => None,
    });
    let Some((at, m)) = modification else {
        if !only_results_after(plan, index) {
            return false;
        }
        let node = plan.create(NodeKind::SingleRemote(SingleRemote {
            mode: SingleRemoteMode::Index,
            collection,
            key: Some(key),
            input: None,
            out: Some(out),
            out_old: None,
            out_new: None,
            replace_index_node: true,
        }));
        plan.replace_node(index, node);
        return true;
    };
    if !only_results_after(plan, at)
        || m.collection != collection
        || exclusive(&m)
        || m.kind == ModificationKind::Insert
    {
        return false;
    }
    let (key_var, mut update) = match m.kind {
        ModificationKind::Remove => (Some(m.input), None),
        _ => (m.key, Some(m.input)),
    };
    match key_var {
        Some(k) if k != out => return false,
        Some(_) => {}
        // `UPDATE d IN c`: the document is the looked-up one.
        None if update == Some(out) => update = None,
        None => return false,
    }
    let node = plan.create(NodeKind::SingleRemote(SingleRemote {
        mode: SingleRemoteMode::Modify(m.kind),
        collection,
        key: Some(key),
        input: update,
        out: Some(out),
        out_old: m.out_old,
        out_new: m.out_new,
        replace_index_node: true,
    }));
    plan.replace_node(at, node);
    plan.remove(index);
    true
}

/// The first string compared for equality in an index condition
/// (`d._key == "k"`), looking through the n-ary AND/OR.
fn first_key(condition: &Expr) -> Option<String> {
    let mut compares = Vec::new();
    collect_equalities(condition, &mut compares);
    compares.into_iter().find_map(|(lhs, rhs)| {
        let side = match lhs {
            Expr::Attribute(_, name) if name == "_key" => rhs,
            _ => lhs,
        };
        match side {
            Expr::Value(Value::String(s)) => Some(s.clone()),
            _ => None,
        }
    })
}

fn collect_equalities<'a>(e: &'a Expr, out: &mut Vec<(&'a Expr, &'a Expr)>) {
    match e {
        Expr::Binary(BinaryOp::Eq, lhs, rhs) => out.push((lhs, rhs)),
        Expr::Nary(_, parts) => parts.iter().for_each(|p| collect_equalities(p, out)),
        _ => {}
    }
}

fn no_index_form(plan: &mut Plan) -> bool {
    let modifications = main_nodes(
        plan,
        |k| matches!(k, NodeKind::Modification(m) if m.kind != ModificationKind::Upsert),
    );
    let [at] = modifications[..] else {
        return false;
    };
    let NodeKind::Modification(m) = plan.kind(at).clone() else {
        return false;
    };
    if !only_constants_above(plan, at) || !only_results_after(plan, at) || exclusive(&m) {
        return false;
    }
    let (key_var, update) = match m.kind {
        ModificationKind::Remove => (Some(m.input), None),
        ModificationKind::Insert => (None, Some(m.input)),
        _ => (m.key, Some(m.input)),
    };
    if [key_var, update]
        .into_iter()
        .flatten()
        .any(|v| is_array_input(plan, v))
    {
        return false;
    }
    let mut key = None;
    let mut key_calc = None;
    if let Some(k) = key_var {
        let Some(calc) = calculation_above(plan, at, k) else {
            return false;
        };
        let NodeKind::Calculation { expr, .. } = plan.kind(calc) else {
            return false;
        };
        match constant_key(expr) {
            Some(k) if !k.is_empty() => key = Some(k),
            _ => return false,
        }
        key_calc = Some(calc);
    }
    let node = plan.create(NodeKind::SingleRemote(SingleRemote {
        mode: SingleRemoteMode::Modify(m.kind),
        collection: m.collection.clone(),
        key,
        input: update,
        out: None,
        out_old: m.out_old,
        out_new: m.out_new,
        replace_index_node: false,
    }));
    plan.replace_node(at, node);
    if let Some(calc) = key_calc {
        let out = plan.kind(calc).variables_set();
        if !out.iter().any(|&v| plan.is_used_after(calc, v)) {
            plan.remove(calc);
        }
    }
    true
}

/// The calculation setting `var` among the calculations directly above
/// `n`.
fn calculation_above(plan: &Plan, n: NodeRef, var: VarId) -> Option<NodeRef> {
    let mut cur = plan.dependency(n);
    while let Some(c) = cur {
        match plan.kind(c) {
            NodeKind::Calculation { out, .. } if *out == var => return Some(c),
            NodeKind::Calculation { .. } => cur = plan.dependency(c),
            _ => return None,
        }
    }
    None
}

fn is_array_input(plan: &Plan, var: VarId) -> bool {
    plan.setter(var).is_some_and(|s| {
        matches!(plan.kind(s), NodeKind::Calculation { expr, .. }
            if matches!(expr, Expr::Array(_) | Expr::Value(Value::Array(_))))
    })
}

/// The key a constant key expression names: a string, or the `_key` of an
/// object (`Some("")` when `_key` is not a string; None without `_key` or
/// with `_rev`).
fn constant_key(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Value(Value::String(s)) => Some(s.clone()),
        Expr::Object(members) => {
            let mut key = None;
            for member in members {
                let ObjectMember::Element(name, value) = member else {
                    continue;
                };
                match name.as_str() {
                    "_key" => {
                        key = Some(match value {
                            Expr::Value(Value::String(s)) => s.clone(),
                            _ => String::new(),
                        })
                    }
                    "_rev" => return None,
                    _ => {}
                }
            }
            key
        }
        Expr::Value(Value::Object(members)) => {
            if members.iter().any(|(k, _)| k == "_rev") {
                return None;
            }
            members
                .iter()
                .find(|(k, _)| k == "_key")
                .map(|(_, v)| match v {
                    Value::String(s) => s.clone(),
                    _ => String::new(),
                })
        }
        _ => Some(String::new()),
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::plan::{NodeKind, SingleRemoteMode};

    fn single(query: &str, rules: &[&str]) -> TestPlan {
        let mut t = TestPlan::cluster(query);
        t.run_all(rules);
        t
    }

    fn remote(t: &TestPlan) -> Option<crate::plan::SingleRemote> {
        kinds(&t.plan).into_iter().find_map(|k| match k {
            NodeKind::SingleRemote(r) => Some(r.clone()),
            _ => None,
        })
    }

    const RULES: [&str; 5] = [
        "move-calculations-up",
        "use-indexes",
        "remove-filter-covered-by-index",
        "remove-unnecessary-calculations",
        "optimize-cluster-single-document-operations",
    ];

    #[test]
    fn a_document_read_by_key() {
        let t = single("FOR d IN c FILTER d._key == 'k' RETURN d", &RULES);
        let r = remote(&t).expect("a single remote operation");
        assert_eq!(r.mode, SingleRemoteMode::Index);
        assert_eq!(r.key.as_deref(), Some("k"));
        assert!(t.plan.cluster_rules_off);
    }

    #[test]
    fn update_of_a_looked_up_document_replaces_both_nodes() {
        let t = single(
            "FOR d IN c FILTER d._key == 'k' UPDATE d WITH { a: 1 } IN c",
            &RULES,
        );
        let r = remote(&t).expect("a single remote operation");
        assert!(r.replace_index_node);
        assert!(!t.order().iter().any(|n| n.ends_with(" Index")));
    }

    #[test]
    fn remove_by_constant_key() {
        let t = single("REMOVE 'k' IN c", &RULES);
        let r = remote(&t).expect("a single remote operation");
        assert_eq!(r.key.as_deref(), Some("k"));
        // The key calculation is gone.
        assert_eq!(t.order(), ["1 Singleton", "4 SingleRemoteOperation"]);
    }

    #[test]
    fn update_with_rev_or_computed_key_is_left_alone() {
        let t = single("UPDATE { _key: 'k', _rev: 'r' } WITH { a: 1 } IN c", &RULES);
        assert!(remote(&t).is_none());
        let t = single("FOR i IN 1..2 REMOVE CONCAT('k', i) IN c", &RULES);
        assert!(remote(&t).is_none());
    }

    #[test]
    fn another_collection_is_left_alone() {
        let t = single("FOR d IN c FILTER d._key == 'k' REMOVE d IN one", &RULES);
        assert!(remote(&t).is_none());
    }
}
