//! The variations a user tries next on a documented query plan into
//! well-formed plans with sensible sites and plausible estimates.
//!
//! Every in-subset documented case (`tests/fixtures/docs/`) is varied
//! mechanically: its collections get another shard count (1, 3, 5 shards
//! in a flexible database, a OneShard database) or are replaced by
//! unindexed ones of another size, the role switches between single server
//! and Coordinator, and the query (rewritten on its syntax tree, printed
//! back to AQL) gets an extra FILTER, several FILTERs, loses its LIMIT,
//! sorts descending by two keys, or returns `doc.value` instead of `doc`.
//! A rewrite that does not apply to a query is skipped. Issue 2's list on
//! the OneShard seed query is spelled out on its own as well.
//!
//! Planning may fail only with "not implemented" (error 9); those are
//! counted and printed (`cargo test --test user_variations -- --nocapture`).
//! Each case plans at its documented version, the rewrites at the newest
//! documented version of each query; `AQLPLAN_VARIATIONS_EVERY_VERSION=1`
//! plans everything at every version from 3.4 to 3.12 (about a minute).

mod common;
#[path = "common/wellformed.rs"]
mod wellformed;

use aqlplan::plan::NodeKind;
use aqlplan::syntax::{self, Expr, ExprKind, Name, SortDirection, SortElement, Statement};
use aqlplan::{Catalog, Explanation, Options, PlannedNode, Site, Version};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One planned variation: where it came from, for failure messages.
struct Variation<'a> {
    label: String,
    catalog: &'a Catalog,
    query: &'a str,
}

// ---------------------------------------------------------------------------
// Catalog variations

/// The documented catalog, its collections resharded in a flexible
/// database, replaced by unindexed ones, in a OneShard database, and on a
/// single server.
fn catalog_variants(documented: &Value) -> Vec<(String, Value)> {
    let mut out = vec![("documented".to_string(), documented.clone())];
    for shards in [1, 3, 5] {
        out.push((
            format!("flexible-{shards}"),
            cluster_catalog(documented, "flexible", Some(shards)),
        ));
    }
    // Another collection in their place: two shards, other counts, no
    // secondary indexes.
    let mut other = cluster_catalog(documented, "flexible", Some(2));
    for coll in other
        .get_mut("collections")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        coll["indexes"] = json!([]);
        coll["count"] = json!(500);
    }
    out.push(("unindexed-2".to_string(), other));
    out.push((
        "oneshard-db".to_string(),
        cluster_catalog(documented, "single", None),
    ));
    let mut single = documented.clone();
    single["role"] = json!("single");
    out.push(("single-server".to_string(), single));
    out
}

/// `documented` on a Coordinator in a database with the given sharding;
/// with `shards`, every collection that may have that many gets it
/// (SatelliteCollections keep their one shard, explicit shard maps go).
fn cluster_catalog(documented: &Value, sharding: &str, shards: Option<u64>) -> Value {
    let mut c = documented.clone();
    c["role"] = json!("coordinator");
    let name = documented
        .pointer("/database/name")
        .cloned()
        .unwrap_or_else(|| json!("variations"));
    c["database"] = json!({"name": name, "sharding": sharding});
    if let (Some(n), Some(collections)) = (
        shards,
        c.get_mut("collections").and_then(Value::as_array_mut),
    ) {
        for coll in collections {
            if coll.get("replicationFactor") == Some(&json!("satellite")) {
                continue;
            }
            coll["numberOfShards"] = json!(n);
            if let Some(o) = coll.as_object_mut() {
                o.remove("shards");
                // A OneShard database's prototype keeps its one shard.
                if o.get("distributeShardsLike") == Some(&json!("_graphs")) {
                    o.remove("distributeShardsLike");
                }
            }
        }
    }
    c
}

// ---------------------------------------------------------------------------
// Query variations, made on the syntax tree

/// An expression parsed from AQL text (the rewrites' building blocks).
fn expr(text: &str) -> Expr {
    let q = syntax::parse(&format!("RETURN {text}")).expect("rewrite expression parses");
    match q.statements.into_iter().next() {
        Some(Statement::Return { expr, .. }) => expr,
        other => panic!("RETURN {text} parsed as {other:?}"),
    }
}

/// The index after the first top-level `FOR` with one plain variable, and
/// that variable.
fn first_for(statements: &[Statement]) -> Option<(usize, &Name)> {
    statements.iter().enumerate().find_map(|(i, s)| match s {
        Statement::For(f) if f.pattern.is_none() && f.variables.len() == 1 => {
            Some((i + 1, &f.variables[0]))
        }
        _ => None,
    })
}

/// `FOR doc …` gets FILTERs on `doc` right after it.
fn with_filters(query: &syntax::Query, conditions: &[&str]) -> Option<syntax::Query> {
    let (at, var) = first_for(&query.statements)?;
    let filters: Vec<Statement> = conditions
        .iter()
        .map(|c| Statement::Filter(expr(&format!("{var}.{c}"))))
        .collect();
    let mut q = query.clone();
    q.statements.splice(at..at, filters);
    Some(q)
}

/// Without its top-level LIMITs.
fn without_limit(query: &syntax::Query) -> Option<syntax::Query> {
    let mut q = query.clone();
    q.statements
        .retain(|s| !matches!(s, Statement::Limit { .. }));
    (q.statements.len() < query.statements.len()).then_some(q)
}

/// Every top-level SORT descending, with a second key next to the first
/// one (`SORT doc.a` → `SORT doc.a DESC, doc.second DESC`). Sorts by a
/// constant, or by something that is not an attribute or variable, are
/// left alone; without any other sort the rewrite does not apply.
fn sorted_desc_by_two_keys(query: &syntax::Query) -> Option<syntax::Query> {
    let mut q = query.clone();
    let mut changed = false;
    for s in &mut q.statements {
        let Statement::Sort(elements) = s else {
            continue;
        };
        let Some(base) = elements.first().and_then(|e| match &e.expr.kind {
            ExprKind::Attribute { object, .. } => Some(object.as_ref().clone()),
            ExprKind::Name(_) => Some(e.expr.clone()),
            _ => None,
        }) else {
            continue;
        };
        for e in elements.iter_mut() {
            e.direction = SortDirection::Desc;
        }
        elements.push(SortElement {
            expr: expr(&format!("({base}).second")),
            direction: SortDirection::Desc,
        });
        changed = true;
    }
    changed.then_some(q)
}

/// `RETURN doc` → `RETURN doc.value`.
fn returning_value(query: &syntax::Query) -> Option<syntax::Query> {
    let mut q = query.clone();
    let returned = q.statements.iter_mut().rev().find_map(|s| match s {
        Statement::Return { expr: e, .. } if matches!(e.kind, ExprKind::Name(_)) => Some(e),
        _ => None,
    })?;
    *returned = expr(&format!("{returned}.value"));
    Some(q)
}

/// The documented query and each rewrite that applies to it.
fn query_variants(text: &str) -> Vec<(&'static str, String)> {
    let ast = syntax::parse(text).expect("documented queries parse");
    let rewrites: [(&str, Option<syntax::Query>); 5] = [
        ("extra-filter", with_filters(&ast, &["x == 1"])),
        (
            "several-filters",
            with_filters(&ast, &["x == 1", "y > 2", "z != null"]),
        ),
        ("no-limit", without_limit(&ast)),
        ("sort-desc-two-keys", sorted_desc_by_two_keys(&ast)),
        ("return-value", returning_value(&ast)),
    ];
    std::iter::once(("documented", text.to_string()))
        .chain(
            rewrites
                .into_iter()
                .filter_map(|(name, q)| q.map(|q| (name, q.to_string()))),
        )
        .collect()
}

// ---------------------------------------------------------------------------
// Checks

/// Everything a planned variation must satisfy; the error names the first
/// broken promise.
fn check(x: &Explanation) -> Result<(), String> {
    check_rendered(x, &x.nodes(), &x.to_text())
}

/// [`check`] with the nodes and the text already at hand.
fn check_rendered(x: &Explanation, nodes: &[PlannedNode], text: &str) -> Result<(), String> {
    wellformed::check(x)?;
    let by_id = node_ids_unique(nodes)?;
    single_root(x, nodes)?;
    if x.is_cluster() {
        sites_are_sensible(nodes, &by_id)?;
    } else if let Some(n) = nodes.iter().find(|n| n.site.is_some()) {
        return Err(format!("single server: node {} has a site", n.id));
    }
    estimates_are_plausible(x, nodes, &by_id)?;
    renderers_succeed(x, nodes, text)
}

fn node_ids_unique(nodes: &[PlannedNode]) -> Result<HashMap<u32, &PlannedNode>, String> {
    let mut by_id = HashMap::new();
    for n in nodes {
        if by_id.insert(n.id, n).is_some() {
            return Err(format!("node id {} is used twice", n.id));
        }
    }
    for n in nodes {
        if let Some(d) = n.dependencies.iter().find(|d| !by_id.contains_key(d)) {
            return Err(format!("node {} depends on missing node {d}", n.id));
        }
    }
    Ok(by_id)
}

/// One node of the main query is nobody's dependency: the plan's root.
fn single_root(x: &Explanation, nodes: &[PlannedNode]) -> Result<(), String> {
    let used: HashSet<u32> = nodes.iter().flat_map(|n| n.dependencies.clone()).collect();
    let roots: Vec<u32> = nodes
        .iter()
        .filter(|n| n.subquery_of.is_none() && !used.contains(&n.id))
        .map(|n| n.id)
        .collect();
    if roots != [x.plan.id(x.plan.root())] {
        return Err(format!("main query roots {roots:?}"));
    }
    Ok(())
}

/// Every node has a site; sites switch exactly across RemoteNodes;
/// collections are read and written on DB-Servers; the root (the final
/// RETURN) runs on the Coordinator.
fn sites_are_sensible(
    nodes: &[PlannedNode],
    by_id: &HashMap<u32, &PlannedNode>,
) -> Result<(), String> {
    let site = |n: &PlannedNode| n.site.ok_or_else(|| format!("node {} has no site", n.id));
    let used: HashSet<u32> = nodes.iter().flat_map(|n| n.dependencies.clone()).collect();
    for n in nodes {
        let here = site(n)?;
        for d in &n.dependencies {
            let switches = site(by_id[d])? != here;
            if switches != (n.node_type == "RemoteNode") {
                return Err(format!(
                    "{} {} on {} reads from {} {} on {}",
                    n.node_type,
                    n.id,
                    here.label(),
                    by_id[d].node_type,
                    d,
                    site(by_id[d])?.label()
                ));
            }
        }
        let wanted = match n.node_type {
            "EnumerateCollectionNode"
            | "IndexNode"
            | "InsertNode"
            | "UpdateNode"
            | "ReplaceNode"
            | "RemoveNode"
            | "UpsertNode" => Some(Site::DbServer),
            "SingleRemoteOperationNode" | "MultipleRemoteModificationNode" | "GatherNode" => {
                Some(Site::Coordinator)
            }
            _ => None,
        };
        if wanted.is_some_and(|w| w != here) {
            return Err(format!("{} {} runs on {}", n.node_type, n.id, here.label()));
        }
        // A body's root runs where its SubqueryNode does; the query's root
        // on the Coordinator.
        let root_site = match n.subquery_of {
            _ if used.contains(&n.id) => None,
            Some(sq) => Some(site(by_id[&sq])?),
            None => Some(Site::Coordinator),
        };
        if root_site.is_some_and(|s| s != here) {
            return Err(format!(
                "root {} {} runs on {}",
                n.node_type,
                n.id,
                here.label()
            ));
        }
    }
    Ok(())
}

/// Finite non-negative costs that never shrink down a pipeline; a FILTER
/// passes at most its input, a LIMIT at most its count.
fn estimates_are_plausible(
    x: &Explanation,
    nodes: &[PlannedNode],
    by_id: &HashMap<u32, &PlannedNode>,
) -> Result<(), String> {
    let limits: HashMap<u32, u64> = x
        .plan
        .nodes()
        .filter_map(|n| match x.plan.kind(n) {
            NodeKind::Limit { limit, .. } => Some((x.plan.id(n), *limit)),
            _ => None,
        })
        .collect();
    for n in nodes {
        if !(n.estimated_cost.is_finite() && n.estimated_cost >= 0.0) {
            return Err(format!("node {} costs {}", n.id, n.estimated_cost));
        }
        let Some(dep) = n.dependencies.first().map(|d| by_id[d]) else {
            continue;
        };
        if n.estimated_cost < dep.estimated_cost {
            return Err(format!(
                "{} {} costs {} after its dependency's {}",
                n.node_type, n.id, n.estimated_cost, dep.estimated_cost
            ));
        }
        let at_most = match n.node_type {
            "FilterNode" => Some(dep.estimated_items),
            "LimitNode" => limits.get(&n.id).map(|&l| l.min(dep.estimated_items)),
            _ => None,
        };
        if at_most.is_some_and(|m| n.estimated_items > m) {
            return Err(format!(
                "{} {} estimates {} items from {} in",
                n.node_type, n.id, n.estimated_items, dep.estimated_items
            ));
        }
    }
    Ok(())
}

/// Text and JSON render; the JSON lists the main query's nodes, each with
/// the same estimates.
fn renderers_succeed(x: &Explanation, nodes: &[PlannedNode], text: &str) -> Result<(), String> {
    if !text.contains("Execution plan:") {
        return Err(format!("text without a plan:\n{text}"));
    }
    let json: Value = serde_json::from_str(&x.to_json()).map_err(|e| format!("JSON: {e}"))?;
    let json_nodes = json
        .pointer("/plan/nodes")
        .and_then(Value::as_array)
        .ok_or("JSON without plan.nodes")?;
    let by_id: HashMap<u32, &PlannedNode> = nodes.iter().map(|n| (n.id, n)).collect();
    let mut listed = HashSet::new();
    for n in json_nodes {
        let id = n
            .get("id")
            .and_then(Value::as_u64)
            .ok_or("JSON node without id")?;
        let items = n.get("estimatedNrItems").and_then(Value::as_u64);
        let cost = n.get("estimatedCost").and_then(Value::as_f64);
        let planned = u32::try_from(id).ok().and_then(|id| by_id.get(&id));
        let agrees = planned.is_some_and(|p| {
            items == Some(p.estimated_items)
                && cost.is_some_and(|c| (c - p.estimated_cost).abs() <= 1e-6 * c.abs().max(1.0))
        });
        if !agrees {
            return Err(format!(
                "JSON node {id} estimates {items:?} items at cost {cost:?}"
            ));
        }
        listed.insert(id);
    }
    let main: HashSet<u64> = nodes
        .iter()
        .filter(|n| n.subquery_of.is_none())
        .map(|n| u64::from(n.id))
        .collect();
    if listed != main {
        return Err(format!("JSON nodes {listed:?}, plan nodes {main:?}"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Running

/// What a planned variation is compared with its siblings by.
struct Planned {
    /// The node types that decide the estimates (see [`strategy`]).
    strategy: Vec<String>,
    root_items: u64,
    limits: usize,
    text: String,
}

#[derive(Default)]
struct Outcome {
    planned: usize,
    /// Variation label → the "not implemented" message.
    not_implemented: Vec<(String, String)>,
    failures: Vec<String>,
}

impl Outcome {
    fn fail(&mut self, label: &str, message: String) {
        self.failures.push(format!("{label}: {message}"));
    }
}

fn plan_variation(v: &Variation, options: &Options, outcome: &mut Outcome) -> Option<Planned> {
    let x = match aqlplan::explain(v.catalog, v.query, options) {
        Ok(x) => x,
        Err(e) if e.number() == 9 => {
            outcome
                .not_implemented
                .push((v.label.clone(), e.to_string()));
            return None;
        }
        Err(e) => {
            let message = format!("error {} {e}\n  query: {}", e.number(), v.query);
            outcome.fail(&v.label, message);
            return None;
        }
    };
    let (nodes, text) = (x.nodes(), x.to_text());
    if let Err(e) = check_rendered(&x, &nodes, &text) {
        outcome.fail(&v.label, format!("{e}\n  query: {}\n{text}", v.query));
        return None;
    }
    outcome.planned += 1;
    Some(Planned {
        strategy: strategy(&nodes),
        root_items: x.estimates.of(x.plan.root()).items,
        limits: only(&nodes, "LimitNode").len(),
        text,
    })
}

/// The plan's node types without those a rewrite or the sharding adds
/// or drops on its own, and the loops' order: plans of one strategy
/// estimate alike, while another strategy (an index instead of a scan, an
/// index-driven COLLECT instead of a hash COLLECT, another join order)
/// brings other, equally heuristic numbers.
fn strategy(nodes: &[PlannedNode]) -> Vec<String> {
    nodes
        .iter()
        .filter(|n| {
            !matches!(
                n.node_type,
                "CalculationNode"
                    | "FilterNode"
                    | "LimitNode"
                    | "RemoteNode"
                    | "GatherNode"
                    | "ScatterNode"
                    | "DistributeNode"
                    | "MaterializeNode"
            )
        })
        .map(|n| match n.comment.find("FOR ") {
            // `FOR doc IN coll`, without the comments after it.
            Some(at) => {
                let source = n.comment[at..].split("/*").next().unwrap_or_default();
                format!("{} {}", n.node_type, source.trim_end())
            }
            None => n.node_type.to_string(),
        })
        .collect()
}

/// A rewrite shows in the plan and moves the result estimate the way it
/// should: a FILTER never adds rows, dropping a LIMIT never removes any.
fn rewrite_is_plausible(
    rewrite: &str,
    documented: &Planned,
    varied: &Planned,
) -> Result<(), String> {
    let shows = match rewrite {
        "extra-filter" => varied.text.contains("`x` == 1"),
        "several-filters" => ["`x` == 1", "`y` > 2", "`z` != null"]
            .iter()
            .all(|c| varied.text.contains(c)),
        "no-limit" => varied.limits < documented.limits,
        "sort-desc-two-keys" => varied.text.contains("`second`"),
        "return-value" => varied.text.contains("`value`"),
        _ => true,
    };
    if !shows {
        return Err(format!("the {rewrite} rewrite does not show in the plan"));
    }
    let (before, after) = (documented.root_items, varied.root_items);
    let comparable = documented.strategy == varied.strategy;
    let moved_wrongly = comparable
        && match rewrite {
            "extra-filter" | "several-filters" => after > before,
            "no-limit" => after < before,
            "sort-desc-two-keys" | "return-value" => after != before,
            _ => false,
        };
    if moved_wrongly {
        return Err(format!(
            "{rewrite} estimates {after} result rows, the documented query {before}"
        ));
    }
    Ok(())
}

fn documented_options(c: &common::Case) -> Options {
    let mut o = Options {
        compat: Version::parse(&c.compat).expect("documented version"),
        bind: c.bind_vars.clone().unwrap_or_default(),
        ..Options::default()
    };
    if let Some(json) = &c.options {
        o.apply_json(json).expect("documented options");
    }
    o
}

fn report(outcome: &Outcome) {
    eprintln!(
        "{} variations planned, {} not implemented (error 9):",
        outcome.planned,
        outcome.not_implemented.len()
    );
    let mut by_message: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (label, message) in &outcome.not_implemented {
        by_message.entry(message).or_default().push(label);
    }
    for (message, labels) in by_message {
        eprintln!("  {} × {message} (e.g. {})", labels.len(), labels[0]);
    }
}

/// The newest documented version of each query gets every rewrite; the
/// older ones get the catalog variations of the documented query only
/// (keeps the run short: most of those cases are one page printed in many
/// versions).
fn rewritten_versions(cases: &[common::Case]) -> HashSet<String> {
    let mut newest: BTreeMap<&str, (Version, &str)> = BTreeMap::new();
    for c in cases {
        let v = Version::parse(&c.compat).expect("documented version");
        let entry = newest.entry(&c.query).or_insert((v, &c.slug));
        if v > entry.0 {
            *entry = (v, &c.slug);
        }
    }
    newest.values().map(|(_, slug)| slug.to_string()).collect()
}

/// Every ArangoDB version the test can plan each case for
/// (`AQLPLAN_VARIATIONS_EVERY_VERSION=1`; by default each case plans at its
/// documented version only).
const EVERY_VERSION: [&str; 10] = [
    "3.4", "3.5", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12.0", "3.12",
];

/// Plans every variation of every case on the catalogs `wanted` picks,
/// checking each plan and each rewrite against the documented query on
/// the same catalog.
fn plan_matrix(wanted: impl Fn(&str) -> bool) -> Outcome {
    let cases = common::all_cases();
    let rewritten = rewritten_versions(&cases);
    let every_version = std::env::var_os("AQLPLAN_VARIATIONS_EVERY_VERSION").is_some();
    let mut outcome = Outcome::default();
    for c in &cases {
        let mut queries = query_variants(&c.query);
        if !every_version && !rewritten.contains(&c.slug) {
            queries.truncate(1);
        }
        let documented = documented_options(c);
        let versions: Vec<Version> = if every_version {
            EVERY_VERSION
                .iter()
                .map(|v| Version::parse(v).expect("version"))
                .collect()
        } else {
            vec![documented.compat]
        };
        for compat in versions {
            let options = Options {
                compat,
                ..documented.clone()
            };
            let slug = if every_version {
                format!("{}@{compat}", c.slug)
            } else {
                c.slug.clone()
            };
            let case = (slug.as_str(), &c.catalog, queries.as_slice());
            plan_case(case, &options, &wanted, &mut outcome);
        }
    }
    report(&outcome);
    outcome
}

/// One case's variations at one version.
fn plan_case(
    (slug, documented_catalog, queries): (&str, &Value, &[(&'static str, String)]),
    options: &Options,
    wanted: &impl Fn(&str) -> bool,
    outcome: &mut Outcome,
) {
    // Root estimates of each rewrite on the resharded flexible catalogs.
    type Estimates = Vec<(String, u64)>;
    let mut by_sharding: BTreeMap<(&str, Vec<String>), Estimates> = BTreeMap::new();
    for (catalog_label, catalog_json) in catalog_variants(documented_catalog) {
        if !wanted(&catalog_label) {
            continue;
        }
        let label = format!("{slug} / {catalog_label}");
        let catalog = match Catalog::from_json(&catalog_json) {
            Ok(catalog) => catalog,
            Err(e) => {
                outcome.fail(&label, format!("catalog refused: {e}"));
                continue;
            }
        };
        let mut documented = None;
        for (query_label, query) in queries {
            let v = Variation {
                label: format!("{label} / {query_label}"),
                catalog: &catalog,
                query,
            };
            let Some(planned) = plan_variation(&v, options, outcome) else {
                continue;
            };
            if catalog_label.starts_with("flexible-") {
                by_sharding
                    .entry((query_label, planned.strategy.clone()))
                    .or_default()
                    .push((catalog_label.clone(), planned.root_items));
            }
            match &documented {
                None if *query_label == "documented" => documented = Some(planned),
                None => {}
                Some(d) => {
                    if let Err(e) = rewrite_is_plausible(query_label, d, &planned) {
                        outcome.fail(&v.label, format!("{e}\n{}", planned.text));
                    }
                }
            }
        }
    }
    // Sharding changes where the work runs, not how many rows it yields.
    for ((query_label, _), estimates) in by_sharding {
        if estimates.windows(2).any(|w| w[0].1 != w[1].1) {
            let label = format!("{slug} / {query_label}");
            outcome.fail(
                &label,
                format!("result estimates by sharding {estimates:?}"),
            );
        }
    }
}

fn assert_all_planned(outcome: &Outcome, at_least: usize) {
    assert!(
        outcome.failures.is_empty(),
        "{} failures:\n{}",
        outcome.failures.len(),
        outcome.failures.join("\n\n")
    );
    assert!(
        outcome.planned >= at_least,
        "only {} variations planned",
        outcome.planned
    );
}

#[test]
fn cluster_variations_of_every_documented_case_plan_well_formed() {
    let outcome = plan_matrix(|catalog| catalog != "single-server" && catalog != "documented");
    // Five cluster catalogs for each of the 79 cases, several rewrites for
    // most queries (890 when written).
    assert_all_planned(&outcome, 700);
}

#[test]
fn documented_and_single_server_variations_plan_well_formed() {
    let outcome = plan_matrix(|catalog| catalog == "single-server" || catalog == "documented");
    // Two catalogs for each case, several rewrites for most (356).
    assert_all_planned(&outcome, 280);
}

// ---------------------------------------------------------------------------
// Issue 2's list, on the OneShard seed query

const SEED: &str =
    "FOR doc IN example FILTER doc.value % 2 == 0 SORT doc.value ASC LIMIT 10 RETURN doc";

/// The seed query as a user edits it next, with its LIMIT if it keeps one.
fn seed_variations() -> Vec<(&'static str, String, Option<u64>)> {
    let seed = |from: &str, to: &str| SEED.replace(from, to);
    vec![
        ("seed", SEED.to_string(), Some(10)),
        (
            "another filter",
            seed("SORT", "FILTER doc.x == 1 SORT"),
            Some(10),
        ),
        ("no LIMIT", seed("LIMIT 10 ", ""), None),
        (
            "SORT DESC by two keys",
            seed("doc.value ASC", "doc.value DESC, doc.other DESC"),
            Some(10),
        ),
        (
            "RETURN doc.value",
            seed("RETURN doc", "RETURN doc.value"),
            Some(10),
        ),
        (
            "several FILTERs",
            seed(
                "SORT",
                "FILTER doc.x == 1 FILTER doc.y > 2 FILTER doc.name != null SORT",
            ),
            Some(10),
        ),
    ]
}

/// The seed's collection with `shards` shards in a database sharded so.
fn seed_catalog(sharding: &str, shards: u64) -> Catalog {
    let json = json!({
        "database": {"name": "db", "sharding": sharding},
        "collections": [{"name": "example", "numberOfShards": shards, "count": 10000}]
    });
    Catalog::from_json(&json).expect("seed catalog")
}

fn only<'n>(nodes: &'n [PlannedNode], node_type: &str) -> Vec<&'n PlannedNode> {
    nodes.iter().filter(|n| n.node_type == node_type).collect()
}

/// Where the seed's steps run: the scan and the sort on the DB-Servers,
/// the RETURN on the Coordinator; with one shard the LIMIT goes to the
/// DB-Server too (OneShard: a single Remote), with five the rows are
/// merged by a sorting Gather and limited on the Coordinator.
fn seed_sites_are_sensible(x: &Explanation, shards: u32, limit: Option<u64>) -> Result<(), String> {
    let nodes = x.nodes();
    let site_of = |t: &str| only(&nodes, t).iter().map(|n| n.site).collect::<Vec<_>>();
    let (dbs, coor) = (Some(Site::DbServer), Some(Site::Coordinator));
    if site_of("EnumerateCollectionNode") != [dbs] || site_of("SortNode") != [dbs] {
        return Err("the scan and the sort belong on the DB-Server".into());
    }
    if site_of("ReturnNode") != [coor] {
        return Err("the RETURN belongs on the Coordinator".into());
    }
    // The LIMIT the query wrote is the lowest one; newer versions copy it
    // to the DB-Servers as well (sort-limit).
    let limits = site_of("LimitNode");
    let limit_site = if shards == 1 { dbs } else { coor };
    let wrote = limits.last().copied();
    let copies_on_dbs = limits.iter().rev().skip(1).all(|s| *s == dbs);
    if wrote != limit.map(|_| limit_site) || !copies_on_dbs {
        return Err(format!("LIMIT sites {limits:?}"));
    }
    let remotes = only(&nodes, "RemoteNode").len();
    if remotes != 1 || x.one_shard.applied != (shards == 1) {
        return Err(format!(
            "{remotes} Remote(s), OneShard {}",
            x.one_shard.applied
        ));
    }
    let gather = only(&nodes, "GatherNode");
    let merges = gather
        .iter()
        .any(|g| g.comment.contains("DESC") || g.comment.contains("ASC"));
    if merges != (shards > 1) {
        return Err(format!("gather {:?}", gather.first().map(|g| &g.comment)));
    }
    Ok(())
}

/// The scan reads the whole collection; the result is the LIMIT's count,
/// or without one at most the collection.
fn seed_estimates_are_plausible(x: &Explanation, limit: Option<u64>) -> Result<(), String> {
    let nodes = x.nodes();
    let scanned: Vec<u64> = only(&nodes, "EnumerateCollectionNode")
        .iter()
        .map(|n| n.estimated_items)
        .collect();
    let result = x.estimates.of(x.plan.root()).items;
    let plausible = match limit {
        Some(n) => result == n,
        None => result > 10 && result <= 10000,
    };
    if scanned != [10000] || !plausible {
        return Err(format!("scan estimates {scanned:?}, result {result}"));
    }
    Ok(())
}

#[test]
fn issue_2_variations_of_the_oneshard_seed_plan_with_sensible_sites() {
    let catalogs = [
        ("OneShard database", seed_catalog("single", 1)),
        ("1 shard, flexible database", seed_catalog("flexible", 1)),
        ("5 shards, flexible database", seed_catalog("flexible", 5)),
    ];
    let versions = [Version::parse("3.6").expect("version"), Version::NEWEST];
    let mut planned = 0;
    for (catalog_label, catalog) in &catalogs {
        let shards = catalog
            .collection("example")
            .map_or(0, |c| c.number_of_shards);
        for compat in versions {
            for (label, query, limit) in seed_variations() {
                let options = Options {
                    compat,
                    ..Options::default()
                };
                let x = aqlplan::explain(catalog, &query, &options)
                    .unwrap_or_else(|e| panic!("{label} on {catalog_label}: {e}"));
                let checked = check(&x)
                    .and_then(|()| seed_sites_are_sensible(&x, shards, limit))
                    .and_then(|()| seed_estimates_are_plausible(&x, limit));
                if let Err(e) = checked {
                    panic!(
                        "{label} on {catalog_label} ({compat}): {e}\n{}",
                        x.to_text()
                    );
                }
                planned += 1;
            }
        }
    }
    assert_eq!(planned, 36);
}
