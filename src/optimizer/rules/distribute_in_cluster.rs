//! `distribute-in-cluster`: sends each row a modification writes to the
//! one shard responsible for it. Around every INSERT/UPDATE/REPLACE/
//! REMOVE/UPSERT (walking each pipeline from its end upwards) it puts,
//! creating the nodes in this id order:
//!
//! ```text
//! DistributeNode → RemoteNode → [modification] → RemoteNode → GatherNode
//! ```
//!
//! UPDATE and REMOVE on a collection not sharded by `_key` alone are left
//! to `scatter-in-cluster`: their input may carry only a `_key`, which
//! does not name a shard, so every shard must see every row.
//!
//! The DistributeNode's input calculation (`MAKE_DISTRIBUTE_INPUT…`) is
//! only added when the plan is finalized (see `cluster::distribute_input`).

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{
    Gather, ModificationKind, NodeKind, NodeRef, Parallelism, Plan, SortMode, VarId,
};

pub struct DistributeInCluster;

impl Rule for DistributeInCluster {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let mut ends = vec![plan.root()];
        ends.extend(plan.nodes().filter_map(|n| match plan.kind(n) {
            NodeKind::Subquery { root, .. } => Some(*root),
            _ => None,
        }));
        let mut changed = false;
        for end in ends {
            let mut cur = Some(end);
            while let Some(n) = cur {
                cur = plan.dependency(n);
                let Some((collection, input, kind)) = target(plan, n) else {
                    continue;
                };
                let catalog_entry = cx.catalog.collection(&collection);
                let default_sharding =
                    catalog_entry.is_some_and(|c| c.has_default_sharding() && !c.is_smart);
                let keyed_only =
                    matches!(kind, ModificationKind::Update | ModificationKind::Remove);
                if keyed_only && !default_sharding {
                    continue;
                }
                let shards = catalog_entry.map_or(1, |c| c.number_of_shards);
                insert_snippet(plan, n, collection, input, kind, shards);
                changed = true;
            }
        }
        Outcome::changed_if(changed)
    }
}

/// A modification's collection, the variable that decides the shard
/// (INSERT/REMOVE: the input; UPDATE/REPLACE: the key if given, else the
/// document; UPSERT: the search document), and its kind.
fn target(plan: &Plan, n: NodeRef) -> Option<(String, VarId, ModificationKind)> {
    let NodeKind::Modification(m) = plan.kind(n) else {
        return None;
    };
    let input = match m.kind {
        ModificationKind::Update | ModificationKind::Replace => m.key.unwrap_or(m.input),
        _ => m.input,
    };
    Some((m.collection.clone(), input, m.kind))
}

fn insert_snippet(
    plan: &mut Plan,
    at: NodeRef,
    collection: String,
    input: VarId,
    kind: ModificationKind,
    shards: u32,
) {
    let target = plan.id(at);
    let distribute = plan.create(NodeKind::Distribute {
        input,
        collection,
        target,
        create_keys: matches!(kind, ModificationKind::Insert | ModificationKind::Upsert),
    });
    let remote_in = plan.create(NodeKind::Remote);
    let remote_out = plan.create(NodeKind::Remote);
    let gather = plan.create(NodeKind::Gather(Gather {
        elements: Vec::new(),
        sort_mode: if shards >= 5 {
            SortMode::Heap
        } else {
            SortMode::MinElement
        },
        parallelism: Parallelism::Undefined,
        limit: 0,
    }));
    plan.insert_above(at, distribute);
    plan.insert_above(at, remote_in);
    plan.insert_below(at, remote_out);
    plan.insert_below(remote_out, gather);
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::plan::NodeKind;

    const SHARDED_BY_VALUE: &str = r#"{"collections": [
        {"name": "v", "numberOfShards": 3, "shardKeys": ["value"], "count": 100}]}"#;

    #[test]
    fn an_insert_is_distributed_to_its_shard() {
        let t = TestPlan::cluster("FOR i IN 1..3 INSERT { i } INTO c");
        let (order, changed) = t.apply("distribute-in-cluster");
        assert!(changed);
        assert_eq!(
            order,
            [
                "1 Singleton",
                "2 Calculation",
                "3 EnumerateList",
                "4 Calculation",
                "6 Distribute",
                "7 Remote",
                "5 Insert",
                "8 Remote",
                "9 Gather"
            ]
        );
    }

    #[test]
    fn update_uses_the_key_variable() {
        let mut t = TestPlan::cluster("FOR d IN c UPDATE d WITH { a: 1 } IN c");
        t.run_all(&["distribute-in-cluster"]);
        let input = kinds(&t.plan).into_iter().find_map(|k| match k {
            NodeKind::Distribute {
                input, create_keys, ..
            } => Some((*input, *create_keys)),
            _ => None,
        });
        let (input, create_keys) = input.expect("a distribute node");
        assert_eq!(t.plan.vars.display_name(input), "d");
        assert!(!create_keys);
    }

    #[test]
    fn remove_on_custom_shard_keys_is_left_to_scatter() {
        let t = TestPlan::new(
            SHARDED_BY_VALUE,
            "FOR d IN v REMOVE d IN v",
            crate::compat::Version::NEWEST,
        );
        assert!(!t.apply("distribute-in-cluster").1);
        let t = TestPlan::new(
            SHARDED_BY_VALUE,
            "FOR d IN v REPLACE d WITH { value: 1 } IN v",
            crate::compat::Version::NEWEST,
        );
        assert!(t.apply("distribute-in-cluster").1);
    }

    #[test]
    fn an_upsert_looks_up_then_is_distributed_with_key_creation() {
        let mut t =
            TestPlan::cluster("UPSERT { a: 1 } INSERT { a: 1 } UPDATE { b: OLD.b + 1 } IN c");
        assert_eq!(
            t.order(),
            [
                "1 Singleton",
                "8 Subquery",
                "9 Calculation",
                "10 Calculation",
                "11 Calculation",
                "12 Upsert"
            ]
        );
        t.run_all(&["distribute-in-cluster"]);
        let distribute = kinds(&t.plan).into_iter().find_map(|k| match k {
            NodeKind::Distribute {
                input, create_keys, ..
            } => Some((*input, *create_keys)),
            _ => None,
        });
        let (input, create_keys) = distribute.expect("a distribute node");
        assert_eq!(t.plan.vars.display_name(input), "$OLD");
        assert!(create_keys);
    }

    #[test]
    fn writes_inside_subqueries_are_distributed_too() {
        let mut t =
            TestPlan::cluster("FOR d IN one LET r = (FOR i IN 1..2 INSERT { i } INTO c) RETURN d");
        t.run_all(&["distribute-in-cluster"]);
        let distributes = t
            .plan
            .nodes()
            .filter(|&n| matches!(t.plan.kind(n), NodeKind::Distribute { .. }))
            .count();
        assert_eq!(distributes, 1);
    }

    #[test]
    fn read_only_queries_are_unchanged() {
        assert!(
            !TestPlan::cluster("FOR d IN c RETURN d")
                .apply("distribute-in-cluster")
                .1
        );
    }
}
