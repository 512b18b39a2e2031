//! `remove-unnecessary-remote-scatter`: a Scatter/Remote pair that only
//! feeds constant work (a Singleton, filters, DB-Server-capable
//! calculations) to the DB-Servers is pointless — each DB-Server can start
//! its snippet itself. Removes both nodes.
//!
//! ```text
//! before: Singleton → Scatter → Remote → FOR d IN c → Remote → Gather
//! after:  Singleton → FOR d IN c → Remote → Gather
//! ```

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{NodeKind, Plan};

pub struct RemoveUnnecessaryRemoteScatter;

impl Rule for RemoveUnnecessaryRemoteScatter {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let remotes: Vec<_> = plan
            .find(|k| matches!(k, NodeKind::Remote))
            .into_iter()
            .filter(|&r| !plan.in_subquery(r))
            .collect();
        let mut changed = false;
        for remote in remotes {
            let Some(scatter) = plan.dependency(remote) else {
                continue;
            };
            if !matches!(plan.kind(scatter), NodeKind::Scatter) {
                continue;
            }
            let mut only_constant_work = true;
            let mut cur = plan.dependency(scatter);
            while let Some(c) = cur {
                only_constant_work &= match plan.kind(c) {
                    NodeKind::Singleton | NodeKind::Filter { .. } => true,
                    NodeKind::Calculation { expr, .. } => {
                        expr.can_run_on_db_server(cx.one_shard_database())
                    }
                    _ => false,
                };
                cur = plan.dependency(c);
            }
            if only_constant_work {
                plan.remove(remote);
                plan.remove(scatter);
                changed = true;
            }
        }
        Outcome::changed_if(changed)
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;

    #[test]
    fn removes_a_pair_that_only_feeds_the_singleton() {
        let mut t = TestPlan::cluster("FOR d IN c RETURN d");
        t.run_all(&["scatter-in-cluster"]);
        let mut plan = t.plan.clone();
        assert_eq!(
            t.run(&mut plan, "remove-unnecessary-remote-scatter"),
            crate::optimizer::Outcome::Changed
        );
        assert_eq!(
            order(&plan),
            [
                "1 Singleton",
                "2 EnumerateCollection",
                "6 Remote",
                "7 Gather",
                "3 Return"
            ]
        );
    }

    #[test]
    fn keeps_a_pair_below_coordinator_only_work() {
        let mut t = TestPlan::cluster("LET u = CURRENT_USER() FOR d IN c FILTER d.u == u RETURN d");
        t.run_all(&["move-calculations-up", "scatter-in-cluster"]);
        let mut plan = t.plan.clone();
        assert_eq!(
            t.run(&mut plan, "remove-unnecessary-remote-scatter"),
            crate::optimizer::Outcome::Unchanged
        );
    }
}
