//! `use-index-for-collect` (3.12.4+): a COLLECT whose groups are fields of
//! the persistent index that a full index scan right below it reads (the
//! scan only producing index-covered projections) becomes an
//! `IndexCollectNode`: a distinct-value scan of the index, or, with
//! AGGREGATE, a full index scan that aggregates covered attributes. The
//! IndexNode and the calculations that fed the groups disappear.
//!
//! ```text
//! before: FOR doc IN coll /* index only */  LET #3 = doc.a  COLLECT a = #3
//! after:  FOR doc IN coll COLLECT a = doc.`a` /* distinct value index scan */
//! ```
//! Does not fire for COLLECT … INTO, for aggregates without input (COUNT
//! INTO), when the scan has a condition or a post-filter, is not the first
//! node after the Singleton, is descending, uses a sparse or unique
//! index, or needs documents; nor when the index is too selective for a
//! distinct scan to pay off: selectivity > 1 / ln(rows of the scan).

use crate::catalog::Collection;
use crate::optimizer::index_selection::{attribute_uses, index_view, IndexView};
use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::estimate::estimate;
use crate::plan::{
    Collect, CollectMethod, IndexAggregate, IndexCollect, IndexScan, NodeKind, NodeRef, Plan,
};

pub struct UseIndexForCollect;

impl Rule for UseIndexForCollect {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let mut changed = false;
        for collect in plan.find(|k| matches!(k, NodeKind::Collect(_))) {
            let NodeKind::Collect(c) = plan.kind(collect) else {
                continue;
            };
            if !collect_is_eligible(c) {
                continue;
            }
            let Some(index_node) = index_above(plan, collect) else {
                continue;
            };
            let NodeKind::Index(scan) = plan.kind(index_node) else {
                continue;
            };
            let Some(collection) = cx.catalog.collection(&scan.collection) else {
                continue;
            };
            let Some(view) = eligible_index(scan, collection) else {
                continue;
            };
            let rows = estimate(plan, cx.catalog, cx.compat).of(index_node).items;
            if !selective_enough(&view, rows) || !first_after_singleton(plan, index_node) {
                continue;
            }
            let Some((node, feeding)) = index_collect(plan, c, scan, &view) else {
                continue;
            };
            let new = plan.create(NodeKind::IndexCollect(node));
            plan.replace_node(collect, new);
            plan.remove(index_node);
            for calc in feeding {
                plan.remove(calc);
            }
            changed = true;
        }
        Outcome::changed_if(changed)
    }
}

fn collect_is_eligible(c: &Collect) -> bool {
    c.into.is_none() && c.aggregates.iter().all(|a| a.input.is_some()) && !c.disable_index
}

/// The IndexNode reached from `collect` through calculations only.
fn index_above(plan: &Plan, collect: NodeRef) -> Option<NodeRef> {
    let mut cur = plan.dependency(collect);
    while let Some(c) = cur {
        match plan.kind(c) {
            NodeKind::Index(_) => return Some(c),
            NodeKind::Calculation { .. } => cur = plan.dependency(c),
            _ => return None,
        }
    }
    None
}

/// The scan's index, when the scan is a plain ascending full scan of one
/// non-sparse, non-unique persistent index that covers its projections.
fn eligible_index<'a>(scan: &IndexScan, collection: &'a Collection) -> Option<IndexView<'a>> {
    if scan.filter.is_some()
        || scan.late_doc_id.is_some()
        || scan.indexes.len() != 1
        || !scan.covers_projections
        || scan.condition.is_some()
        || !scan.ascending
    {
        return None;
    }
    let view = index_view(collection, scan.indexes[0])?;
    let persistent = matches!(view.kind, "persistent" | "hash" | "skiplist");
    (persistent && !view.sparse && !view.unique).then_some(view)
}

/// A distinct scan costs k·log n against n for a linear scan, so it pays
/// off when the selectivity k/n is at most 1/ln n.
fn selective_enough(view: &IndexView, rows: u64) -> bool {
    let Some(selectivity) = view.selectivity else {
        return false;
    };
    selectivity <= 1.0 / (rows as f64).ln()
}

fn first_after_singleton(plan: &Plan, n: NodeRef) -> bool {
    let mut cur = plan.dependency(n);
    while let Some(c) = cur {
        match plan.kind(c) {
            NodeKind::Scatter | NodeKind::Gather(_) | NodeKind::Remote => cur = plan.dependency(c),
            NodeKind::Distribute { .. } => cur = plan.dependency(c),
            NodeKind::Singleton => return true,
            _ => return false,
        }
    }
    false
}

/// The IndexCollectNode for `c` over `scan`, and the calculations that
/// computed its groups (now read from the index instead).
fn index_collect(
    plan: &Plan,
    c: &Collect,
    scan: &IndexScan,
    view: &IndexView,
) -> Option<(IndexCollect, Vec<NodeRef>)> {
    let mut feeding = Vec::new();
    let mut groups = Vec::new();
    for &(out, input) in &c.groups {
        let calc = plan.setter(input)?;
        let NodeKind::Calculation { expr, .. } = plan.kind(calc) else {
            return None;
        };
        let (var, path) = expr.attribute_path()?;
        if var != scan.out {
            return None;
        }
        let field = view.fields.iter().position(|f| *f == path.join("."))?;
        groups.push((out, field));
        feeding.push(calc);
    }
    let covered: Vec<String> = view
        .fields
        .iter()
        .map(|f| f.to_string())
        .chain(view.stored.iter().map(|f| f.to_string()))
        .collect();
    let mut aggregates = Vec::new();
    for a in &c.aggregates {
        let calc = plan.setter(a.input?)?;
        let NodeKind::Calculation { expr, .. } = plan.kind(calc) else {
            return None;
        };
        if expr.variables() != vec![scan.out] {
            return None;
        }
        let mut paths = Vec::new();
        if !attribute_uses(expr, scan.out, &mut paths)
            || !paths.iter().all(|p| covered.contains(&p.join(".")))
        {
            return None;
        }
        aggregates.push(IndexAggregate {
            out: a.out,
            function: a.function.clone(),
            expr: expr.clone(),
        });
    }
    // The index streams its fields in order: the groups must be a prefix
    // of them, in index order when the COLLECT needs sorted input
    // (INFERRED from the rule's distinct-scan/stream-support checks).
    let mut positions: Vec<usize> = groups.iter().map(|g| g.1).collect();
    if c.method != CollectMethod::Sorted {
        positions.sort_unstable();
    }
    if positions.iter().enumerate().any(|(i, p)| i != *p) {
        return None;
    }
    let node = IndexCollect {
        collection: scan.collection.clone(),
        index: scan.indexes[0],
        old_var: scan.out,
        groups,
        aggregates,
    };
    Some((node, feeding))
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;

    fn catalog(selectivity: f64, unique: bool) -> String {
        format!(
            r#"{{"role": "single", "collections": [{{"name": "c", "count": 1000, "indexes": [
            {{"type": "persistent", "fields": ["a", "b"], "name": "ab", "unique": {unique},
              "storedValues": ["v"], "selectivityEstimate": {selectivity}}}]}}]}}"#
        )
    }

    const PIPELINE: &[&str] = &[
        "move-calculations-up",
        "specialize-collect",
        "use-indexes",
        "use-index-for-sort",
        "reduce-extraction-to-projection",
        "use-index-for-collect",
    ];

    /// Runs the rules that lead up to the index collect on the sorted
    /// COLLECT variant; the node order afterwards.
    fn plan(catalog: &str, query: &str) -> Vec<String> {
        let mut t = TestPlan::new(catalog, query, crate::compat::Version::NEWEST);
        t.run_all(PIPELINE);
        t.order()
    }

    #[test]
    fn distinct_groups_on_index_fields_become_an_index_collect() {
        let order = plan(
            &catalog(0.1, false),
            "FOR d IN c COLLECT a = d.a, b = d.b RETURN [a, b]",
        );
        assert_eq!(order[1], "10 IndexCollect");
        assert!(!order.iter().any(|n| n.ends_with(" Index")));
    }

    #[test]
    fn disable_index_option_keeps_the_index_scan() {
        let order = plan(
            &catalog(0.1, false),
            "FOR d IN c COLLECT a = d.a, b = d.b OPTIONS { disableIndex: true } RETURN [a, b]",
        );
        assert!(
            !order.iter().any(|n| n.ends_with(" IndexCollect")),
            "{order:?}"
        );
        assert!(order.iter().any(|n| n.ends_with(" Index")), "{order:?}");
    }

    #[test]
    fn aggregates_over_stored_values_are_covered() {
        let order = plan(
            &catalog(0.1, false),
            "FOR d IN c COLLECT a = d.a AGGREGATE m = MAX(d.v) RETURN [a, m]",
        );
        assert!(order.iter().any(|n| n.ends_with("IndexCollect")));
    }

    #[test]
    fn a_selectivity_above_one_over_ln_n_keeps_the_collect() {
        // 1 / ln(1000) ≈ 0.145
        let order = plan(&catalog(0.2, false), "FOR d IN c COLLECT a = d.a RETURN a");
        assert!(!order.iter().any(|n| n.ends_with("IndexCollect")));
    }

    #[test]
    fn unique_indexes_are_not_used() {
        let order = plan(&catalog(0.1, true), "FOR d IN c COLLECT a = d.a RETURN a");
        assert!(!order.iter().any(|n| n.ends_with("IndexCollect")));
    }

    #[test]
    fn a_group_on_the_second_field_alone_is_not_a_prefix() {
        let order = plan(&catalog(0.1, false), "FOR d IN c COLLECT b = d.b RETURN b");
        assert!(!order.iter().any(|n| n.ends_with("IndexCollect")));
    }

    #[test]
    fn collect_into_is_not_eligible() {
        let order = plan(
            &catalog(0.1, false),
            "FOR d IN c COLLECT a = d.a INTO g RETURN [a, g]",
        );
        assert!(!order.iter().any(|n| n.ends_with("IndexCollect")));
    }
}
