//! `parallelize-gather`: lets a Coordinator GatherNode fetch from all
//! shards at once (`parallel`), when it is in the main query and not
//! already `serial` (one shard, satellite). A gather inside a subquery is
//! made `serial` instead, which does not count as a change.

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{NodeKind, Parallelism, Plan};

pub struct ParallelizeGather;

impl Rule for ParallelizeGather {
    fn apply(&self, plan: &mut Plan, _cx: &Context) -> Outcome {
        let mut changed = false;
        for gather in plan.find(|k| matches!(k, NodeKind::Gather(_))) {
            let top = plan.upwards(gather).last().unwrap_or(gather);
            let NodeKind::Gather(g) = plan.kind(gather) else {
                continue;
            };
            let in_main_query = plan.id(top) == 1;
            let parallelism = if in_main_query && g.parallelism != Parallelism::Serial {
                changed = true;
                Parallelism::Parallel
            } else {
                Parallelism::Serial
            };
            if let NodeKind::Gather(g) = plan.kind_mut(gather) {
                g.parallelism = parallelism;
            }
        }
        Outcome::changed_if(changed)
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::plan::{NodeKind, Parallelism};

    fn parallelism(t: &TestPlan) -> Parallelism {
        kinds(&t.plan)
            .into_iter()
            .find_map(|k| match k {
                NodeKind::Gather(g) => Some(g.parallelism),
                _ => None,
            })
            .expect("a gather")
    }

    #[test]
    fn multi_shard_gather_becomes_parallel() {
        let mut t = TestPlan::cluster("FOR d IN c RETURN d");
        t.run_all(&["scatter-in-cluster", "parallelize-gather"]);
        assert_eq!(parallelism(&t), Parallelism::Parallel);
    }

    #[test]
    fn single_shard_gather_stays_serial_without_a_change() {
        let mut t = TestPlan::cluster("FOR d IN one RETURN d");
        let outcomes = t.run_all(&["scatter-in-cluster", "parallelize-gather"]);
        assert_eq!(outcomes[1], crate::optimizer::Outcome::Unchanged);
        assert_eq!(parallelism(&t), Parallelism::Serial);
    }
}
