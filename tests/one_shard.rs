//! The OneShard decision: every documented limitation, each both ways (the
//! refused query and its nearest accepted variant), the traps that merely
//! look like calls, and where a refused query's nodes run.

use aqlplan::{Catalog, Options};

/// A flexible database with single-shard collections in every relation the
/// limitations talk about.
const CLUSTER: &str = r#"{
  "database": {"name": "db", "sharding": "flexible"},
  "servers": {"dbServers": ["A", "B", "C"]},
  "collections": [
    {"name": "proto", "numberOfShards": 1, "count": 100, "shards": {"s1": ["A"]}},
    {"name": "follower", "numberOfShards": 1, "distributeShardsLike": "proto", "count": 100},
    {"name": "alone", "numberOfShards": 1, "count": 100, "shards": {"s2": ["A"]}},
    {"name": "elsewhere", "numberOfShards": 1, "count": 100, "shards": {"s3": ["B"]}},
    {"name": "sharded", "numberOfShards": 5, "count": 100},
    {"name": "sat", "numberOfShards": 1, "replicationFactor": "satellite", "count": 100},
    {"name": "smartEdges", "type": "edge", "numberOfShards": 1, "isSmart": true,
     "distributeShardsLike": "proto", "count": 100},
    {"name": "smartVertices", "numberOfShards": 1, "isSmart": true,
     "distributeShardsLike": "proto", "count": 100}
  ],
  "userFunctions": ["MY::DOUBLE"]
}"#;

/// A OneShard database (`sharding: "single"`).
const ONE_SHARD_DB: &str = r#"{
  "database": {"name": "one", "sharding": "single"},
  "collections": [{"name": "c", "count": 10}, {"name": "d", "count": 10}],
  "userFunctions": ["my::double"]
}"#;

struct Decision {
    applied: bool,
    kinds: Vec<&'static str>,
    messages: Vec<String>,
    positions: Vec<Option<(usize, usize)>>,
    text: String,
}

fn decide(catalog: &str, query: &str) -> Decision {
    let catalog = Catalog::from_json_text(catalog).expect("catalog");
    let x = aqlplan::explain(&catalog, query, &Options::default())
        .unwrap_or_else(|e| panic!("{query}: {e}"));
    Decision {
        applied: x.one_shard.applied,
        kinds: x.one_shard.reasons.iter().map(|r| r.kind).collect(),
        messages: x
            .one_shard
            .reasons
            .iter()
            .map(|r| r.message.clone())
            .collect(),
        positions: x.one_shard.reasons.iter().map(|r| r.position).collect(),
        text: aqlplan::render_text(&x),
    }
}

fn assert_applied(catalog: &str, query: &str) {
    let d = decide(catalog, query);
    assert!(d.applied, "{query}: refused for {:?}", d.messages);
    assert!(d.text.contains("cluster-one-shard"), "{query}:\n{}", d.text);
}

fn assert_refused(catalog: &str, query: &str, kind: &str) -> Decision {
    let d = decide(catalog, query);
    assert!(!d.applied, "{query}: applied");
    assert!(d.kinds.contains(&kind), "{query}: {:?}", d.kinds);
    assert!(
        !d.text.contains("cluster-one-shard"),
        "{query}:\n{}",
        d.text
    );
    d
}

#[test]
fn several_shards() {
    let d = assert_refused(CLUSTER, "FOR x IN sharded RETURN x", "several-shards");
    assert_eq!(d.messages, ["collection 'sharded' has 5 shards"]);
    assert_applied(CLUSTER, "FOR x IN proto RETURN x");
}

#[test]
fn one_shard_database_needs_no_shard_map() {
    assert_applied(ONE_SHARD_DB, "FOR x IN c FOR y IN d RETURN [x, y]");
}

#[test]
fn different_leaders() {
    let d = assert_refused(
        CLUSTER,
        "FOR x IN proto FOR y IN elsewhere RETURN [x, y]",
        "different-leaders",
    );
    assert!(
        d.messages[0].contains("'proto' on A, 'elsewhere' on B"),
        "{:?}",
        d.messages
    );
    assert_applied(CLUSTER, "FOR x IN proto FOR y IN follower RETURN [x, y]");
}

#[test]
fn different_prototypes() {
    // Same leader, but neither collection follows the other.
    let d = assert_refused(
        CLUSTER,
        "FOR x IN proto FOR y IN alone RETURN [x, y]",
        "different-prototypes",
    );
    assert_eq!(d.kinds, ["different-prototypes"]);
    assert!(
        d.messages[0].contains("'proto' is its own prototype, 'alone' is its own prototype"),
        "{:?}",
        d.messages
    );
    // The prototype itself counts as following itself.
    assert_applied(CLUSTER, "FOR y IN follower FOR x IN proto RETURN [x, y]");
}

#[test]
fn writing_into_a_satellite_collection() {
    let d = assert_refused(
        CLUSTER,
        "FOR x IN proto INSERT x INTO sat",
        "satellite-write",
    );
    assert!(d.messages.iter().any(|m| m.contains("'sat'")));
    // Reading one is fine: it has a copy on every DB-Server.
    assert_applied(CLUSTER, "FOR x IN proto FOR s IN sat RETURN [x, s]");
}

#[test]
fn smart_graph_edge_collections() {
    assert_refused(
        CLUSTER,
        "FOR e IN smartEdges RETURN e",
        "smart-edge-collection",
    );
    assert_applied(CLUSTER, "FOR v IN smartVertices RETURN v");
}

#[test]
fn user_defined_functions() {
    let d = assert_refused(
        CLUSTER,
        "FOR x IN proto RETURN MY::DOUBLE(x)",
        "user-function",
    );
    assert_eq!(d.positions, [Some((1, 23))]);
    assert_applied(CLUSTER, "FOR x IN proto RETURN x.a * 2");
}

#[test]
fn javascript_functions() {
    for (query, name) in [
        ("FOR x IN proto RETURN V8(x)", "V8()"),
        ("FOR x IN proto RETURN CALL('LOWER', x.a)", "CALL()"),
        ("FOR x IN proto RETURN APPLY('LOWER', [x.a])", "APPLY()"),
    ] {
        let d = assert_refused(CLUSTER, query, "v8-function");
        assert!(d.messages[0].starts_with(name), "{:?}", d.messages);
    }
    assert_applied(CLUSTER, "FOR x IN proto RETURN LOWER(x.a)");
}

#[test]
fn every_coordinator_only_function() {
    for call in [
        "COLLECTION_COUNT('proto')",
        "COLLECTIONS()",
        "CURRENT_DATABASE()",
        "CURRENT_USER()",
        "VERSION()",
        "SCHEMA_GET('proto')",
        "SCHEMA_VALIDATE(x, {})",
    ] {
        let query = format!("FOR x IN proto RETURN [x, {call}]");
        let d = assert_refused(CLUSTER, &query, "coordinator-only-function");
        let name = &call[..call.find('(').expect("call")];
        assert_eq!(
            d.messages,
            [format!("{name}() can only run on a Coordinator")]
        );
        assert_eq!(d.positions, [Some((1, 27))], "{query}");
    }
    // DOCUMENT() may run on a OneShard DB-Server (since 3.7.5).
    assert_applied(CLUSTER, "FOR x IN proto RETURN DOCUMENT('proto/1')");
}

#[test]
fn every_obstacle_is_reported_not_just_the_first() {
    let d = decide(
        CLUSTER,
        "FOR x IN sharded FILTER x.u == CURRENT_USER() RETURN MY::DOUBLE(x)",
    );
    assert!(!d.applied);
    assert_eq!(
        d.kinds,
        [
            "several-shards",
            "coordinator-only-function",
            "user-function"
        ]
    );
}

#[test]
fn names_that_only_look_like_calls_are_not_calls() {
    assert_applied(
        ONE_SHARD_DB,
        "FOR x IN c RETURN [x.VERSION, x.CURRENT_USER, 'CURRENT_USER()', \"V8()\", {COLLECTIONS: 1}]",
    );
}

#[test]
fn function_names_are_case_insensitive() {
    let d = assert_refused(
        ONE_SHARD_DB,
        "FOR x IN c RETURN current_user()",
        "coordinator-only-function",
    );
    assert_eq!(d.messages, ["CURRENT_USER() can only run on a Coordinator"]);
    // The catalog lists it in lower case; ArangoDB's names are case-insensitive.
    assert_refused(
        ONE_SHARD_DB,
        "FOR x IN c RETURN My::Double(x)",
        "user-function",
    );
}

#[test]
fn calls_deep_inside_subqueries_count() {
    let query = "FOR x IN c\n  LET a = (\n    FOR y IN d\n      LET b = (FOR z IN d FILTER z.v == VERSION() RETURN z)\n      RETURN b)\n  RETURN a";
    let d = assert_refused(ONE_SHARD_DB, query, "coordinator-only-function");
    assert_eq!(d.positions, [Some((4, 41))]);
}

#[test]
fn queries_without_collections_are_not_one_shard() {
    assert_refused(ONE_SHARD_DB, "RETURN 1", "no-collection");
    assert_refused(ONE_SHARD_DB, "FOR i IN 1..3 RETURN i", "no-collection");
}

#[test]
fn disabling_the_rule_is_a_reason() {
    let catalog = Catalog::from_json_text(ONE_SHARD_DB).expect("catalog");
    let mut options = Options::default();
    options
        .apply_json(&serde_json::json!({"optimizer": {"rules": ["-cluster-one-shard"]}}))
        .expect("options");
    let x = aqlplan::explain(&catalog, "FOR x IN c RETURN x", &options).expect("plans");
    assert!(!x.one_shard.applied);
    assert_eq!(x.one_shard.reasons.len(), 1);
    assert!(x.one_shard.reasons[0].message.contains("disabled"));
}

/// Site column of the row whose comment contains `needle`.
fn site_of<'t>(text: &'t str, needle: &str) -> &'t str {
    let row = text
        .lines()
        .skip_while(|l| !l.starts_with("Execution plan:"))
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle}:\n{text}"));
    row.split_whitespace().nth(2).expect("site column")
}

#[test]
fn a_refused_query_runs_its_coordinator_only_calculation_on_the_coordinator() {
    for catalog in [ONE_SHARD_DB, CLUSTER] {
        let collection = if catalog == CLUSTER { "sharded" } else { "c" };
        let query = format!("FOR doc IN {collection} FILTER doc.u == CURRENT_USER() RETURN doc");
        let d = decide(catalog, &query);
        assert!(!d.applied);
        assert_eq!(site_of(&d.text, "FOR doc IN"), "DBS", "{}", d.text);
        assert_eq!(site_of(&d.text, "CURRENT_USER()"), "COOR", "{}", d.text);
        assert_eq!(site_of(&d.text, "- GATHER"), "COOR", "{}", d.text);
        // The calculation comes after the network boundary.
        let plan = &d.text[d.text.find("Execution plan:").expect("plan")..];
        let gather = plan.find("- GATHER").expect("gather");
        let calc = plan.find("CURRENT_USER()").expect("calc");
        assert!(gather < calc, "{}", d.text);
    }
}

#[test]
fn an_accepted_query_runs_everything_but_the_result_on_the_db_server() {
    let d = decide(
        ONE_SHARD_DB,
        "FOR doc IN c FILTER doc.u == 1 SORT doc.u LIMIT 3 RETURN doc",
    );
    assert!(d.applied);
    for needle in ["FOR doc IN", "LIMIT"] {
        assert_eq!(site_of(&d.text, needle), "DBS", "{}", d.text);
    }
    assert_eq!(site_of(&d.text, "RETURN doc"), "COOR");
}
