//! `distribute-sort-to-cluster`: a SORT directly after a GatherNode is
//! moved above its RemoteNode, so every DB-Server sorts its shard and the
//! gather merely merges sorted streams (it takes the sort's elements).
//!
//! Only the gather's direct parent is considered. From 3.9 the sort is
//! placed above deterministic calculations right above the RemoteNode
//! that do not compute its keys (3.6 put it directly above the Remote).

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{NodeKind, Plan};

pub struct DistributeSortToCluster;

impl Rule for DistributeSortToCluster {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let mut changed = false;
        for gather in plan.find(|k| matches!(k, NodeKind::Gather(_))) {
            let Some(remote) = plan.dependency(gather) else {
                continue;
            };
            while let Some(sort) = plan.parent(gather) {
                let NodeKind::Sort { elements, .. } = plan.kind(sort) else {
                    break;
                };
                let elements = elements.clone();
                let mut point = remote;
                if cx.compat.sort_moves_below_unrelated_calculations() {
                    while let Some(d) = plan.dependency(point) {
                        let skippable = match plan.kind(d) {
                            NodeKind::Calculation { out, expr } => {
                                expr.is_deterministic() && !elements.iter().any(|e| e.var == *out)
                            }
                            _ => false,
                        };
                        if !skippable {
                            break;
                        }
                        point = d;
                    }
                }
                plan.unlink(sort);
                plan.insert_above(point, sort);
                if let NodeKind::Gather(g) = plan.kind_mut(gather) {
                    g.elements = elements;
                }
                changed = true;
            }
        }
        Outcome::changed_if(changed)
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::plan::NodeKind;

    #[test]
    fn sort_moves_to_the_db_servers_and_the_gather_merges() {
        let mut t = TestPlan::cluster("FOR d IN c SORT d.x DESC RETURN d");
        t.run_all(&[
            "scatter-in-cluster",
            "distribute-filtercalc-to-cluster",
            "distribute-sort-to-cluster",
        ]);
        let o = t.order();
        assert_eq!(o[4..8], ["3 Calculation", "4 Sort", "8 Remote", "9 Gather"]);
        let merged = kinds(&t.plan).into_iter().any(|k| matches!(k, NodeKind::Gather(g) if g.elements.len() == 1 && !g.elements[0].ascending));
        assert!(merged);
    }

    #[test]
    fn nothing_when_the_sort_does_not_follow_the_gather() {
        let mut t = TestPlan::cluster("FOR d IN c LIMIT 3 SORT d.x RETURN d");
        t.run_all(&["scatter-in-cluster"]);
        let mut plan = t.plan.clone();
        assert_eq!(
            t.run(&mut plan, "distribute-sort-to-cluster"),
            crate::optimizer::Outcome::Unchanged
        );
    }
}
