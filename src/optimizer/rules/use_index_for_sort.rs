//! `use-index-for-sort`: a SORT on attributes that a sorted index of the
//! IndexNode above already delivers in order is removed; the IndexNode
//! scans in the sort's direction (and, in a cluster, the gather will
//! merge-sort the shards by the index fields).
//!
//! Only applies when every sort key is an attribute of the index's loop
//! variable, all keys go in one direction, and they match the index
//! fields in order (after any fields fixed by equality).
//!
//! From 3.12.4 an index that delivers only the first keys (in the first
//! key's direction, and not all of its own fields) still serves them: the
//! SORT stays and sorts within groups of equal leading keys
//! (`SORT #9 ASC; GROUPED BY #10   /* sorting strategy: grouped */`).

use crate::optimizer::index_selection::{attribute_access, conjuncts, index_view};
use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::expr::Expr;
use crate::plan::{NodeKind, NodeRef, Plan};
use crate::syntax::BinaryOp;

pub struct UseIndexForSort;

impl Rule for UseIndexForSort {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let mut changed = false;
        for sort in plan.find(|k| matches!(k, NodeKind::Sort { .. })) {
            let NodeKind::Sort { elements, .. } = plan.kind(sort) else {
                continue;
            };
            let elements = elements.clone();
            let Some(ascending) = elements.first().map(|e| e.ascending) else {
                continue;
            };
            // Sort keys as attribute paths, found through the calculations
            // directly above the sort.
            let mut paths = Vec::new();
            let mut scan_var = None;
            for e in &elements {
                let Some(setter) = plan.setter_above(sort, e.var) else {
                    break;
                };
                let NodeKind::Calculation { expr, .. } = plan.kind(setter) else {
                    break;
                };
                let Some((v, path)) = expr.attribute_path() else {
                    break;
                };
                if scan_var.is_some_and(|s| s != v) {
                    break;
                }
                scan_var = Some(v);
                paths.push(path.join("."));
            }
            if paths.is_empty() {
                continue;
            }
            let Some(scan_node) = index_above(plan, sort, scan_var) else {
                continue;
            };
            let NodeKind::Index(scan) = plan.kind(scan_node) else {
                continue;
            };
            let Some(collection) = cx.catalog.collection(&scan.collection) else {
                continue;
            };
            let Some(view) = scan
                .indexes
                .first()
                .and_then(|r| index_view(collection, *r))
            else {
                continue;
            };
            if scan.indexes.len() != 1 || !view.is_sorted() || view.kind == "hash" {
                continue;
            }
            // Fields fixed by equality may precede the sort keys.
            let equal: Vec<String> = match &scan.condition {
                Some(Expr::Nary(_, branches)) if branches.len() == 1 => conjuncts(&branches[0])
                    .iter()
                    .filter_map(|p| attribute_access(p, scan.out))
                    .filter(|(_, op, _)| *op == BinaryOp::Eq)
                    .map(|(path, _, _)| path.join("."))
                    .collect(),
                _ => Vec::new(),
            };
            let skip = view
                .fields
                .iter()
                .take_while(|f| equal.contains(&f.to_string()) && !paths.contains(&f.to_string()))
                .count();
            // How many leading sort keys the index delivers in order.
            let delivered = view.fields[skip.min(view.fields.len())..]
                .iter()
                .zip(paths.iter().zip(&elements))
                .take_while(|(f, (p, e))| **f == p.as_str() && e.ascending == ascending)
                .count();
            let all = delivered == elements.len();
            // 3.12.4: a prefix of the keys (not the whole index) leaves a
            // sort within groups of equal prefix values.
            let grouped = !all
                && delivered > 0
                && skip + delivered < view.fields.len()
                && cx.compat.sort_uses_index_prefix();
            if !all && !grouped {
                continue;
            }
            if let NodeKind::Index(scan) = plan.kind_mut(scan_node) {
                scan.ascending = ascending;
                scan.needs_gather_sort = true;
            }
            if all {
                plan.remove(sort);
            } else if let NodeKind::Sort { grouped, .. } = plan.kind_mut(sort) {
                *grouped = delivered;
            }
            changed = true;
        }
        Outcome::changed_if(changed)
    }
}

/// The IndexNode producing `var`, reached from `sort` through nodes that
/// keep the row order (calculations, filters).
fn index_above(plan: &Plan, sort: NodeRef, var: Option<crate::plan::VarId>) -> Option<NodeRef> {
    let var = var?;
    let mut cur = plan.dependency(sort);
    while let Some(c) = cur {
        match plan.kind(c) {
            NodeKind::Index(scan) if scan.out == var => return Some(c),
            NodeKind::Calculation { .. } | NodeKind::Filter { .. } => {}
            _ => return None,
        }
        cur = plan.dependency(c);
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;

    const PAIR: &str = r#"{"role": "single", "collections": [{"name": "c", "count": 100, "indexes": [
        {"type": "persistent", "fields": ["a", "b"], "name": "ab"}]}]}"#;

    fn grouped(query: &str, compat: &str) -> Option<usize> {
        let mut t = TestPlan::new(PAIR, query, compat.parse().unwrap());
        t.run_all(&["use-indexes", "use-index-for-sort"]);
        kinds(&t.plan).into_iter().find_map(|k| match k {
            crate::plan::NodeKind::Sort { grouped, .. } => Some(*grouped),
            _ => None,
        })
    }

    #[test]
    fn an_index_prefix_groups_the_sort_from_3_12_4() {
        let q = "FOR d IN c SORT d.a, d.x RETURN d";
        assert_eq!(grouped(q, "3.12.4"), Some(1));
        assert_eq!(grouped(q, "3.12.3"), Some(0));
    }

    #[test]
    fn a_direction_change_ends_the_delivered_prefix() {
        assert_eq!(
            grouped(
                "FOR d IN c FILTER d.a > 1 SORT d.a ASC, d.b DESC, d.x RETURN d",
                "3.12"
            ),
            Some(1)
        );
    }

    #[test]
    fn keys_covering_all_index_fields_do_not_group() {
        assert_eq!(
            grouped("FOR d IN c SORT d.a, d.b, d.x RETURN d", "3.12"),
            Some(0)
        );
    }

    const INDEXED: &str = r#"{"role": "single", "collections": [{"name": "c", "count": 100, "indexes": [
        {"type": "persistent", "fields": ["v"], "name": "v"}]}]}"#;

    #[test]
    fn sort_on_the_index_field_is_removed() {
        let mut t = TestPlan::new(
            INDEXED,
            "FOR d IN c FILTER d.v > 1 SORT d.v DESC RETURN d",
            crate::compat::Version::NEWEST,
        );
        let outcomes = t.run_all(&["use-indexes", "use-index-for-sort"]);
        assert_eq!(outcomes[1], crate::optimizer::Outcome::Changed);
        assert!(!t.order().iter().any(|n| n.ends_with("Sort")));
    }

    #[test]
    fn sort_on_another_field_stays() {
        let mut t = TestPlan::new(
            INDEXED,
            "FOR d IN c FILTER d.v > 1 SORT d.w RETURN d",
            crate::compat::Version::NEWEST,
        );
        let outcomes = t.run_all(&["use-indexes", "use-index-for-sort"]);
        assert_eq!(outcomes[1], crate::optimizer::Outcome::Unchanged);
    }
}
