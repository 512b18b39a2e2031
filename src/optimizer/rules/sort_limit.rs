//! `sort-limit`: tells a SORT (and a merge-sorting GatherNode) that only
//! the first `offset + limit` rows will be used, so it can keep a bounded
//! heap ("constrained heap") instead of sorting everything.
//!
//! Applies only when the heap pays off: at least 100 rows are expected and
//! `0.25·N·log2(M) + M·log2(M) < N·log2(N)`. From 3.10 it also makes sure
//! a LIMIT follows the SORT directly: the LIMIT is moved there, or — when
//! a RemoteNode lies between — a copy `LIMIT 0, offset+limit` is added on
//! the DB-Server side.
//!
//! ```text
//! before: SORT #3 ASC → Remote → Gather #3 ASC → LIMIT 0, 10
//! after:  SORT #3 ASC (limit 10) → Remote → Gather (limit 10) → LIMIT 0, 10
//! ```

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::estimate::estimate_of;
use crate::plan::{NodeKind, Plan};

pub struct SortLimit;

/// Whether a constrained heap beats a full sort for `n` rows and `m` kept.
fn heap_pays_off(n: u64, m: u64) -> bool {
    if n < 100 || m == 0 {
        return false;
    }
    let (n, m) = (n as f64, m as f64);
    0.25 * n * m.log2() + m * m.log2() < n * n.log2()
}

impl Rule for SortLimit {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let limits = plan.find(|k| matches!(k, NodeKind::Limit { .. }));
        if limits.is_empty()
            || plan
                .find(|k| matches!(k, NodeKind::Sort { .. } | NodeKind::Gather(_)))
                .is_empty()
        {
            return Outcome::Unchanged;
        }
        let mut changed = false;
        for limit_node in limits {
            let NodeKind::Limit {
                offset,
                limit,
                full_count,
            } = *plan.kind(limit_node)
            else {
                continue;
            };
            let keep = offset.saturating_add(limit);
            let mut passed_remote = false;
            let mut cur = plan.dependency(limit_node);
            while let Some(c) = cur {
                match plan.kind(c) {
                    NodeKind::Sort { .. } => {
                        let rows = estimate_of(plan, cx.catalog, cx.compat, c).items;
                        debug_assert_eq!(
                            rows,
                            crate::plan::estimate::estimate(plan, cx.catalog, cx.compat)
                                .of(c)
                                .items
                        );
                        if heap_pays_off(rows, keep) {
                            if let NodeKind::Sort { limit, .. } = plan.kind_mut(c) {
                                *limit = keep;
                            }
                            changed = true;
                            if cx.compat.sort_limit_places_limit() {
                                place_limit_after_sort(
                                    plan,
                                    c,
                                    limit_node,
                                    passed_remote,
                                    keep,
                                    full_count,
                                );
                            }
                        }
                        break;
                    }
                    NodeKind::Gather(g) if !g.elements.is_empty() => {
                        if let NodeKind::Gather(g) = plan.kind_mut(c) {
                            g.limit = keep;
                        }
                        changed = true;
                    }
                    NodeKind::Remote => passed_remote = true,
                    NodeKind::Calculation { .. } | NodeKind::Subquery { .. } => {}
                    _ => break,
                }
                cur = plan.dependency(c);
            }
        }
        Outcome::changed_if(changed)
    }
}

/// 3.10+: a LIMIT directly after the SORT — moved there, or (across a
/// RemoteNode) a new DB-Server-side `LIMIT 0, offset+limit`.
fn place_limit_after_sort(
    plan: &mut Plan,
    sort: crate::plan::NodeRef,
    limit: crate::plan::NodeRef,
    passed_remote: bool,
    keep: u64,
    full_count: bool,
) {
    if plan.parent(sort) == Some(limit) {
        return;
    }
    if passed_remote {
        let copy = plan.create(NodeKind::Limit {
            offset: 0,
            limit: keep,
            full_count,
        });
        plan.insert_below(sort, copy);
        if let NodeKind::Limit { full_count, .. } = plan.kind_mut(limit) {
            *full_count = false;
        }
    } else {
        plan.unlink(limit);
        plan.insert_below(sort, limit);
    }
}

#[cfg(test)]
mod tests {
    use super::heap_pays_off;
    use crate::compat::Version;
    use crate::optimizer::rules::testing::*;
    use crate::plan::NodeKind;

    #[test]
    fn heuristic_matches_the_reference_numbers() {
        assert!(heap_pays_off(10_000, 10));
        assert!(!heap_pays_off(99, 10));
        assert!(!heap_pays_off(10_000, 0));
        assert!(!heap_pays_off(1000, 900));
    }

    #[test]
    fn stamps_the_limit_on_the_sort() {
        let mut t = TestPlan::cluster("FOR d IN c SORT d.x LIMIT 5 RETURN d");
        t.run_all(&["sort-limit"]);
        assert!(kinds(&t.plan)
            .iter()
            .any(|k| matches!(k, NodeKind::Sort { limit: 5, .. })));
    }

    #[test]
    fn small_inputs_keep_a_full_sort() {
        let t = TestPlan::single("FOR d IN other SORT d.x LIMIT 5 RETURN d");
        assert!(!t.apply("sort-limit").1);
    }

    #[test]
    fn from_3_10_a_limit_is_added_on_the_db_server_side() {
        let mut t = TestPlan::new(
            CLUSTER,
            "FOR d IN c SORT d.x LIMIT 2, 5 RETURN d",
            Version::new(3, 10, 0),
        );
        t.run_all(&[
            "scatter-in-cluster",
            "distribute-filtercalc-to-cluster",
            "distribute-sort-to-cluster",
            "remove-unnecessary-remote-scatter",
            "sort-limit",
        ]);
        let o = t.order();
        assert_eq!(o[3..6], ["4 Sort", "11 Limit", "9 Remote"]);
        assert!(kinds(&t.plan).iter().any(|k| matches!(
            k,
            NodeKind::Limit {
                offset: 0,
                limit: 7,
                ..
            }
        )));
    }

    #[test]
    fn before_3_10_no_limit_node_is_created() {
        let mut t = TestPlan::new(
            CLUSTER,
            "FOR d IN c SORT d.x LIMIT 5 RETURN d",
            Version::new(3, 6, 0),
        );
        t.run_all(&[
            "scatter-in-cluster",
            "distribute-filtercalc-to-cluster",
            "distribute-sort-to-cluster",
            "remove-unnecessary-remote-scatter",
            "sort-limit",
        ]);
        assert_eq!(t.order().len(), 8);
    }
}
