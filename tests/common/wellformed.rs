//! Structural invariants every produced plan must satisfy, whatever the
//! query and the rules: shared by the property test and the fuzz targets.
#![allow(dead_code)]

use aqlplan::cluster::Site;
use aqlplan::plan::{Expr, NodeKind, NodeRef, Plan, VarId};
use aqlplan::Explanation;
use std::collections::{HashMap, HashSet};

/// Checks `x`'s plan; the error names the first broken invariant.
pub fn check(x: &Explanation) -> Result<(), String> {
    let plan = &x.plan;
    let reachable = pipelines(plan)?;
    unique_ids(plan, &reachable)?;
    expressions_within_nesting_limit(plan)?;
    for (bottom, enclosing) in &reachable {
        variables_defined_before_use(plan, *bottom, enclosing)?;
    }
    if x.is_cluster() {
        sites_follow_remotes(plan, &x.sites, &reachable)?;
    } else {
        no_cluster_nodes(plan, &reachable)?;
    }
    Ok(())
}

/// Every pipeline (its bottom node, and the SubqueryNodes enclosing it,
/// innermost last), starting with the main one. Checks that the main
/// pipeline ends at the root, that each pipeline starts at a SingletonNode,
/// and that no node is consumed twice.
fn pipelines(plan: &Plan) -> Result<Vec<(NodeRef, Vec<NodeRef>)>, String> {
    let root = plan.root();
    if plan.parent(root).is_some() {
        return Err(format!("root node {} has a consumer", plan.id(root)));
    }
    let mut out = Vec::new();
    let mut todo = vec![(root, Vec::new())];
    let mut seen = HashSet::new();
    while let Some((bottom, enclosing)) = todo.pop() {
        let chain = plan.pipeline_ending_at(bottom);
        if chain.len() > plan.node_count() {
            return Err("a pipeline is longer than the plan".into());
        }
        let top = chain[0];
        if !matches!(plan.kind(top), NodeKind::Singleton) {
            return Err(format!(
                "pipeline ending at node {} starts with {} {}, not a SingletonNode",
                plan.id(bottom),
                plan.kind(top).type_name(),
                plan.id(top)
            ));
        }
        for &n in &chain {
            if !seen.insert(n) {
                return Err(format!("node {} is in two pipelines", plan.id(n)));
            }
            if let NodeKind::Subquery { root, .. } = plan.kind(n) {
                let mut inner = enclosing.clone();
                inner.push(n);
                todo.push((*root, inner));
            }
        }
        out.push((bottom, enclosing));
    }
    Ok(out)
}

/// No rule builds an expression deeper than the parser accepts: every
/// pass over expressions recurses.
fn expressions_within_nesting_limit(plan: &Plan) -> Result<(), String> {
    match plan.expressions().iter().map(|e| e.depth()).max() {
        Some(d) if d > aqlplan::syntax::MAX_NESTING => {
            Err(format!("an expression nests {d} levels deep"))
        }
        _ => Ok(()),
    }
}

fn unique_ids(plan: &Plan, pipelines: &[(NodeRef, Vec<NodeRef>)]) -> Result<(), String> {
    let mut ids = HashSet::new();
    for (bottom, _) in pipelines {
        for n in plan.pipeline_ending_at(*bottom) {
            if !ids.insert(plan.id(n)) {
                return Err(format!("node id {} is used twice", plan.id(n)));
            }
        }
    }
    Ok(())
}

/// Each variable a node reads is set by a node above it in its pipeline,
/// or above one of the SubqueryNodes enclosing the pipeline. Scans may read
/// their own output in an early-pruning filter or an index condition.
fn variables_defined_before_use(
    plan: &Plan,
    bottom: NodeRef,
    enclosing: &[NodeRef],
) -> Result<(), String> {
    let mut defined: HashSet<VarId> = HashSet::new();
    for sq in enclosing {
        let outer = plan.pipeline_ending_at(plan.pipeline_bottom(*sq));
        for n in outer.into_iter().take_while(|n| n != sq) {
            defined.extend(plan.kind(n).variables_set());
        }
    }
    for n in plan.pipeline_ending_at(bottom) {
        let own = plan.kind(n).variables_set();
        let reads_own = matches!(
            plan.kind(n),
            NodeKind::EnumerateCollection(_) | NodeKind::Index(_) | NodeKind::EnumerateList { .. }
        );
        let bound = expansion_iterators(plan.kind(n));
        // A SubqueryNode's body is checked as a pipeline of its own.
        let used = match plan.kind(n) {
            NodeKind::Subquery { .. } => Vec::new(),
            kind => kind.variables_used(),
        };
        for v in used {
            let set_here = reads_own && own.contains(&v);
            if !(defined.contains(&v) || bound.contains(&v) || set_here) {
                return Err(format!(
                    "{} {} reads {} before it is set",
                    plan.kind(n).type_name(),
                    plan.id(n),
                    plan.vars.display_name(v)
                ));
            }
        }
        defined.extend(own);
    }
    Ok(())
}

/// The `CURRENT` variables of the node's array expansions: bound inside
/// the expression itself.
fn expansion_iterators(kind: &NodeKind) -> HashSet<VarId> {
    let exprs: Vec<&Expr> = match kind {
        NodeKind::Calculation { expr, .. } => vec![expr],
        NodeKind::EnumerateCollection(s) => s.filter.iter().collect(),
        NodeKind::Index(s) => s.condition.iter().chain(s.filter.iter()).collect(),
        NodeKind::EnumerateList { filter, .. } => filter.iter().collect(),
        _ => Vec::new(),
    };
    let mut out = HashSet::new();
    for e in exprs {
        e.walk(&mut |e| {
            if let Expr::Expansion(x) = e {
                out.insert(x.iterator);
            }
        });
    }
    out
}

/// Sites: every node has one; the site changes exactly across a
/// RemoteNode (which runs on its consumer's side); a GatherNode reads from
/// a RemoteNode; a Scatter/DistributeNode feeds one; collection access
/// happens on DB-Servers.
fn sites_follow_remotes(
    plan: &Plan,
    sites: &HashMap<NodeRef, Site>,
    pipelines: &[(NodeRef, Vec<NodeRef>)],
) -> Result<(), String> {
    let site = |n: NodeRef| {
        sites
            .get(&n)
            .copied()
            .ok_or_else(|| format!("node {} has no site", plan.id(n)))
    };
    if site(plan.root())? != Site::Coordinator {
        return Err("the root is not on the Coordinator".into());
    }
    for (bottom, _) in pipelines {
        for n in plan.pipeline_ending_at(*bottom) {
            let here = site(n)?;
            if let Some(dep) = plan.dependency(n) {
                let crosses = matches!(plan.kind(n), NodeKind::Remote);
                if (site(dep)? != here) != crosses {
                    return Err(format!(
                        "sites of node {} and its dependency {} disagree with the Remote boundaries",
                        plan.id(n),
                        plan.id(dep)
                    ));
                }
            }
            let dep_kind = plan.dependency(n).map(|d| plan.kind(d));
            match plan.kind(n) {
                NodeKind::Gather(_) if !matches!(dep_kind, Some(NodeKind::Remote)) => {
                    return Err(format!(
                        "GatherNode {} does not read from a RemoteNode",
                        plan.id(n)
                    ))
                }
                NodeKind::Remote
                    if !matches!(
                        plan.parent(n).map(|p| plan.kind(p)),
                        Some(NodeKind::Gather(_))
                    ) && !matches!(
                        dep_kind,
                        Some(NodeKind::Scatter | NodeKind::Distribute { .. })
                    ) =>
                {
                    return Err(format!(
                        "RemoteNode {} is neither below a Scatter/Distribute nor above a Gather",
                        plan.id(n)
                    ))
                }
                NodeKind::EnumerateCollection(_)
                | NodeKind::Index(_)
                | NodeKind::Modification(_)
                    if here != Site::DbServer =>
                {
                    return Err(format!(
                        "{} {} accesses a collection on the Coordinator",
                        plan.kind(n).type_name(),
                        plan.id(n)
                    ))
                }
                _ => {}
            }
        }
    }
    Ok(())
}

fn no_cluster_nodes(plan: &Plan, pipelines: &[(NodeRef, Vec<NodeRef>)]) -> Result<(), String> {
    for (bottom, _) in pipelines {
        for n in plan.pipeline_ending_at(*bottom) {
            if matches!(
                plan.kind(n),
                NodeKind::Remote
                    | NodeKind::Gather(_)
                    | NodeKind::Scatter
                    | NodeKind::Distribute { .. }
            ) {
                return Err(format!(
                    "single-server plan has a {} ({})",
                    plan.kind(n).type_name(),
                    plan.id(n)
                ));
            }
        }
    }
    Ok(())
}
