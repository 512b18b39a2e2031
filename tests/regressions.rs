//! Inputs that once crashed the planner (found by fuzzing, the property
//! test or by probing edge cases), each kept so it never does again: every
//! one must plan and print in every format, or fail with a numbered error.

#[path = "common/wellformed.rs"]
mod wellformed;

use aqlplan::{Catalog, Options};

const SHARDED: &str = include_str!("../examples/sharded.json");

/// Plans `query`; on success renders every format. Returns the error number.
fn survives(catalog: &str, query: &str, options: &Options) -> Option<u32> {
    let catalog = Catalog::from_json_text(catalog).expect("catalog");
    match aqlplan::explain(&catalog, query, options) {
        Ok(x) => {
            if let Err(broken) = wellformed::check(&x) {
                panic!("{query}: {broken}");
            }
            assert!(!x.to_text().is_empty());
            let json: serde_json::Value = serde_json::from_str(&x.to_json()).expect("JSON");
            assert!(json.is_object());
            assert!(!x.to_json().is_empty());
            assert!(!x.to_dot().is_empty());
            None
        }
        Err(e) => Some(e.number()),
    }
}

#[test]
fn ranges_wider_than_u64_estimate_without_overflow() {
    // estimate: `(b - a) as u64 + 1` overflowed for 1..1e300.
    for query in [
        "FOR i IN 1..1e300 RETURN i",
        "FOR i IN -9223372036854775808..9223372036854775807 RETURN i",
        "FOR i IN 0..1e300 FOR j IN 0..1e300 RETURN [i, j]",
    ] {
        assert_eq!(
            survives(SHARDED, query, &Options::default()),
            None,
            "{query}"
        );
    }
}

#[test]
fn destructuring_object_iteration() {
    // fuzz/artifacts/query_bytes/crash-3ea76ae9…: FOR [key, value] IN ENTRIES(doc).
    let query = "LET source = [ { a: 1, b: 2 }, { c: 3 } ]\nFOR doc IN source\n  FOR [key, value] IN ENTRIES(doc)\n  RETURN CONCAT(key, value)";
    assert_eq!(survives(SHARDED, query, &Options::default()), None);
}

#[test]
fn syntax_errors_after_not_or_at_before_multibyte_text() {
    // fuzz/artifacts/query_bytes/crash-f80bf251…: the error message looked
    // for `NOT IN` / `AT LEAST` by slicing two/five bytes into 'ü'.
    let single = r#"{"role": "single", "collections": [{"name": "example"}]}"#;
    for query in [
        " not \u{FFFD}\u{FFFD}use RETURN doc",
        "NOT \u{FC}",
        "RETURN 1 NOT NOT \u{FC}",
        "AT \u{E9}\u{E9}\u{E9}",
        "RETURN 1 AT AT \u{E9}\u{E9}",
        // crash-28332282…, crash-3a118dca…, crash-40bf26cb…
        "At\u{FFFD}\u{FFFD}\u{FFFD}\u{0}AL|\u{7f}",
        "At\u{0}\u{0}\u{0}\u{FFFD}\u{FFFD}\u{0}|l\u{7f}",
    ] {
        assert_eq!(
            survives(single, query, &Options::default()),
            Some(1501),
            "{query}"
        );
    }
}
