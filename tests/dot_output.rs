//! `--format dot`: a Graphviz picture of the plan. Its structure is
//! checked always; when Graphviz's `dot` is installed, it must also render.

mod common;
use aqlplan::{Catalog, Options, Version};
use common::*;
use std::io::Write;
use std::process::{Command, Stdio};

/// Plans a documented case and hands its explanation to `f`.
fn with_case<R>(c: &Case, f: impl FnOnce(&aqlplan::Explanation) -> R) -> R {
    let catalog = Catalog::from_json_text(&c.catalog.to_string()).expect("catalog");
    let mut options = Options {
        compat: Version::parse(&c.compat).expect("compat"),
        ..Options::default()
    };
    if let Some(b) = &c.bind_vars {
        options.bind = b.clone();
    }
    f(&aqlplan::explain(&catalog, &c.query, &options).expect("plans"))
}

/// Runs `dot -Tsvg`, or returns None when Graphviz is not installed.
fn render_svg(dot: &str) -> Option<String> {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(dot.as_bytes())
        .expect("writes");
    let out = child.wait_with_output().expect("dot runs");
    assert!(
        out.status.success(),
        "dot failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn sharded_plan_has_both_sites_and_one_network_edge_per_remote() {
    with_case(&case("oneshard-sharded"), |x| {
        let dot = aqlplan::render_dot(x);
        assert!(dot.starts_with("digraph plan {"));
        assert!(dot.contains("subgraph cluster_coordinator {"));
        assert!(dot.contains("subgraph cluster_dbserver {"));
        for n in x.plan.pipeline() {
            let id = x.plan.id(n);
            assert!(
                dot.contains(&format!("  n{id} [label=\"{id} ")),
                "node {id}"
            );
        }
        let remotes = x
            .plan
            .pipeline()
            .into_iter()
            .filter(|&n| matches!(x.plan.kind(n), aqlplan::plan::NodeKind::Remote))
            .count();
        assert_eq!(remotes, 1);
        assert_eq!(dot.matches("style=\"bold,dashed\"").count(), remotes);
        assert!(dot.contains("n6 -> n11 [style=\"bold,dashed\""));
    });
}

#[test]
fn single_server_plan_has_no_site_boxes() {
    let catalog = Catalog::from_json_text(r#"{"role": "single", "collections": [{"name": "c"}]}"#)
        .expect("catalog");
    let x = aqlplan::explain(&catalog, "FOR d IN c RETURN d", &Options::default()).expect("plans");
    let dot = aqlplan::render_dot(&x);
    assert!(!dot.contains("subgraph"));
    assert!(dot.contains("n1 -> n2;"));
}

#[test]
fn every_reproduced_case_renders_with_graphviz() {
    let mut rendered = 0;
    for c in all_cases() {
        if !snapshot_dir().join(format!("{}.snap", c.slug)).exists() {
            continue;
        }
        let dot = with_case(&c, aqlplan::render_dot);
        match render_svg(&dot) {
            Some(svg) => {
                assert!(svg.contains("<svg"), "{}", c.slug);
                rendered += 1;
            }
            None => {
                eprintln!("Graphviz `dot` is not installed: skipping the SVG check");
                return;
            }
        }
    }
    assert!(rendered >= 2);
}
