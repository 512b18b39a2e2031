//! The Site column: walking the serialized node list from the root up,
//! starting on the Coordinator and switching sides after each RemoteNode
//! (a RemoteNode runs on its consumer's side).

use crate::plan::{NodeKind, NodeRef, Plan};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    Coordinator,
    DbServer,
}

impl Site {
    /// The explain text's abbreviation.
    pub fn label(self) -> &'static str {
        match self {
            Site::Coordinator => "COOR",
            Site::DbServer => "DBS",
        }
    }

    fn flipped(self) -> Site {
        match self {
            Site::Coordinator => Site::DbServer,
            Site::DbServer => Site::Coordinator,
        }
    }
}

/// The site of every node: main pipeline and subquery bodies (which take
/// their SubqueryNode's site).
pub fn sites(plan: &Plan) -> HashMap<NodeRef, Site> {
    let mut out = HashMap::with_capacity(plan.node_count());
    assign(plan, plan.root(), Site::Coordinator, &mut out);
    out
}

fn assign(plan: &Plan, bottom: NodeRef, start: Site, out: &mut HashMap<NodeRef, Site>) {
    let mut site = start;
    for n in plan.pipeline_ending_at(bottom).into_iter().rev() {
        out.insert(n, site);
        if let NodeKind::Subquery { root, .. } = plan.kind(n) {
            assign(plan, *root, site, out);
        }
        if matches!(plan.kind(n), NodeKind::Remote) {
            site = site.flipped();
        }
    }
}
