//! `--format json`: ArangoDB's `/_api/explain` answer. It reads back into
//! typed structs without losing anything, and for every reproduced
//! documented case its nodes agree with the explain text.

mod common;
use aqlplan::{Catalog, Options, Version};
use common::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Answer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    plan: Option<PlanJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    plans: Option<Vec<PlanJson>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cacheable: Option<bool>,
    warnings: Vec<serde_json::Value>,
    stats: Stats,
    error: bool,
    code: u32,
    one_shard: OneShard,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlanJson {
    nodes: Vec<NodeJson>,
    rules: Vec<String>,
    collections: Vec<CollectionJson>,
    variables: Vec<VariableJson>,
    estimated_cost: f64,
    estimated_nr_items: u64,
    is_modification_query: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NodeJson {
    #[serde(rename = "type")]
    kind: String,
    dependencies: Vec<u32>,
    id: u32,
    estimated_cost: f64,
    estimated_nr_items: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    site: Option<String>,
    /// The per-type attributes.
    #[serde(flatten)]
    attributes: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CollectionJson {
    name: String,
    #[serde(rename = "type")]
    access: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct VariableJson {
    id: u32,
    name: String,
    is_full_document_from_collection: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Stats {
    rules_executed: u32,
    rules_skipped: u32,
    plans_created: u32,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OneShard {
    applied: bool,
    reasons: Vec<ReasonJson>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonJson {
    kind: String,
    message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    column: Option<u32>,
}

/// Plans a documented case and renders it with `render`.
fn render_case(c: &Case, render: fn(&aqlplan::Explanation) -> String) -> String {
    let catalog = Catalog::from_json_text(&c.catalog.to_string()).expect("catalog");
    let mut options = Options {
        compat: Version::parse(&c.compat).expect("compat"),
        ..Options::default()
    };
    if let Some(b) = &c.bind_vars {
        options.bind = b.clone();
    }
    if let Some(o) = &c.options {
        options.apply_json(o).expect("options");
    }
    let x = aqlplan::explain(&catalog, &c.query, &options).expect("plans");
    render(&x)
}

/// Reads the answer into the typed structs, and checks that writing them
/// back gives the same JSON (nothing was dropped or renamed).
fn round_trip(text: &str) -> Answer {
    let raw: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
    let typed: Answer = serde_json::from_value(raw.clone()).expect("typed answer");
    let back = serde_json::to_value(&typed).expect("serializes");
    assert_eq!(numbers_as_f64(back), numbers_as_f64(raw), "round trip");
    typed
}

/// `1` and `1.0` are the same JSON number; serde_json keeps them apart.
fn numbers_as_f64(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as V;
    match v {
        V::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(V::Null, V::Number),
        V::Array(items) => V::Array(items.into_iter().map(numbers_as_f64).collect()),
        V::Object(members) => V::Object(
            members
                .into_iter()
                .map(|(k, v)| (k, numbers_as_f64(v)))
                .collect(),
        ),
        other => other,
    }
}

/// `(id, type, site)` of each row of the text's plan table.
fn text_rows(text: &str) -> Vec<(u32, String, Option<String>)> {
    let table = sections(text)
        .get("Execution plan:")
        .cloned()
        .unwrap_or_default();
    table
        .lines()
        .skip(2)
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let id = words.next()?.parse().ok()?;
            let kind = words.next()?.to_string();
            let site = words
                .next()
                .filter(|w| *w == "COOR" || *w == "DBS")
                .map(str::to_string);
            Some((id, kind, site))
        })
        .collect()
}

/// `(id, type, site)` in the text's printing order (a legacy subquery's
/// body right after its SubqueryNode), checking on the way that every
/// node list is a chain: each node depends on the one before.
fn flatten(nodes: &[NodeJson], out: &mut Vec<(u32, String, Option<String>)>) {
    let mut previous: Option<u32> = None;
    for n in nodes {
        assert_eq!(n.dependencies, previous.into_iter().collect::<Vec<_>>());
        previous = Some(n.id);
        out.push((n.id, n.kind.clone(), n.site.clone()));
        if let Some(body) = n.attributes.get("subquery") {
            let body: Vec<NodeJson> =
                serde_json::from_value(body["nodes"].clone()).expect("subquery nodes");
            flatten(&body, out);
        }
    }
}

#[test]
fn reproduced_cases_agree_with_the_text() {
    let snapshotted: Vec<String> = std::fs::read_dir(snapshot_dir())
        .expect("snapshots/")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".snap").map(str::to_string)
        })
        .filter(|slug| fixtures().join(format!("{slug}.json")).exists())
        .collect();
    assert!(snapshotted.len() >= 2);
    for slug in &snapshotted {
        let c = case(slug);
        let text = render_case(&c, aqlplan::render_text);
        let answer = round_trip(&render_case(&c, aqlplan::render_json));
        let plan = answer.plan.as_ref().expect("plan");
        let mut rows = Vec::new();
        flatten(&plan.nodes, &mut rows);
        assert_eq!(rows, text_rows(&text), "{slug}: nodes");
        assert_eq!(plan.rules, rules_of(&text), "{slug}: rules");
    }
}

/// Rule names from the text's "Optimization rules applied" section.
fn rules_of(text: &str) -> Vec<String> {
    let Some(section) = sections(text).get("Optimization rules applied:").cloned() else {
        return Vec::new();
    };
    let mut cells: Vec<(usize, String)> = Vec::new();
    for line in section.lines().skip(2) {
        let words: Vec<&str> = line.split_whitespace().collect();
        for pair in words.chunks(2) {
            if let [id, name] = pair {
                if let Ok(i) = id.parse::<usize>() {
                    cells.push((i, name.to_string()));
                }
            }
        }
    }
    cells.sort();
    cells.into_iter().map(|(_, n)| n).collect()
}

#[test]
fn documented_five_shard_query_lists_arangodbs_nodes_with_sites() {
    let c = case("oneshard-sharded");
    let answer = round_trip(&render_case(&c, aqlplan::render_json));
    let plan = answer.plan.expect("plan");
    let types: Vec<&str> = plan.nodes.iter().map(|n| n.kind.as_str()).collect();
    assert_eq!(
        types,
        [
            "SingletonNode",
            "EnumerateCollectionNode",
            "CalculationNode",
            "SortNode",
            "RemoteNode",
            "GatherNode",
            "LimitNode",
            "ReturnNode"
        ]
    );
    let sites: Vec<&str> = plan
        .nodes
        .iter()
        .filter_map(|n| n.site.as_deref())
        .collect();
    assert_eq!(
        sites,
        ["DBS", "DBS", "DBS", "DBS", "COOR", "COOR", "COOR", "COOR"]
    );
    assert_eq!(
        plan.rules,
        [
            "move-calculations-up",
            "move-filters-up",
            "move-calculations-up-2",
            "move-filters-up-2",
            "scatter-in-cluster",
            "distribute-filtercalc-to-cluster",
            "distribute-sort-to-cluster",
            "remove-unnecessary-remote-scatter",
            "sort-limit",
            "move-filters-into-enumerate",
            "parallelize-gather"
        ]
    );
    let gather = &plan.nodes[5].attributes;
    assert_eq!(gather["sortmode"], "heap");
    assert_eq!(gather["parallelism"], "parallel");
    assert_eq!(gather["limit"], 10);
    let limit = &plan.nodes[6].attributes;
    assert_eq!(
        (limit["offset"].as_u64(), limit["limit"].as_u64()),
        (Some(0), Some(10))
    );
    assert!(!answer.one_shard.applied);
    assert_eq!(answer.one_shard.reasons[0].kind, "several-shards");
    assert_eq!(plan.collections[0].access, "read");
    assert_eq!(plan.estimated_nr_items, 10);
}

#[test]
fn oneshard_database_reports_the_rule_applied() {
    let c = case("oneshard-single");
    let answer = round_trip(&render_case(&c, aqlplan::render_json));
    assert!(answer.one_shard.applied);
    assert!(answer.one_shard.reasons.is_empty());
    let plan = answer.plan.expect("plan");
    assert!(plan.rules.iter().any(|r| r == "cluster-one-shard"));
}

#[test]
fn expressions_are_arangodb_ast_json() {
    let catalog = Catalog::from_json_text(r#"{"role": "single", "collections": [{"name": "c"}]}"#)
        .expect("catalog");
    let x = aqlplan::explain(
        &catalog,
        "FOR d IN c LET x = LENGTH([1, d.a]) RETURN x",
        &Options {
            compat: Version::parse("3.11").expect("version"),
            ..Options::default()
        },
    )
    .expect("plans");
    let answer = round_trip(&aqlplan::render_json(&x));
    let plan = answer.plan.expect("plan");
    let calc = plan
        .nodes
        .iter()
        .find(|n| n.kind == "CalculationNode")
        .expect("calculation");
    let e = &calc.attributes["expression"];
    assert_eq!(e["type"], "function call");
    assert_eq!(e["typeID"], 47);
    assert_eq!(e["name"], "LENGTH");
    let args = &e["subNodes"][0];
    assert_eq!(args["type"], "array");
    assert_eq!(args["subNodes"][0]["subNodes"][0]["value"], 1);
    assert_eq!(
        args["subNodes"][0]["subNodes"][1]["type"],
        "attribute access"
    );
    assert!(plan.nodes.iter().all(|n| n.site.is_none()), "single server");
    // Variables are listed newest first, as ArangoDB does.
    let ids: Vec<u32> = plan.variables.iter().map(|v| v.id).collect();
    let mut sorted = ids.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(ids, sorted);
}

#[test]
fn all_plans_lists_every_plan_cheapest_first() {
    let catalog = Catalog::from_json_text(
        r#"{"role": "single", "collections": [{"name": "c", "count": 1000,
            "indexes": [{"type": "persistent", "fields": ["a"], "name": "ia"},
                        {"type": "persistent", "fields": ["b"], "name": "ib"}]}]}"#,
    )
    .expect("catalog");
    let mut options = Options::default();
    options
        .apply_json(&serde_json::json!({"allPlans": true}))
        .expect("options");
    let x =
        aqlplan::explain(&catalog, "FOR d IN c COLLECT a = d.a RETURN a", &options).expect("plans");
    let answer = round_trip(&aqlplan::render_json(&x));
    assert!(answer.plan.is_none() && answer.cacheable.is_none());
    let plans = answer.plans.expect("plans");
    assert_eq!(plans.len(), x.stats.plans_created);
    assert!(
        plans.len() > 1,
        "specialize-collect makes a hash alternative"
    );
    let costs: Vec<f64> = plans.iter().map(|p| p.estimated_cost).collect();
    assert!(costs.windows(2).all(|w| w[0] <= w[1]), "{costs:?}");
}

#[test]
fn cli_prints_json_with_format_json() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_explain"))
        .args([
            "--catalog",
            "examples/sharded.json",
            "--compat",
            "3.6",
            "--bind",
            r#"{"@collection": "example"}"#,
            "--format",
            "json",
            "FOR doc IN @@collection FILTER doc.value % 2 == 0 SORT doc.value ASC LIMIT 10 RETURN doc",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    assert!(out.status.success());
    let answer = round_trip(&String::from_utf8_lossy(&out.stdout));
    let nodes: Vec<(String, Option<String>)> = answer
        .plan
        .expect("plan")
        .nodes
        .into_iter()
        .map(|n| (n.kind, n.site))
        .collect();
    let expected: Vec<(String, Option<String>)> = [
        ("SingletonNode", "DBS"),
        ("EnumerateCollectionNode", "DBS"),
        ("CalculationNode", "DBS"),
        ("SortNode", "DBS"),
        ("RemoteNode", "COOR"),
        ("GatherNode", "COOR"),
        ("LimitNode", "COOR"),
        ("ReturnNode", "COOR"),
    ]
    .into_iter()
    .map(|(k, s)| (k.to_string(), Some(s.to_string())))
    .collect();
    assert_eq!(nodes, expected);
}

/// ArangoDB 3.11's documented answer for `FOR p IN products RETURN p` on a
/// single server with 10 documents (`RestExplainValid`), apart from the
/// optimizer's rule counters and aqlplan's `oneShard`.
#[test]
fn documented_single_server_answer_is_reproduced() {
    let catalog = Catalog::from_json_text(
        r#"{"role": "single", "collections": [{"name": "products", "count": 10}]}"#,
    )
    .expect("catalog");
    let options = Options {
        compat: Version::parse("3.11").expect("version"),
        ..Options::default()
    };
    let x = aqlplan::explain(&catalog, "FOR p IN products RETURN p", &options).expect("plans");
    let mut answer: serde_json::Value =
        serde_json::from_str(&aqlplan::render_json(&x)).expect("JSON");
    let object = answer.as_object_mut().expect("object");
    object.remove("stats");
    object.remove("oneShard");
    let p = serde_json::json!({"id": 0, "name": "p", "isFullDocumentFromCollection": true});
    let documented = serde_json::json!({
        "plan": {
            "nodes": [
                {"type": "SingletonNode", "dependencies": [], "id": 1,
                 "estimatedCost": 1, "estimatedNrItems": 1},
                {"type": "EnumerateCollectionNode", "dependencies": [1], "id": 2,
                 "estimatedCost": 12, "estimatedNrItems": 10, "random": false,
                 "indexHint": {"forced": false, "lookahead": 1, "type": "none"},
                 "outVariable": p, "projections": [], "filterProjections": [],
                 "count": false, "producesResult": true, "readOwnWrites": false,
                 "useCache": true, "maxProjections": 5, "database": "_system",
                 "collection": "products", "satellite": false, "isSatellite": false,
                 "isSatelliteOf": null},
                {"type": "ReturnNode", "dependencies": [2], "id": 3,
                 "estimatedCost": 22, "estimatedNrItems": 10, "inVariable": p,
                 "count": true}
            ],
            "rules": [],
            "collections": [{"name": "products", "type": "read"}],
            "variables": [p],
            "estimatedCost": 22,
            "estimatedNrItems": 10,
            "isModificationQuery": false
        },
        "cacheable": true,
        "warnings": [],
        "error": false,
        "code": 200
    });
    assert_eq!(numbers_as_f64(answer), numbers_as_f64(documented));
}
