//! Every documented explain output aqlplan reproduces, checked against the
//! documentation's text and pinned as an insta snapshot.

mod common;
use common::*;

/// Documented cases reproduced byte for byte (every printed section).
const REPRODUCED: &[&str] = &[
    "collect-hash-with-sort",
    "collect-into-hash",
    "explain-filter-full-scan-3-11",
    "explain-filter-full-scan-3-12",
    "explain-filter-full-scan-3-5",
    "explain-filter-full-scan-3-7",
    "explain-filter-full-scan-3-9",
    "explain-filter-full-scan-4-x",
    "explain-index-range-sort-3-10",
    "explain-index-range-sort-3-11",
    "explain-index-range-sort-3-12",
    "explain-index-range-sort-3-4",
    "explain-index-range-sort-3-5",
    "explain-index-range-sort-3-6",
    "explain-index-range-sort-3-7",
    "explain-index-range-sort-3-8",
    "explain-index-range-sort-3-9",
    "explain-index-verify-3-10",
    "explain-index-verify-3-11",
    "explain-index-verify-3-12",
    "explain-index-verify-3-4",
    "explain-index-verify-3-5",
    "explain-index-verify-3-6",
    "explain-index-verify-3-7",
    "explain-index-verify-3-8",
    "explain-index-verify-3-9",
    "explain-index-verify-4-x",
    "explain-let-sleep-3-11",
    "explain-let-sleep-3-12",
    "explain-let-sleep-4-x",
    "filter-early-pruning-3-6",
    "for-limit-instead-of-expression",
    "inverted-index-primary-sort-unused",
    "mdi-sparse-not-used",
    "oneshard-sharded",
    "oneshard-single",
];

#[test]
fn seed_plans_equal_the_documented_text() {
    for slug in ["oneshard-single", "oneshard-sharded"] {
        let c = case(slug);
        let out = run(&c).expect("plans");
        assert_eq!(out.trim_end_matches('\n'), c.expected, "{slug}");
    }
}

#[test]
fn reproduced_cases_match_and_are_snapshotted() {
    let settings = snapshot_settings();
    for slug in REPRODUCED {
        let c = case(slug);
        let out = run(&c).unwrap_or_else(|e| panic!("{slug}: {e}"));
        assert_eq!(
            differing_sections(&c.expected, &out),
            Vec::<String>::new(),
            "{slug}"
        );
        settings.bind(|| insta::assert_snapshot!(*slug, out));
    }
}

/// Keeps `REPRODUCED` honest: a case that starts passing must be added
/// (with its snapshot), a case that stops passing is a regression.
#[test]
fn reproduced_list_is_exactly_the_passing_cases() {
    let mut passing: Vec<String> = all_cases()
        .iter()
        .filter(|c| run(c).is_ok_and(|out| differing_sections(&c.expected, &out).is_empty()))
        .map(|c| c.slug.clone())
        .collect();
    passing.sort();
    let mut listed: Vec<String> = REPRODUCED.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(passing, listed);
}

#[test]
fn no_documented_case_panics_or_errors_unexpectedly() {
    for c in all_cases() {
        // Errors are allowed (constructs not planned yet), panics are not.
        let _ = run(&c);
    }
}
