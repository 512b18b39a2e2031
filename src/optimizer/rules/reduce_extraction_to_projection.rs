//! `reduce-extraction-to-projection`: when the rest of the query reads a
//! scanned document only through a few attributes (at most 5), the scan
//! produces just those ("projections"); an IndexNode whose index holds
//! them all (as fields or stored values) answers from the index alone
//! ("index only").
//!
//! Does not fire when the document is used whole (`RETURN doc`), nor
//! before 3.12.9 for an IndexNode over several different indexes.

use crate::optimizer::index_selection::{attribute_uses, index_view, indexes_of};
use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{IndexScan, Modification, ModificationKind, NodeKind, NodeRef, Plan, VarId};

pub struct ReduceExtractionToProjection;

/// ArangoDB's default `maxProjections`.
const MAX_PROJECTIONS: usize = 5;

/// The attribute paths of `var` read after `n`, or None if `var` is read
/// whole (or through something aqlplan cannot see into).
pub fn projections_after(
    plan: &Plan,
    n: NodeRef,
    var: VarId,
    top_level_only: bool,
    see_index_conditions: bool,
) -> Option<Vec<Vec<String>>> {
    let mut paths = Vec::new();
    let mut cur = plan.parent(n);
    while let Some(c) = cur {
        if plan.node_uses(c, var) {
            match plan.kind(c) {
                NodeKind::Calculation { expr, .. } => {
                    if !attribute_uses(expr, var, &mut paths) {
                        return None;
                    }
                }
                // A later loop's index condition or early-pruning filter
                // (a join on `d._key`) reads attributes too.
                NodeKind::Index(scan) if see_index_conditions => {
                    for e in scan.condition.iter().chain(&scan.filter) {
                        if !attribute_uses(e, var, &mut paths) {
                            return None;
                        }
                    }
                }
                NodeKind::EnumerateCollection(scan) if see_index_conditions => {
                    if let Some(f) = &scan.filter {
                        if !attribute_uses(f, var, &mut paths) {
                            return None;
                        }
                    }
                }
                // `REMOVE d IN c`, `UPDATE d WITH … IN c`: only the key is read.
                NodeKind::Modification(m) if modifies_by_key(m, var) => {
                    paths.push(vec!["_key".to_string()]);
                }
                _ => return None,
            }
        }
        cur = plan.parent(c);
    }
    if top_level_only {
        for p in &mut paths {
            p.truncate(1);
        }
        paths.dedup();
    }
    paths.sort();
    paths.dedup();
    Some(paths)
}

fn modifies_by_key(m: &Modification, var: VarId) -> bool {
    match m.kind {
        ModificationKind::Remove => m.input == var,
        ModificationKind::Update | ModificationKind::Replace => {
            m.key == Some(var) && m.input != var
        }
        _ => false,
    }
}

/// A full scan whose projections an index holds reads that index instead
/// (the new IndexNode takes the next id): the first of the collection's
/// indexes in ArangoDB's order — primary (for `_key`), then persistent
/// ones in creation order — that covers them and is not sparse.
fn scan_covering_index(plan: &mut Plan, cx: &Context, n: NodeRef) -> bool {
    let NodeKind::EnumerateCollection(scan) = plan.kind(n) else {
        return false;
    };
    if scan.random || scan.filter.is_some() {
        return false;
    }
    let Some(collection) = cx.catalog.collection(&scan.collection) else {
        return false;
    };
    let covering = indexes_of(collection).into_iter().find(|v| {
        let usable = matches!(v.kind, "primary" | "persistent" | "hash" | "skiplist");
        usable
            && !v.sparse
            && scan.projections.iter().all(|p| {
                let p = p.join(".");
                v.fields.iter().chain(&v.stored).any(|f| *f == p)
            })
    });
    let Some(covering) = covering else {
        return false;
    };
    let index = plan.create(NodeKind::Index(IndexScan {
        collection: scan.collection.clone(),
        out: scan.out,
        indexes: vec![covering.reference],
        condition: None,
        all_covered_by_one_index: false,
        ascending: true,
        needs_gather_sort: false,
        filter: None,
        projections: scan.projections.clone(),
        projection_vars: scan.projection_vars.clone(),
        covers_projections: true,
        produces_result: scan.produces_result,
        restricted_to: scan.restricted_to.clone(),
        limit: 0,
        late_doc_id: None,
    }));
    plan.replace_node(n, index);
    true
}

impl Rule for ReduceExtractionToProjection {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let top_level_only = !cx.compat.projections_in_parentheses();
        let see_index_conditions = cx.compat.projections_see_index_conditions();
        let mut changed = false;
        for n in plan.find(|k| matches!(k, NodeKind::EnumerateCollection(_) | NodeKind::Index(_))) {
            let out = plan.kind(n).variables_set()[0];
            let Some(paths) = projections_after(plan, n, out, top_level_only, see_index_conditions)
            else {
                continue;
            };
            if paths.is_empty() || paths.len() > MAX_PROJECTIONS {
                continue;
            }
            if let NodeKind::Index(scan) = plan.kind(n) {
                let several = scan.indexes.iter().any(|i| *i != scan.indexes[0]);
                if several && !cx.compat.multi_index_scans_use_projections() {
                    continue;
                }
            }
            let covers = match plan.kind(n) {
                NodeKind::Index(scan) => {
                    let collection = cx.catalog.collection(&scan.collection);
                    let view = collection
                        .and_then(|c| scan.indexes.first().and_then(|r| index_view(c, *r)));
                    scan.indexes.len() == 1
                        && view.is_some_and(|v| {
                            paths.iter().all(|p| {
                                v.fields.iter().chain(&v.stored).any(|f| *f == p.join("."))
                            })
                        })
                }
                _ => false,
            };
            match plan.kind_mut(n) {
                NodeKind::EnumerateCollection(scan) if scan.projections != paths => {
                    scan.projections = paths;
                    scan_covering_index(plan, cx, n);
                }
                NodeKind::Index(scan) if scan.projections != paths => {
                    scan.projections = paths;
                    scan.covers_projections = covers;
                }
                _ => continue,
            }
            changed = true;
        }
        Outcome::changed_if(changed)
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::plan::NodeKind;

    #[test]
    fn attributes_read_later_become_projections() {
        let mut t = TestPlan::single("FOR d IN c RETURN [d.b, d.a]");
        t.run_all(&["reduce-extraction-to-projection"]);
        let NodeKind::EnumerateCollection(scan) = kinds(&t.plan)[1] else {
            panic!()
        };
        assert_eq!(
            scan.projections,
            [vec!["a".to_string()], vec!["b".to_string()]]
        );
    }

    #[test]
    fn a_join_on_the_key_projects_the_outer_loop() {
        let mut t = TestPlan::cluster("FOR o IN c FOR p IN one FILTER p._key == o.k RETURN p");
        t.run_all(&[
            "use-indexes",
            "remove-filter-covered-by-index",
            "remove-unnecessary-calculations",
            "reduce-extraction-to-projection",
        ]);
        // The inner loop's index lookup reads only `o.k`.
        let NodeKind::EnumerateCollection(scan) = kinds(&t.plan)[1] else {
            panic!("{:?}", t.order())
        };
        assert_eq!(scan.projections, [vec!["k".to_string()]]);
    }

    #[test]
    fn before_3_5_a_join_reads_the_whole_outer_document() {
        let v = crate::compat::Version::parse("3.4").expect("version");
        let q = "FOR o IN c FOR p IN one FILTER p._key == o.k RETURN p";
        let mut t = TestPlan::new(CLUSTER, q, v);
        t.run_all(&[
            "use-indexes",
            "remove-filter-covered-by-index",
            "remove-unnecessary-calculations",
            "reduce-extraction-to-projection",
        ]);
        let NodeKind::EnumerateCollection(scan) = kinds(&t.plan)[1] else {
            panic!("{:?}", t.order())
        };
        assert!(scan.projections.is_empty());
    }

    #[test]
    fn a_scan_for_keys_only_reads_the_primary_index() {
        let mut t = TestPlan::single("FOR d IN c REMOVE d IN c");
        t.run_all(&["reduce-extraction-to-projection"]);
        let NodeKind::Index(scan) = kinds(&t.plan)[1] else {
            panic!("expected an IndexNode, got {:?}", t.order())
        };
        assert!(scan.covers_projections);
        assert_eq!(t.order()[1], "4 Index");
    }

    #[test]
    fn update_reads_the_key_and_the_filtered_attribute() {
        let mut t = TestPlan::single("FOR d IN c FILTER d.v == 4 UPDATE d WITH { u: 1 } IN c");
        t.run_all(&["reduce-extraction-to-projection"]);
        let NodeKind::EnumerateCollection(scan) = kinds(&t.plan)[1] else {
            panic!()
        };
        assert_eq!(
            scan.projections,
            [vec!["_key".to_string()], vec!["v".to_string()]]
        );
    }

    #[test]
    fn a_full_scan_whose_projections_an_index_holds_reads_the_index() {
        let catalog = r#"{"role": "single", "collections": [{"name": "c", "count": 100,
            "indexes": [{"type": "persistent", "fields": ["a"], "name": "a", "storedValues": ["b"]},
                        {"type": "persistent", "fields": ["z"], "name": "z", "sparse": true}]}]}"#;
        let t = TestPlan::new(
            catalog,
            "FOR d IN c RETURN [d.a, d.b]",
            crate::compat::Version::NEWEST,
        );
        let (order, changed) = t.apply("reduce-extraction-to-projection");
        assert!(changed);
        assert_eq!(order[1], "5 Index");
        // A sparse index may miss documents: the scan stays.
        let t = TestPlan::new(
            catalog,
            "FOR d IN c RETURN d.z",
            crate::compat::Version::NEWEST,
        );
        assert_eq!(
            t.apply("reduce-extraction-to-projection").0[1],
            "2 EnumerateCollection"
        );
    }

    #[test]
    fn whole_documents_are_not_projected() {
        assert!(
            !TestPlan::single("FOR d IN c RETURN d")
                .apply("reduce-extraction-to-projection")
                .1
        );
    }
}
