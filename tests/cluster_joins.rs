//! Joins of several collections in a cluster, beyond the documented
//! cases: the loop order the cheapest plan picks, index lookups for the
//! inner loop, SatelliteCollections joined into a sharded snippet, and
//! 1-shard collections outside a OneShard database.

mod common;
use common::*;

const CATALOG: &str = r#"{"role": "coordinator", "collections": [
    {"name": "users", "numberOfShards": 4, "count": 1000,
     "indexes": [{"type": "persistent", "fields": ["city"], "name": "city"}]},
    {"name": "orders", "numberOfShards": 4, "count": 50000},
    {"name": "small", "numberOfShards": 1, "count": 100},
    {"name": "tiny", "numberOfShards": 1, "count": 20},
    {"name": "cities", "replicationFactor": "satellite", "count": 30}]}"#;

fn plan(query: &str, compat: &str) -> String {
    check_with(CATALOG, query, compat, None, None).unwrap_or_else(|e| panic!("{query}: {e}"))
}

/// The plan rows' node types and comments, without ids and estimates.
fn rows(text: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| !l.starts_with("Execution plan:"))
        .skip(2)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().nth(1).unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_join_on_a_non_key_attribute_looks_up_the_indexed_side() {
    let text = plan(
        "FOR o IN orders FOR u IN users FILTER u.city == o.city FILTER o.total > 3 RETURN [o, u]",
        "3.12",
    );
    // orders drive the loop; users are looked up by the city index.
    assert!(
        text.contains("FOR o IN orders   /* full collection scan, 4 shard(s)"),
        "{text}"
    );
    assert!(
        text.contains("FOR u IN users   /* persistent index scan"),
        "{text}"
    );
    assert!(
        text.contains("FILTER (o.`total` > 3)   /* early pruning */"),
        "{text}"
    );
    assert_eq!(rows(&text).iter().filter(|r| *r == "GatherNode").count(), 2);
}

#[test]
fn the_outer_loop_never_uses_a_variable_of_the_inner_one() {
    for compat in ["3.4", "3.6", "3.10", "3.12"] {
        let text = plan(
            "FOR u IN users FOR o IN orders FILTER u.city == o.city RETURN o",
            compat,
        );
        // The loops are swapped so the index can serve the inner lookup.
        let table = &text[text.find("Execution plan:").expect("plan")..];
        let o = table.find("FOR o IN orders").expect("orders loop");
        let u = table.find("FOR u IN users").expect("users loop");
        assert!(o < u, "{compat}:\n{text}");
    }
}

#[test]
fn a_satellite_loop_runs_in_the_sharded_snippet() {
    for compat in ["3.4", "3.6", "3.12"] {
        let text = plan(
            "FOR o IN orders FOR c IN cities FILTER c._key == o.city RETURN [o, c]",
            compat,
        );
        let r = rows(&text);
        assert_eq!(
            r.iter().filter(|t| *t == "RemoteNode").count(),
            1,
            "{compat}:\n{text}"
        );
        assert!(!r.contains(&"ScatterNode".to_string()), "{compat}:\n{text}");
        assert!(text.contains(", satellite"), "{compat}:\n{text}");
        assert!(text.contains("remove-satellite-joins"), "{compat}:\n{text}");
    }
}

#[test]
fn single_shard_collections_of_a_flexible_database_still_scatter() {
    let text = plan(
        "FOR s IN small FOR t IN tiny FILTER s._key == t.ref SORT t.n RETURN s",
        "3.12",
    );
    let r = rows(&text);
    assert!(r.contains(&"ScatterNode".to_string()), "{text}");
    // One shard each: the gathers merge nothing.
    assert!(!text.contains("sort mode"), "{text}");
    assert!(
        text.contains("FOR s IN small   /* primary index scan"),
        "{text}"
    );
}

#[test]
fn max_number_of_plans_limits_the_loop_orders_tried() {
    let query = "FOR u IN users FOR o IN orders FILTER u.city == o.city RETURN o";
    let one = serde_json::json!({"maxNumberOfPlans": 1});
    let text = check_with(CATALOG, query, "3.12", None, Some(&one)).expect("plans");
    // Only the written order is planned: users outside, orders scanned inside.
    let table = &text[text.find("Execution plan:").expect("plan")..];
    let o = table.find("FOR o IN orders").expect("orders loop");
    let u = table.find("FOR u IN users").expect("users loop");
    assert!(u < o, "{text}");
    assert!(
        !text.contains("interchange-adjacent-enumerations"),
        "{text}"
    );
}
