//! Bounded property test: generated valid queries against generated
//! cluster descriptions plan without error or panic, every plan is
//! well-formed, and every renderer prints it. Deterministic (fixed seeds),
//! a few seconds in a debug build; the fuzz targets in `fuzz/` run the same
//! generator unbounded.

#[path = "common/querygen.rs"]
mod querygen;
#[path = "common/wellformed.rs"]
mod wellformed;

use aqlplan::optimizer::RuleSelection;
use aqlplan::{Catalog, Options, Version};
use querygen::{Gen, Rng};

/// Cases per run: enough to reach every generator branch many times, few
/// enough for CI's two cores. `AQLPLAN_PROPERTY_CASES=N` runs more (and
/// other seeds: `AQLPLAN_PROPERTY_SEED=S` shifts them).
fn cases() -> std::ops::Range<u64> {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let start = env("AQLPLAN_PROPERTY_SEED", 0);
    start..start + env("AQLPLAN_PROPERTY_CASES", 300)
}

fn options(case: &querygen::Case) -> Options {
    Options {
        compat: Version::parse(case.compat).expect("generator versions are valid"),
        bind: case
            .bind
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        rules: RuleSelection::parse(&case.rules).expect("generator rules exist"),
        ..Options::default()
    }
}

/// The case as an `explain` command line, to reproduce a failure.
fn command_line(case: &querygen::Case) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    let options = serde_json::json!({"optimizer": {"rules": case.rules}});
    format!(
        "echo {} > /tmp/catalog.json && explain --catalog /tmp/catalog.json --compat {} --bind {} --options {} {}",
        quote(&case.catalog.to_string()),
        case.compat,
        quote(&serde_json::Value::Object(case.bind.clone()).to_string()),
        quote(&options.to_string()),
        quote(&case.query)
    )
}

/// Every renderer prints the plan; the JSON one prints valid JSON.
fn render_all(explained: &aqlplan::Explanation) {
    assert!(!aqlplan::render_text(explained).is_empty());
    let json = aqlplan::render_json(explained);
    assert!(
        serde_json::from_str::<serde_json::Value>(&json).is_ok(),
        "{json}"
    );
    assert!(!aqlplan::render_dot(explained).is_empty());
}

#[test]
fn generated_valid_queries_plan_into_well_formed_plans() {
    for seed in cases() {
        let case = Gen::new(Rng::new(seed), true).case();
        let catalog = Catalog::from_json(&case.catalog)
            .unwrap_or_else(|e| panic!("seed {seed}: catalog {}: {e}", case.catalog));
        let explained =
            aqlplan::explain(&catalog, &case.query, &options(&case)).unwrap_or_else(|e| {
                panic!(
                    "seed {seed}: error {}: {e}\n{}",
                    e.number(),
                    command_line(&case)
                )
            });
        if let Err(broken) = wellformed::check(&explained) {
            panic!("seed {seed}: {broken}\n{}", command_line(&case));
        }
        render_all(&explained);
    }
}

#[test]
fn generated_invalid_queries_fail_cleanly() {
    // Non-strict generation mixes in unknown names, wrong arities and
    // stray tokens: each run must end in a plan or a numbered error.
    for seed in cases().step_by(2) {
        let case = Gen::new(Rng::new(seed ^ 0xDEAD_BEEF), false).case();
        let Ok(catalog) = Catalog::from_json(&case.catalog) else {
            continue;
        };
        match aqlplan::explain(&catalog, &case.query, &options(&case)) {
            Ok(explained) => {
                if let Err(broken) = wellformed::check(&explained) {
                    panic!("seed {seed}: {broken}\n{}", command_line(&case));
                }
                render_all(&explained);
            }
            Err(e) => assert!(e.number() > 0 && !e.to_string().is_empty()),
        }
    }
}
