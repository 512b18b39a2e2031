//! `collect-in-cluster`: a COLLECT on the Coordinator that reads rows
//! gathered from several shards is split in two. A new CollectNode (next
//! node id) groups each shard's rows on the DB-Servers, directly above the
//! RemoteNode (above earlier pushed-down COLLECTs, if any), and the
//! Coordinator's CollectNode merges the partial results:
//!
//! ```text
//! before: FOR d IN c (5 shards)  REMOTE  GATHER  COLLECT WITH COUNT INTO n
//! after:  FOR d IN c  COLLECT AGGREGATE #9 = LENGTH()  REMOTE  GATHER
//!         COLLECT AGGREGATE n = SUM(#9)   /* sorted */
//! ```
//!
//! * count (`WITH COUNT INTO`, `AGGREGATE n = LENGTH()` without groups):
//!   the DB-Servers count (`LENGTH`, one new temporary), the Coordinator
//!   sums (`SUM`, method `sorted`); the gather loses its sort elements.
//! * distinct (`RETURN DISTINCT`): distinct on both sides (one new
//!   temporary for the DB-Server group); the gather keeps its elements,
//!   renamed to the new variable.
//! * hash/sorted grouping without INTO: the DB-Servers group and compute
//!   partial aggregates (`pushed_as`), the Coordinator merges them
//!   (`merged_as`, e.g. `AVERAGE` → `AVERAGE_STEP1` / `AVERAGE_STEP2`).
//!   New temporaries: one per aggregate, then one per group, in that
//!   order. A hash collect drops the gather's sort elements; a sorted
//!   one keeps them, renamed to the new group variables.
//!
//! Does not fire when a LIMIT comes first, when a node between the
//! COLLECT and the RemoteNode sets a variable the COLLECT reads or reads
//! any variable itself (Gather excepted), when only one shard is read, for
//! `INTO` (the `aggregateIntoExpressionOnDBServers` option is not
//! supported), or for an aggregate that cannot run on DB-Servers. Cluster
//! only; not in OneShard plans (the optimizer skips cluster rules there).

use crate::catalog::{Catalog, CollectionType};
use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{Aggregate, Collect, CollectMethod, Expr, NodeKind, NodeRef, Plan, VarId};
use std::collections::HashMap;

pub struct CollectInCluster;

impl Rule for CollectInCluster {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        if !cx.is_cluster() {
            return Outcome::Unchanged;
        }
        let mut changed = false;
        for collect in plan.find(|k| matches!(k, NodeKind::Collect(_))) {
            if let Some(site) = split_site(plan, cx.catalog, collect) {
                changed |= split(plan, cx, collect, &site);
            }
        }
        Outcome::changed_if(changed)
    }
}

/// Where the DB-Server CollectNode goes: between `target` (the RemoteNode
/// or the topmost CollectNode already pushed above it) and `previous`.
struct Site {
    gather: Option<NodeRef>,
    target: NodeRef,
    previous: NodeRef,
}

/// Walks from the COLLECT towards the RemoteNode of its snippet.
fn split_site(plan: &Plan, catalog: &Catalog, collect: NodeRef) -> Option<Site> {
    let kind = plan.kind(collect);
    let used = kind.variables_used();
    let set_by_collect = kind.variables_set();
    let mut used_between = Vec::new();
    let mut gather = None;
    let mut cur = plan.dependency(collect);
    while let Some(n) = cur {
        let k = plan.kind(n);
        if matches!(k, NodeKind::Limit { .. }) {
            return None;
        }
        // A gather's sort elements are renamed below; others would lose
        // their variables behind the new COLLECT.
        if !matches!(k, NodeKind::Gather(_)) {
            used_between.extend(k.variables_used());
        }
        if k.variables_set().iter().any(|v| used.contains(v)) {
            return None;
        }
        match k {
            NodeKind::Gather(_) => gather = Some(n),
            NodeKind::Remote => {
                let mut previous = plan.dependency(n)?;
                if !reads_several_shards(plan, catalog, previous) {
                    return None;
                }
                let mut target = n;
                while matches!(plan.kind(previous), NodeKind::Collect(_)) {
                    target = previous;
                    previous = plan.dependency(previous)?;
                }
                if !used_between.iter().all(|v| set_by_collect.contains(v)) {
                    return None;
                }
                return Some(Site {
                    gather,
                    target,
                    previous,
                });
            }
            _ => {}
        }
        cur = plan.dependency(n);
    }
    None
}

/// Whether the snippet from `top` up reads more than one shard: pushing
/// the COLLECT down for a single shard would only add work.
fn reads_several_shards(plan: &Plan, catalog: &Catalog, top: NodeRef) -> bool {
    let mut cur = Some(top);
    while let Some(n) = cur {
        match plan.kind(n) {
            NodeKind::Remote => return true,
            NodeKind::EnumerateCollection(_) | NodeKind::Index(_) => {
                let sharded = plan
                    .kind(n)
                    .collection()
                    .and_then(|c| catalog.collection(c))
                    .is_some_and(|c| {
                        c.number_of_shards > 1 || (c.kind == CollectionType::Edge && c.is_smart)
                    });
                if sharded {
                    return true;
                }
            }
            _ => {}
        }
        cur = plan.dependency(n);
    }
    false
}

/// Splits the COLLECT at `site`; false when its form cannot be split.
fn split(plan: &mut Plan, cx: &Context, collect: NodeRef, site: &Site) -> bool {
    let NodeKind::Collect(c) = plan.kind(collect) else {
        return false;
    };
    let c = c.clone();
    let (db, coordinator, remove_gather_sort, renames) = match c.method {
        CollectMethod::Count => split_count(plan, cx, c),
        CollectMethod::Distinct => split_distinct(plan, cx, c),
        _ if c.into.is_none() => match split_grouping(plan, cx, c) {
            Some(parts) => parts,
            None => return false,
        },
        _ => return false,
    };
    let db = plan.create(NodeKind::Collect(db));
    plan.insert_above(site.target, db);
    debug_assert_eq!(plan.dependency(db), Some(site.previous));
    *plan.kind_mut(collect) = NodeKind::Collect(coordinator);
    if let Some(g) = site.gather {
        if remove_gather_sort {
            if let NodeKind::Gather(g) = plan.kind_mut(g) {
                g.elements.clear();
            }
        } else {
            rename_gather_elements(plan, g, &renames);
        }
    }
    true
}

/// (DB-Server node, Coordinator node, drop the gather's sort, renames of
/// the gather's sort variables).
type Parts = (Collect, Collect, bool, HashMap<VarId, VarId>);

/// The DB-Server side of `c`: same options and method.
fn db_server_collect(
    c: &Collect,
    groups: Vec<(VarId, VarId)>,
    aggregates: Vec<Aggregate>,
) -> Collect {
    Collect {
        groups,
        aggregates,
        into: None,
        into_expression: None,
        keep: None,
        ..c.clone()
    }
}

/// Shards count, the Coordinator sums the counts.
fn split_count(plan: &mut Plan, cx: &Context, mut c: Collect) -> Parts {
    let partial = plan.vars.create_temporary(cx.compat);
    let input = c.aggregates.first().and_then(|a| a.input);
    let counting = Aggregate {
        out: partial,
        input,
        function: "LENGTH".into(),
    };
    let db = db_server_collect(&c, c.groups.clone(), vec![counting]);
    if let Some(a) = c.aggregates.first_mut() {
        a.function = "SUM".into();
        a.input = Some(partial);
    }
    c.method = CollectMethod::Sorted;
    (db, c, true, HashMap::new())
}

/// Distinct on the shards, distinct again on the Coordinator.
fn split_distinct(plan: &mut Plan, cx: &Context, mut c: Collect) -> Parts {
    let out = plan.vars.create_temporary(cx.compat);
    let mut renames = HashMap::new();
    let groups = match c.groups.first_mut() {
        Some(group) => {
            let db_groups = vec![(out, group.1)];
            renames.insert(group.1, out);
            group.1 = out;
            db_groups
        }
        None => Vec::new(),
    };
    let db = db_server_collect(&c, groups, c.aggregates.clone());
    (db, c, false, renames)
}

/// Partial groups and aggregates on the shards, merged on the Coordinator;
/// None when an aggregate cannot be computed in parts.
fn split_grouping(plan: &mut Plan, cx: &Context, mut c: Collect) -> Option<Parts> {
    let pushed: Vec<&'static str> = c
        .aggregates
        .iter()
        .map(|a| pushed_as(&a.function))
        .collect::<Option<_>>()?;
    let mut db_aggregates = Vec::with_capacity(c.aggregates.len());
    for (a, function) in c.aggregates.iter_mut().zip(pushed) {
        let partial = plan.vars.create_temporary(cx.compat);
        db_aggregates.push(Aggregate {
            out: partial,
            input: a.input,
            function: function.into(),
        });
        a.input = Some(partial);
        a.function = merged_as(&a.function).unwrap_or(function).into();
    }
    let mut renames = HashMap::new();
    let mut db_groups = Vec::with_capacity(c.groups.len());
    for group in &mut c.groups {
        let partial = plan.vars.create_temporary(cx.compat);
        renames.entry(group.1).or_insert(partial);
        db_groups.push((partial, group.1));
        group.1 = partial;
    }
    let db = db_server_collect(&c, db_groups, db_aggregates);
    let remove_gather_sort = c.method != CollectMethod::Sorted;
    Some((db, c, remove_gather_sort, renames))
}

/// ArangoDB's aggregator aliases (`Aggregator::translateAlias`).
fn canonical(function: &str) -> &str {
    match function {
        "COUNT" => "LENGTH",
        "AVG" => "AVERAGE",
        "VARIANCE" => "VARIANCE_POPULATION",
        "STDDEV" => "STDDEV_POPULATION",
        "COUNT_UNIQUE" => "COUNT_DISTINCT",
        other => other,
    }
}

/// The aggregator the DB-Servers run for `function`
/// (`Aggregator::pushToDBServerAs`); None: it cannot be split.
fn pushed_as(function: &str) -> Option<&'static str> {
    Some(match canonical(function) {
        "LENGTH" => "LENGTH",
        "MIN" => "MIN",
        "MAX" => "MAX",
        "SUM" => "SUM",
        "AVERAGE" => "AVERAGE_STEP1",
        "VARIANCE_POPULATION" => "VARIANCE_POPULATION_STEP1",
        "VARIANCE_SAMPLE" => "VARIANCE_SAMPLE_STEP1",
        "STDDEV_POPULATION" => "STDDEV_POPULATION_STEP1",
        "STDDEV_SAMPLE" => "STDDEV_SAMPLE_STEP1",
        "UNIQUE" | "COUNT_DISTINCT" => "UNIQUE",
        "SORTED_UNIQUE" => "SORTED_UNIQUE",
        "BIT_AND" => "BIT_AND",
        "BIT_OR" => "BIT_OR",
        "BIT_XOR" => "BIT_XOR",
        _ => return None,
    })
}

/// The aggregator the Coordinator merges partial results of `function`
/// with (`Aggregator::runOnCoordinatorAs`).
fn merged_as(function: &str) -> Option<&'static str> {
    Some(match canonical(function) {
        "LENGTH" | "SUM" => "SUM",
        "MIN" => "MIN",
        "MAX" => "MAX",
        "AVERAGE" => "AVERAGE_STEP2",
        "VARIANCE_POPULATION" => "VARIANCE_POPULATION_STEP2",
        "VARIANCE_SAMPLE" => "VARIANCE_SAMPLE_STEP2",
        "STDDEV_POPULATION" => "STDDEV_POPULATION_STEP2",
        "STDDEV_SAMPLE" => "STDDEV_SAMPLE_STEP2",
        "UNIQUE" => "UNIQUE_STEP2",
        "SORTED_UNIQUE" => "SORTED_UNIQUE_STEP2",
        "COUNT_DISTINCT" => "COUNT_DISTINCT_STEP2",
        "BIT_AND" => "BIT_AND",
        "BIT_OR" => "BIT_OR",
        "BIT_XOR" => "BIT_XOR",
        _ => return None,
    })
}

/// Points the gather's sort elements at the DB-Server COLLECT's outputs:
/// directly renamed variables, or an attribute path (`d.a`) that a renamed
/// variable was calculated from.
fn rename_gather_elements(plan: &mut Plan, gather: NodeRef, renames: &HashMap<VarId, VarId>) {
    if renames.is_empty() {
        return;
    }
    let sources: Vec<(VarId, VarId, Vec<String>)> = renames
        .iter()
        .filter_map(|(&from, &to)| {
            let setter = plan.setter(from)?;
            let NodeKind::Calculation { expr, .. } = plan.kind(setter) else {
                return None;
            };
            attribute_access(expr).map(|(var, path)| (to, var, path))
        })
        .collect();
    let NodeKind::Gather(g) = plan.kind_mut(gather) else {
        return;
    };
    for e in &mut g.elements {
        let new = renames.get(&e.var).copied().or_else(|| {
            sources
                .iter()
                .find(|(_, var, path)| *var == e.var && *path == e.path)
                .map(|(to, _, _)| *to)
        });
        if let Some(new) = new {
            e.var = new;
            e.path.clear();
        }
    }
}

/// `var.a.b` as (var, ["a", "b"]).
fn attribute_access(expr: &Expr) -> Option<(VarId, Vec<String>)> {
    let (var, path) = expr.attribute_path()?;
    Some((var, path.into_iter().map(str::to_string).collect()))
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;
    use crate::plan::{CollectMethod, NodeKind};

    /// The rules that put a COLLECT behind a Remote/Gather, then this one.
    const UP_TO_COLLECT: &[&str] = &[
        "move-calculations-up",
        "specialize-collect",
        "scatter-in-cluster",
        "distribute-filtercalc-to-cluster",
        "distribute-sort-to-cluster",
        "remove-unnecessary-remote-scatter",
        "collect-in-cluster",
    ];

    fn collects(t: &TestPlan) -> Vec<(Vec<String>, CollectMethod)> {
        kinds(&t.plan)
            .into_iter()
            .filter_map(|k| match k {
                NodeKind::Collect(c) => Some((
                    c.aggregates
                        .iter()
                        .map(|a| {
                            let input = a.input.map(|v| t.plan.vars.display_name(v));
                            format!(
                                "{} = {}({})",
                                t.plan.vars.display_name(a.out),
                                a.function,
                                input.unwrap_or_default()
                            )
                        })
                        .collect(),
                    c.method,
                )),
                _ => None,
            })
            .collect()
    }

    fn last_outcome(t: &mut TestPlan) -> bool {
        let outcomes = t.run_all(UP_TO_COLLECT);
        outcomes.last() == Some(&crate::optimizer::Outcome::Changed)
    }

    #[test]
    fn count_on_five_shards_counts_on_db_servers_and_sums() {
        let mut t = TestPlan::cluster("FOR d IN c COLLECT WITH COUNT INTO n RETURN n");
        assert!(last_outcome(&mut t));
        // Nodes 1-4 from the query, 5-8 from scatter-in-cluster (the
        // Scatter/Remote pair 5/6 is removed again), 9 the new one.
        assert_eq!(
            t.order(),
            [
                "1 Singleton",
                "2 EnumerateCollection",
                "9 Collect",
                "7 Remote",
                "8 Gather",
                "3 Collect",
                "4 Return"
            ]
        );
        let c = collects(&t);
        assert_eq!(
            c[0],
            (vec!["#2 = LENGTH()".to_string()], CollectMethod::Count)
        );
        assert_eq!(
            c[1],
            (vec!["n = SUM(#2)".to_string()], CollectMethod::Sorted)
        );
    }

    #[test]
    fn hash_grouping_pushes_partial_max_and_renames_groups() {
        let mut t =
            TestPlan::cluster("FOR d IN c COLLECT x = d.a AGGREGATE m = MAX(d.b) RETURN [x, m]");
        assert!(last_outcome(&mut t));
        let c = collects(&t);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].0.len(), 1);
        assert!(c[0].0[0].contains(" = MAX(#"), "{:?}", c[0]);
        // The Coordinator merges with MAX over the DB-Servers' partials.
        let partial = c[0].0[0]
            .split(" = ")
            .next()
            .unwrap_or_default()
            .to_string();
        assert_eq!(c[1].0, [format!("m = MAX({partial})")]);
        // The DB-Server collect sits directly above the Remote.
        let o = t.order();
        let remote = o.iter().position(|s| s.ends_with("Remote")).unwrap_or(0);
        assert!(o[remote - 1].ends_with("Collect"));
        // The coordinator's group reads the DB-Servers' group output.
        let groups: Vec<_> = kinds(&t.plan)
            .into_iter()
            .filter_map(|k| match k {
                NodeKind::Collect(c) => Some(c.groups.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(groups[1][0].1, groups[0][0].0);
    }

    #[test]
    fn temporaries_go_to_aggregates_before_groups() {
        let mut t = TestPlan::cluster(
            "FOR d IN c COLLECT x = d.a AGGREGATE s = SUM(d.b), a = AVG(d.c) RETURN [x, s, a]",
        );
        let before = t.plan.vars.all().len();
        assert!(last_outcome(&mut t));
        let c = collects(&t);
        let names: Vec<String> = t.plan.vars.all()[before..]
            .iter()
            .map(|v| v.display_name())
            .collect();
        assert_eq!(names.len(), 3);
        assert_eq!(
            c[0].0[0].split(" = ").next(),
            Some(names[0].as_str()),
            "first aggregate gets the first temporary"
        );
        assert!(c[0].0[1].contains("AVERAGE_STEP1("));
        assert!(c[1].0[1].starts_with("a = AVERAGE_STEP2("));
        let groups: Vec<_> = kinds(&t.plan)
            .into_iter()
            .filter_map(|k| match k {
                NodeKind::Collect(c) => Some(c.groups.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(t.plan.vars.display_name(groups[0][0].0), names[2]);
    }

    #[test]
    fn sorted_grouping_keeps_the_gather_sort_on_the_new_group() {
        let mut t =
            TestPlan::cluster("FOR d IN c COLLECT x = d.a OPTIONS { method: 'sorted' } RETURN x");
        assert!(last_outcome(&mut t));
        let ks = kinds(&t.plan);
        let db_group = ks
            .iter()
            .find_map(|k| match k {
                NodeKind::Collect(c) => Some(c.groups[0].0),
                _ => None,
            })
            .expect("a collect");
        let gather = ks
            .iter()
            .find_map(|k| match k {
                NodeKind::Gather(g) => Some(g.clone()),
                _ => None,
            })
            .expect("a gather");
        assert_eq!(gather.elements.len(), 1);
        assert_eq!(gather.elements[0].var, db_group);
    }

    #[test]
    fn grouped_count_sums_partial_lengths_and_a_hash_collect_drops_the_gather_sort() {
        let mut t = TestPlan::cluster(
            "FOR d IN c SORT d.v COLLECT v = d.v WITH COUNT INTO l OPTIONS { method: 'hash' } \
             RETURN { v, l }",
        );
        assert!(last_outcome(&mut t));
        let c = collects(&t);
        assert!(c[0].0[0].ends_with("= LENGTH()"), "{:?}", c[0]);
        assert_eq!(c[0].1, CollectMethod::Hash);
        assert!(c[1].0[0].starts_with("l = SUM(#"), "{:?}", c[1]);
        assert_eq!(c[1].1, CollectMethod::Hash);
        let sorted_gather = kinds(&t.plan)
            .into_iter()
            .any(|k| matches!(k, NodeKind::Gather(g) if !g.elements.is_empty()));
        assert!(!sorted_gather);
    }

    #[test]
    fn into_is_not_pushed() {
        let mut t = TestPlan::cluster("FOR d IN c COLLECT x = d.a INTO g RETURN [x, g]");
        assert!(!last_outcome(&mut t));
        assert_eq!(collects(&t).len(), 1);
    }

    #[test]
    fn return_distinct_is_distinct_on_both_sides() {
        let mut t = TestPlan::cluster("FOR d IN c RETURN DISTINCT d.a");
        assert!(last_outcome(&mut t));
        let c = collects(&t);
        assert_eq!(c.len(), 2);
        assert!(c.iter().all(|(_, m)| *m == CollectMethod::Distinct));
    }

    #[test]
    fn a_single_shard_is_left_alone() {
        let mut t = TestPlan::cluster("FOR d IN one COLLECT WITH COUNT INTO n RETURN n");
        assert!(!last_outcome(&mut t));
        assert_eq!(collects(&t).len(), 1);
    }

    #[test]
    fn a_limit_before_the_collect_stops_it() {
        let mut t = TestPlan::cluster("FOR d IN c LIMIT 10 COLLECT WITH COUNT INTO n RETURN n");
        assert!(!last_outcome(&mut t));
    }

    /// The whole optimizer: rule list and CollectNode count.
    fn explained(catalog: &str) -> String {
        let catalog = crate::Catalog::from_json_text(catalog).expect("catalog");
        let query = "FOR d IN c COLLECT WITH COUNT INTO n RETURN n";
        let x = crate::explain(&catalog, query, &crate::Options::default()).expect("plans");
        crate::render_text(&x)
    }

    #[test]
    fn the_optimizer_splits_a_sharded_count() {
        let text = explained(CLUSTER);
        assert_eq!(text.matches("CollectNode").count(), 2, "{text}");
        assert!(text.contains("collect-in-cluster"), "{text}");
        assert!(text.contains("COLLECT AGGREGATE n = SUM("), "{text}");
    }

    #[test]
    fn single_server_and_one_shard_plans_keep_one_collect() {
        let one_shard = r#"{"database": {"name": "db", "sharding": "single"},
            "collections": [{"name": "c", "count": 100}]}"#;
        for catalog in [SINGLE, one_shard] {
            let text = explained(catalog);
            assert_eq!(text.matches("CollectNode").count(), 1, "{text}");
            assert!(!text.contains("collect-in-cluster"), "{text}");
        }
    }
}
