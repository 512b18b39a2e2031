//! A coordinator embeds aqlplan and plans from many threads at once:
//! every documented query, planned concurrently against catalogs built
//! once, gives exactly what planning them one after another gives.

mod common;
use aqlplan::{Catalog, Explanation, Options, Version};
use common::*;

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn the_embedding_types_are_send_and_sync() {
    assert_send_sync::<Catalog>();
    assert_send_sync::<Options>();
    assert_send_sync::<Explanation<'static>>();
    assert_send_sync::<aqlplan::PlannedNode>();
    assert_send_sync::<aqlplan::Error>();
}

/// A documented case ready to plan: its catalog (built once) and options.
struct Prepared {
    catalog: Catalog,
    query: String,
    options: Options,
}

fn prepare(c: &Case) -> Option<Prepared> {
    let catalog = Catalog::from_json_text(&c.catalog.to_string()).ok()?;
    let mut options = Options {
        compat: Version::parse(&c.compat).ok()?,
        ..Options::default()
    };
    if let Some(b) = &c.bind_vars {
        options.bind = b.clone();
    }
    if let Some(o) = &c.options {
        options.apply_json(o).ok()?;
    }
    Some(Prepared {
        catalog,
        query: c.query.clone(),
        options,
    })
}

/// Everything a client could look at: text, JSON, DOT, or the error.
fn plan(p: &Prepared) -> String {
    match aqlplan::explain(&p.catalog, &p.query, &p.options) {
        Ok(x) => format!("{}\n{}\n{}", x.to_text(), x.to_json(), x.to_dot()),
        Err(e) => format!("error {}: {e}", e.number()),
    }
}

#[test]
fn concurrent_planning_gives_the_sequential_results() {
    let prepared: Vec<Prepared> = all_cases().iter().filter_map(prepare).collect();
    assert!(prepared.len() > 10);
    let sequential: Vec<String> = prepared.iter().map(plan).collect();
    const THREADS: usize = 4;
    let concurrent: Vec<Vec<(usize, String)>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let prepared = &prepared;
                s.spawn(move || {
                    // Each thread walks all cases from a different start, so
                    // the same catalog is in use by several threads at once.
                    let n = prepared.len();
                    (0..n)
                        .map(|i| (i + t * n / THREADS) % n)
                        .map(|i| (i, plan(&prepared[i])))
                        .collect()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("no panics"))
            .collect()
    });
    for results in concurrent {
        assert_eq!(results.len(), sequential.len());
        for (i, out) in results {
            assert_eq!(out, sequential[i], "case {i}");
        }
    }
}
