//! Planner benchmarks (`cargo bench`; see BENCHMARKS.md).
//!
//! Three families:
//! * `oneshard-sharded/<phase>`: the documented 5-shard OneShard query, phase
//!   by phase and end to end (the ≤ 20 µs target is `end_to_end`).
//! * `documented/<phase>`: every reproduced documented case (a fixture in
//!   `tests/fixtures/docs/` with a snapshot in `snapshots/`), all of them
//!   per iteration; `case/<slug>`: each of them end to end.
//! * `scaling/<series>/<phase>/<n>`: generated queries of 10 … 10 000
//!   statements (10 … 2000 where each statement adds plan nodes; see
//!   [`series`]), to read growth ratios off.
//!
//! Phases: `parse` (text → syntax tree), `build` (→ unoptimized plan),
//! `optimize` (rules, estimates, placement), `render_text`, `render_json`
//! (the `/_api/explain` answer), and
//! `end_to_end` (query text → printed text, what `explain` does in-process).
//!
//! `AQLPLAN_BENCH_QUICK=1` runs fewer, shorter samples (a smoke run).

use aqlplan::planner::phases::{self, Built};
use aqlplan::{Catalog, Explanation, Options, Version};
use criterion::measurement::WallTime;
use criterion::{
    black_box, criterion_group, criterion_main, BatchSize, BenchmarkGroup, BenchmarkId, Criterion,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A query ready to plan: its catalog and options are built once, outside
/// the timed code, as a long-running host would hold them.
struct Prepared {
    name: String,
    catalog: Catalog,
    query: String,
    options: Options,
}

impl Prepared {
    fn explain(&self) -> Explanation<'_> {
        aqlplan::explain(&self.catalog, &self.query, &self.options).expect("benchmark query plans")
    }

    fn built(&self) -> Built {
        let (ast, nesting) = phases::parse(&self.query).expect("parses");
        phases::build(&self.catalog, &ast, nesting, &self.options).expect("builds")
    }

    fn end_to_end(&self) -> String {
        self.explain().to_text()
    }
}

// ---------------------------------------------------------------- documented cases

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The documented cases the suite reproduces, sorted by slug.
fn documented() -> Vec<Prepared> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures/docs"))
        .expect("tests/fixtures/docs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| has_snapshot(p))
        .collect();
    paths.sort();
    paths.iter().map(|p| documented_case(p)).collect()
}

fn has_snapshot(fixture: &Path) -> bool {
    let Some(slug) = fixture.file_stem().and_then(|s| s.to_str()) else {
        return false;
    };
    root()
        .join("snapshots")
        .join(format!("{slug}.snap"))
        .exists()
}

fn documented_case(path: &Path) -> Prepared {
    let text = std::fs::read_to_string(path).expect("fixture readable");
    let case: serde_json::Value = serde_json::from_str(&text).expect("fixture is JSON");
    let field = |k: &str| case.get(k).filter(|v| !v.is_null());
    let mut options = Options {
        compat: Version::parse(field("compat").and_then(|v| v.as_str()).expect("compat"))
            .expect("known version"),
        ..Options::default()
    };
    if let Some(bind) = field("bindVars").and_then(|v| v.as_object()) {
        options.bind = bind.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    }
    if let Some(o) = field("options") {
        options.apply_json(o).expect("valid options");
    }
    Prepared {
        name: field("slug")
            .and_then(|v| v.as_str())
            .expect("slug")
            .to_string(),
        catalog: Catalog::from_json_text(&field("catalog").expect("catalog").to_string())
            .expect("valid catalog"),
        query: field("query")
            .and_then(|v| v.as_str())
            .expect("query")
            .to_string(),
        options,
    }
}

// ---------------------------------------------------------------- generated series

/// The catalog of the scaling series: `examples/sharded.json`.
fn sharded_catalog() -> Catalog {
    let text = std::fs::read_to_string(root().join("examples/sharded.json")).expect("examples/");
    Catalog::from_json_text(&text).expect("valid example catalog")
}

/// Sizes of the series whose statements do not add plan nodes.
const SIZES: &[usize] = &[10, 100, 1_000, 10_000];
/// Sizes of the series that add plan nodes per statement: ArangoDB refuses
/// plans of more than `MAX_PLAN_NODES` (4000) nodes, so these stop at 2000
/// statements; the growth ratio is read off 200 → 2000.
const NODE_SIZES: &[usize] = &[10, 100, 200, 2_000];

/// Makes the query of `n` statements of a generated series.
type Generator = fn(usize) -> String;

/// The generated series by name, with their sizes.
fn series() -> [(&'static str, Generator, &'static [usize]); 5] {
    [
        ("chain", chain, NODE_SIZES),
        ("lets", lets, NODE_SIZES),
        ("and", and_chain, SIZES),
        ("object", wide_object, SIZES),
        ("subqueries", nested_subqueries, NODE_SIZES),
    ]
}

/// `n` statements cycling FOR / LET / FILTER, each reading the one before:
/// `FOR x0 IN example LET v1 = x0 + 1 FILTER v1 > 2 FOR x3 IN 1..2 …`.
fn chain(n: usize) -> String {
    let mut q = String::new();
    for k in 0..n {
        let statement = match k % 3 {
            0 if k == 0 => "FOR x0 IN example".to_string(),
            0 => format!("FOR x{k} IN 1..2"),
            1 => format!("LET v{k} = x{} + {k}", k - 1),
            _ => format!("FILTER v{} > {k}", k - 1),
        };
        q.push_str(&statement);
        q.push('\n');
    }
    q.push_str("RETURN x0");
    q
}

/// One loop, then `n` statements alternating LET and FILTER, each reading
/// the one before: `FOR d IN example LET v1 = d.value + 1 FILTER v1 > 1 …`.
/// Unlike [`chain`], the plan does not nest deeper with size, so the
/// printed plan grows linearly (each FOR indents the rows after it).
fn lets(n: usize) -> String {
    let mut q = String::from("FOR d IN example\n");
    let mut last = "d.value".to_string();
    for k in 1..=n {
        if k % 2 == 1 {
            q.push_str(&format!("LET v{k} = {last} + {k}\n"));
            last = format!("v{k}");
        } else {
            q.push_str(&format!("FILTER {last} > {k}\n"));
        }
    }
    q.push_str("RETURN d");
    q
}

/// Terms per FILTER of [`and_chain`]: a left-deep AND of more terms would
/// exceed the parser's expression-depth limit (`MAX_NESTING`).
const AND_TERMS_PER_FILTER: usize = 200;

/// `n` comparisons joined by AND (`d.a0 == 0 AND d.a1 == 1 …`), in FILTERs
/// of [`AND_TERMS_PER_FILTER`] terms.
fn and_chain(n: usize) -> String {
    let terms: Vec<String> = (0..n).map(|i| format!("d.a{i} == {i}")).collect();
    let mut q = String::from("FOR d IN example");
    for chunk in terms.chunks(AND_TERMS_PER_FILTER) {
        q.push_str("\nFILTER ");
        q.push_str(&chunk.join(" AND "));
    }
    q.push_str("\nRETURN d");
    q
}

/// One object literal with `n` attributes: `RETURN {a0: d.a0, …}`.
fn wide_object(n: usize) -> String {
    let attributes: Vec<String> = (0..n).map(|i| format!("a{i}: d.a{i}")).collect();
    format!("FOR d IN example RETURN {{{}}}", attributes.join(", "))
}

/// Deepest subquery nesting of [`nested_subqueries`] (each level is two
/// brackets deep; the parser allows `MAX_NESTING` = 500).
const MAX_SUBQUERY_DEPTH: usize = 100;

/// Subqueries nested `min(n / 10, 100)` deep (at least one level), each
/// level with an equal share of the `n` statements:
/// `FOR x1 IN 1..2 LET w1_0 = x1 + 0 … LET s1 = (FOR x2 IN 1..2 …) RETURN s1`.
fn nested_subqueries(n: usize) -> String {
    let depth = (n / 10).clamp(1, MAX_SUBQUERY_DEPTH);
    let per_level = (n / depth).max(3);
    let mut q = String::new();
    for k in 1..=depth {
        q.push_str(&format!("FOR x{k} IN 1..2 "));
        for j in 0..per_level - 3 {
            q.push_str(&format!("LET w{k}_{j} = x{k} + {j} "));
        }
        if k < depth {
            q.push_str(&format!("LET s{k} = ("));
        }
    }
    q.push_str(&format!("RETURN x{depth}"));
    for k in (1..depth).rev() {
        q.push_str(&format!(") RETURN s{k}"));
    }
    q
}

fn generated(series: &str, make: Generator, n: usize) -> Prepared {
    Prepared {
        name: format!("{series}/{n}"),
        catalog: sharded_catalog(),
        query: make(n),
        options: Options::default(),
    }
}

// ---------------------------------------------------------------- benchmarks

fn quick() -> bool {
    std::env::var_os("AQLPLAN_BENCH_QUICK").is_some()
}

/// Times each phase of one query, as `<phase>` or `<phase>/<size>`.
fn bench_phases(g: &mut BenchmarkGroup<WallTime>, size: Option<usize>, q: &Prepared) {
    let id = |phase: &str| match size {
        Some(n) => BenchmarkId::new(phase, n),
        None => BenchmarkId::from_parameter(phase),
    };
    let (ast, nesting) = phases::parse(&q.query).expect("parses");
    let built = q.built();
    let explained = q.explain();
    let batch = if q.query.len() > 10_000 {
        BatchSize::LargeInput
    } else {
        BatchSize::SmallInput
    };
    g.bench_function(id("parse"), |b| {
        b.iter(|| phases::parse(black_box(&q.query)))
    });
    g.bench_function(id("build"), |b| {
        b.iter(|| phases::build(&q.catalog, black_box(&ast), nesting, &q.options))
    });
    g.bench_function(id("optimize"), |b| {
        b.iter_batched(
            || built.clone(),
            |built| phases::optimize(&q.catalog, &q.query, built, &q.options),
            batch,
        )
    });
    g.bench_function(id("render_text"), |b| {
        b.iter(|| black_box(&explained).to_text())
    });
    g.bench_function(id("render_json"), |b| {
        b.iter(|| black_box(&explained).to_json())
    });
    g.bench_function(id("end_to_end"), |b| b.iter(|| q.end_to_end()));
}

fn configure(g: &mut BenchmarkGroup<WallTime>, samples: usize, seconds: u64) {
    if quick() {
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(100))
            .measurement_time(Duration::from_millis(300));
    } else {
        g.sample_size(samples)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(seconds));
    }
}

fn oneshard_query(c: &mut Criterion) {
    let q = documented()
        .into_iter()
        .find(|q| q.name == "oneshard-sharded")
        .expect("the OneShard seed case is reproduced");
    let mut g = c.benchmark_group("oneshard-sharded");
    configure(&mut g, 100, 3);
    bench_phases(&mut g, None, &q);
    g.finish();
}

fn documented_cases(c: &mut Criterion) {
    let cases = documented();
    let asts: Vec<_> = cases
        .iter()
        .map(|q| phases::parse(&q.query).expect("parses"))
        .collect();
    let built: Vec<_> = cases.iter().map(Prepared::built).collect();
    let explained: Vec<_> = cases.iter().map(Prepared::explain).collect();

    let mut g = c.benchmark_group("documented");
    configure(&mut g, 50, 3);
    g.bench_function("all/parse", |b| {
        b.iter(|| {
            for q in &cases {
                black_box(phases::parse(&q.query).ok());
            }
        })
    });
    g.bench_function("all/build", |b| {
        b.iter(|| {
            for (q, (ast, nesting)) in cases.iter().zip(&asts) {
                black_box(phases::build(&q.catalog, ast, *nesting, &q.options).ok());
            }
        })
    });
    g.bench_function("all/optimize", |b| {
        b.iter_batched(
            || built.clone(),
            |built| {
                for (q, built) in cases.iter().zip(built) {
                    black_box(phases::optimize(&q.catalog, &q.query, built, &q.options));
                }
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("all/render_text", |b| {
        b.iter(|| {
            for x in &explained {
                black_box(x.to_text());
            }
        })
    });
    g.bench_function("all/render_json", |b| {
        b.iter(|| {
            for x in &explained {
                black_box(x.to_json());
            }
        })
    });
    g.bench_function("all/end_to_end", |b| {
        b.iter(|| {
            for q in &cases {
                black_box(q.end_to_end());
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("case");
    configure(&mut g, 30, 1);
    for q in &cases {
        g.bench_function(&q.name, |b| b.iter(|| q.end_to_end()));
    }
    g.finish();
}

fn scaling(c: &mut Criterion) {
    for (series, make, sizes) in series() {
        let mut g = c.benchmark_group(format!("scaling/{series}"));
        for &n in sizes {
            // Few samples for the big queries: one iteration takes
            // milliseconds, and the growth ratio needs medians, not µs.
            if n >= 1_000 {
                configure(&mut g, 10, 5);
            } else {
                configure(&mut g, 30, 2);
            }
            bench_phases(&mut g, Some(n), &generated(series, make, n));
        }
        g.finish();
    }
}

/// The generated queries plan without error (checked before timing them).
fn check_series() {
    let catalog = sharded_catalog();
    for (series, make, sizes) in series() {
        for &n in sizes {
            let query = make(n);
            if let Err(e) = aqlplan::explain(&catalog, &query, &Options::default()) {
                panic!("scaling/{series}/{n} does not plan: {e}");
            }
        }
    }
}

fn all(c: &mut Criterion) {
    check_series();
    oneshard_query(c);
    documented_cases(c);
    scaling(c);
}

criterion_group!(benches, all);
criterion_main!(benches);
