//! What a coordinator embedding aqlplan does: load the cluster description
//! once, plan incoming queries on a pool of worker threads, and decide per
//! query from the plan *as data* — where each node runs, how many network
//! hops there are, whether it runs as OneShard and why not — before any
//! DB-Server is asked to do work.
//!
//! ```sh
//! cargo run --example coordinator                       # examples/sharded.json
//! cargo run --example coordinator -- examples/oneshard.json
//! ```

use aqlplan::{Catalog, Explanation, Options, Site};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;

/// Queries "arriving" at the coordinator.
const QUERIES: &[&str] = &[
    "FOR doc IN example FILTER doc.value % 2 == 0 SORT doc.value ASC LIMIT 10 RETURN doc",
    "FOR doc IN example FILTER doc.u == CURRENT_USER() RETURN doc",
    "FOR doc IN example COLLECT v = doc.value WITH COUNT INTO n RETURN {v, n}",
    "FOR doc IN example FILTER doc.value == 7 RETURN doc._key",
    "RETURN 1 +",
];

/// Queries whose estimated cost is above this go to a slow lane.
const COST_BUDGET: f64 = 50_000.0;

const WORKERS: usize = 3;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/sharded.json".to_string());
    let catalog = match std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|text| Catalog::from_json_text(&text).map_err(|e| e.to_string()))
    {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("cannot load {path}: {e}");
            std::process::exit(1);
        }
    };

    // One queue of incoming queries, a pool of planners, one channel back.
    let (submit, incoming) = mpsc::channel::<(usize, String)>();
    let incoming = Arc::new(Mutex::new(incoming));
    let (report, reports) = mpsc::channel::<(usize, String)>();
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let catalog = Arc::clone(&catalog);
            let incoming = Arc::clone(&incoming);
            let report = report.clone();
            thread::spawn(move || loop {
                let next = incoming.lock().ok().and_then(|rx| rx.recv().ok());
                let Some((n, query)) = next else { break };
                let verdict = match aqlplan::explain(&catalog, &query, &Options::default()) {
                    Ok(x) => decide(&x),
                    Err(e) => format!("rejected: error {} ({e})", e.number()),
                };
                if report.send((n, format!("{query}\n    {verdict}"))).is_err() {
                    break;
                }
            })
        })
        .collect();
    drop(report);
    for (n, q) in QUERIES.iter().enumerate() {
        let _ = submit.send((n, q.to_string()));
    }
    drop(submit);

    let mut results: Vec<(usize, String)> = reports.iter().collect();
    results.sort();
    for (_, line) in results {
        println!("{line}");
    }
    for w in workers {
        let _ = w.join();
    }
}

/// The coordinator's decision for one planned query.
fn decide(x: &Explanation) -> String {
    let nodes = x.nodes();
    let on_db_servers = nodes
        .iter()
        .filter(|n| n.site == Some(Site::DbServer))
        .count();
    let hops = nodes.iter().filter(|n| n.node_type == "RemoteNode").count();
    let cost = nodes.last().map_or(0.0, |n| n.estimated_cost);
    let lane = if cost > COST_BUDGET { "slow" } else { "fast" };
    let mut verdict = format!(
        "{lane} lane: cost {cost:.0}, {on_db_servers} of {} nodes on DB-Servers, {hops} network hop(s)",
        nodes.len()
    );
    if x.one_shard.applied {
        verdict.push_str(", runs as OneShard");
    } else {
        for r in &x.one_shard.reasons {
            verdict.push_str(&format!("\n    not OneShard: {} [{}]", r.message, r.kind));
        }
    }
    verdict
}
