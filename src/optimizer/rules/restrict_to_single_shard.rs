//! `restrict-to-single-shard` (data modifications): a write whose
//! document names all shard-key values as constants (`REMOVE "k" IN c`
//! in a loop, `INSERT { _key: "k", … }`) only ever touches one shard, so
//! the node is restricted to it (`/* , shard: s… */`). When the Remote in
//! front of it only brings rows from constant Coordinator work, that
//! Remote and the Distribute (or Scatter) above it go too, and the
//! constant work moves to the DB-Server:
//!
//! ```text
//! before: FOR i IN 1..3 → LET k = "a" → Distribute → Remote → REMOVE k IN c → Remote → Gather
//! after:  FOR i IN 1..3 → LET k = "a" → REMOVE k IN c /* , shard: s… */ → Remote → Gather
//! ```
//!
//! Not for UPSERT, not when any function may read documents, and not for
//! INSERT into a collection with custom shard keys without a `_key`.
//! The shard is named with ArangoDB's shard hash (`cluster::shard_hash`).
//! Restricting collection scans by their filters is not implemented.

use crate::catalog::Catalog;
use crate::functions::Flags;
use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::expr::ObjectMember;
use crate::plan::{Expr, ModificationKind, NodeKind, NodeRef, Plan};
use crate::value::Value;

pub struct RestrictToSingleShard;

impl Rule for RestrictToSingleShard {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        if reads_documents_in_functions(plan) {
            return Outcome::Unchanged;
        }
        let remotes = plan.find(|k| matches!(k, NodeKind::Remote));
        let mut changed = false;
        let mut to_remove = Vec::new();
        for remote in remotes {
            let mut cur = plan.dependency(remote);
            while let Some(c) = cur {
                match plan.kind(c) {
                    NodeKind::Modification(m) if m.kind != ModificationKind::Upsert => {
                        if let Some(shard) = single_shard(plan, c, cx.catalog) {
                            if let NodeKind::Modification(m) = plan.kind_mut(c) {
                                m.restricted_to = Some(shard);
                            }
                            changed = true;
                            to_remove.extend(feeding_snippet(plan, c, cx));
                        }
                    }
                    NodeKind::Modification(_)
                    | NodeKind::Remote
                    | NodeKind::Distribute { .. }
                    | NodeKind::Singleton => break,
                    _ => {}
                }
                cur = plan.dependency(c);
            }
        }
        to_remove.sort();
        to_remove.dedup();
        for n in to_remove {
            plan.remove(n);
        }
        if changed {
            Outcome::Changed
        } else {
            Outcome::Unchanged
        }
    }
}

fn reads_documents_in_functions(plan: &Plan) -> bool {
    plan.expressions().iter().any(|e| {
        e.calls().iter().any(|c| {
            matches!(c, Expr::Call { function, .. }
                if function.flags.contains(Flags::READS_DOCUMENTS))
        })
    })
}

/// The one shard modification `n` writes to, if its input fixes every
/// shard key with a constant.
fn single_shard(plan: &Plan, n: NodeRef, catalog: &Catalog) -> Option<String> {
    let NodeKind::Modification(m) = plan.kind(n) else {
        return None;
    };
    let collection = catalog.collection(&m.collection)?;
    let input = match m.kind {
        ModificationKind::Update | ModificationKind::Replace => m.key.unwrap_or(m.input),
        _ => m.input,
    };
    let setter = plan.setter(input)?;
    let NodeKind::Calculation { expr, .. } = plan.kind(setter) else {
        return None;
    };
    let keys = &collection.shard_keys;
    if keys.iter().any(|k| k.contains('.')) {
        return None;
    }
    let found: Vec<(String, Value)> = match expr {
        Expr::Value(Value::String(s)) if *keys == ["_key"] => {
            vec![("_key".into(), Value::String(s.clone()))]
        }
        Expr::Object(members) => members
            .iter()
            .filter_map(|member| match member {
                ObjectMember::Element(name, value) if keys.contains(name) => {
                    value.constant_value().map(|v| (name.clone(), v))
                }
                _ => None,
            })
            .collect(),
        Expr::Value(Value::Object(members)) => members
            .iter()
            .filter(|(name, _)| keys.contains(name))
            .cloned()
            .collect(),
        _ => return None,
    };
    let value_of = |key: &str| found.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let values: Vec<Value> = keys.iter().map(|k| value_of(k)).collect::<Option<_>>()?;
    // A multi-shard INSERT by custom shard keys needs the key to be given.
    if m.kind == ModificationKind::Insert
        && collection.number_of_shards != 1
        && *keys != ["_key"]
        && value_of("_key").is_none()
    {
        return None;
    }
    crate::cluster::responsible_shard(collection, &values)
}

/// The Remote feeding a restricted modification and the Scatter or
/// Distribute above it, when above them is only constant work that can
/// run on a DB-Server (no further Remote, no subquery).
fn feeding_snippet(plan: &Plan, n: NodeRef, cx: &Context) -> Vec<NodeRef> {
    let Some(remote) = plan
        .dependency(n)
        .filter(|&d| matches!(plan.kind(d), NodeKind::Remote))
    else {
        return Vec::new();
    };
    let mut nodes = vec![remote];
    let mut cur = plan.dependency(remote);
    while let Some(c) = cur {
        match plan.kind(c) {
            NodeKind::Scatter | NodeKind::Distribute { .. } => nodes.push(c),
            NodeKind::Remote | NodeKind::Subquery { .. } => return Vec::new(),
            NodeKind::Calculation { expr, .. }
                if !expr.can_run_on_db_server(cx.one_shard_database()) =>
            {
                return Vec::new()
            }
            _ => {}
        }
        cur = plan.dependency(c);
    }
    nodes
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::plan::NodeKind;

    fn restricted(query: &str) -> (Option<String>, Vec<String>) {
        let mut t = TestPlan::cluster(query);
        t.run_all(&["distribute-in-cluster", "restrict-to-single-shard"]);
        let shard = kinds(&t.plan).into_iter().find_map(|k| match k {
            NodeKind::Modification(m) => m.restricted_to.clone(),
            _ => None,
        });
        (shard, t.order())
    }

    #[test]
    fn a_constant_key_restricts_the_write_and_drops_the_distribution() {
        let (shard, order) = restricted("FOR i IN 1..3 REMOVE 'k' IN c");
        assert!(shard.is_some_and(|s| s.starts_with('s')));
        assert!(!order.iter().any(|n| n.ends_with("Distribute")));
        assert_eq!(order.iter().filter(|n| n.ends_with("Remote")).count(), 1);
    }

    #[test]
    fn a_computed_key_keeps_all_shards() {
        let (shard, order) = restricted("FOR i IN 1..3 REMOVE CONCAT('k', i) IN c");
        assert_eq!(shard, None);
        assert!(order.iter().any(|n| n.ends_with("Distribute")));
    }

    #[test]
    fn insert_with_a_constant_key() {
        assert!(restricted("FOR i IN 1..3 INSERT { _key: 'a', i } INTO c")
            .0
            .is_some());
        assert!(restricted("FOR i IN 1..3 INSERT { i } INTO c").0.is_none());
    }
}
