//! Every documented explain output aqlplan reproduces, checked against the
//! documentation's text and pinned as an insta snapshot.
//!
//! A documented case counts as reproduced exactly when `snapshots/<slug>.snap`
//! exists: adding a reproduced case is adding its snapshot (run the suite with
//! `INSTA_UPDATE=always` once it matches the documentation), and a case that
//! matches without a snapshot, or has one and stops matching, fails the suite.

mod common;
use common::*;
use std::collections::BTreeSet;

/// Slugs of the documented cases that have a snapshot.
fn reproduced() -> BTreeSet<String> {
    let cases: BTreeSet<String> = all_cases().into_iter().map(|c| c.slug).collect();
    std::fs::read_dir(snapshot_dir())
        .expect("snapshots/")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".snap").map(str::to_string)
        })
        .filter(|slug| cases.contains(slug))
        .collect()
}

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
    let slugs = reproduced();
    assert!(slugs.len() >= 2, "the two OneShard seeds at least");
    for slug in &slugs {
        let c = case(slug);
        let out = run(&c).unwrap_or_else(|e| panic!("{slug}: {e}"));
        assert_eq!(
            differing_sections(&c.expected, &out),
            Vec::<String>::new(),
            "{slug}"
        );
        settings.bind(|| insta::assert_snapshot!(slug.as_str(), out));
    }
}

/// A case that starts matching must get its snapshot; one that stops
/// matching is a regression (caught above).
#[test]
fn every_matching_case_has_a_snapshot() {
    let snapshotted = reproduced();
    let unlisted: Vec<String> = all_cases()
        .iter()
        .filter(|c| !snapshotted.contains(&c.slug))
        .filter(|c| run(c).is_ok_and(|out| differing_sections(&c.expected, &out).is_empty()))
        .map(|c| c.slug.clone())
        .collect();
    assert_eq!(
        unlisted,
        Vec::<String>::new(),
        "matching cases without a snapshot"
    );
}

#[test]
fn no_documented_case_panics_or_errors_unexpectedly() {
    for c in all_cases() {
        // Errors are allowed (constructs not planned yet), panics are not.
        let _ = run(&c);
    }
}
