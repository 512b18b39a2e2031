//! `push-down-late-materialization` (3.12.1+): moves a MaterializeNode
//! further down the pipeline, past LIMITs, other materializations, SORTs
//! and FILTERs that do not read the document, and calculations that read
//! only attributes the index holds — those become (covering) projections
//! of the IndexNode. Fewer documents are fetched when a LIMIT is passed.
//!
//! ```text
//! before: IndexNode  MATERIALIZE doc  LET #2 = doc.b  SORT #2  RETURN doc
//! after:  IndexNode (projections: b)  LET #2 = doc.b  SORT #2  MATERIALIZE doc  RETURN doc
//! ```
//! Stops at the first node that needs the whole document or an attribute
//! the index does not hold (at most 5 projections), and at any other node
//! type.

use crate::optimizer::index_selection::{attribute_uses, index_view};
use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{NodeKind, NodeRef, Plan, VarId};

pub struct PushDownLateMaterialization;

/// ArangoDB's default `maxProjections`.
const MAX_PROJECTIONS: usize = 5;

impl Rule for PushDownLateMaterialization {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let nodes = plan.find(|k| matches!(k, NodeKind::Materialize(_)));
        for &m in &nodes {
            let NodeKind::Materialize(mat) = plan.kind(m) else {
                continue;
            };
            let (doc, doc_id) = (mat.out, mat.doc_id);
            let first = plan.parent(m);
            let mut before = first;
            while let Some(b) = before {
                if !can_move_past(plan, cx, doc, doc_id, b) {
                    break;
                }
                before = plan.parent(b);
            }
            if before != first {
                match before {
                    Some(b) => plan.move_above(m, b),
                    None => move_to_bottom(plan, m),
                }
                keep_projections_read_below(plan, m, doc);
            }
        }
        // ArangoDB reports a change for every MaterializeNode it looked at.
        if nodes.is_empty() {
            Outcome::Unchanged
        } else {
            Outcome::Changed
        }
    }
}

/// After a move, the MaterializeNode only fetches the attributes that
/// nodes below it still read of the document (those read above it now
/// come from the index).
fn keep_projections_read_below(plan: &mut Plan, m: NodeRef, doc: VarId) {
    let mut read = Vec::new();
    let mut cur = plan.parent(m);
    while let Some(c) = cur {
        if plan.node_uses(c, doc) {
            let NodeKind::Calculation { expr, .. } = plan.kind(c) else {
                return;
            };
            if !attribute_uses(expr, doc, &mut read) {
                return;
            }
        }
        cur = plan.parent(c);
    }
    if let NodeKind::Materialize(mat) = plan.kind_mut(m) {
        mat.projections.retain(|p| read.contains(p));
    }
}

fn move_to_bottom(plan: &mut Plan, m: NodeRef) {
    let bottom = plan.pipeline_bottom(m);
    plan.unlink(m);
    plan.insert_below(bottom, m);
}

fn can_move_past(plan: &mut Plan, cx: &Context, doc: VarId, doc_id: VarId, n: NodeRef) -> bool {
    match plan.kind(n) {
        NodeKind::Limit { .. } | NodeKind::Materialize(_) => true,
        NodeKind::Sort { .. } | NodeKind::Filter { .. } => !plan.node_uses(n, doc),
        NodeKind::Calculation { .. } | NodeKind::Subquery { .. } => {
            !plan.node_uses(n, doc) || project_from_index(plan, cx, doc, doc_id, n)
        }
        _ => false,
    }
}

/// Lets the IndexNode that produced `doc_id` answer the attributes of
/// `doc` that calculation `n` reads, if its index holds them all.
fn project_from_index(
    plan: &mut Plan,
    cx: &Context,
    doc: VarId,
    doc_id: VarId,
    n: NodeRef,
) -> bool {
    let NodeKind::Calculation { expr, .. } = plan.kind(n) else {
        return false;
    };
    let mut paths = Vec::new();
    if !attribute_uses(expr, doc, &mut paths) {
        return false;
    }
    let Some(index_node) = plan.setter(doc_id) else {
        return false;
    };
    let NodeKind::Index(scan) = plan.kind(index_node) else {
        return false;
    };
    let Some(view) = cx
        .catalog
        .collection(&scan.collection)
        .and_then(|c| scan.indexes.first().and_then(|r| index_view(c, *r)))
    else {
        return false;
    };
    let mut projections = scan.projections.clone();
    for p in paths {
        if !projections.contains(&p) {
            projections.push(p);
        }
    }
    projections.sort();
    let covered = projections.iter().all(|p| {
        let p = p.join(".");
        view.fields.iter().chain(&view.stored).any(|f| *f == p)
    });
    if projections.len() > MAX_PROJECTIONS || !covered {
        return false;
    }
    if let NodeKind::Index(scan) = plan.kind_mut(index_node) {
        scan.projections = projections;
        scan.covers_projections = true;
    }
    true
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;

    const CATALOG: &str = r#"{"role": "single", "collections": [{"name": "c", "count": 1000, "indexes": [
        {"type": "persistent", "fields": ["x"], "name": "x", "storedValues": ["b"]}]}]}"#;

    fn order(query: &str) -> Vec<String> {
        let mut t = TestPlan::new(CATALOG, query, crate::compat::Version::NEWEST);
        t.run_all(&[
            "use-indexes",
            "remove-filter-covered-by-index",
            "remove-unnecessary-calculations-2",
            "batch-materialize-documents",
            "push-down-late-materialization",
        ]);
        t.order()
            .into_iter()
            .map(|n| n.split_once(' ').map_or(n.clone(), |(_, t)| t.to_string()))
            .collect()
    }

    #[test]
    fn materialization_moves_past_a_sort_on_a_stored_value() {
        assert_eq!(
            order("FOR d IN c FILTER d.x > 5 SORT d.b RETURN d"),
            [
                "Singleton",
                "Index",
                "Calculation",
                "Sort",
                "Materialize",
                "Return"
            ]
        );
    }

    #[test]
    fn an_attribute_outside_the_index_stops_it() {
        assert_eq!(
            order("FOR d IN c FILTER d.x > 5 SORT d.z RETURN d"),
            [
                "Singleton",
                "Index",
                "Materialize",
                "Calculation",
                "Sort",
                "Return"
            ]
        );
    }
}
