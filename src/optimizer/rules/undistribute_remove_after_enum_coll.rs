//! `undistribute-remove-after-enum-coll`: `FOR d IN c … REMOVE|UPDATE|
//! REPLACE d IN c` needs no trip through the Coordinator — every document
//! already sits on the shard that must change it. Removes the Remote and
//! Gather after the scan and the Distribute (or Scatter) and Remote before
//! the modification, so scan and modification share one DB-Server snippet:
//!
//! ```text
//! before: FOR d IN c → Remote → Gather → Distribute → Remote → UPDATE → Remote → Gather
//! after:  FOR d IN c → UPDATE → Remote → Gather
//! ```
//!
//! Fires when the modification's key is the scan's variable, an attribute
//! of it (`d._key`, collection sharded by `_key` only), or an object whose
//! `_key` and shard-key attributes all come from it (`{ _key: d._key }`);
//! only filters, DB-Server-capable calculations and the four cluster
//! nodes may lie in between. Does not fire across collections, other
//! loops, subqueries, COLLECT, SORT or LIMIT.

use crate::catalog::Catalog;
use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::expr::ObjectMember;
use crate::plan::{Expr, ModificationKind, NodeKind, NodeRef, Plan, VarId};

pub struct UndistributeRemoveAfterEnumColl;

impl Rule for UndistributeRemoveAfterEnumColl {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let modifications = plan.find(|k| {
            matches!(k, NodeKind::Modification(m) if matches!(m.kind,
                ModificationKind::Update | ModificationKind::Replace | ModificationKind::Remove))
        });
        // ArangoDB collects into one set that any failed match clears.
        let mut to_unlink: Vec<NodeRef> = Vec::new();
        for n in modifications {
            match cluster_nodes_between(plan, n, cx) {
                Some(found) => to_unlink.extend(found),
                None => to_unlink.clear(),
            }
        }
        if to_unlink.is_empty() {
            return Outcome::Unchanged;
        }
        to_unlink.sort();
        to_unlink.dedup();
        for n in to_unlink {
            plan.remove(n);
        }
        Outcome::Changed
    }
}

/// The Remote/Gather/Distribute/Scatter nodes between modification `n`
/// and the scan that produced its document, if the pattern holds.
fn cluster_nodes_between(plan: &Plan, n: NodeRef, cx: &Context) -> Option<Vec<NodeRef>> {
    let scan = source_scan(plan, n, cx.catalog)?;
    let mut found = Vec::new();
    let (mut distributes, mut gathers) = (0, 0);
    let mut cur = plan.dependency(n);
    while let Some(c) = cur {
        match plan.kind(c) {
            NodeKind::Remote => found.push(c),
            NodeKind::Distribute { .. } | NodeKind::Scatter => {
                distributes += 1;
                found.push(c);
            }
            NodeKind::Gather(_) => {
                gathers += 1;
                found.push(c);
            }
            NodeKind::Filter { .. } => {}
            NodeKind::Calculation { expr, .. }
                if expr.can_run_on_db_server(cx.one_shard_database()) => {}
            NodeKind::EnumerateCollection(_) | NodeKind::Index(_) if c == scan => {
                return Some(found);
            }
            _ => return None,
        }
        if distributes > 1 || gathers > 1 {
            return None;
        }
        cur = plan.dependency(c);
    }
    None
}

/// The collection scan whose documents modification `n` changes.
fn source_scan(plan: &Plan, n: NodeRef, catalog: &Catalog) -> Option<NodeRef> {
    let NodeKind::Modification(m) = plan.kind(n) else {
        return None;
    };
    let key = match m.kind {
        ModificationKind::Replace => m.key?,
        ModificationKind::Update => m.key.unwrap_or(m.input),
        _ => m.input,
    };
    let shard_keys = catalog
        .collection(&m.collection)
        .map(|c| c.shard_keys.clone())
        .unwrap_or_else(|| vec!["_key".to_string()]);
    let mut setter = plan.setter(key)?;
    if let NodeKind::Calculation { expr, .. } = plan.kind(setter) {
        let var = if let Some((var, _)) = expr.attribute_path() {
            (shard_keys == ["_key"]).then_some(var)?
        } else if let Expr::Object(members) = expr {
            object_source(members, &shard_keys)?
        } else {
            return None;
        };
        setter = plan.setter(var)?;
    }
    let (collection, projections) = match plan.kind(setter) {
        NodeKind::EnumerateCollection(s) => (&s.collection, &s.projections),
        NodeKind::Index(s) => (&s.collection, &s.projections),
        _ => return None,
    };
    let only_key = projections.len() == 1 && projections[0] == ["_key"];
    (!only_key && *collection == m.collection).then_some(setter)
}

/// For `{ _key: d._key, sk: d.sk, … }`: `d`, when `_key` and every shard
/// key are taken, under their own names, from that one variable.
fn object_source(members: &[ObjectMember], shard_keys: &[String]) -> Option<VarId> {
    let mut to_find: Vec<&str> = shard_keys.iter().map(String::as_str).collect();
    if !to_find.contains(&"_key") {
        to_find.push("_key");
    }
    let mut source = None;
    for member in members {
        let ObjectMember::Element(name, value) = member else {
            continue;
        };
        let Some(pos) = to_find.iter().position(|k| k == name) else {
            continue;
        };
        let Expr::Attribute(object, attribute) = value else {
            continue;
        };
        let Expr::Reference(var) = object.as_ref() else {
            continue;
        };
        if attribute != name {
            continue;
        }
        if source.is_some_and(|s| s != *var) {
            return None;
        }
        source = Some(*var);
        to_find.remove(pos);
    }
    if to_find.is_empty() {
        source
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;

    const RULES: [&str; 4] = [
        "distribute-in-cluster",
        "scatter-in-cluster",
        "remove-unnecessary-remote-scatter",
        "undistribute-remove-after-enum-coll",
    ];

    fn after(query: &str) -> Vec<String> {
        let mut t = TestPlan::cluster(query);
        t.run_all(&RULES);
        t.order()
    }

    #[test]
    fn update_of_the_scanned_document_stays_on_the_shard() {
        assert_eq!(
            after("FOR d IN c UPDATE d WITH { a: 1 } IN c"),
            [
                "1 Singleton",
                "2 EnumerateCollection",
                "3 Calculation",
                "4 Update",
                "7 Remote",
                "8 Gather"
            ]
        );
    }

    #[test]
    fn remove_by_key_attribute_and_filters_in_between() {
        let order = after("FOR d IN c FILTER d.a == 1 REMOVE d._key IN c");
        assert!(!order.iter().any(|n| n.ends_with("Distribute")));
        assert_eq!(order.iter().filter(|n| n.ends_with("Remote")).count(), 1);
    }

    #[test]
    fn another_collection_keeps_the_distribution() {
        let order = after("FOR d IN c REMOVE d IN one");
        assert!(order.iter().any(|n| n.ends_with("Distribute")));
    }

    #[test]
    fn a_computed_key_keeps_the_distribution() {
        let order = after("FOR d IN c REMOVE CONCAT(d._key, 'x') IN c");
        assert!(order.iter().any(|n| n.ends_with("Distribute")));
    }
}
