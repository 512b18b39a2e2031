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

/// The README's pictures are rendered from `docs/*.dot`; those must be what
/// `--format dot` prints today (regenerate both with the commands in the
/// README when a plan changes).
#[test]
fn readme_pictures_are_current_output() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (catalog, picture) in [
        ("examples/sharded.json", "docs/oneshard-sharded"),
        ("examples/oneshard.json", "docs/oneshard-single"),
    ] {
        let text = std::fs::read_to_string(root.join(catalog)).expect("catalog");
        let catalog = Catalog::from_json_text(&text).expect("valid catalog");
        let mut options = Options {
            compat: Version::parse("3.6").expect("version"),
            ..Options::default()
        };
        options
            .bind
            .insert("@collection".into(), serde_json::json!("example"));
        let x = aqlplan::explain(
            &catalog,
            "FOR doc IN @@collection FILTER doc.value % 2 == 0 SORT doc.value ASC LIMIT 10 RETURN doc",
            &options,
        )
        .expect("plans");
        let committed =
            std::fs::read_to_string(root.join(format!("{picture}.dot"))).expect("dot source");
        assert_eq!(x.to_dot(), committed, "{picture}.dot is stale");
        assert!(root.join(format!("{picture}.svg")).exists());
    }
}
