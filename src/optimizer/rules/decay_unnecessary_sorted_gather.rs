//! `decay-unnecessary-sorted-gather` (3.6+): a GatherNode that merge-sorts
//! rows which all come from one shard has nothing to merge; it drops its
//! sort elements and becomes an unsorted gather.
//!
//! ```text
//! before: FOR d IN one (1 shard)  SORT d.x  REMOTE  GATHER #1 ASC
//! after:  FOR d IN one (1 shard)  SORT d.x  REMOTE  GATHER
//! ```
//!
//! The collection is the first one the gather's snippet reads, walking up
//! from the gather (a SatelliteCollection joined to a sharded loop does
//! not count). Does not fire for unsorted gathers, for collections with
//! several shards, or when the walk reaches a Scatter, a Distribute or a
//! second Remote before any collection.

use crate::catalog::{Catalog, Collection};
use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{NodeKind, NodeRef, Plan};

pub struct DecayUnnecessarySortedGather;

impl Rule for DecayUnnecessarySortedGather {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let mut changed = false;
        for g in plan.find(|k| matches!(k, NodeKind::Gather(g) if !g.elements.is_empty())) {
            let single_shard =
                gathered_collection(plan, g, cx.catalog).is_some_and(|c| c.number_of_shards == 1);
            if single_shard {
                if let NodeKind::Gather(gather) = plan.kind_mut(g) {
                    gather.elements.clear();
                    changed = true;
                }
            }
        }
        Outcome::changed_if(changed)
    }
}

/// The collection whose shards feed gather `g` (ArangoDB's
/// `GatherNode::findCollection`).
fn gathered_collection<'c>(
    plan: &Plan,
    g: NodeRef,
    catalog: &'c Catalog,
) -> Option<&'c Collection> {
    let mut satellite = None;
    let mut remotes = 0;
    let mut cur = plan.dependency(g);
    while let Some(n) = cur {
        match plan.kind(n) {
            NodeKind::Scatter | NodeKind::Distribute { .. } => break,
            NodeKind::Remote => {
                remotes += 1;
                if remotes > 1 {
                    break;
                }
            }
            NodeKind::EnumerateCollection(_)
            | NodeKind::Index(_)
            | NodeKind::IndexCollect(_)
            | NodeKind::Modification(_) => {
                let collection = plan
                    .kind(n)
                    .collection()
                    .and_then(|c| catalog.collection(c));
                match collection {
                    // A satellite joined to a sharded loop runs on its
                    // shards: keep looking for that loop.
                    Some(c) if c.is_satellite() => satellite = satellite.or(Some(c)),
                    other => return other,
                }
            }
            _ => {}
        }
        cur = plan.dependency(n);
    }
    satellite
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::optimizer::Outcome;
    use crate::plan::NodeKind;

    fn decayed(query: &str) -> (bool, Vec<String>) {
        let mut t = TestPlan::cluster(query);
        let outcomes = t.run_all(&[
            "scatter-in-cluster",
            "distribute-filtercalc-to-cluster",
            "distribute-sort-to-cluster",
            "remove-unnecessary-remote-scatter",
            "decay-unnecessary-sorted-gather",
        ]);
        let sorted_gathers = kinds(&t.plan)
            .into_iter()
            .filter(|k| matches!(k, NodeKind::Gather(g) if !g.elements.is_empty()))
            .count();
        assert!(sorted_gathers <= 1);
        (outcomes[4] == Outcome::Changed, t.order())
    }

    #[test]
    fn a_single_shard_sort_needs_no_merge() {
        assert!(decayed("FOR d IN one SORT d.x RETURN d").0);
    }

    #[test]
    fn several_shards_keep_the_merge() {
        assert!(!decayed("FOR d IN c SORT d.x RETURN d").0);
    }

    #[test]
    fn unsorted_gathers_are_left_alone() {
        assert!(!decayed("FOR d IN one RETURN d").0);
    }
}
