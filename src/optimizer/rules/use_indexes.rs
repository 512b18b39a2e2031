//! `use-indexes`: replaces a full collection scan whose rows are filtered
//! by conditions an index can answer with an IndexNode (a new node id) on
//! the cheapest such index. The index condition holds the parts the index
//! answers; the FILTERs stay until `remove-filter-covered-by-index`.
//!
//! ```text
//! before: FOR doc IN c  LET #1 = doc.a < 23  FILTER #1
//! after:  FOR doc IN c /* persistent index scan */  LET #1 = …  FILTER #1
//! ```
//! Does not fire without a usable condition (e.g. `doc.a % 2 == 0`), for
//! sparse indexes not fully covered, or for hash indexes without
//! equality on every field.

use crate::optimizer::index_selection::{
    conjuncts, filter_costs, filters_below, indexes_of, sort_weight, FilterCosts,
};
use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::expr::{Expr, Logic};
use crate::plan::{IndexScan, NodeKind, Plan};

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
            let parts: Vec<Expr> = filters_below(plan, n)
                .iter()
                .flat_map(|f| conjuncts(&f.condition))
                .collect();
            if parts.is_empty() {
                continue;
            }
            let all = indexes_of(collection);
            let mut best: Option<(usize, FilterCosts)> = None;
            for (i, view) in all.iter().enumerate() {
                if !view.is_sorted() {
                    continue;
                }
                let costs = filter_costs(view, &all, &parts, scan.out, collection.count, cx.compat);
                if costs.supported && best.as_ref().is_none_or(|(_, b)| costs.cost < b.cost) {
                    best = Some((i, costs));
                }
            }
            let Some((i, costs)) = best else { continue };
            let view = &all[i];
            let mut covered: Vec<Expr> = costs
                .covered_parts
                .iter()
                .map(|&p| parts[p].clone())
                .collect();
            covered.sort_by_key(|p| {
                let field = crate::optimizer::index_selection::attribute_access(p, scan.out)
                    .map(|(path, _, _)| path.join("."))
                    .and_then(|f| view.fields.iter().position(|x| *x == f))
                    .unwrap_or(usize::MAX);
                (field, sort_weight(p))
            });
            covered.dedup();
            let index_scan = IndexScan {
                collection: scan.collection.clone(),
                out: scan.out,
                indexes: vec![view.reference],
                condition: Some(Expr::Nary(Logic::Or, vec![Expr::Nary(Logic::And, covered)])),
                all_covered_by_one_index: false,
                ascending: true,
                needs_gather_sort: false,
                filter: None,
                projections: Vec::new(),
                projection_vars: Vec::new(),
                covers_projections: false,
                produces_result: true,
                restricted_to: None,
            };
            let node = plan.create(NodeKind::Index(index_scan));
            plan.replace_node(n, node);
            changed = true;
        }
        if changed {
            Outcome::Changed
        } else {
            Outcome::Unchanged
        }
    }
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
    fn the_primary_index_answers_key_lookups() {
        assert!(plan("FOR d IN c FILTER d._key == 'k' RETURN d").1);
    }
}
