//! `distribute-filtercalc-to-cluster`: moves FILTERs and calculations that
//! follow a GatherNode up above its RemoteNode, so each DB-Server filters
//! its own shard's rows before they cross the network.
//!
//! Stops at anything that needs all rows together (COLLECT, LIMIT, RETURN,
//! another collection access, a subquery …), at a calculation that cannot
//! run on a DB-Server (coordinator-only functions, user functions), and at
//! anything that uses a variable set below the gather. A SORT is stepped
//! over (it is `distribute-sort-to-cluster`'s job), after which only
//! filters and calculations may follow.

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{NodeKind, Plan};

pub struct DistributeFilterCalcToCluster;

impl Rule for DistributeFilterCalcToCluster {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let mut changed = false;
        for gather in plan.find(|k| matches!(k, NodeKind::Gather(_))) {
            let Some(remote) = plan.dependency(gather) else {
                continue;
            };
            let mut set_below = Vec::new();
            let mut after_sort = false;
            let mut cur = plan.parent(gather);
            while let Some(c) = cur {
                let next = plan.parent(c);
                match plan.kind(c) {
                    NodeKind::EnumerateList { .. }
                    | NodeKind::Singleton
                    | NodeKind::Modification(_)
                    | NodeKind::Sort { .. }
                        if !after_sort =>
                    {
                        after_sort = matches!(plan.kind(c), NodeKind::Sort { .. });
                        set_below.extend(plan.kind(c).variables_set());
                    }
                    NodeKind::Calculation { expr, .. }
                        if !expr.can_run_on_db_server(cx.one_shard_database()) =>
                    {
                        break
                    }
                    NodeKind::Calculation { .. } | NodeKind::Filter { .. } => {
                        let mut reads_set_below = false;
                        plan.kind(c).for_each_variable_used(&mut |v| {
                            reads_set_below |= set_below.contains(&v)
                        });
                        if reads_set_below {
                            break;
                        }
                        plan.unlink(c);
                        plan.insert_above(remote, c);
                        changed = true;
                    }
                    _ => break,
                }
                cur = next;
            }
        }
        Outcome::changed_if(changed)
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;

    #[test]
    fn moves_filter_and_calculation_to_the_db_servers() {
        let mut t = TestPlan::cluster("FOR d IN c FILTER d.x > 1 RETURN d");
        t.run_all(&["scatter-in-cluster"]);
        let mut plan = t.plan.clone();
        assert_eq!(
            t.run(&mut plan, "distribute-filtercalc-to-cluster"),
            crate::optimizer::Outcome::Changed
        );
        assert_eq!(
            order(&plan),
            [
                "1 Singleton",
                "6 Scatter",
                "7 Remote",
                "2 EnumerateCollection",
                "3 Calculation",
                "4 Filter",
                "8 Remote",
                "9 Gather",
                "5 Return"
            ]
        );
    }

    #[test]
    fn coordinator_only_calculation_stays_below_the_gather() {
        let mut t = TestPlan::cluster("FOR d IN c FILTER d.u == CURRENT_USER() RETURN d");
        t.run_all(&["scatter-in-cluster"]);
        let mut plan = t.plan.clone();
        assert_eq!(
            t.run(&mut plan, "distribute-filtercalc-to-cluster"),
            crate::optimizer::Outcome::Unchanged
        );
    }

    #[test]
    fn limit_stops_the_walk() {
        let mut t = TestPlan::cluster("FOR d IN c LIMIT 2 FILTER d.x RETURN d");
        t.run_all(&["scatter-in-cluster"]);
        let mut plan = t.plan.clone();
        assert_eq!(
            t.run(&mut plan, "distribute-filtercalc-to-cluster"),
            crate::optimizer::Outcome::Unchanged
        );
    }
}
