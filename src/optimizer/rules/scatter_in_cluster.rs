//! `scatter-in-cluster`: puts every collection access on the DB-Servers.
//! Around each enumeration (and each modification not already
//! distributed) it inserts, creating the nodes in this id order:
//!
//! ```text
//! ScatterNode → RemoteNode → [collection access] → RemoteNode → GatherNode
//! ```
//!
//! The gather merges the shards' streams: sort mode `heap` from 5 shards
//! on, else `minelement`; one shard or a SatelliteCollection makes it
//! `serial`. Most Scatter/Remote pairs are removed again later by
//! `remove-unnecessary-remote-scatter`.

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{Gather, NodeKind, Parallelism, Plan, SortElement, SortMode};

pub struct ScatterInCluster;

impl Rule for ScatterInCluster {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let candidates = plan.find(|k| {
            matches!(
                k,
                NodeKind::EnumerateCollection(_) | NodeKind::Index(_) | NodeKind::Modification(_)
            )
        });
        let mut changed = false;
        for at in candidates {
            // Already distributed by `distribute-in-cluster`.
            if let Some(dep) = plan.dependency(at) {
                if matches!(plan.kind(dep), NodeKind::Remote)
                    && plan
                        .dependency(dep)
                        .is_some_and(|d| matches!(plan.kind(d), NodeKind::Distribute { .. }))
                {
                    continue;
                }
            }
            let collection = plan
                .kind(at)
                .collection()
                .and_then(|c| cx.catalog.collection(c));
            let shards = collection.map_or(1, |c| c.number_of_shards);
            let satellite = collection.is_some_and(|c| c.is_satellite());
            let elements = match plan.kind(at) {
                NodeKind::Index(scan) if scan.needs_gather_sort && shards > 1 => {
                    crate::optimizer::index_selection::sort_elements(scan, cx.catalog)
                }
                _ => Vec::<SortElement>::new(),
            };
            let gather = Gather {
                elements,
                sort_mode: if shards >= 5 {
                    SortMode::Heap
                } else {
                    SortMode::MinElement
                },
                parallelism: if shards == 1 || satellite {
                    Parallelism::Serial
                } else {
                    Parallelism::Undefined
                },
                limit: 0,
            };
            let scatter = plan.create(NodeKind::Scatter);
            let remote_in = plan.create(NodeKind::Remote);
            let remote_out = plan.create(NodeKind::Remote);
            let gather = plan.create(NodeKind::Gather(gather));
            plan.insert_above(at, scatter);
            plan.insert_above(at, remote_in);
            plan.insert_below(at, remote_out);
            plan.insert_below(remote_out, gather);
            changed = true;
        }
        Outcome::changed_if(changed)
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::plan::{NodeKind, Parallelism, SortMode};

    #[test]
    fn wraps_a_collection_scan_in_scatter_and_gather() {
        let t = TestPlan::cluster("FOR d IN c RETURN d");
        let (order, changed) = t.apply("scatter-in-cluster");
        assert!(changed);
        assert_eq!(
            order,
            [
                "1 Singleton",
                "4 Scatter",
                "5 Remote",
                "2 EnumerateCollection",
                "6 Remote",
                "7 Gather",
                "3 Return"
            ]
        );
    }

    #[test]
    fn gather_mode_follows_the_shard_count() {
        let mut t = TestPlan::cluster("FOR d IN one RETURN d");
        t.run_all(&["scatter-in-cluster"]);
        let gather = kinds(&t.plan).into_iter().find_map(|k| match k {
            NodeKind::Gather(g) => Some(g.clone()),
            _ => None,
        });
        let g = gather.expect("a gather");
        assert_eq!(g.sort_mode, SortMode::MinElement);
        assert_eq!(g.parallelism, Parallelism::Serial);
    }

    #[test]
    fn nothing_to_do_without_collections() {
        let t = TestPlan::cluster("FOR i IN 1..3 RETURN i");
        assert!(!t.apply("scatter-in-cluster").1);
    }
}
