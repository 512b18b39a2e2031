//! Limits that keep the planner safe: nesting beyond ArangoDB's limit is
//! error 1524 (never a stack overflow), nesting up to it plans and prints
//! even on a thread with a small stack, and oversized inputs are refused
//! with error 32 before any recursive pass sees them.

use aqlplan::{Catalog, Error, Options};

const SHARDED: &str = include_str!("../examples/sharded.json");

fn catalog() -> Catalog {
    Catalog::from_json_text(SHARDED).expect("example catalog")
}

/// Runs `f` on a thread with Rust's default 2 MiB stack, as a library
/// user's worker thread would have.
fn on_small_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn_scoped(s, f)
            .expect("spawn")
            .join()
            .expect("no panic")
    })
}

fn plan_error(query: &str, options: &Options) -> Error {
    let catalog = catalog();
    on_small_stack(|| match aqlplan::explain(&catalog, query, options) {
        Ok(_) => panic!("planned {} bytes of query", query.len()),
        Err(e) => e,
    })
}

/// Plans and prints `query` in every format on a small stack; returns the
/// text.
fn plans_and_prints(query: &str, compat: &str) -> String {
    let catalog = catalog();
    let options = Options {
        compat: compat.parse().expect("version"),
        ..Options::default()
    };
    on_small_stack(|| {
        let explained = aqlplan::explain(&catalog, query, &options)
            .unwrap_or_else(|e| panic!("error {}: {e}", e.number()));
        assert!(!aqlplan::render_json(&explained).is_empty());
        assert!(!aqlplan::render_dot(&explained).is_empty());
        aqlplan::render_text(&explained)
    })
}

fn nested(open: &str, inner: &str, close: &str, levels: usize) -> String {
    format!("{}{inner}{}", open.repeat(levels), close.repeat(levels))
}

#[test]
fn hundred_thousand_nested_brackets_are_1524() {
    let defaults = Options::default();
    for (open, close) in [("(", ")"), ("[", "]"), ("{a:", "}")] {
        let query = format!("RETURN {}", nested(open, "1", close, 100_000));
        assert_eq!(
            plan_error(&query, &defaults),
            Error::TooMuchNesting,
            "{open}"
        );
    }
    let subqueries = format!(
        "RETURN {}",
        nested("(FOR x IN 1..2 RETURN ", "x", ")", 100_000)
    );
    assert_eq!(plan_error(&subqueries, &defaults), Error::TooMuchNesting);
}

#[test]
fn unclosed_brackets_are_1524_too() {
    let query = format!("RETURN {}", "[".repeat(100_000));
    assert_eq!(
        plan_error(&query, &Options::default()),
        Error::TooMuchNesting
    );
}

#[test]
fn long_operator_chains_are_1524() {
    let defaults = Options::default();
    let sum = format!("RETURN {}", vec!["1"; 5_000].join(" + "));
    assert_eq!(plan_error(&sum, &defaults), Error::TooMuchNesting);
    let negations = format!("RETURN {}1", "- ".repeat(5_000));
    assert_eq!(plan_error(&negations, &defaults), Error::TooMuchNesting);
    let attributes = format!("FOR d IN example RETURN d{}", ".a".repeat(5_000));
    assert_eq!(plan_error(&attributes, &defaults), Error::TooMuchNesting);
}

#[test]
fn nesting_just_below_the_limit_plans_and_prints_on_a_small_stack() {
    let arrays = format!("FOR d IN example RETURN {}", nested("[", "d", "]", 490));
    assert!(plans_and_prints(&arrays, "3.12").contains("EnumerateCollectionNode"));
    let sums = format!("FOR d IN example RETURN {}", vec!["d.x"; 490].join(" + "));
    assert!(plans_and_prints(&sums, "3.12").contains("CalculationNode"));
    let subqueries = format!(
        "FOR d IN example RETURN {}",
        (0..120).fold("d".to_string(), |inner, i| format!(
            "(FOR x{i} IN example RETURN {inner})"
        ))
    );
    // Spliced (3.12) and unspliced (3.5) subqueries both print.
    assert!(plans_and_prints(&subqueries, "3.12").contains("SubqueryStartNode"));
    assert!(plans_and_prints(&subqueries, "3.5").contains("SubqueryNode"));
}

#[test]
fn oversized_query_text_is_32() {
    let query = format!("RETURN 1 {}", " ".repeat(aqlplan::planner::MAX_QUERY_BYTES));
    let e = plan_error(&query, &Options::default());
    assert_eq!(e.number(), 32);
    assert!(e.to_string().starts_with("resource limit exceeded: "));
}

#[test]
fn oversized_or_too_deep_bind_parameters_are_32() {
    let mut options = Options::default();
    let big = "x".repeat(aqlplan::planner::MAX_BIND_BYTES);
    options
        .bind
        .insert("p".into(), serde_json::Value::String(big));
    assert_eq!(plan_error("RETURN @p", &options).number(), 32);

    let mut deep = serde_json::json!(1);
    for _ in 0..aqlplan::planner::MAX_BIND_DEPTH + 10 {
        deep = serde_json::Value::Array(vec![deep]);
    }
    options.bind.insert("p".into(), deep);
    assert_eq!(plan_error("RETURN @p", &options).number(), 32);
}

#[test]
fn inlined_attribute_chains_stay_within_the_nesting_limit() {
    // remove-unnecessary-calculations folds `LET b = a.x` into its users;
    // over a long chain that would build one expression as deep as the
    // query is long.
    let lets: Vec<String> = (1..700)
        .map(|i| format!("LET v{i} = v{}.a", i - 1))
        .collect();
    let query = format!(
        "FOR d IN example LET v0 = d.x {} RETURN v699",
        lets.join(" ")
    );
    let catalog = catalog();
    let options = Options::default();
    on_small_stack(|| {
        let explained = aqlplan::explain(&catalog, &query, &options).expect("plans");
        let deepest = explained.plan.expressions().iter().map(|e| e.depth()).max();
        assert!(deepest <= Some(aqlplan::syntax::MAX_NESTING), "{deepest:?}");
        assert!(explained.to_text().contains("CalculationNode"));
        assert!(!explained.to_json().is_empty());
        assert!(!explained.to_dot().is_empty());
    });
}

#[test]
fn initial_plans_over_4000_nodes_are_1524() {
    // Singleton, LET, 3997 filters, LET for the result, Return: 4001 nodes.
    let query = format!("LET x = NOOPT(1) {}RETURN 1", "FILTER x ".repeat(3997));
    let e = plan_error(&query, &Options::default());
    assert_eq!(e, Error::TooManyPlanNodes);
    assert_eq!(e.number(), 1524);
    assert_eq!(e.phase(), Some("instantiating plan"));
}
