//! `batch-materialize-documents` (3.12): an IndexNode that would look up
//! each document right after finding it in the index instead produces
//! document ids, and a new MaterializeNode directly below fetches the
//! documents in batches. Projections move from the IndexNode to the
//! MaterializeNode.
//!
//! ```text
//! before: FOR doc IN c   /* persistent index scan, index scan + document lookup */
//! after:  FOR doc IN c   /* … */   /* with late materialization */
//!         MATERIALIZE doc
//! ```
//! Does not fire for scans the index answers alone (covering
//! projections), with a post-filter the index does not cover, over
//! several indexes, or estimated to produce fewer than 100 rows.

use crate::optimizer::index_selection::{attribute_uses, index_view};
use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::estimate::estimate;
use crate::plan::{IndexScan, Materialize, NodeKind, Plan};

pub struct BatchMaterializeDocuments;

/// Below this many estimated rows batching does not pay off.
const MIN_ROWS: u64 = 100;

impl Rule for BatchMaterializeDocuments {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let mut changed = false;
        for n in plan.find(|k| matches!(k, NodeKind::Index(_))) {
            let NodeKind::Index(scan) = plan.kind(n) else {
                continue;
            };
            if !qualifies(scan, cx) {
                continue;
            }
            if estimate(plan, cx.catalog, cx.compat).of(n).items < MIN_ROWS {
                continue;
            }
            let doc_id = plan.vars.create_temporary(cx.compat);
            let NodeKind::Index(scan) = plan.kind_mut(n) else {
                continue;
            };
            let materialize = Materialize {
                collection: scan.collection.clone(),
                doc_id,
                out: scan.out,
                old: scan.out,
                projections: std::mem::take(&mut scan.projections),
                projection_vars: Vec::new(),
            };
            scan.late_doc_id = Some(doc_id);
            let node = plan.create(NodeKind::Materialize(materialize));
            plan.insert_below(n, node);
            changed = true;
        }
        Outcome::changed_if(changed)
    }
}

fn qualifies(scan: &IndexScan, cx: &Context) -> bool {
    if scan.late_doc_id.is_some()
        || scan.indexes.len() != 1
        || scan.covers_projections
        || !scan.produces_result
    {
        return false;
    }
    let Some(view) = cx
        .catalog
        .collection(&scan.collection)
        .and_then(|c| index_view(c, scan.indexes[0]))
    else {
        return false;
    };
    // A post-filter must be answerable from the index.
    scan.filter.as_ref().is_none_or(|f| {
        let mut paths = Vec::new();
        attribute_uses(f, scan.out, &mut paths)
            && paths.iter().all(|p| {
                let p = p.join(".");
                view.fields.iter().chain(&view.stored).any(|f| *f == p)
            })
    })
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;

    fn catalog(count: u64) -> String {
        format!(
            r#"{{"role": "single", "collections": [{{"name": "c", "count": {count}, "indexes": [
            {{"type": "persistent", "fields": ["x"], "name": "x"}}]}}]}}"#
        )
    }

    fn order(count: u64, query: &str) -> Vec<String> {
        let mut t = TestPlan::new(&catalog(count), query, crate::compat::Version::NEWEST);
        t.run_all(&[
            "use-indexes",
            "reduce-extraction-to-projection",
            "batch-materialize-documents",
        ]);
        t.order()
    }

    #[test]
    fn a_document_lookup_gets_a_materialize_node_below_the_index() {
        let order = order(1000, "FOR d IN c FILTER d.x > 5 RETURN d");
        let index = order.iter().position(|n| n.ends_with(" Index"));
        assert_eq!(
            order.get(index.unwrap_or(0) + 1).map(String::as_str),
            Some("7 Materialize")
        );
    }

    #[test]
    fn covering_scans_need_no_documents() {
        let order = order(1000, "FOR d IN c FILTER d.x > 5 RETURN d.x");
        assert!(!order.iter().any(|n| n.ends_with("Materialize")));
    }

    #[test]
    fn small_scans_are_not_batched() {
        let order = order(99, "FOR d IN c FILTER d.x > 5 RETURN d");
        assert!(!order.iter().any(|n| n.ends_with("Materialize")));
    }
}
