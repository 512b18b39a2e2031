//! `use-indexes`: replaces a full collection scan whose rows are filtered
//! by conditions an index can answer with an IndexNode (a new node id) on
//! the cheapest such index. The index condition holds the parts the index
//! answers; the FILTERs stay until `remove-filter-covered-by-index`.
//!
//! ```text
//! before: FOR doc IN c  LET #1 = doc.a < 23  FILTER #1
//! after:  FOR doc IN c /* persistent index scan */  LET #1 = …  FILTER #1
//! ```
//! A condition that is an OR uses one index per branch when every branch
//! can use one (`FILTER d.a < 5 OR d.b == 1` with indexes on `a` and `b`).
//!
//! When no index answers the filters (or there are none), a SORT below
//! the scan on attributes a sorted, non-sparse index delivers in order (at
//! least its first field) turns the scan into a full index scan (empty
//! condition, the filters stay);
//! `use-index-for-sort` then removes or groups the sort.
//!
//! Does not fire without a usable condition (e.g. `doc.a % 2 == 0`) or
//! sort, for sparse indexes not fully covered, or for hash indexes without
//! equality on every field.

use crate::optimizer::index_selection::{
    conjuncts, filter_costs, indexes_of, sort_weight, sorted_in_values, usable_parts, FilterCosts,
    IndexView,
};
use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::expr::{Expr, Logic};
use crate::plan::{CollectionScan, IndexRef, IndexScan, NodeKind, NodeRef, Plan, VarId};
use crate::syntax::BinaryOp;

pub struct UseIndexes;

impl Rule for UseIndexes {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let mut changed = false;
        for n in plan.find(|k| matches!(k, NodeKind::EnumerateCollection(_))) {
            let NodeKind::EnumerateCollection(scan) = plan.kind(n) else {
                continue;
            };
            if scan.random {
                continue;
            }
            let Some(collection) = cx.catalog.collection(&scan.collection) else {
                continue;
            };
            let parts = usable_parts(plan, n, scan.out);
            let all = indexes_of(collection);
            // One index for the whole condition, else one per OR branch
            // (each branch must be answerable by some index).
            let chosen = best_branch(&all, &parts, scan.out, collection.count, cx.compat)
                .map(|b| vec![b])
                .or_else(|| {
                    or_branches(&parts)?
                        .iter()
                        .map(|b| best_branch(&all, b, scan.out, collection.count, cx.compat))
                        .collect::<Option<Vec<_>>>()
                });
            let Some(chosen) = chosen else {
                // No index for the filters: perhaps one for the sort alone
                // (the filters stay as they are).
                let Some((reference, ascending)) =
                    sort_index(plan, n, scan.out, &all, collection.count)
                else {
                    continue;
                };
                let index_scan = full_index_scan(scan, reference, ascending);
                let node = plan.create(NodeKind::Index(index_scan));
                plan.replace_node(n, node);
                changed = true;
                continue;
            };
            let (indexes, branches): (Vec<IndexRef>, Vec<Expr>) = chosen.into_iter().unzip();
            let index_scan = IndexScan {
                collection: scan.collection.clone(),
                out: scan.out,
                indexes,
                condition: Some(Expr::Nary(Logic::Or, branches)),
                all_covered_by_one_index: false,
                ascending: true,
                needs_gather_sort: false,
                filter: None,
                projections: Vec::new(),
                projection_vars: Vec::new(),
                covers_projections: false,
                produces_result: true,
                restricted_to: None,
                limit: 0,
                late_doc_id: None,
            };
            let node = plan.create(NodeKind::Index(index_scan));
            plan.replace_node(n, node);
            changed = true;
        }
        Outcome::changed_if(changed)
    }
}

/// The cheapest sorted index answering some of the AND-ed `parts`, and
/// the index condition: the answered parts in index-field order.
fn best_branch(
    all: &[IndexView],
    parts: &[Expr],
    var: VarId,
    count: u64,
    compat: crate::compat::Version,
) -> Option<(IndexRef, Expr)> {
    let mut best: Option<(usize, FilterCosts)> = None;
    for (i, view) in all.iter().enumerate() {
        if !view.is_sorted() {
            continue;
        }
        let costs = filter_costs(view, all, parts, var, count, compat);
        if costs.supported && best.as_ref().is_none_or(|(_, b)| costs.cost < b.cost) {
            best = Some((i, costs));
        }
    }
    let (i, costs) = best?;
    let view = &all[i];
    let mut covered: Vec<Expr> = costs
        .covered_parts
        .iter()
        .map(|&p| parts[p].clone())
        .collect();
    covered.sort_by_key(|p| {
        let field = crate::optimizer::index_selection::attribute_access(p, var)
            .map(|(path, _, _)| path.join("."))
            .and_then(|f| view.fields.iter().position(|x| *x == f))
            .unwrap_or(usize::MAX);
        (field, sort_weight(p))
    });
    covered.dedup();
    let covered = covered.into_iter().map(sorted_in_values).collect();
    Some((view.reference, Expr::Nary(Logic::And, covered)))
}

/// A condition that is one OR: the AND-ed parts of each of its branches.
fn or_branches(parts: &[Expr]) -> Option<Vec<Vec<Expr>>> {
    let [Expr::Binary(BinaryOp::Or, ..)] = parts else {
        return None;
    };
    let mut branches = Vec::new();
    let mut stack = vec![&parts[0]];
    while let Some(e) = stack.pop() {
        match e {
            Expr::Binary(BinaryOp::Or, l, r) => {
                stack.push(r);
                stack.push(l);
            }
            other => branches.push(conjuncts(other)),
        }
    }
    Some(branches)
}

/// A full scan of `index` in sort order: no condition, no projections yet.
fn full_index_scan(scan: &CollectionScan, index: IndexRef, ascending: bool) -> IndexScan {
    IndexScan {
        collection: scan.collection.clone(),
        out: scan.out,
        indexes: vec![index],
        condition: None,
        all_covered_by_one_index: false,
        ascending,
        needs_gather_sort: false,
        filter: None,
        projections: Vec::new(),
        projection_vars: Vec::new(),
        covers_projections: false,
        produces_result: true,
        restricted_to: None,
        limit: 0,
        late_doc_id: None,
    }
}

/// The cheapest sorted, non-sparse index that delivers the SORT below
/// enumeration `n` in order (ArangoDB's sort-only index choice), with the
/// scan direction. The SORT considered is the last one before anything
/// that ends the loop's rows (LIMIT, COLLECT, a data modification).
fn sort_index(
    plan: &Plan,
    n: NodeRef,
    var: VarId,
    all: &[IndexView],
    count: u64,
) -> Option<(IndexRef, bool)> {
    if plan.in_inner_loop(n) {
        return None;
    }
    let mut sort = None;
    let mut cur = plan.parent(n);
    while let Some(c) = cur {
        match plan.kind(c) {
            NodeKind::Sort { .. } => sort = Some(c),
            NodeKind::Calculation { .. } | NodeKind::Filter { .. } => {}
            _ => break,
        }
        cur = plan.parent(c);
    }
    let NodeKind::Sort { elements, .. } = plan.kind(sort?) else {
        return None;
    };
    let ascending = elements.first()?.ascending;
    if elements.iter().any(|e| e.ascending != ascending) {
        return None;
    }
    // Every sort key must be an attribute of some variable.
    let mut paths = Vec::with_capacity(elements.len());
    for e in elements {
        let setter = plan.setter_above(sort?, e.var)?;
        let NodeKind::Calculation { expr, .. } = plan.kind(setter) else {
            return None;
        };
        let (v, path) = expr.attribute_path()?;
        paths.push((v == var).then(|| path.join(".")));
    }
    let mut best: Option<(IndexRef, f64)> = None;
    for view in all {
        if !view.is_sorted() || view.sparse {
            continue;
        }
        let covered = view
            .fields
            .iter()
            .zip(&paths)
            .take_while(|(f, p)| p.as_deref() == Some(**f))
            .count();
        if covered == 0 {
            continue;
        }
        let items = count as f64;
        let mut cost = if covered >= paths.len() {
            items * 0.001
        } else {
            (items / covered as f64).floor() * items.log2()
        };
        if view.kind != "primary" && !ascending {
            cost *= 4.0;
        }
        if best.is_none_or(|(_, b)| cost < b) {
            best = Some((view.reference, cost));
        }
    }
    best.map(|(r, _)| (r, ascending))
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;

    const INDEXED: &str = r#"{"role": "single", "collections": [{"name": "c", "count": 1000, "indexes": [
        {"type": "persistent", "fields": ["a", "b"], "name": "ab"},
        {"type": "persistent", "fields": ["x"], "name": "x", "sparse": true}]}]}"#;

    fn plan(query: &str) -> (Vec<String>, bool) {
        TestPlan::new(INDEXED, query, crate::compat::Version::NEWEST).apply("use-indexes")
    }

    #[test]
    fn equality_on_the_first_field_uses_the_index() {
        let (order, changed) = plan("FOR d IN c FILTER d.a == 1 RETURN d");
        assert!(changed);
        assert_eq!(order[1], "6 Index");
    }

    #[test]
    fn a_condition_on_the_second_field_alone_cannot() {
        assert!(!plan("FOR d IN c FILTER d.b == 1 RETURN d").1);
    }

    #[test]
    fn computed_conditions_cannot() {
        assert!(!plan("FOR d IN c FILTER d.a % 2 == 0 RETURN d").1);
    }

    #[test]
    fn a_sort_on_index_fields_alone_uses_a_full_index_scan() {
        let (order, changed) = plan("FOR d IN c SORT d.a, d.b RETURN d");
        assert!(changed);
        assert_eq!(order[1], "7 Index");
    }

    #[test]
    fn an_unindexable_filter_leaves_the_index_to_the_sort() {
        let (order, changed) = plan("FOR d IN c FILTER d.z % 2 == 0 SORT d.a RETURN d");
        assert!(changed);
        assert!(order.iter().any(|n| n.ends_with(" Index")));
    }

    #[test]
    fn a_sort_not_starting_at_the_first_field_does_not() {
        assert!(!plan("FOR d IN c SORT d.b RETURN d").1);
    }

    #[test]
    fn a_sparse_index_cannot_serve_a_sort_alone() {
        assert!(!plan("FOR d IN c SORT d.x RETURN d").1);
    }

    #[test]
    fn a_sort_after_a_limit_is_not_considered() {
        assert!(!plan("FOR d IN c LIMIT 3 SORT d.a RETURN d").1);
    }

    #[test]
    fn a_hash_index_answers_ranges_like_a_persistent_one() {
        // RocksDB's hash index is a sorted (persistent) index.
        let catalog = r#"{"role": "single", "collections": [{"name": "c", "count": 100000,
            "indexes": [{"type": "hash", "fields": ["v"], "name": "v"}]}]}"#;
        let t = TestPlan::new(
            catalog,
            "FOR d IN c FILTER d.v > 1 && d.v < 3 RETURN d",
            crate::compat::Version::new(3, 5, 0),
        );
        let (order, changed) = t.apply("use-indexes");
        assert!(changed);
        assert_eq!(order[1], "6 Index");
    }

    #[test]
    fn in_lists_of_index_conditions_are_sorted_and_unique() {
        let mut t = TestPlan::new(
            INDEXED,
            "FOR d IN c FILTER d.a IN ['foo', 'bar', 'foo'] RETURN d",
            crate::compat::Version::NEWEST,
        );
        t.run_all(&["use-indexes"]);
        let Some(crate::plan::NodeKind::Index(scan)) = kinds(&t.plan).get(1).copied() else {
            panic!("no IndexNode");
        };
        let text = format!("{:?}", scan.condition);
        assert!(text.find("bar") < text.find("foo"), "{text}");
        assert_eq!(text.matches("foo").count(), 1, "{text}");
    }

    #[test]
    fn an_or_uses_one_index_per_branch() {
        let mut t = TestPlan::new(
            INDEXED,
            "FOR d IN c FILTER d.a < 5 OR d._key == 'k' RETURN d",
            crate::compat::Version::NEWEST,
        );
        t.run_all(&["use-indexes"]);
        let Some(crate::plan::NodeKind::Index(scan)) = kinds(&t.plan).get(1).copied() else {
            panic!("no IndexNode");
        };
        assert_eq!(
            scan.indexes,
            [
                crate::plan::IndexRef::Secondary(0),
                crate::plan::IndexRef::Primary
            ]
        );
    }

    #[test]
    fn an_or_with_an_unindexed_branch_keeps_the_full_scan() {
        assert!(!plan("FOR d IN c FILTER d.a < 5 OR d.z == 1 RETURN d").1);
    }

    #[test]
    fn the_primary_index_answers_key_lookups() {
        assert!(plan("FOR d IN c FILTER d._key == 'k' RETURN d").1);
    }

    #[test]
    fn a_join_condition_serves_only_the_inner_loop() {
        let (order, changed) = plan("FOR d IN c FOR e IN c FILTER d._key == e._key RETURN e");
        assert!(changed);
        // The outer loop cannot look up `e`, which it has not seen yet.
        assert_eq!(order[1..3], ["2 EnumerateCollection", "7 Index"]);
    }
}
