//! `remove-satellite-joins` (Enterprise): a SatelliteCollection has a copy
//! on every DB-Server, so a loop over it can run in the same DB-Server
//! snippet as an adjacent loop over a sharded collection, instead of
//! sending every row through the Coordinator. Removes the
//! Remote → Gather → Scatter → Remote hop between the two:
//!
//! ```text
//! before: FOR d IN sharded → REMOTE → GATHER → SCATTER → REMOTE → FOR s IN sat → …
//! after:  FOR d IN sharded → FOR s IN sat → …
//! ```
//!
//! Works in both directions (the satellite loop inside or outside the
//! sharded one); the remaining gather collects from the sharded
//! collection's shards and takes its gather settings. Does not fire when
//! the hop's gather merges sorted streams (the order would be lost), when
//! anything else runs on the Coordinator between the two snippets, or
//! between two satellite loops (nothing is sharded).

use crate::catalog::Catalog;
use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{NodeKind, NodeRef, Plan};

pub struct RemoveSatelliteJoins;

impl Rule for RemoveSatelliteJoins {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let mut changed = false;
        for n in plan.find(|k| matches!(k, NodeKind::EnumerateCollection(_) | NodeKind::Index(_))) {
            if !plan.contains(n) || !is_satellite_access(plan, n, cx.catalog) {
                continue;
            }
            if let Some(hop) = hop_above(plan, n, cx.catalog) {
                // The satellite loop joins the sharded snippet above it;
                // the gather below the satellite now collects that
                // collection's shards.
                let sharded = match plan.kind(hop[1]) {
                    NodeKind::Gather(g) => Some((g.sort_mode, g.parallelism)),
                    _ => None,
                };
                remove_hop(plan, hop);
                let kept = gather_below(plan, n);
                if let (Some(kept), Some((sort_mode, parallelism))) = (kept, sharded) {
                    if let NodeKind::Gather(g) = plan.kind_mut(kept) {
                        g.sort_mode = sort_mode;
                        g.parallelism = parallelism;
                    }
                }
                changed = true;
            } else if let Some(hop) = hop_below(plan, n, cx.catalog) {
                remove_hop(plan, hop);
                changed = true;
            }
        }
        Outcome::changed_if(changed)
    }
}

fn is_satellite_access(plan: &Plan, n: NodeRef, catalog: &Catalog) -> bool {
    plan.kind(n)
        .collection()
        .and_then(|c| catalog.collection(c))
        .is_some_and(|c| c.is_satellite())
}

/// Whether `n` accesses a sharded (non-satellite) collection.
fn is_sharded_access(plan: &Plan, n: NodeRef, catalog: &Catalog) -> bool {
    matches!(
        plan.kind(n),
        NodeKind::EnumerateCollection(_) | NodeKind::Index(_)
    ) && !is_satellite_access(plan, n, catalog)
}

/// The four hop nodes in pipeline order (Remote, Gather, Scatter, Remote)
/// when `top` starts such a hop.
fn hop_from(plan: &Plan, top: NodeRef) -> Option<[NodeRef; 4]> {
    let remote_out = top;
    let gather = plan.parent(remote_out)?;
    let scatter = plan.parent(gather)?;
    let remote_in = plan.parent(scatter)?;
    let shape = matches!(plan.kind(remote_out), NodeKind::Remote)
        && matches!(plan.kind(gather), NodeKind::Gather(g) if g.elements.is_empty())
        && matches!(plan.kind(scatter), NodeKind::Scatter)
        && matches!(plan.kind(remote_in), NodeKind::Remote);
    shape.then_some([remote_out, gather, scatter, remote_in])
}

/// The hop directly above satellite loop `n` (its dependency is the hop's
/// last Remote), when the snippet above it scans a sharded collection.
fn hop_above(plan: &Plan, n: NodeRef, catalog: &Catalog) -> Option<[NodeRef; 4]> {
    let remote_in = plan.dependency(n)?;
    let scatter = plan.dependency(remote_in)?;
    let gather = plan.dependency(scatter)?;
    let remote_out = plan.dependency(gather)?;
    let hop = hop_from(plan, remote_out)?;
    (hop[3] == remote_in && snippet_above_is_sharded(plan, remote_out, catalog)).then_some(hop)
}

/// The hop below satellite loop `n` (past the filters and calculations
/// moved into its snippet), when the loop right below it is sharded.
fn hop_below(plan: &Plan, n: NodeRef, catalog: &Catalog) -> Option<[NodeRef; 4]> {
    let mut cur = plan.parent(n)?;
    while matches!(
        plan.kind(cur),
        NodeKind::Calculation { .. } | NodeKind::Filter { .. }
    ) {
        cur = plan.parent(cur)?;
    }
    let hop = hop_from(plan, cur)?;
    let next = plan.parent(hop[3])?;
    is_sharded_access(plan, next, catalog).then_some(hop)
}

/// Whether the DB-Server snippet ending at `remote` reads a sharded
/// collection.
fn snippet_above_is_sharded(plan: &Plan, remote: NodeRef, catalog: &Catalog) -> bool {
    let mut cur = plan.dependency(remote);
    while let Some(c) = cur {
        if matches!(plan.kind(c), NodeKind::Remote) {
            return false;
        }
        if is_sharded_access(plan, c, catalog) {
            return true;
        }
        cur = plan.dependency(c);
    }
    false
}

fn remove_hop(plan: &mut Plan, hop: [NodeRef; 4]) {
    for n in hop {
        plan.remove(n);
    }
}

/// The first gather below `n` in its pipeline.
fn gather_below(plan: &Plan, n: NodeRef) -> Option<NodeRef> {
    let mut cur = plan.parent(n);
    while let Some(c) = cur {
        if matches!(plan.kind(c), NodeKind::Gather(_)) {
            return Some(c);
        }
        cur = plan.parent(c);
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;

    const RULES: [&str; 3] = [
        "scatter-in-cluster",
        "remove-unnecessary-remote-scatter",
        "remove-satellite-joins",
    ];

    fn joined(query: &str) -> (Vec<String>, bool) {
        let mut t = TestPlan::cluster(query);
        let outcomes = t.run_all(&RULES);
        (t.order(), outcomes[2] == crate::optimizer::Outcome::Changed)
    }

    #[test]
    fn a_satellite_loop_inside_a_sharded_one_joins_its_snippet() {
        let (order, changed) = joined("FOR d IN c FOR s IN sat RETURN [d, s]");
        assert!(changed);
        assert_eq!(
            order,
            [
                "1 Singleton",
                "2 EnumerateCollection",
                "3 EnumerateCollection",
                "8 Remote",
                "9 Gather",
                "4 Calculation",
                "5 Return"
            ]
        );
    }

    #[test]
    fn a_satellite_loop_outside_a_sharded_one_joins_too() {
        let (order, changed) = joined("FOR s IN sat FOR d IN c RETURN [d, s]");
        assert!(changed);
        assert_eq!(
            order.iter().filter(|n| n.ends_with("Remote")).count(),
            1,
            "{order:?}"
        );
    }

    #[test]
    fn two_sharded_loops_keep_their_hop() {
        assert!(!joined("FOR d IN c FOR o IN one RETURN [d, o]").1);
    }

    #[test]
    fn runs_after_remote_scatter_removal_before_3_7() {
        let position = |compat: &str, rule: &str| {
            let v = crate::compat::Version::parse(compat).expect("version");
            crate::optimizer::pipeline(v, true)
                .iter()
                .position(|r| r.name == rule)
        };
        let satellite = "remove-satellite-joins";
        let remote = "remove-unnecessary-remote-scatter";
        assert!(position("3.4", satellite) > position("3.4", remote));
        assert!(position("3.12", satellite) < position("3.12", remote));
    }

    #[test]
    fn two_satellite_loops_are_left_alone() {
        assert!(!joined("FOR s IN sat FOR t IN sat RETURN [s, t]").1);
    }
}
