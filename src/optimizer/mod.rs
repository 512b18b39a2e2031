//! The optimizer: runs ArangoDB's rules, in ArangoDB's order, over a plan.
//!
//! `RULES` below is the whole pipeline on one screen: ArangoDB 3.12's rule
//! list in level order, each with its flags, the version it appeared in,
//! and the implementation (one file per rule under `rules/`). Version
//! differences in the order are applied by [`pipeline`].

pub mod index_selection;
pub mod rules;

use crate::catalog::Catalog;
use crate::compat::Version;
use crate::error::{Error, Result};
use crate::plan::builder::QueryInfo;
use crate::plan::Plan;
use std::sync::OnceLock;

/// What a rule did to a plan.
#[derive(Debug, Clone)]
pub enum Outcome {
    Changed,
    Unchanged,
    /// The plan changed, and the rule made these alternative plans, which
    /// go before it in the plan list (ArangoDB's `addPlan` order).
    Alternatives(Vec<Plan>),
    /// The rule made these alternative plans (which go before it) and left
    /// this one unchanged: only the alternatives record the rule.
    Variants(Vec<Plan>),
    /// The rule looked at the plan and decided not to apply, for these
    /// reasons (only rules whose refusal users ask about report them).
    Refused(Vec<Reason>),
}

impl Outcome {
    /// `Changed` or `Unchanged`, for rules that only report whether they did
    /// something.
    pub fn changed_if(changed: bool) -> Outcome {
        if changed {
            Outcome::Changed
        } else {
            Outcome::Unchanged
        }
    }
}

impl PartialEq for Outcome {
    /// Alternatives compare by count: plans have no meaningful equality.
    fn eq(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Changed, Outcome::Changed) | (Outcome::Unchanged, Outcome::Unchanged) => true,
            (Outcome::Alternatives(a), Outcome::Alternatives(b))
            | (Outcome::Variants(a), Outcome::Variants(b)) => a.len() == b.len(),
            (Outcome::Refused(a), Outcome::Refused(b)) => a == b,
            _ => false,
        }
    }
}

/// Why a rule did not apply, with the place in the query when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// A stable machine-readable kind, e.g. `coordinator-only-function`.
    pub kind: &'static str,
    pub message: String,
    /// 1-based line and column in the query text.
    pub position: Option<(usize, usize)>,
}

/// Everything a rule may read besides the plan.
pub struct Context<'a> {
    pub catalog: &'a Catalog,
    pub compat: Version,
    pub info: &'a QueryInfo,
    pub query: &'a str,
    /// `maxNumberOfPlans`: rules that make alternative plans stop there.
    pub max_plans: usize,
}

/// ArangoDB's default `maxNumberOfPlans`.
pub const DEFAULT_MAX_PLANS: usize = 128;

impl Context<'_> {
    pub fn is_cluster(&self) -> bool {
        self.catalog.is_cluster()
    }

    /// Whether expressions are judged by the OneShard function flags.
    pub fn one_shard_database(&self) -> bool {
        self.catalog.is_one_shard_database()
    }

    /// 1-based line and column of a byte offset in the query.
    pub fn position(&self, offset: u32) -> (usize, usize) {
        let before = &self.query[..(offset as usize).min(self.query.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    }
}

/// One optimizer rule.
pub trait Rule: Sync {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome;
}

/// Rule properties, as ArangoDB declares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RuleFlags {
    /// Registered only on Coordinators.
    pub cluster_only: bool,
    /// Enterprise Edition only.
    pub enterprise: bool,
    /// Off unless a query enables it.
    pub disabled_by_default: bool,
    /// Never listed as applied, not counted.
    pub hidden: bool,
    /// `-rule` / `-all` cannot switch it off.
    pub required: bool,
}

const fn flags(letters: &str) -> RuleFlags {
    let b = letters.as_bytes();
    let mut f = RuleFlags {
        cluster_only: false,
        enterprise: false,
        disabled_by_default: false,
        hidden: false,
        required: false,
    };
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'C' => f.cluster_only = true,
            b'E' => f.enterprise = true,
            b'D' => f.disabled_by_default = true,
            b'H' => f.hidden = true,
            b'N' => f.required = true,
            _ => {}
        }
        i += 1;
    }
    f
}

impl RuleDef {
    /// Whether `-rule` / `-all` leave the rule on in `compat`.
    pub fn is_required(&self, compat: Version) -> bool {
        if self.name == "splice-subqueries" {
            return !compat.splice_subqueries_can_be_disabled();
        }
        self.flags.required
    }
}

/// A registered rule.
pub struct RuleDef {
    pub name: &'static str,
    pub flags: RuleFlags,
    /// The first version that has the rule.
    pub since: Version,
    /// None: aqlplan does not implement the rule (it never fires).
    pub rule: Option<&'static dyn Rule>,
}

const fn def(
    name: &'static str,
    letters: &str,
    since: (u8, u8, u8),
    rule: Option<&'static dyn Rule>,
) -> RuleDef {
    RuleDef {
        name,
        flags: flags(letters),
        since: Version::new(since.0, since.1, since.2),
        rule,
    }
}

use rules::*;

const OLD: (u8, u8, u8) = (3, 4, 0);

/// ArangoDB 3.12's rules in execution (level) order. Flags: C cluster-only,
/// E Enterprise, D disabled by default, H hidden, N cannot be disabled.
#[rustfmt::skip]
pub static RULES: &[RuleDef] = &[
    def("replace-function-with-index", "N", OLD, None),
    def("inline-subqueries", "", OLD, None),
    def("replace-like-with-range", "N", (3, 12, 5), None),
    def("replace-entries-with-object-iteration", "", (3, 12, 3), Some(&ReplaceEntriesWithObjectIteration)),
    def("simplify-conditions", "", OLD, None),
    def("move-calculations-up", "", OLD, Some(&MoveCalculationsUp)),
    def("move-filters-up", "", OLD, Some(&MoveFiltersUp)),
    def("remove-redundant-calculations", "", OLD, Some(&RemoveRedundantCalculations)),
    def("remove-unnecessary-filters", "", OLD, Some(&RemoveUnnecessaryFilters)),
    def("remove-unnecessary-calculations", "", OLD, Some(&RemoveUnnecessaryCalculations)),
    def("specialize-collect", "HN", OLD, Some(&SpecializeCollect)),
    def("remove-redundant-sorts", "", OLD, Some(&RemoveRedundantSorts)),
    def("optimize-subqueries", "", OLD, Some(&OptimizeSubqueries)),
    def("interchange-adjacent-enumerations", "", OLD, Some(&InterchangeAdjacentEnumerations)),
    def("move-calculations-up-2", "", OLD, Some(&MoveCalculationsUp)),
    def("move-filters-up-2", "", OLD, Some(&MoveFiltersUp)),
    def("replace-equal-attribute-accesses", "D", (3, 12, 5), None),
    def("remove-redundant-sorts-2", "", OLD, Some(&RemoveRedundantSorts)),
    def("remove-sort-rand-limit-1", "", OLD, None),
    def("remove-collect-variables", "", OLD, None),
    def("propagate-constant-attributes", "", OLD, None),
    def("remove-data-modification-out-variables", "", OLD, Some(&RemoveDataModificationOutVariables)),
    def("replace-or-with-in", "", OLD, None),
    def("replace-any-eq-with-in", "", (3, 12, 5), None),
    def("remove-redundant-or", "", OLD, None),
    def("geo-index-optimizer", "", OLD, None),
    def("use-vector-index", "", (3, 12, 4), None),
    def("push-filter-into-enumerate-near", "DHN", (3, 12, 4), None),
    def("materialize-for-enumerate-near", "HN", (3, 12, 4), None),
    def("use-indexes", "", OLD, Some(&UseIndexes)),
    def("remove-filter-covered-by-index", "", OLD, Some(&RemoveFilterCoveredByIndex)),
    def("remove-unnecessary-filters-2", "", OLD, Some(&RemoveUnnecessaryFilters)),
    def("use-index-for-sort", "", OLD, Some(&UseIndexForSort)),
    def("sort-in-values", "", OLD, None),
    def("optimize-traversal-last-element-access", "", (3, 10, 0), None),
    def("optimize-traversals", "", OLD, None),
    def("optimize-enumerate-path-filters", "", (3, 12, 5), None),
    def("optimize-paths", "", (3, 10, 0), None),
    def("remove-filter-covered-by-traversal", "", OLD, None),
    def("handle-arangosearch-views", "N", OLD, None),
    def("arangosearch-constrained-sort", "", (3, 7, 0), None),
    def("remove-unnecessary-calculations-2", "", OLD, Some(&RemoveUnnecessaryCalculations)),
    def("remove-redundant-path-var", "", OLD, None),
    def("optimize-cluster-single-document-operations", "C", OLD, Some(&OptimizeClusterSingleDocumentOperations)),
    def("optimize-cluster-multiple-document-operations", "C", (3, 11, 0), Some(&OptimizeClusterMultipleDocumentOperations)),
    def("move-calculations-down", "", OLD, Some(&MoveCalculationsDown)),
    def("fuse-filters", "", (3, 8, 0), None),
    def("cluster-one-shard", "CE", (3, 6, 0), Some(&ClusterOneShard)),
    def("cluster-lift-constant-for-disjoint-graph-nodes", "CEN", (3, 7, 0), None),
    def("distribute-in-cluster", "CN", OLD, Some(&DistributeInCluster)),
    def("smart-joins", "CE", (3, 4, 5), None),
    def("scatter-in-cluster", "CN", OLD, Some(&ScatterInCluster)),
    def("scatter-satellite-graphs", "CE", (3, 7, 0), None),
    def("remove-satellite-joins", "CE", OLD, Some(&RemoveSatelliteJoins)),
    def("remove-distribute-nodes", "CE", (3, 7, 0), None),
    def("distribute-offset-info-to-cluster", "CEN", (3, 10, 0), None),
    def("distribute-filtercalc-to-cluster", "C", OLD, Some(&DistributeFilterCalcToCluster)),
    def("distribute-sort-to-cluster", "C", OLD, Some(&DistributeSortToCluster)),
    def("move-filters-into-enumerate", "", (3, 6, 0), Some(&MoveFiltersIntoEnumerate)),
    def("remove-unnecessary-calculations-3", "DH", OLD, None),
    def("remove-unnecessary-remote-scatter", "C", OLD, Some(&RemoveUnnecessaryRemoteScatter)),
    def("undistribute-remove-after-enum-coll", "C", OLD, Some(&UndistributeRemoveAfterEnumColl)),
    def("collect-in-cluster", "C", OLD, Some(&CollectInCluster)),
    def("sort-limit", "", OLD, Some(&SortLimit)),
    def("reduce-extraction-to-projection", "", OLD, Some(&ReduceExtractionToProjection)),
    def("restrict-to-single-shard", "C", OLD, Some(&RestrictToSingleShard)),
    def("optimize-count", "", (3, 7, 0), None),
    def("parallelize-gather", "C", (3, 6, 0), Some(&ParallelizeGather)),
    def("decay-unnecessary-sorted-gather", "C", (3, 6, 0), Some(&DecayUnnecessarySortedGather)),
    def("push-subqueries-to-dbserver", "CE", (3, 7, 0), None),
    def("late-document-materialization-arangosearch", "", (3, 6, 0), None),
    def("late-document-materialization", "", (3, 6, 0), None),
    def("push-limit-into-index", "", (3, 12, 2), Some(&PushLimitIntoIndex)),
    def("batch-materialize-documents", "", (3, 12, 0), Some(&BatchMaterializeDocuments)),
    def("late-materialization-offset-info", "E", (3, 10, 0), None),
    def("join-index-nodes", "", (3, 12, 0), Some(&JoinIndexNodes)),
    def("use-index-for-collect", "", (3, 12, 4), Some(&UseIndexForCollect)),
    def("push-down-late-materialization", "", (3, 12, 1), Some(&PushDownLateMaterialization)),
    def("materialize-into-separate-variable", "N", (3, 12, 1), Some(&MaterializeIntoSeparateVariable)),
    def("optimize-projections", "", (3, 12, 0), Some(&OptimizeProjections)),
    def("remove-unnecessary-calculations-4", "", (3, 12, 0), Some(&RemoveUnnecessaryCalculations)),
    def("async-prefetch", "", (3, 12, 0), Some(&AsyncPrefetch)),
    def("immutable-search-condition", "", (3, 12, 4), None),
    def("splice-subqueries", "N", (3, 6, 0), Some(&SpliceSubqueries)),
];

/// The rules a version runs, in its order. Before 3.10,
/// `move-filters-into-enumerate` ran after `restrict-to-single-shard`
/// (directly before `optimize-count`); before 3.7,
/// `remove-satellite-joins` ran after `undistribute-remove-after-enum-coll`.
pub fn pipeline(compat: Version, cluster: bool) -> Vec<&'static RuleDef> {
    let early_pruning_late = compat.early_pruning_runs_late();
    let satellites_late = compat.satellite_joins_removed_after_remote_scatter();
    // The two reorderings give four orders, each made once per process.
    static ORDERS: [OnceLock<Vec<&'static RuleDef>>; 4] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let order = ORDERS[usize::from(early_pruning_late) * 2 + usize::from(satellites_late)]
        .get_or_init(|| {
            let mut rules: Vec<&RuleDef> = RULES.iter().collect();
            if early_pruning_late {
                move_rule_before(&mut rules, "move-filters-into-enumerate", "optimize-count");
            }
            if satellites_late {
                move_rule_before(&mut rules, "remove-satellite-joins", "collect-in-cluster");
            }
            rules
        });
    order
        .iter()
        .copied()
        .filter(|r| r.since <= compat && (cluster || !r.flags.cluster_only))
        .collect()
}

/// Moves rule `name` to directly before rule `before` (to the end if
/// `before` is missing).
fn move_rule_before(rules: &mut Vec<&'static RuleDef>, name: &str, before: &str) {
    if let Some(from) = rules.iter().position(|r| r.name == name) {
        let rule = rules.remove(from);
        let to = rules
            .iter()
            .position(|r| r.name == before)
            .unwrap_or(rules.len());
        rules.insert(to, rule);
    }
}

/// Looks a rule up by name.
pub fn rule_by_name(name: &str) -> Option<&'static RuleDef> {
    RULES.iter().find(|r| r.name == name)
}

/// Which rules a query switched on or off (`optimizer.rules`).
#[derive(Debug, Clone, Default)]
pub struct RuleSelection {
    /// Processed left to right: (`all` or a rule name, enabled?).
    pub changes: Vec<(String, bool)>,
}

impl RuleSelection {
    /// Parses ArangoDB's list: `-name` disables, `+name`/`name` enables,
    /// `all` stands for every rule. Unknown names are an error.
    pub fn parse(list: &[String]) -> Result<RuleSelection> {
        let mut changes = Vec::new();
        for entry in list {
            let (enable, name) = match entry.strip_prefix('-') {
                Some(rest) => (false, rest),
                None => (true, entry.strip_prefix('+').unwrap_or(entry)),
            };
            if name != "all" && rule_by_name(name).is_none() {
                return Err(Error::BadOption(format!("unknown optimizer rule '{name}'")));
            }
            changes.push((name.to_string(), enable));
        }
        Ok(RuleSelection { changes })
    }

    pub fn is_enabled(&self, rule: &RuleDef, compat: Version) -> bool {
        let mut enabled = !rule.flags.disabled_by_default;
        for (name, on) in &self.changes {
            if name == "all" {
                // `+all` does not switch on rules that are off by default.
                if !*on {
                    enabled = false;
                } else if !rule.flags.disabled_by_default {
                    enabled = true;
                }
            } else if name == rule.name {
                enabled = *on;
            }
        }
        enabled || rule.is_required(compat)
    }
}

/// Counters ArangoDB reports in `stats`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub rules_executed: usize,
    pub rules_skipped: usize,
    pub plans_created: usize,
}

/// One step of the optimizer, for `--trace`: the plan right after a rule
/// changed it.
#[derive(Debug, Clone)]
pub struct TraceStep {
    pub rule: &'static str,
    /// Rules that ran on this plan since the previous step and changed
    /// nothing.
    pub unchanged_before: usize,
    pub plan: Plan,
}

/// The chosen plan's history through the optimizer.
#[derive(Debug, Clone)]
pub struct Trace {
    /// The plan as built, before any rule.
    pub initial: Plan,
    pub steps: Vec<TraceStep>,
    /// Rules that ran after the last step and changed nothing.
    pub unchanged_after: usize,
}

/// The optimizer's result.
#[derive(Debug, Clone)]
pub struct Optimized {
    pub plan: Plan,
    pub stats: Stats,
    /// Why rules refused, by rule name (e.g. `cluster-one-shard`).
    pub refusals: Vec<(&'static str, Vec<Reason>)>,
    /// The chosen plan's steps (only when tracing).
    pub trace: Option<Trace>,
    /// The plans not chosen, in plan-list order (for `allPlans`).
    pub others: Vec<Plan>,
}

/// One plan's steps so far (recorded only when tracing).
#[derive(Debug, Clone, Default)]
struct History {
    steps: Vec<TraceStep>,
    unchanged: usize,
}

impl History {
    fn changed(&mut self, tracing: bool, rule: &'static str, plan: &Plan) {
        if tracing {
            self.steps.push(TraceStep {
                rule,
                unchanged_before: self.unchanged,
                plan: plan.clone(),
            });
        }
        self.unchanged = 0;
    }
}

/// The plans a rule made, each recording the rule.
fn alternatives(
    extra: Vec<Plan>,
    def: &RuleDef,
    history: &History,
    trace: bool,
) -> Vec<(Plan, History)> {
    extra
        .into_iter()
        .map(|mut p| {
            if !def.flags.hidden {
                p.record_rule(def.name);
            }
            let mut h = history.clone();
            h.changed(trace, def.name, &p);
            (p, h)
        })
        .collect()
}

/// The plan list with each plan's alternatives (`made`, by position,
/// ascending) directly before it.
fn insert_alternatives(
    plans: Vec<(Plan, History)>,
    made: Vec<(usize, Vec<(Plan, History)>)>,
) -> Vec<(Plan, History)> {
    let mut out = Vec::with_capacity(plans.len() + made.iter().map(|m| m.1.len()).sum::<usize>());
    let mut made = made.into_iter().peekable();
    for (i, plan) in plans.into_iter().enumerate() {
        while let Some((_, extra)) = made.next_if(|(at, _)| *at == i) {
            out.extend(extra);
        }
        out.push(plan);
    }
    out
}

/// Runs the version's rule pipeline over `plan` (and the alternative
/// plans rules create), then picks the cheapest plan; on equal costs the
/// earlier plan in the list wins.
pub fn optimize(plan: Plan, cx: &Context, selection: &RuleSelection, trace: bool) -> Optimized {
    let mut stats = Stats::default();
    let mut refusals = Vec::new();
    let initial = trace.then(|| plan.clone());
    // All plans of a query draw variables from one generator.
    let mut vars = plan.vars.clone();
    let mut plans = vec![(plan, History::default())];
    for def in pipeline(cx.compat, cx.is_cluster()) {
        // (position in `plans`, the plans the rule made from that one):
        // empty, and without allocating, for nearly every rule.
        let mut made: Vec<(usize, Vec<(Plan, History)>)> = Vec::new();
        for (i, (plan, history)) in plans.iter_mut().enumerate() {
            let skip = !selection.is_enabled(def, cx.compat)
                || (def.flags.cluster_only && (plan.one_shard || plan.cluster_rules_off));
            if skip {
                if !def.flags.hidden {
                    stats.rules_skipped += 1;
                }
                continue;
            }
            if !def.flags.hidden {
                stats.rules_executed += 1;
            }
            let Some(rule) = def.rule else {
                history.unchanged += 1;
                continue;
            };
            // The generator moves into the plan and back (cloning it per
            // rule would cost time in the number of variables).
            plan.vars = std::mem::take(&mut vars);
            let outcome = rule.apply(plan, cx);
            let changed = match outcome {
                Outcome::Changed => true,
                Outcome::Alternatives(extra) => {
                    made.push((i, alternatives(extra, def, history, trace)));
                    true
                }
                Outcome::Variants(extra) => {
                    made.push((i, alternatives(extra, def, history, trace)));
                    false
                }
                Outcome::Unchanged => false,
                Outcome::Refused(reasons) => {
                    refusals.push((def.name, reasons));
                    false
                }
            };
            if changed {
                if !def.flags.hidden {
                    plan.record_rule(def.name);
                }
                history.changed(trace, def.name, plan);
            } else {
                history.unchanged += 1;
            }
            vars = std::mem::take(&mut plan.vars);
        }
        if !made.is_empty() {
            plans = insert_alternatives(plans, made);
        }
    }
    for (p, _) in &mut plans {
        p.vars = std::mem::take(&mut vars);
        crate::cluster::add_distribute_inputs(p, cx.catalog, cx.compat);
        vars = std::mem::take(&mut p.vars);
    }
    stats.plans_created = plans.len();
    let cost = |p: &Plan| {
        crate::plan::estimate::estimate(p, cx.catalog, cx.compat)
            .of(p.root())
            .cost
    };
    let mut best = 0;
    if plans.len() > 1 {
        let mut best_cost = cost(&plans[0].0);
        for (i, (p, _)) in plans.iter().enumerate().skip(1) {
            let c = cost(p);
            if c < best_cost {
                best = i;
                best_cost = c;
            }
        }
    }
    let (mut plan, history) = plans.remove(best);
    let others = plans
        .into_iter()
        .map(|(mut p, _)| {
            p.vars = vars.clone();
            p
        })
        .collect();
    plan.vars = vars;
    Optimized {
        plan,
        stats,
        refusals,
        trace: initial.map(|initial| Trace {
            initial,
            steps: history.steps,
            unchanged_after: history.unchanged,
        }),
        others,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_subqueries_can_be_switched_off_only_before_3_8() {
        let off = RuleSelection::parse(&["-splice-subqueries".to_string()]).unwrap();
        let rule = rule_by_name("splice-subqueries").unwrap();
        assert!(!off.is_enabled(rule, Version::new(3, 6, 0)));
        assert!(off.is_enabled(rule, Version::new(3, 8, 0)));
        assert!(off.is_enabled(rule, Version::NEWEST));
    }
}
