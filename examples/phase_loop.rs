//! Runs one planning phase of a documented case in a loop, for counting
//! instructions with callgrind: a figure that, unlike wall time, does not
//! depend on what else the machine is doing (`benches/instructions.sh`).
//!
//! `phase_loop PHASE ITERATIONS [FIXTURE]`: PHASE is `parse`, `build`,
//! `optimize`, `render_text`, `render_json` or `end_to_end` (as in
//! `benches/explain.rs`); FIXTURE a documented case (default: the 5-shard
//! OneShard query, `tests/fixtures/docs/oneshard-sharded.json`).

use aqlplan::planner::phases;
use aqlplan::{Catalog, Options, Version};
use std::hint::black_box;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: phase_loop PHASE ITERATIONS [FIXTURE]";
    let phase = args.next().ok_or(usage)?;
    let iterations: usize = args.next().ok_or(usage)?.parse()?;
    let fixture = args.next().unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/docs/oneshard-sharded.json"
        )
        .to_string()
    });
    let case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(fixture)?)?;
    let catalog = Catalog::from_json_text(&case["catalog"].to_string())?;
    let query = case["query"].as_str().ok_or("fixture without a query")?;
    let mut options = Options {
        compat: Version::parse(case["compat"].as_str().ok_or("fixture without compat")?)?,
        ..Options::default()
    };
    if let Some(bind) = case["bindVars"].as_object() {
        options.bind = bind.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    }
    if let Some(o) = case.get("options").filter(|o| !o.is_null()) {
        options.apply_json(o)?;
    }
    let (ast, nesting) = phases::parse(query)?;
    let built = phases::build(&catalog, &ast, nesting, &options)?;
    let explained = aqlplan::explain(&catalog, query, &options)?;
    for _ in 0..iterations {
        match phase.as_str() {
            "parse" => drop(black_box(phases::parse(black_box(query))?)),
            "build" => drop(black_box(phases::build(&catalog, &ast, nesting, &options)?)),
            // The clone is counted too; `instructions.sh` subtracts it.
            "optimize" => drop(black_box(phases::optimize(
                &catalog,
                query,
                built.clone(),
                &options,
            ))),
            "clone" => drop(black_box(built.clone())),
            "render_text" => drop(black_box(explained.to_text())),
            "render_json" => drop(black_box(explained.to_json())),
            "end_to_end" => drop(black_box(
                aqlplan::explain(&catalog, black_box(query), &options)?.to_text(),
            )),
            other => return Err(format!("unknown phase {other:?}; {usage}").into()),
        }
    }
    Ok(())
}
