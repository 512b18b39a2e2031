//! `push-limit-into-index` (3.12.2+): an IndexNode that looks up several
//! values of its first field (`doc.x IN [...]`) and is followed by a SORT
//! on the next index fields and a LIMIT needs at most offset + limit rows
//! per lookup value, so the scan stops early
//! (`LIMIT 10 /* early reducing results */` on the IndexNode).
//!
//! Does not fire for an index over a single field, a condition other than
//! one `IN` on the first field, a post-filter, a scan inside another loop,
//! a sort that is not on the index fields (from the first or the second
//! on, one direction), or without a LIMIT right after the SORT (only
//! calculations may lie between).

use crate::catalog::Catalog;
use crate::optimizer::index_selection::{conjuncts, index_view};
use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::expr::{Expr, Logic};
use crate::plan::{IndexScan, NodeKind, NodeRef, Plan, SortElement, VarId};
use crate::syntax::BinaryOp;

pub struct PushLimitIntoIndex;

impl Rule for PushLimitIntoIndex {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let mut changed = false;
        for n in plan.find(|k| matches!(k, NodeKind::Index(_))) {
            let NodeKind::Index(scan) = plan.kind(n) else {
                continue;
            };
            if scan.filter.is_some() || plan.in_inner_loop(n) {
                continue;
            }
            let Some(fields) = eligible_fields(scan, cx.catalog) else {
                continue;
            };
            if !single_in_on(scan, &fields[0]) {
                continue;
            }
            let Some(sort) = skip_calculations(plan, plan.parent(n)) else {
                continue;
            };
            let NodeKind::Sort { elements, .. } = plan.kind(sort) else {
                continue;
            };
            if !sorts_by(plan, elements, &fields, scan.out)
                && !sorts_by(plan, elements, &fields[1..], scan.out)
            {
                continue;
            }
            let ascending = elements[0].ascending;
            let Some(limit) = limit_after(plan, sort) else {
                continue;
            };
            if let NodeKind::Index(scan) = plan.kind_mut(n) {
                scan.limit = limit;
                scan.ascending = ascending;
            }
            changed = true;
        }
        Outcome::changed_if(changed)
    }
}

/// The fields of the scan's single persistent index over two or more fields.
fn eligible_fields(scan: &IndexScan, catalog: &Catalog) -> Option<Vec<String>> {
    if scan.indexes.len() != 1 {
        return None;
    }
    let view = index_view(catalog.collection(&scan.collection)?, scan.indexes[0])?;
    let persistent = matches!(view.kind, "persistent" | "hash" | "skiplist");
    (persistent && view.fields.len() >= 2)
        .then(|| view.fields.iter().map(|f| f.to_string()).collect())
}

/// Whether the index condition is exactly `var.field IN …`.
fn single_in_on(scan: &IndexScan, field: &str) -> bool {
    let Some(Expr::Nary(Logic::Or, branches)) = &scan.condition else {
        return false;
    };
    let [branch] = branches.as_slice() else {
        return false;
    };
    let parts = conjuncts(branch);
    let [Expr::Binary(BinaryOp::In, lhs, _)] = parts.as_slice() else {
        return false;
    };
    lhs.attribute_path()
        .is_some_and(|(v, path)| v == scan.out && path.join(".") == field)
}

/// The first node from `n` on that is not a calculation.
fn skip_calculations(plan: &Plan, mut n: Option<NodeRef>) -> Option<NodeRef> {
    while let Some(c) = n {
        if !plan.kind(c).is_calculation() {
            return Some(c);
        }
        n = plan.parent(c);
    }
    None
}

/// Whether every sort key is `var.field` for the fields in order, all in
/// one direction.
fn sorts_by(plan: &Plan, elements: &[SortElement], fields: &[String], var: VarId) -> bool {
    if elements.len() > fields.len() || elements.is_empty() {
        return false;
    }
    let ascending = elements[0].ascending;
    elements.iter().zip(fields).all(|(e, field)| {
        let Some(setter) = plan.setter(e.var) else {
            return false;
        };
        let NodeKind::Calculation { expr, .. } = plan.kind(setter) else {
            return false;
        };
        e.path.is_empty()
            && e.ascending == ascending
            && expr
                .attribute_path()
                .is_some_and(|(v, path)| v == var && path.join(".") == *field)
    })
}

/// offset + limit of the LIMIT after `sort`, past deterministic
/// calculations, materializations and non-sorting gathers.
fn limit_after(plan: &Plan, sort: NodeRef) -> Option<u64> {
    let mut cur = plan.parent(sort);
    while let Some(c) = cur {
        match plan.kind(c) {
            NodeKind::Limit { offset, limit, .. } => return Some(offset.saturating_add(*limit)),
            NodeKind::Remote | NodeKind::Materialize(_) => {}
            NodeKind::Gather(g) if g.elements.is_empty() => {}
            NodeKind::Calculation { expr, .. } if expr.is_deterministic() => {}
            _ => return None,
        }
        cur = plan.parent(c);
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::plan::NodeKind;

    const CATALOG: &str = r#"{"role": "single", "collections": [{"name": "c", "count": 5000, "indexes": [
        {"type": "persistent", "fields": ["x", "y"], "name": "xy"}]}]}"#;

    /// The IndexNode's limit after use-indexes and this rule.
    fn limit(query: &str) -> Option<u64> {
        let mut t = TestPlan::new(CATALOG, query, crate::compat::Version::NEWEST);
        t.run_all(&[
            "use-indexes",
            "remove-filter-covered-by-index",
            "remove-unnecessary-calculations-2",
            "push-limit-into-index",
        ]);
        kinds(&t.plan).into_iter().find_map(|k| match k {
            NodeKind::Index(s) => Some(s.limit),
            _ => None,
        })
    }

    #[test]
    fn in_lookup_sorted_by_the_next_field_gets_the_limit() {
        let q = "FOR d IN c FILTER d.x IN [1, 2] SORT d.y LIMIT 5, 10 RETURN d";
        assert_eq!(limit(q), Some(15));
    }

    #[test]
    fn an_equality_lookup_is_not_enough() {
        let q = "FOR d IN c FILTER d.x == 1 SORT d.y LIMIT 10 RETURN d";
        assert_eq!(limit(q), Some(0));
    }

    #[test]
    fn a_sort_on_another_attribute_keeps_the_scan_unlimited() {
        let q = "FOR d IN c FILTER d.x IN [1, 2] SORT d.z LIMIT 10 RETURN d";
        assert_eq!(limit(q), Some(0));
    }

    #[test]
    fn without_limit_nothing_changes() {
        let q = "FOR d IN c FILTER d.x IN [1, 2] SORT d.y RETURN d";
        assert_eq!(limit(q), Some(0));
    }
}
