//! Shared test helpers: documented cases as data, one `check` helper.
#![allow(dead_code)]

use aqlplan::{Catalog, Options, Version};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A documented explain output (a copy of `shared/conformance/docs`).
#[derive(Debug, Deserialize)]
pub struct Case {
    pub slug: String,
    pub query: String,
    #[serde(rename = "bindVars", default)]
    pub bind_vars: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    pub options: Option<serde_json::Value>,
    pub catalog: serde_json::Value,
    pub compat: String,
    pub expected: String,
}

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/docs")
}

pub fn case(slug: &str) -> Case {
    let path = fixtures().join(format!("{slug}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn all_cases() -> Vec<Case> {
    let mut paths: Vec<_> = std::fs::read_dir(fixtures())
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(&p).expect("read")).expect("case"))
        .collect()
}

/// Plans `query` against `catalog` as `compat` would and renders the text.
pub fn check(catalog: &str, query: &str, compat: &str) -> Result<String, aqlplan::Error> {
    check_with(catalog, query, compat, None, None)
}

pub fn check_with(
    catalog: &str,
    query: &str,
    compat: &str,
    bind: Option<&BTreeMap<String, serde_json::Value>>,
    options: Option<&serde_json::Value>,
) -> Result<String, aqlplan::Error> {
    let catalog = Catalog::from_json_text(catalog)?;
    let mut opts = Options {
        compat: Version::parse(compat)?,
        ..Options::default()
    };
    if let Some(b) = bind {
        opts.bind = b.clone();
    }
    if let Some(o) = options {
        opts.apply_json(o)?;
    }
    let x = aqlplan::explain(&catalog, query, &opts)?;
    Ok(aqlplan::render_text(&x))
}

/// Runs a documented case through the library.
pub fn run(c: &Case) -> Result<String, aqlplan::Error> {
    check_with(
        &c.catalog.to_string(),
        &c.query,
        &c.compat,
        c.bind_vars.as_ref(),
        c.options.as_ref(),
    )
}

const HEADERS: [&str; 6] = [
    "Query String",
    "Query string",
    "Execution plan:",
    "Indexes used:",
    "Functions used:",
    "Optimization rules applied:",
];

/// Splits explain text into its sections (as the conformance checker does):
/// lines before any header belong to the execution plan.
pub fn sections(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut key = "Execution plan:".to_string();
    let mut buf: Vec<&str> = Vec::new();
    let flush = |key: &str, buf: &mut Vec<&str>, out: &mut BTreeMap<String, String>| {
        if buf.iter().any(|l| !l.trim().is_empty()) {
            out.insert(
                key.to_string(),
                buf.join("\n").trim_end_matches('\n').to_string(),
            );
        }
        buf.clear();
    };
    for line in text.split('\n') {
        if let Some(h) = HEADERS.iter().find(|h| line.starts_with(**h)) {
            flush(&key, &mut buf, &mut out);
            key = if h.starts_with("Query") {
                "Query String".into()
            } else {
                h.to_string()
            };
        }
        buf.push(line);
    }
    flush(&key, &mut buf, &mut out);
    out
}

/// The sections the documentation printed that the output gets wrong.
pub fn differing_sections(expected: &str, actual: &str) -> Vec<String> {
    let want = sections(expected);
    let have = sections(actual);
    want.iter()
        .filter(|(k, v)| have.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect()
}

pub fn snapshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("snapshots")
}

/// insta settings that keep snapshots in the top-level `snapshots/`.
pub fn snapshot_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(snapshot_dir());
    s.set_prepend_module_to_snapshot(false);
    s
}

/// Runs the `explain` binary as a user would, feeding `stdin` when given.
pub fn run_explain<S: AsRef<std::ffi::OsStr>>(
    args: &[S],
    stdin: Option<&[u8]>,
) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_explain"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(bytes) = stdin {
        input.write_all(bytes).expect("write");
    }
    drop(input);
    child.wait_with_output().expect("finishes")
}
