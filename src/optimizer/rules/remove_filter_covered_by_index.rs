//! `remove-filter-covered-by-index`: a FILTER whose whole condition the
//! IndexNode above already guarantees is removed; one that is partly
//! covered keeps only the rest (its calculation is rewritten).
//!
//! ```text
//! before: FOR doc IN c /* index: doc.a < 23 */  LET #1 = doc.a < 23  FILTER #1
//! after:  FOR doc IN c /* index: doc.a < 23 */  LET #1 = doc.a < 23
//! ```
//! The now unused calculation is left to `remove-unnecessary-calculations-2`.

use crate::optimizer::index_selection::{conjuncts, filters_below, sorted_in_values};
use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::expr::Expr;
use crate::plan::{NodeKind, Plan};
use crate::syntax::BinaryOp;

pub struct RemoveFilterCoveredByIndex;

impl Rule for RemoveFilterCoveredByIndex {
    fn apply(&self, plan: &mut Plan, _cx: &Context) -> Outcome {
        let mut changed = false;
        for n in plan.find(|k| matches!(k, NodeKind::Index(_))) {
            let NodeKind::Index(scan) = plan.kind(n) else {
                continue;
            };
            let Some(condition) = &scan.condition else {
                continue;
            };
            let covered: Vec<Expr> = match condition {
                Expr::Nary(_, branches) if branches.len() == 1 => conjuncts(&branches[0]),
                _ => continue,
            };
            for f in filters_below(plan, n) {
                let parts = conjuncts(&f.condition);
                let rest: Vec<Expr> = parts
                    .iter()
                    // The index condition's IN lists are sorted.
                    .filter(|p| !covered.contains(&sorted_in_values((*p).clone())))
                    .cloned()
                    .collect();
                if rest.len() == parts.len() {
                    continue;
                }
                if rest.is_empty() {
                    plan.remove(f.filter);
                } else {
                    let remaining = rest
                        .into_iter()
                        .reduce(|a, b| Expr::Binary(BinaryOp::And, Box::new(a), Box::new(b)))
                        .expect("a non-empty rest");
                    let NodeKind::Calculation { out, .. } = *plan.kind(f.calculation) else {
                        continue;
                    };
                    let replacement = plan.create(NodeKind::Calculation {
                        out,
                        expr: remaining,
                    });
                    plan.replace_node(f.calculation, replacement);
                }
                changed = true;
            }
        }
        Outcome::changed_if(changed)
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::index_selection::conjuncts;
    use crate::optimizer::rules::testing::*;
    use crate::plan::NodeKind;

    const INDEXED: &str = r#"{"role": "single", "collections": [{"name": "c", "count": 1000, "indexes": [
        {"type": "persistent", "fields": ["a"], "name": "a"}]}]}"#;

    #[test]
    fn covered_filter_is_removed_and_partial_filter_reduced() {
        let mut t = TestPlan::new(
            INDEXED,
            "FOR d IN c FILTER d.a == 1 RETURN d",
            crate::compat::Version::NEWEST,
        );
        t.run_all(&["use-indexes", "remove-filter-covered-by-index"]);
        assert_eq!(
            t.order(),
            ["1 Singleton", "6 Index", "3 Calculation", "5 Return"]
        );
        let mut t = TestPlan::new(
            INDEXED,
            "FOR d IN c FILTER d.a == 1 && d.z > 2 RETURN d",
            crate::compat::Version::NEWEST,
        );
        t.run_all(&["use-indexes", "remove-filter-covered-by-index"]);
        assert_eq!(
            t.order(),
            [
                "1 Singleton",
                "6 Index",
                "7 Calculation",
                "4 Filter",
                "5 Return"
            ]
        );
        let NodeKind::Calculation { expr, .. } = kinds(&t.plan)[2] else {
            panic!("a calculation");
        };
        assert_eq!(conjuncts(expr).len(), 1, "only d.z > 2 is left");
    }
}
