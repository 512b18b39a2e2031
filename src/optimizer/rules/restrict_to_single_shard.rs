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
//! Collection scans are restricted likewise when their index condition,
//! early-pruning filter or a later FILTER compares every shard key with a
//! constant (`FILTER d._key == "k"`), or when all writes to the collection
//! went to one shard.
//!
//! Not for UPSERT, not when any function may read documents, and not for
//! INSERT into a collection with custom shard keys without a `_key`.
//! The shard is named with ArangoDB's shard hash (`cluster::shard_hash`).

use crate::catalog::Catalog;
use crate::functions::Flags;
use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::expr::ObjectMember;
use crate::plan::{Expr, ModificationKind, NodeKind, NodeRef, Plan, Setters};
use crate::value::Value;

pub struct RestrictToSingleShard;

impl Rule for RestrictToSingleShard {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        if reads_documents_in_functions(plan) {
            return Outcome::Unchanged;
        }
        let remotes = plan.find(|k| matches!(k, NodeKind::Remote));
        if remotes.is_empty() {
            return Outcome::Unchanged;
        }
        // Looked up per write and per FILTER: one scan of the plan, not
        // one per lookup (the loop below only marks nodes).
        let setters = plan.setters();
        let mut changed = false;
        let mut to_remove = Vec::new();
        // Per collection: the shards its restricted writes go to, and
        // whether some write to it could not be restricted.
        let mut written: Vec<(String, Option<String>)> = Vec::new();
        for remote in remotes {
            let mut cur = plan.dependency(remote);
            while let Some(c) = cur {
                match plan.kind(c) {
                    NodeKind::Modification(m) if m.kind != ModificationKind::Upsert => {
                        let collection = m.collection.clone();
                        let shard = single_shard(plan, &setters, c, cx.catalog);
                        written.push((collection, shard.clone()));
                        if let Some(shard) = shard {
                            if let NodeKind::Modification(m) = plan.kind_mut(c) {
                                m.restricted_to = Some(shard);
                            }
                            changed = true;
                            to_remove.extend(feeding_snippet(plan, c, cx));
                        }
                    }
                    NodeKind::EnumerateCollection(_) | NodeKind::Index(_) => {
                        if let Some(shard) = scan_shard(plan, &setters, c, cx.catalog, &written) {
                            match plan.kind_mut(c) {
                                NodeKind::EnumerateCollection(s) => s.restricted_to = Some(shard),
                                NodeKind::Index(s) => s.restricted_to = Some(shard),
                                _ => {}
                            }
                            changed = true;
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
        Outcome::changed_if(changed)
    }
}

fn reads_documents_in_functions(plan: &Plan) -> bool {
    plan.expressions()
        .iter()
        .any(|e| e.any_call(|f| f.is_some_and(|f| f.flags.contains(Flags::READS_DOCUMENTS))))
}

/// The one shard modification `n` writes to, if its input fixes every
/// shard key with a constant.
fn single_shard(plan: &Plan, setters: &Setters, n: NodeRef, catalog: &Catalog) -> Option<String> {
    let NodeKind::Modification(m) = plan.kind(n) else {
        return None;
    };
    let collection = catalog.collection(&m.collection)?;
    let input = match m.kind {
        ModificationKind::Update | ModificationKind::Replace => m.key.unwrap_or(m.input),
        _ => m.input,
    };
    let setter = *setters.get(&input)?;
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

/// The one shard a collection scan needs: every shard key compared with
/// a constant — in the scan's index condition, its early-pruning filter,
/// or a FILTER after it (up to the next write) — naming one shard; else
/// the one shard the query's writes to the collection were restricted to.
fn scan_shard(
    plan: &Plan,
    setters: &Setters,
    n: NodeRef,
    catalog: &Catalog,
    written: &[(String, Option<String>)],
) -> Option<String> {
    let (collection, var, condition, filter) = match plan.kind(n) {
        NodeKind::EnumerateCollection(s) => (&s.collection, s.out, None, s.filter.as_ref()),
        NodeKind::Index(s) => {
            let single_branch = match &s.condition {
                Some(Expr::Nary(_, branches)) if s.indexes.len() == 1 && branches.len() == 1 => {
                    branches.first()
                }
                _ => None,
            };
            (&s.collection, s.out, single_branch, s.filter.as_ref())
        }
        _ => return None,
    };
    let coll = catalog.collection(collection)?;
    let mut sources: Vec<&Expr> = condition.into_iter().chain(filter).collect();
    let mut cur = plan.parent(n);
    while let Some(c) = cur {
        match plan.kind(c) {
            NodeKind::Modification(_) => break,
            NodeKind::Filter { input } => {
                if let Some(&setter) = setters.get(input) {
                    if let NodeKind::Calculation { expr, .. } = plan.kind(setter) {
                        sources.push(expr);
                    }
                }
            }
            _ => {}
        }
        cur = plan.parent(c);
    }
    let mut shards: Vec<String> = sources
        .into_iter()
        .filter_map(|e| shard_of_condition(e, var, coll))
        .collect();
    shards.sort();
    shards.dedup();
    match shards.as_slice() {
        [one] => Some(one.clone()),
        [] => {
            let writes: Vec<&Option<String>> = written
                .iter()
                .filter(|(c, _)| c == collection)
                .map(|(_, s)| s)
                .collect();
            let mut restricted: Vec<&String> = writes.iter().filter_map(|s| s.as_ref()).collect();
            restricted.dedup();
            let all_restricted = writes.iter().all(|s| s.is_some());
            match restricted.as_slice() {
                [one] if all_restricted => Some((*one).clone()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The shard named by `var.key == constant` conjuncts covering every
/// shard key.
fn shard_of_condition(
    e: &Expr,
    var: crate::plan::VarId,
    coll: &crate::catalog::Collection,
) -> Option<String> {
    let mut found: Vec<(String, Value)> = Vec::new();
    collect_key_equalities(e, var, &mut found);
    let values: Vec<Value> = coll
        .shard_keys
        .iter()
        .map(|k| found.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone()))
        .collect::<Option<_>>()?;
    crate::cluster::responsible_shard(coll, &values)
}

fn collect_key_equalities(e: &Expr, var: crate::plan::VarId, out: &mut Vec<(String, Value)>) {
    use crate::plan::expr::Logic;
    use crate::syntax::BinaryOp;
    match e {
        Expr::Nary(Logic::And, parts) => parts
            .iter()
            .for_each(|p| collect_key_equalities(p, var, out)),
        Expr::Nary(Logic::Or, parts) if parts.len() == 1 => parts
            .iter()
            .for_each(|p| collect_key_equalities(p, var, out)),
        Expr::Binary(BinaryOp::And, a, b) => {
            collect_key_equalities(a, var, out);
            collect_key_equalities(b, var, out);
        }
        Expr::Binary(BinaryOp::Eq, a, b) => {
            for (attr, value) in [(a, b), (b, a)] {
                if let (Some((v, path)), Some(c)) = (attr.attribute_path(), value.constant_value())
                {
                    if v == var && path.len() == 1 {
                        out.push((path[0].to_string(), c));
                    }
                }
            }
        }
        _ => {}
    }
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
    fn a_scan_filtered_by_key_reads_one_shard() {
        let mut t = TestPlan::cluster("FOR d IN c FILTER d._key == 'k' FILTER d.a > 1 RETURN d");
        t.run_all(&["scatter-in-cluster", "restrict-to-single-shard"]);
        let shard = kinds(&t.plan).into_iter().find_map(|k| match k {
            NodeKind::EnumerateCollection(s) => s.restricted_to.clone(),
            _ => None,
        });
        assert!(shard.is_some());
        let mut t = TestPlan::cluster("FOR d IN c FILTER d._key == 'k' || d.a == 1 RETURN d");
        t.run_all(&["scatter-in-cluster", "restrict-to-single-shard"]);
        assert!(kinds(&t.plan).into_iter().all(|k| !matches!(k,
            NodeKind::EnumerateCollection(s) if s.restricted_to.is_some())));
    }

    #[test]
    fn insert_with_a_constant_key() {
        assert!(restricted("FOR i IN 1..3 INSERT { _key: 'a', i } INTO c")
            .0
            .is_some());
        assert!(restricted("FOR i IN 1..3 INSERT { i } INTO c").0.is_none());
    }
}
