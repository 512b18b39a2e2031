//! Small plans for rule unit tests: parse a query against a tiny catalog,
//! build the plan, run chosen rules, and read the node order back.

use crate::catalog::Catalog;
use crate::compat::Version;
use crate::optimizer::{rule_by_name, Context, Outcome};
use crate::plan::builder::{self, QueryInfo};
use crate::plan::{NodeKind, Plan};
use std::collections::BTreeMap;

pub struct TestPlan {
    pub plan: Plan,
    pub catalog: Catalog,
    pub info: QueryInfo,
    pub query: String,
    pub compat: Version,
}

/// A single server with collections `c` (100 documents) and `e` (edges).
pub const SINGLE: &str = r#"{"role": "single", "collections": [
    {"name": "c", "count": 100}, {"name": "other", "count": 10}]}"#;

/// A cluster with `c` (5 shards), `one` (1 shard), `sat` (satellite).
pub const CLUSTER: &str = r#"{"collections": [
    {"name": "c", "numberOfShards": 5, "count": 10000},
    {"name": "one", "numberOfShards": 1, "count": 10},
    {"name": "sat", "replicationFactor": "satellite", "count": 10}]}"#;

impl TestPlan {
    pub fn new(catalog: &str, query: &str, compat: Version) -> TestPlan {
        let catalog = Catalog::from_json_text(catalog).expect("test catalog");
        let ast = crate::syntax::parse(query).expect("test query parses");
        let (plan, info) = builder::build(&ast, &catalog, &BTreeMap::new(), compat, false)
            .expect("test query plans");
        TestPlan {
            plan,
            catalog,
            info,
            query: query.to_string(),
            compat,
        }
    }

    pub fn single(query: &str) -> TestPlan {
        TestPlan::new(SINGLE, query, Version::NEWEST)
    }

    pub fn cluster(query: &str) -> TestPlan {
        TestPlan::new(CLUSTER, query, Version::NEWEST)
    }

    /// Runs one rule on (a copy of) the plan: the node order afterwards and
    /// whether the rule reported a change.
    pub fn apply(&self, rule: &str) -> (Vec<String>, bool) {
        let mut plan = self.plan.clone();
        let changed = self.run(&mut plan, rule) == Outcome::Changed;
        (order(&plan), changed)
    }

    /// Runs rules in the given order on the plan itself.
    pub fn run_all(&mut self, rules: &[&str]) -> Vec<Outcome> {
        let mut plan = self.plan.clone();
        let outcomes = rules.iter().map(|r| self.run(&mut plan, r)).collect();
        self.plan = plan;
        outcomes
    }

    pub fn run(&self, plan: &mut Plan, rule: &str) -> Outcome {
        let cx = Context {
            catalog: &self.catalog,
            compat: self.compat,
            info: &self.info,
            query: &self.query,
            max_plans: crate::optimizer::DEFAULT_MAX_PLANS,
        };
        let def = rule_by_name(rule).unwrap_or_else(|| panic!("no rule {rule}"));
        let outcome = def
            .rule
            .unwrap_or_else(|| panic!("{rule} is not implemented"))
            .apply(plan, &cx);
        if outcome == Outcome::Changed {
            plan.record_rule(def.name);
        }
        outcome
    }

    pub fn order(&self) -> Vec<String> {
        order(&self.plan)
    }
}

/// "id Type" for each node of the main pipeline, top to bottom.
pub fn order(plan: &Plan) -> Vec<String> {
    plan.pipeline()
        .into_iter()
        .map(|n| {
            let name = plan.kind(n).type_name();
            format!(
                "{} {}",
                plan.id(n),
                name.strip_suffix("Node").unwrap_or(name)
            )
        })
        .collect()
}

pub fn kinds(plan: &Plan) -> Vec<&NodeKind> {
    plan.pipeline().into_iter().map(|n| plan.kind(n)).collect()
}
