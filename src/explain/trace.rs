//! `--trace`: the plan as built, then after each rule that changed it, in
//! the explain table's form; runs of rules that changed nothing are
//! collapsed into a count (like DataFusion's `EXPLAIN VERBOSE`).

use crate::optimizer::Trace;
use crate::planner::Explanation;
use std::fmt::Write;

/// The trace section, or a note that the query was planned without one.
pub fn render(x: &Explanation) -> String {
    let Some(trace) = &x.trace else {
        return "Optimizer trace: not recorded (plan with Options::trace)\n".into();
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Optimizer trace: {} of {} rules run changed the plan\n",
        trace.steps.len(),
        rules_run(trace)
    );
    out.push_str("=== initial plan ===\n");
    out.push_str(&super::text::plan_table(x, &trace.initial));
    out.push('\n');
    for (i, step) in trace.steps.iter().enumerate() {
        let _ = write!(out, "=== {}. after {}", i + 1, step.rule);
        if step.unchanged_before > 0 {
            let _ = write!(
                out,
                " ({} before it changed nothing)",
                rules(step.unchanged_before)
            );
        }
        out.push_str(" ===\n");
        out.push_str(&super::text::plan_table(x, &step.plan));
        out.push('\n');
    }
    if trace.unchanged_after > 0 {
        let _ = writeln!(
            out,
            "=== then {} changed nothing ===",
            rules(trace.unchanged_after)
        );
    }
    out
}

/// Every rule that ran on the chosen plan's lineage.
fn rules_run(trace: &Trace) -> usize {
    trace.steps.len()
        + trace.unchanged_after
        + trace
            .steps
            .iter()
            .map(|s| s.unchanged_before)
            .sum::<usize>()
}

fn rules(n: usize) -> String {
    if n == 1 {
        "1 rule".into()
    } else {
        format!("{n} rules")
    }
}
