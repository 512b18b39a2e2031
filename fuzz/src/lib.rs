//! What every fuzz target does with an input: plan it, and if it plans,
//! check the plan's invariants and print it in every format the library
//! has. Any panic (or an invariant violation) is a finding.

#[path = "../../tests/common/querygen.rs"]
pub mod querygen;
#[path = "../../tests/common/wellformed.rs"]
pub mod wellformed;

use aqlplan::{Catalog, Options};

/// Plans `query`; on success checks and renders the plan.
pub fn exercise(catalog: &Catalog, query: &str, options: &Options) {
    match aqlplan::explain(catalog, query, options) {
        Ok(explained) => {
            if let Err(broken) = wellformed::check(&explained) {
                panic!("malformed plan for {query:?}: {broken}");
            }
            render_all(&explained);
        }
        Err(e) => {
            // Every error has ArangoDB's number and a message.
            assert!(e.number() > 0);
            assert!(!e.to_string().is_empty());
        }
    }
}

/// Every renderer of the library.
fn render_all(explained: &aqlplan::Explanation) {
    assert!(!aqlplan::render_text(explained).is_empty());
    let json = aqlplan::render_json(explained);
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&json) {
        panic!("render_json printed invalid JSON ({e}): {json}");
    }
    assert!(aqlplan::render_dot(explained).starts_with("digraph"));
    let _ = aqlplan::explain::text::why(explained);
}
