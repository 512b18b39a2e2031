//! A Graphviz picture of the plan: one box per node (id, type and the
//! explain table's comment), rows flowing top to bottom from the
//! SingletonNode to the root. In a cluster the nodes are grouped into a
//! Coordinator and a DB-Server box, and the edges that cross the network
//! (the ones into a RemoteNode) are drawn bold and dashed. A legacy
//! subquery's body points at its SubqueryNode with a dotted edge.
//!
//! Render it with `dot -Tsvg plan.dot > plan.svg`.

use crate::cluster::Site;
use crate::plan::{NodeKind, NodeRef, Plan};
use crate::planner::Explanation;
use std::collections::HashMap;
use std::fmt::Write;

/// Longest comment line shown in a box; longer ones end in `…`.
const MAX_COMMENT_CHARS: usize = 60;

/// Renders the chosen plan as a Graphviz `digraph`.
pub fn render(x: &Explanation) -> String {
    let plan = &x.plan;
    let comments: Vec<(NodeRef, String)> = super::text::comments(x, plan);
    // Empty on a single server.
    let sites = &x.sites;
    let mut out = String::new();
    out.push_str("digraph plan {\n");
    out.push_str("  rankdir=TB;\n");
    out.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  edge [color=\"#444444\"];\n");
    if sites.is_empty() {
        for (n, comment) in &comments {
            node_line(&mut out, plan, *n, comment, "  ");
        }
    } else {
        for (site, name, label, color) in [
            (
                Site::Coordinator,
                "cluster_coordinator",
                "Coordinator",
                "#e8f0fe",
            ),
            (Site::DbServer, "cluster_dbserver", "DB-Server", "#e6f4ea"),
        ] {
            let members: Vec<_> = comments
                .iter()
                .filter(|(n, _)| sites.get(n) == Some(&site))
                .collect();
            if members.is_empty() {
                continue;
            }
            let _ = writeln!(out, "  subgraph {name} {{");
            let _ = writeln!(
                out,
                "    label=\"{label}\"; style=\"rounded,filled\"; fillcolor=\"{color}\"; color=\"#888888\"; fontname=\"Helvetica-Bold\";"
            );
            for (n, comment) in members {
                node_line(&mut out, plan, *n, comment, "    ");
            }
            out.push_str("  }\n");
        }
    }
    for (n, _) in &comments {
        edges(&mut out, plan, sites, *n);
    }
    out.push_str("}\n");
    out
}

/// `n12 [label="12 GatherNode\nGATHER #3 ASC …"];`
fn node_line(out: &mut String, plan: &Plan, n: NodeRef, comment: &str, indent: &str) {
    let node = plan.node(n);
    let mut label = format!("{} {}", node.id, node.kind.type_name());
    // The table separates a comment's parts by three spaces; a box shows
    // one part per line.
    for part in comment
        .split("   ")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        label.push('\n');
        label.push_str(&shorten(part));
    }
    let extra = if matches!(node.kind, NodeKind::Remote) {
        ", fillcolor=\"#fff4e5\""
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{indent}n{} [label={}{extra}];",
        node.id,
        quoted(&label)
    );
}

/// The edge from `n`'s dependency to `n`, and a subquery body's edge.
fn edges(out: &mut String, plan: &Plan, sites: &HashMap<NodeRef, Site>, n: NodeRef) {
    let id = plan.id(n);
    if let Some(d) = plan.dependency(n) {
        let crosses = matches!(
            (sites.get(&d), sites.get(&n)),
            (Some(a), Some(b)) if a != b
        );
        let style = if crosses {
            " [style=\"bold,dashed\", color=\"#d93025\", penwidth=2, label=\" network\", fontcolor=\"#d93025\", fontname=\"Helvetica\", fontsize=10]"
        } else {
            ""
        };
        let _ = writeln!(out, "  n{} -> n{id}{style};", plan.id(d));
    }
    if let NodeKind::Subquery { root, .. } = plan.kind(n) {
        let _ = writeln!(
            out,
            "  n{} -> n{id} [style=dotted, label=\" subquery\", fontname=\"Helvetica\", fontsize=10];",
            plan.id(*root)
        );
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= MAX_COMMENT_CHARS {
        return s.to_string();
    }
    let mut out: String = s.chars().take(MAX_COMMENT_CHARS - 1).collect();
    out.push('…');
    out
}

/// A DOT string literal; line breaks become `\n` (centered lines).
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_escape_quotes_backslashes_and_newlines() {
        assert_eq!(quoted("a \"b\"\\c\nd"), "\"a \\\"b\\\"\\\\c\\nd\"");
    }

    #[test]
    fn long_comments_are_shortened() {
        let long = "x".repeat(200);
        assert_eq!(shorten(&long).chars().count(), MAX_COMMENT_CHARS);
        assert_eq!(shorten("short"), "short");
    }
}
