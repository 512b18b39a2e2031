//! `cluster-one-shard` (Enterprise): when every collection the query
//! touches lives in one shard on the same DB-Server (a OneShard database,
//! or single-shard collections sharded like one another), the whole query
//! runs on that DB-Server and only the result crosses the network:
//!
//! ```text
//! before: … → LIMIT → RETURN doc
//! after:  … → LIMIT → Remote → Gather → RETURN doc     (all but the last three on DBS)
//! ```
//!
//! Refused — with the reasons — for several shards, different leaders or
//! prototypes, writes into a SatelliteCollection, SmartGraph edges, and
//! any call that must run on a Coordinator (user functions, `V8()`,
//! `CALL()`, `APPLY()`, `CURRENT_USER()`, `COLLECTION_COUNT()` …). Once
//! applied, the remaining cluster rules do not run for the plan.

use crate::cluster::one_shard_refusals;
use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{Gather, NodeKind, Parallelism, Plan, SortMode};

pub struct ClusterOneShard;

impl Rule for ClusterOneShard {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let reasons = one_shard_refusals(plan, cx);
        if !reasons.is_empty() {
            return Outcome::Refused(reasons);
        }
        let remote = plan.create(NodeKind::Remote);
        let gather = plan.create(NodeKind::Gather(Gather {
            elements: Vec::new(),
            sort_mode: SortMode::Unset,
            parallelism: Parallelism::Undefined,
            limit: 0,
        }));
        let root = plan.root();
        if matches!(plan.kind(root), NodeKind::Return { .. }) {
            plan.insert_above(root, remote);
            plan.insert_above(root, gather);
        } else {
            plan.insert_below(root, remote);
            plan.insert_below(remote, gather);
        }
        plan.one_shard = true;
        Outcome::Changed
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::optimizer::Outcome;

    const ONE_SHARD_DB: &str = r#"{"database": {"sharding": "single"}, "collections": [
        {"name": "a", "count": 10}, {"name": "b", "count": 5}]}"#;

    fn outcome(catalog: &str, query: &str) -> Outcome {
        let t = TestPlan::new(catalog, query, crate::compat::Version::NEWEST);
        let mut plan = t.plan.clone();
        t.run(&mut plan, "cluster-one-shard")
    }

    fn refused_kinds(catalog: &str, query: &str) -> Vec<&'static str> {
        match outcome(catalog, query) {
            Outcome::Refused(reasons) => reasons.iter().map(|r| r.kind).collect(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn one_shard_database_runs_on_one_server() {
        let t = TestPlan::new(
            ONE_SHARD_DB,
            "FOR x IN a RETURN x",
            crate::compat::Version::NEWEST,
        );
        let mut plan = t.plan.clone();
        assert_eq!(t.run(&mut plan, "cluster-one-shard"), Outcome::Changed);
        assert_eq!(
            order(&plan),
            [
                "1 Singleton",
                "2 EnumerateCollection",
                "4 Remote",
                "5 Gather",
                "3 Return"
            ]
        );
    }

    #[test]
    fn several_shards_are_refused_and_one_shard_is_accepted() {
        assert_eq!(
            refused_kinds(CLUSTER, "FOR x IN c RETURN x"),
            ["several-shards"]
        );
        assert_eq!(outcome(CLUSTER, "FOR x IN one RETURN x"), Outcome::Changed);
    }

    #[test]
    fn coordinator_only_functions_are_refused_with_their_position() {
        let t = TestPlan::new(
            ONE_SHARD_DB,
            "FOR x IN a\n  RETURN [x, current_user()]",
            crate::compat::Version::NEWEST,
        );
        let mut plan = t.plan.clone();
        match t.run(&mut plan, "cluster-one-shard") {
            Outcome::Refused(r) => {
                assert_eq!(r[0].kind, "coordinator-only-function");
                assert_eq!(r[0].position, Some((2, 14)));
                assert!(r[0].message.contains("CURRENT_USER()"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn strings_and_attributes_that_look_like_functions_are_not_calls() {
        assert_eq!(
            outcome(
                ONE_SHARD_DB,
                "FOR x IN a RETURN [x.VERSION, 'CURRENT_USER()']"
            ),
            Outcome::Changed
        );
    }

    #[test]
    fn queries_without_collections_are_not_one_shard() {
        assert_eq!(refused_kinds(ONE_SHARD_DB, "RETURN 1"), ["no-collection"]);
    }
}
