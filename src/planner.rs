//! The whole pipeline: parse → resolve and build → optimize → estimate →
//! place. One call, no global state; a `Catalog` can be shared by many
//! threads planning at once.

use crate::catalog::Catalog;
use crate::cluster::{self, Site};
use crate::compat::Version;
use crate::error::{Error, Result};
use crate::optimizer::{self, Context, Reason, RuleSelection, Stats, Trace};
use crate::plan::builder::{self, QueryInfo};
use crate::plan::estimate::{self, Estimates};
use crate::plan::{NodeKind, NodeRef, Plan};
use crate::syntax;
use std::collections::{BTreeMap, HashMap};

/// Longest query text accepted (ArangoDB's default `--query.max-length`
/// is far larger; this keeps one request from using unbounded memory).
pub const MAX_QUERY_BYTES: usize = 4 * 1024 * 1024;

/// ArangoDB's `ExecutionPlan::maxPlanNodes`: an initial plan with more
/// execution nodes is refused (1524).
pub const MAX_PLAN_NODES: usize = 4000;

/// ArangoDB's default `--query.max-collections-per-query`.
pub const MAX_COLLECTIONS: usize = 2048;

/// Largest bind-parameter payload accepted, in bytes of JSON.
pub const MAX_BIND_BYTES: usize = 16 * 1024 * 1024;

/// Deepest nesting of arrays and objects accepted in a bind parameter
/// value (the query text's own limit, `syntax::MAX_NESTING`): bind values
/// become expressions, which later passes walk recursively.
pub const MAX_BIND_DEPTH: usize = syntax::MAX_NESTING;

/// Queries up to this length are planned on the caller's thread (when not
/// deeply nested): too short to build expressions deep enough to matter.
const INLINE_QUERY_BYTES: usize = 1024;

/// What to plan and how (ArangoDB's explain options).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The ArangoDB version whose behaviour to reproduce.
    pub compat: Version,
    /// Bind parameters (`@@name` keys for collection parameters).
    pub bind: BTreeMap<String, serde_json::Value>,
    /// `optimizer.rules`.
    pub rules: RuleSelection,
    /// `fullCount`.
    pub full_count: bool,
    /// Keep the plan after each rule that changed it.
    pub trace: bool,
    /// `allPlans`: keep every final plan, not only the cheapest.
    pub all_plans: bool,
    /// `maxNumberOfPlans` (ArangoDB's default, 128, when not given).
    pub max_plans: Option<usize>,
}

impl Options {
    /// Reads ArangoDB's explain options object: `optimizer.rules`,
    /// `maxNumberOfPlans`, `fullCount`, `allPlans` (others are refused so
    /// that a typo is not silently ignored).
    pub fn apply_json(&mut self, json: &serde_json::Value) -> Result<()> {
        let bad = |m: &str| Error::BadOption(format!("invalid explain options: {m}"));
        let object = json.as_object().ok_or_else(|| bad("expected an object"))?;
        for (key, value) in object {
            match key.as_str() {
                "optimizer" => {
                    let rules = value.get("rules").map(|r| {
                        r.as_array()
                            .and_then(|items| {
                                items
                                    .iter()
                                    .map(|i| i.as_str().map(str::to_string))
                                    .collect::<Option<Vec<_>>>()
                            })
                            .ok_or_else(|| bad("optimizer.rules must be an array of strings"))
                    });
                    if let Some(rules) = rules {
                        self.rules = RuleSelection::parse(&rules?)?;
                    }
                }
                "fullCount" => {
                    self.full_count = value
                        .as_bool()
                        .ok_or_else(|| bad("fullCount must be a boolean"))?
                }
                "maxNumberOfPlans" => {
                    let n = value
                        .as_u64()
                        .filter(|&n| n >= 1)
                        .ok_or_else(|| bad("maxNumberOfPlans must be a positive integer"))?;
                    self.max_plans = Some(usize::try_from(n).unwrap_or(usize::MAX));
                }
                "allPlans" => {
                    self.all_plans = value
                        .as_bool()
                        .ok_or_else(|| bad("allPlans must be a boolean"))?
                }
                "verbosePlans" | "explainInternals" | "colors" | "profile" => {}
                other => return Err(bad(&format!("unknown option '{other}'"))),
            }
        }
        Ok(())
    }
}

/// Whether the query may run as OneShard, and why not.
#[derive(Debug, Clone, PartialEq)]
pub struct OneShardDecision {
    pub applied: bool,
    pub reasons: Vec<Reason>,
}

/// A planned query: the chosen plan with everything the renderers print.
#[derive(Debug, Clone)]
pub struct Explanation<'c> {
    pub catalog: &'c Catalog,
    /// How deeply the query's expressions and subqueries nest: renderers
    /// recurse that deep.
    pub nesting: usize,
    pub query: String,
    pub compat: Version,
    pub plan: Plan,
    pub estimates: Estimates,
    /// Node sites; empty on a single server.
    pub sites: HashMap<NodeRef, Site>,
    pub stats: Stats,
    pub one_shard: OneShardDecision,
    /// Whether the query result could be served from the query cache.
    pub cacheable: bool,
    pub info: QueryInfo,
    /// The chosen plan's way through the optimizer (with `Options::trace`).
    pub trace: Option<Trace>,
    /// Whether the caller asked for every plan (`allPlans`).
    pub all_plans: bool,
    /// The plans the optimizer did not choose (kept only with `allPlans`).
    pub other_plans: Vec<Plan>,
}

impl Explanation<'_> {
    pub fn is_cluster(&self) -> bool {
        self.catalog.is_cluster()
    }

    pub fn site(&self, n: NodeRef) -> Option<Site> {
        self.sites.get(&n).copied()
    }

    /// The chosen plan and the others, cheapest first (on equal costs the
    /// chosen plan, then plan-list order), as `allPlans` lists them.
    pub fn plans_by_cost(&self) -> Vec<&Plan> {
        let cost = |p: &Plan| {
            estimate::estimate(p, self.catalog, self.compat)
                .of(p.root())
                .cost
        };
        let mut plans: Vec<(&Plan, f64)> = std::iter::once(&self.plan)
            .chain(&self.other_plans)
            .map(|p| (p, cost(p)))
            .collect();
        plans.sort_by(|a, b| a.1.total_cmp(&b.1));
        plans.into_iter().map(|(p, _)| p).collect()
    }
}

/// Plans `query` against `catalog`.
pub fn explain<'c>(
    catalog: &'c Catalog,
    query: &str,
    options: &Options,
) -> Result<Explanation<'c>> {
    check_limits(query, &options.bind)?;
    let (ast, nesting) = syntax::parse_with_depth(query)?;
    // Resolution, plan building and rules recurse per expression and
    // subquery level; rules that inline calculations can nest deeper than
    // the text (up to one level per statement), so long queries get room
    // as well as deep ones.
    let room = if query.len() > INLINE_QUERY_BYTES {
        syntax::MAX_NESTING
    } else {
        nesting
    };
    crate::stack::with_room_for(room, || plan_query(catalog, query, &ast, nesting, options))
}

fn plan_query<'c>(
    catalog: &'c Catalog,
    query: &str,
    ast: &syntax::Query,
    nesting: usize,
    options: &Options,
) -> Result<Explanation<'c>> {
    let (plan, info) = build_plan(catalog, ast, options)?;
    Ok(optimize_plan(catalog, query, plan, info, nesting, options))
}

fn build_plan(
    catalog: &Catalog,
    ast: &syntax::Query,
    options: &Options,
) -> Result<(Plan, QueryInfo)> {
    let (plan, info) = builder::build(
        ast,
        catalog,
        &options.bind,
        options.compat,
        options.full_count,
    )?;
    // ArangoDB's hard limit on the initial plan (also what keeps the rules,
    // several of which walk the plan once per node, fast).
    if plan.node_count() > MAX_PLAN_NODES {
        return Err(Error::TooManyPlanNodes);
    }
    Ok((plan, info))
}

/// Optimizes a built plan, then estimates and places it.
fn optimize_plan<'c>(
    catalog: &'c Catalog,
    query: &str,
    plan: Plan,
    info: QueryInfo,
    nesting: usize,
    options: &Options,
) -> Explanation<'c> {
    let cx = Context {
        catalog,
        compat: options.compat,
        info: &info,
        query,
        max_plans: options.max_plans.unwrap_or(optimizer::DEFAULT_MAX_PLANS),
    };
    let optimized = optimizer::optimize(plan, &cx, &options.rules, options.trace);
    let other_plans = if options.all_plans {
        optimized.others
    } else {
        Vec::new()
    };
    let plan = optimized.plan;
    let one_shard = OneShardDecision {
        applied: plan.applied_rules.contains(&"cluster-one-shard"),
        reasons: optimized
            .refusals
            .iter()
            .find(|(rule, _)| *rule == "cluster-one-shard")
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| {
                if plan.one_shard || !catalog.is_cluster() {
                    Vec::new()
                } else {
                    vec![not_evaluated_reason(catalog, options)]
                }
            }),
    };
    // Rules may have built deeper expressions than the query wrote
    // (inlining); the renderers need room for those.
    let nesting = plan
        .expressions()
        .iter()
        .map(|e| e.depth())
        .fold(nesting, usize::max);
    let estimates = estimate::estimate(&plan, catalog, options.compat);
    let sites = if catalog.is_cluster() {
        cluster::sites(&plan)
    } else {
        HashMap::new()
    };
    let cacheable = is_cacheable(&plan);
    Explanation {
        catalog,
        nesting,
        query: query.to_string(),
        compat: options.compat,
        plan,
        estimates,
        sites,
        stats: optimized.stats,
        one_shard,
        cacheable,
        info,
        trace: optimized.trace,
        all_plans: options.all_plans,
        other_plans,
    }
}

/// The phases of [`explain`] one at a time, for the benchmarks, which time
/// each on its own (`benches/explain.rs`). Not a stable API.
#[doc(hidden)]
pub mod phases {
    use super::*;

    /// An unoptimized plan and what the optimizer needs besides it.
    #[derive(Debug, Clone)]
    pub struct Built {
        pub plan: Plan,
        pub info: QueryInfo,
        pub nesting: usize,
    }

    /// Text → syntax tree and its nesting depth.
    pub fn parse(query: &str) -> Result<(syntax::Query, usize)> {
        check_limits(query, &BTreeMap::new())?;
        syntax::parse_with_depth(query)
    }

    /// Syntax tree → unoptimized plan.
    pub fn build(
        catalog: &Catalog,
        ast: &syntax::Query,
        nesting: usize,
        options: &Options,
    ) -> Result<Built> {
        check_limits("", &options.bind)?;
        let (plan, info) =
            crate::stack::with_room_for(nesting, || build_plan(catalog, ast, options))?;
        Ok(Built {
            plan,
            info,
            nesting,
        })
    }

    /// Unoptimized plan → the explanation the renderers print.
    pub fn optimize<'c>(
        catalog: &'c Catalog,
        query: &str,
        built: Built,
        options: &Options,
    ) -> Explanation<'c> {
        let Built {
            plan,
            info,
            nesting,
        } = built;
        crate::stack::render_with_room(nesting, || {
            optimize_plan(catalog, query, plan, info, nesting, options)
        })
    }
}

/// Refuses inputs larger or deeper than the planner accepts (32), before
/// any recursive pass sees them.
fn check_limits(query: &str, bind: &BTreeMap<String, serde_json::Value>) -> Result<()> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(Error::ResourceLimit(format!(
            "the query string is longer than {MAX_QUERY_BYTES} bytes"
        )));
    }
    let mut bytes = 0usize;
    // An explicit stack: the values may be nested arbitrarily deep.
    let mut stack: Vec<(&serde_json::Value, usize)> = bind.values().map(|v| (v, 1)).collect();
    bytes += bind.keys().map(|k| k.len() + 4).sum::<usize>();
    while let Some((value, depth)) = stack.pop() {
        if depth > MAX_BIND_DEPTH {
            return Err(Error::ResourceLimit(format!(
                "bind parameter values are nested deeper than {MAX_BIND_DEPTH} levels"
            )));
        }
        bytes += match value {
            serde_json::Value::String(s) => s.len() + 2,
            serde_json::Value::Array(items) => {
                stack.extend(items.iter().map(|i| (i, depth + 1)));
                2 + items.len()
            }
            serde_json::Value::Object(members) => {
                for (k, v) in members {
                    bytes += k.len() + 4;
                    stack.push((v, depth + 1));
                }
                2 + members.len()
            }
            _ => 8,
        };
        if bytes > MAX_BIND_BYTES {
            return Err(Error::ResourceLimit(format!(
                "the bind parameters are larger than {MAX_BIND_BYTES} bytes"
            )));
        }
    }
    Ok(())
}

/// When `cluster-one-shard` never ran, say why.
fn not_evaluated_reason(catalog: &Catalog, options: &Options) -> Reason {
    let disabled = optimizer::rule_by_name("cluster-one-shard")
        .is_some_and(|r| !options.rules.is_enabled(r, options.compat));
    let message = if disabled {
        "the rule cluster-one-shard was disabled by the query options".to_string()
    } else if !options.compat.has_one_shard() {
        format!(
            "ArangoDB {} has no OneShard support (it came with 3.6)",
            options.compat
        )
    } else {
        format!(
            "the rule did not run for database '{}'",
            catalog.database_name
        )
    };
    Reason {
        kind: if disabled {
            "rule-disabled"
        } else {
            "rule-unavailable"
        },
        message,
        position: None,
    }
}

/// ArangoDB caches results only of read-only queries whose functions are
/// all cacheable.
fn is_cacheable(plan: &Plan) -> bool {
    let writes = plan.nodes().any(|n| match plan.kind(n) {
        NodeKind::Modification(_) | NodeKind::MultipleRemoteModification { .. } => true,
        NodeKind::SingleRemote(r) => r.mode != crate::plan::SingleRemoteMode::Index,
        _ => false,
    });
    let functions_ok = plan
        .expressions()
        .iter()
        .all(|e| !e.any_call(|f| !f.is_some_and(|f| f.is_cacheable())));
    !writes && functions_ok
}
