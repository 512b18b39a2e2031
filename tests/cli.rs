//! The `explain` binary as a user runs it: exit codes, stdout, one-line
//! errors with ArangoDB's numbers — never a panic.

mod common;
use common::run_explain;
use std::process::Output;

fn explain(args: &[&str], stdin: Option<&[u8]>) -> Output {
    run_explain(args, stdin)
}

/// Asserts a clean failure: exit 1, nothing on stdout, one `error N: …` line.
fn fails_with(args: &[&str], stdin: Option<&[u8]>, number: u32) -> String {
    let out = explain(args, stdin);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "args {args:?}: {stderr}");
    assert!(out.stdout.is_empty());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with(&format!("error {number}: ")), "{stderr}");
    stderr
}

const ONESHARD: &str = "examples/oneshard.json";
const SHARDED: &str = "examples/sharded.json";
const QUERY: &str =
    "FOR doc IN @@collection FILTER doc.value % 2 == 0 SORT doc.value ASC LIMIT 10 RETURN doc";

#[test]
fn readme_command_explains_the_documented_oneshard_query() {
    let out = explain(
        &[
            "--catalog",
            ONESHARD,
            "--compat",
            "3.6",
            "--bind",
            r#"{"@collection": "example"}"#,
            QUERY,
        ],
        None,
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(text.contains(" 10   GatherNode                COOR     10       - GATHER\n"));
    assert!(text.contains("  5   cluster-one-shard\n"));
}

#[test]
fn query_can_come_from_standard_input() {
    let out = explain(
        &["--catalog", SHARDED, "-"],
        Some(b"FOR d IN example RETURN d"),
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("EnumerateCollectionNode"));
}

#[test]
fn why_explains_a_refused_oneshard_query() {
    let out = explain(
        &[
            "--catalog",
            SHARDED,
            "--why",
            "FOR d IN example RETURN [d, CURRENT_USER()]",
        ],
        None,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("OneShard: not applied\n - collection 'example' has 5 shards\n - CURRENT_USER() can only run on a Coordinator (line 1, column 29)\n"));
}

#[test]
fn output_without_why_has_no_oneshard_section() {
    let out = explain(&["--catalog", SHARDED, "FOR d IN example RETURN d"], None);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("OneShard"));
}

#[test]
fn syntax_errors_are_1501() {
    fails_with(&["FOR x IN"], None, 1501);
    fails_with(&["RETURN 'unterminated"], None, 1501);
    fails_with(&["FOR x IN y RETURN x)"], None, 1501);
}

#[test]
fn garbage_bytes_are_an_error_not_a_panic() {
    let garbage: Vec<u8> = (0u8..=255).cycle().skip(7).step_by(13).take(2000).collect();
    let out = explain(&["-"], Some(&garbage));
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn empty_query_is_1502() {
    fails_with(&["   "], None, 1502);
    fails_with(&["-"], Some(b""), 1502);
}

#[test]
fn unknown_collection_is_1203() {
    let e = fails_with(
        &["--catalog", SHARDED, "FOR d IN nope RETURN d"],
        None,
        1203,
    );
    assert!(e.contains("collection or view not found: nope"));
}

#[test]
fn bind_parameter_errors() {
    fails_with(&["--catalog", SHARDED, "FOR d IN @@c RETURN d"], None, 1551);
    fails_with(
        &[
            "--catalog",
            SHARDED,
            "--bind",
            r#"{"@c": 5}"#,
            "FOR d IN @@c RETURN d",
        ],
        None,
        1553,
    );
    fails_with(
        &["--catalog", SHARDED, "--bind", r#"{"x": 1}"#, "RETURN 1"],
        None,
        1552,
    );
    fails_with(&["--bind", "[1", "RETURN 1"], None, 10);
}

#[test]
fn function_errors_use_arangodb_wording() {
    let e = fails_with(&["RETURN NO_SUCH_FUNC(1)"], None, 1540);
    assert!(e.contains("usage of unknown function 'NO_SUCH_FUNC()'"));
    let e = fails_with(&["RETURN length(1, 2)"], None, 1541);
    assert!(e.contains("invalid number of arguments for function 'length()', expected number of arguments: minimum: 1, maximum: 1"));
    let e = fails_with(&["RETURN OTHER::FN(1)"], None, 1582);
    assert!(e.contains("user function 'OTHER::FN()' not found"));
}

#[test]
fn broken_catalogs_name_the_field() {
    let dir = std::env::temp_dir().join(format!("aqlplan-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let not_json = dir.join("bad.json");
    std::fs::write(&not_json, "{ not json").expect("write");
    let e = fails_with(
        &["--catalog", not_json.to_str().expect("path"), "RETURN 1"],
        None,
        10,
    );
    assert!(e.contains("not valid JSON"));
    let bad_field = dir.join("field.json");
    std::fs::write(
        &bad_field,
        r#"{"collections": [{"name": "a", "numberOfShards": -1}]}"#,
    )
    .expect("write");
    let e = fails_with(
        &["--catalog", bad_field.to_str().expect("path"), "RETURN 1"],
        None,
        10,
    );
    assert!(e.contains("collections[0].numberOfShards"));
    let missing = dir.join("missing.json");
    fails_with(
        &["--catalog", missing.to_str().expect("path"), "RETURN 1"],
        None,
        10,
    );
}

#[test]
fn bad_options_are_refused() {
    let e = fails_with(
        &[
            "--options",
            r#"{"optimizer": {"rules": ["-no-such-rule"]}}"#,
            "RETURN 1",
        ],
        None,
        10,
    );
    assert!(e.contains("no-such-rule"));
    fails_with(&["--compat", "2.8", "RETURN 1"], None, 10);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("RETURN {}1{}", "[".repeat(100_000), "]".repeat(100_000));
    fails_with(&["-"], Some(deep.as_bytes()), 1524);
    let deep = format!("RETURN {}1{}", "(".repeat(100_000), ")".repeat(100_000));
    fails_with(&["-"], Some(deep.as_bytes()), 1524);
}
