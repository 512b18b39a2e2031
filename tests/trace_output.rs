//! `--trace`: the plan after each rule that changed it.

mod common;
use aqlplan::{Catalog, Options, Version};
use common::*;

fn traced(c: &Case) -> (String, String, Vec<&'static str>, Vec<&'static str>) {
    let catalog = Catalog::from_json_text(&c.catalog.to_string()).expect("catalog");
    let mut options = Options {
        compat: Version::parse(&c.compat).expect("compat"),
        trace: true,
        ..Options::default()
    };
    if let Some(b) = &c.bind_vars {
        options.bind = b.clone();
    }
    let x = aqlplan::explain(&catalog, &c.query, &options).expect("plans");
    let trace = x.trace.as_ref().expect("trace recorded");
    let steps = trace.steps.iter().map(|s| s.rule).collect();
    (
        aqlplan::render_text(&x),
        aqlplan::explain::trace::render(&x),
        steps,
        x.plan.applied_rules.clone(),
    )
}

#[test]
fn each_rule_that_changed_the_plan_is_a_step_in_order() {
    let (text, trace, steps, applied) = traced(&case("oneshard-sharded"));
    assert_eq!(steps, applied);
    assert!(trace.starts_with("Optimizer trace: 11 of "));
    assert!(trace.contains("=== initial plan ===\n"));
    assert!(trace.contains("=== 1. after move-calculations-up"));
    assert!(trace.contains("=== 11. after parallelize-gather ===\n"));
    // The last step is the plan the explain text shows.
    let last = trace
        .split("=== 11. after parallelize-gather ===\n")
        .nth(1)
        .expect("last step");
    let table = sections(&text)["Execution plan:"].clone();
    assert!(last.starts_with(&table), "{last}");
    // The initial plan runs entirely on the Coordinator, unoptimized.
    let initial = trace
        .split("=== initial plan ===\n")
        .nth(1)
        .and_then(|t| t.split("=== 1.").next())
        .expect("initial");
    assert!(initial.contains("FilterNode") && !initial.contains("DBS"));
}

#[test]
fn unchanged_rules_are_counted_not_shown() {
    let (_, trace, steps, _) = traced(&case("oneshard-single"));
    let shown = trace.lines().filter(|l| l.starts_with("=== ")).count();
    // initial + one per step (+ the closing count line, if any).
    assert!(shown == steps.len() + 1 || shown == steps.len() + 2);
    assert!(trace.contains("changed nothing"));
}

#[test]
fn without_the_option_nothing_is_recorded() {
    let catalog = Catalog::default();
    let x = aqlplan::explain(&catalog, "RETURN 1", &Options::default()).expect("plans");
    assert!(x.trace.is_none());
}

#[test]
fn trace_follows_the_chosen_plan_among_alternatives() {
    let catalog = Catalog::from_json_text(
        r#"{"role": "single", "collections": [{"name": "c", "count": 1000}]}"#,
    )
    .expect("catalog");
    let options = Options {
        trace: true,
        ..Options::default()
    };
    let x =
        aqlplan::explain(&catalog, "FOR d IN c COLLECT a = d.a RETURN a", &options).expect("plans");
    let trace = x.trace.as_ref().expect("trace");
    let last = trace.steps.last().expect("a step");
    let method = |p: &aqlplan::plan::Plan| {
        p.nodes()
            .find_map(|n| match p.kind(n) {
                aqlplan::plan::NodeKind::Collect(c) => Some(c.method),
                _ => None,
            })
            .expect("collect")
    };
    assert_eq!(method(&last.plan), method(&x.plan));
}

#[test]
fn cli_appends_the_trace() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_explain"))
        .args(["--trace", "RETURN 1 + 1"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\nOptimizer trace: "), "{stdout}");
}
