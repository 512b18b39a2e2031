//! `optimize-projections` (3.12): gives each projection of a scan its own
//! output variable and lets later calculations read that variable instead
//! of the attribute (`LET #4 = i.value` on the scan).
//!
//! MaterializeNodes' projections get variables the same way.
//!
//! Also reports a change for a scan with an early-pruning filter on
//! attributes (its filter projections), as ArangoDB 3.12 does even when
//! the printed plan looks the same.

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::expr::Expr;
use crate::plan::{NodeKind, Plan};

pub struct OptimizeProjections;

/// Whether an early-pruning filter reads `var` only through attribute
/// paths, at least one (`index_selection::attribute_uses` would find some and no whole
/// read), without listing the paths.
fn reads_attributes(filter: Option<&Expr>, var: crate::plan::VarId) -> bool {
    fn only_attributes(e: &Expr, var: crate::plan::VarId, found: &mut bool) -> bool {
        if e.attribute_root() == Some(var) {
            *found = true;
            return true;
        }
        match e {
            Expr::Reference(v) => *v != var,
            other => !other.any_child(|c| !only_attributes(c, var, found)),
        }
    }
    let mut found = false;
    filter.is_some_and(|f| only_attributes(f, var, &mut found)) && found
}

impl Rule for OptimizeProjections {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let mut changed = false;
        let producers = plan.find(|k| {
            matches!(
                k,
                NodeKind::EnumerateCollection(_) | NodeKind::Index(_) | NodeKind::Materialize(_)
            )
        });
        for n in producers {
            let (out, projections, has_vars, filter_reads_attributes) = match plan.kind(n) {
                NodeKind::EnumerateCollection(s) => (
                    s.out,
                    s.projections.clone(),
                    !s.projection_vars.is_empty(),
                    reads_attributes(s.filter.as_ref(), s.out),
                ),
                NodeKind::Index(s) => (
                    s.out,
                    s.projections.clone(),
                    !s.projection_vars.is_empty(),
                    reads_attributes(s.filter.as_ref(), s.out),
                ),
                NodeKind::Materialize(_) if !cx.compat.materialized_projections_get_variables() => {
                    continue
                }
                NodeKind::Materialize(m) => (
                    m.out,
                    m.projections.clone(),
                    !m.projection_vars.is_empty(),
                    false,
                ),
                _ => continue,
            };
            changed |= filter_reads_attributes;
            // A modification reading the whole document (`REMOVE d IN c`,
            // projected to `_key`) keeps reading the document variable.
            if projections.is_empty() || has_vars || read_by_modification(plan, n, out) {
                continue;
            }
            let vars = projection_variables(plan, cx, n, out, &projections);
            match plan.kind_mut(n) {
                NodeKind::EnumerateCollection(s) => s.projection_vars = vars,
                NodeKind::Index(s) => s.projection_vars = vars,
                NodeKind::Materialize(m) => m.projection_vars = vars,
                _ => {}
            }
            changed = true;
        }
        changed |= join_projection_variables(plan, cx);
        Outcome::changed_if(changed)
    }
}

/// One new variable per projection of `out` at node `n`, read below `n`
/// in place of the attribute path it stands for.
fn projection_variables(
    plan: &mut Plan,
    cx: &Context,
    n: crate::plan::NodeRef,
    out: crate::plan::VarId,
    projections: &[Vec<String>],
) -> Vec<crate::plan::VarId> {
    let vars: Vec<_> = projections
        .iter()
        .map(|_| plan.vars.create_temporary(cx.compat))
        .collect();
    for (path, var) in projections.iter().zip(&vars) {
        substitute_below(plan, n, out, path, *var);
    }
    vars
}

/// Whether a data-modification node after `n` reads `var`.
fn read_by_modification(plan: &Plan, n: crate::plan::NodeRef, var: crate::plan::VarId) -> bool {
    let mut cur = plan.parent(n);
    while let Some(c) = cur {
        if matches!(plan.kind(c), NodeKind::Modification(_)) && plan.node_uses(c, var) {
            return true;
        }
        cur = plan.parent(c);
    }
    false
}

/// The scans of a JoinNode get projection variables like IndexNodes.
fn join_projection_variables(plan: &mut Plan, cx: &Context) -> bool {
    let mut changed = false;
    for n in plan.find(|k| matches!(k, NodeKind::Join(_))) {
        let NodeKind::Join(infos) = plan.kind(n) else {
            continue;
        };
        let pending: Vec<(usize, crate::plan::VarId, Vec<Vec<String>>)> = infos
            .iter()
            .enumerate()
            .filter(|(_, i)| !i.projections.is_empty() && i.projection_vars.is_empty())
            .map(|(k, i)| (k, i.out, i.projections.clone()))
            .collect();
        for (k, out, projections) in pending {
            let vars = projection_variables(plan, cx, n, out, &projections);
            if let NodeKind::Join(infos) = plan.kind_mut(n) {
                infos[k].projection_vars = vars;
            }
            changed = true;
        }
    }
    changed
}

/// Replaces `var.path` by a reference to `projection` in calculations below `n`.
fn substitute_below(
    plan: &mut Plan,
    n: crate::plan::NodeRef,
    var: crate::plan::VarId,
    path: &[String],
    projection: crate::plan::VarId,
) {
    let mut cur = plan.parent(n);
    while let Some(c) = cur {
        if let NodeKind::Calculation { expr, .. } = plan.kind_mut(c) {
            let e = std::mem::replace(expr, Expr::Reference(projection));
            *expr = e.rewrite(&mut |x| match x.attribute_path() {
                Some((v, p))
                    if v == var && p.iter().map(|s| s.to_string()).eq(path.iter().cloned()) =>
                {
                    Expr::Reference(projection)
                }
                _ => x,
            });
        }
        cur = plan.parent(c);
    }
}
