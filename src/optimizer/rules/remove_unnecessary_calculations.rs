//! `remove-unnecessary-calculations` (and `-2`, `-4`): drops deterministic
//! calculations (and subqueries) whose result nobody reads, and folds away
//! calculations that merely rename a variable (`LET #2 = #4`), compute
//! one attribute that only other calculations read, or compute a general
//! expression that exactly one later calculation reads once (inlined).
//!
//! ```text
//! before: LET #1 = doc.a < 23 (unused)   LET #3 = #4   RETURN #3
//! after:  RETURN #4
//! ```

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{Expr, NodeKind, NodeRef, Plan, VarId};

pub struct RemoveUnnecessaryCalculations;

impl Rule for RemoveUnnecessaryCalculations {
    fn apply(&self, plan: &mut Plan, _cx: &Context) -> Outcome {
        let mut uses = Uses::of(plan);
        let captured = captured_by_collect_into(plan);
        let mut changed = false;
        // ArangoDB reruns the rule while it keeps removing things.
        loop {
            let mut removed = false;
            let mut candidates = plan.find(NodeKind::is_calculation);
            candidates.extend(plan.find(|k| matches!(k, NodeKind::Subquery { .. })));
            for n in candidates {
                if !plan.contains(n) || !plan.is_deterministic(n) {
                    continue;
                }
                let (NodeKind::Calculation { out, .. } | NodeKind::Subquery { out, .. }) =
                    *plan.kind(n)
                else {
                    continue;
                };
                if !uses.used_by_other_than(out, n) {
                    if matches!(plan.kind(n), NodeKind::Subquery { .. }) && subquery_writes(plan, n)
                    {
                        continue;
                    }
                    uses.forget_tree(plan, n);
                    plan.remove(n);
                    removed = true;
                    continue;
                }
                let NodeKind::Calculation { expr, .. } = plan.kind(n) else {
                    continue;
                };
                if captured.get(n.index()).copied().unwrap_or(false) {
                    continue;
                }
                if let Some(source) = expr.reference() {
                    let renamed = uses.users_of(plan, out);
                    plan.replace_variable(out, source);
                    uses.forget_tree(plan, n);
                    plan.remove(n);
                    for u in renamed {
                        uses.relearn(plan, u);
                    }
                    removed = true;
                } else if let Some(readers) = expr
                    .attribute_path()
                    .and_then(|_| uses.readers_below(plan, n, out))
                    .filter(|readers| {
                        readers
                            .iter()
                            .all(|&u| plan.kind(u).is_calculation() && stays_shallow(plan, u, expr))
                    })
                {
                    let replacement = expr.clone();
                    for u in readers {
                        if let NodeKind::Calculation { expr, .. } = plan.kind_mut(u) {
                            let e = std::mem::replace(expr, replacement.clone());
                            *expr = e.rewrite(&mut |x| match x {
                                crate::plan::Expr::Reference(v) if v == out => replacement.clone(),
                                other => other,
                            });
                        }
                        uses.relearn(plan, u);
                    }
                    uses.forget_tree(plan, n);
                    plan.remove(n);
                    removed = true;
                } else if let Some(user) = single_inlinable_user(plan, &uses, n, out) {
                    let replacement = expr.clone();
                    if let NodeKind::Calculation { expr, .. } = plan.kind_mut(user) {
                        let e = std::mem::replace(expr, replacement.clone());
                        *expr = e.rewrite(&mut |x| match x {
                            crate::plan::Expr::Reference(v) if v == out => replacement.clone(),
                            other => other,
                        });
                    }
                    uses.relearn(plan, user);
                    uses.forget_tree(plan, n);
                    plan.remove(n);
                    removed = true;
                }
            }
            if !removed {
                break;
            }
            changed = true;
        }
        Outcome::changed_if(changed)
    }
}

/// Which nodes of the plan read each variable, kept up to date while the
/// rule removes and rewrites nodes. Asking "is `v` read after its
/// definition?" is then a lookup instead of a walk down the plan (variables
/// are defined once, so any other reader comes after the definition).
/// Indexed by variable id and node index: no hashing, and a few
/// allocations however large the plan.
#[derive(Default)]
struct Uses {
    /// The variables each node reads, sorted, each once: `read_by[n]` is
    /// a range of `reads` (re-read nodes get a new range).
    reads: Vec<VarId>,
    read_by: Vec<(u32, u32)>,
    /// Per variable: how many nodes read it now.
    count: Vec<usize>,
    /// Per variable: the nodes that read or once read it, possibly
    /// repeated (`reads_var` tells which still do). Made on first use
    /// (renames only).
    readers: Option<Vec<Vec<NodeRef>>>,
}

impl Uses {
    /// The readers among all nodes reachable from the root, subquery
    /// bodies included.
    fn of(plan: &Plan) -> Uses {
        // Sized for every variable of the query (ids are counted up).
        let vars = plan.vars.all().last().map_or(0, |v| v.id as usize + 1);
        let mut uses = Uses {
            read_by: vec![(0, 0); plan.node_bound()],
            count: vec![0; vars],
            ..Uses::default()
        };
        for &n in plan.preorder_nodes() {
            uses.learn(plan, n);
        }
        uses
    }

    fn learn(&mut self, plan: &Plan, n: NodeRef) {
        let start = self.reads.len();
        plan.kind(n)
            .for_each_variable_used(&mut |v| self.reads.push(v));
        if self.reads.len() - start > 1 {
            self.reads[start..].sort_unstable();
            let mut end = start + 1;
            for i in start + 1..self.reads.len() {
                if self.reads[i] != self.reads[end - 1] {
                    self.reads[end] = self.reads[i];
                    end += 1;
                }
            }
            self.reads.truncate(end);
        }
        let end = self.reads.len();
        for i in start..end {
            let v = self.reads[i] as usize;
            if self.count.len() <= v {
                self.count.resize(v + 1, 0);
            }
            self.count[v] += 1;
            if let Some(readers) = &mut self.readers {
                if readers.len() <= v {
                    readers.resize_with(v + 1, Vec::new);
                }
                readers[v].push(n);
            }
        }
        if self.read_by.len() <= n.index() {
            self.read_by.resize(n.index() + 1, (0, 0));
        }
        self.read_by[n.index()] = (start as u32, end as u32);
    }

    /// The variables `n` reads now.
    fn read_by(&self, n: NodeRef) -> &[VarId] {
        let (start, end) = self.read_by.get(n.index()).copied().unwrap_or((0, 0));
        &self.reads[start as usize..end as usize]
    }

    fn forget(&mut self, n: NodeRef) {
        let Some(&(start, end)) = self.read_by.get(n.index()) else {
            return;
        };
        for i in start as usize..end as usize {
            self.count[self.reads[i] as usize] -= 1;
        }
        self.read_by[n.index()] = (0, 0);
    }

    /// Whether node `u` reads `v` now.
    fn reads_var(&self, u: NodeRef, v: VarId) -> bool {
        self.read_by(u).binary_search(&v).is_ok()
    }

    /// Forgets `n` and, for a SubqueryNode, its whole body (which leaves
    /// the plan with it).
    fn forget_tree(&mut self, plan: &Plan, n: NodeRef) {
        let mut stack = vec![n];
        while let Some(m) = stack.pop() {
            self.forget(m);
            if let NodeKind::Subquery { root, .. } = plan.kind(m) {
                stack.extend(plan.upwards(*root));
            }
        }
    }

    /// Re-reads a node after it was rewritten.
    fn relearn(&mut self, plan: &Plan, n: NodeRef) {
        self.forget(n);
        self.learn(plan, n);
    }

    fn users_of(&mut self, plan: &Plan, v: VarId) -> Vec<NodeRef> {
        let readers = self.readers.get_or_insert_with(|| {
            let mut readers: Vec<Vec<NodeRef>> = Vec::new();
            for &n in plan.preorder_nodes() {
                let (start, end) = self.read_by.get(n.index()).copied().unwrap_or((0, 0));
                for &w in &self.reads[start as usize..end as usize] {
                    if readers.len() <= w as usize {
                        readers.resize_with(w as usize + 1, Vec::new);
                    }
                    readers[w as usize].push(n);
                }
            }
            readers
        });
        let mut users: Vec<NodeRef> = readers
            .get(v as usize)
            .into_iter()
            .flatten()
            .copied()
            .collect();
        users.retain(|&u| self.reads_var(u, v));
        users.sort_unstable();
        users.dedup();
        users
    }

    /// How many nodes other than `n` read `v`.
    fn other_readers(&self, v: VarId, n: NodeRef) -> usize {
        let all = self.count.get(v as usize).copied().unwrap_or(0);
        all - usize::from(self.reads_var(n, v))
    }

    /// The nodes below `n` in its own pipeline that read `v`, top first —
    /// `None` when a reader is elsewhere (in a subquery body), where the
    /// SubqueryNode would count as the reader. Walks only as far as the
    /// last reader.
    fn readers_below(&self, plan: &Plan, n: NodeRef, v: VarId) -> Option<Vec<NodeRef>> {
        let wanted = self.other_readers(v, n);
        let mut found = Vec::with_capacity(wanted);
        let mut cur = plan.parent(n);
        while found.len() < wanted {
            let c = cur?;
            if self.reads_var(c, v) {
                found.push(c);
            }
            cur = plan.parent(c);
        }
        Some(found)
    }

    fn used_by_other_than(&self, v: VarId, n: NodeRef) -> bool {
        self.other_readers(v, n) > 0
    }
}

/// Nodes with a `COLLECT … INTO g` (without expression or KEEP) below them
/// in their pipeline, by node index: it captures all variables, so their
/// results count as read. Removing calculations does not change this set.
fn captured_by_collect_into(plan: &Plan) -> Vec<bool> {
    let captures = |k: &NodeKind| {
        matches!(k, NodeKind::Collect(col)
            if col.into.is_some() && col.into_expression.is_none() && col.keep.is_none())
    };
    let mut captured = Vec::new();
    if !plan
        .preorder_nodes()
        .iter()
        .any(|&n| captures(plan.kind(n)))
    {
        return captured;
    }
    captured.resize(plan.node_bound(), false);
    for bottom in plan.pipeline_bottoms() {
        let mut below = false;
        for n in plan.upwards(bottom) {
            if below {
                captured[n.index()] = true;
            }
            below |= captures(plan.kind(n));
        }
    }
    captured
}

/// The one calculation below `n` that reads `out`, when `n`'s expression
/// can move into it: it reads `out` exactly once, both are general
/// ("simple") expressions, and a function call would not be pushed into
/// an inner loop.
fn single_inlinable_user(plan: &Plan, uses: &Uses, n: NodeRef, out: VarId) -> Option<NodeRef> {
    let NodeKind::Calculation { expr, .. } = plan.kind(n) else {
        return None;
    };
    let [user] = uses.readers_below(plan, n, out)?[..] else {
        return None;
    };
    let NodeKind::Calculation { expr: target, .. } = plan.kind(user) else {
        return None;
    };
    let simple = |e: &crate::plan::Expr| !e.is_constant() && e.attribute_path().is_none();
    if !simple(expr) || !simple(target) {
        return None;
    }
    let mut reads = 0;
    target.walk(&mut |e| {
        if matches!(e, crate::plan::Expr::Reference(v) if *v == out) {
            reads += 1;
        }
    });
    if reads != 1 || !stays_shallow(plan, user, expr) {
        return None;
    }
    let mut calls = false;
    expr.walk(&mut |e| {
        calls |= matches!(
            e,
            crate::plan::Expr::Call { .. } | crate::plan::Expr::UserCall { .. }
        );
    });
    if calls && loop_between(plan, n, user) {
        return None;
    }
    Some(user)
}

/// Whether a loop starts between `top` and `bottom` (exclusive).
fn loop_between(plan: &Plan, top: NodeRef, bottom: NodeRef) -> bool {
    let mut cur = plan.parent(top);
    while let Some(c) = cur {
        if c == bottom {
            return false;
        }
        if matches!(
            plan.kind(c),
            NodeKind::EnumerateCollection(_) | NodeKind::Index(_) | NodeKind::EnumerateList { .. }
        ) {
            return true;
        }
        cur = plan.parent(c);
    }
    false
}

fn subquery_writes(plan: &Plan, n: NodeRef) -> bool {
    let NodeKind::Subquery { root, .. } = plan.kind(n) else {
        return false;
    };
    plan.upwards(*root)
        .any(|s| matches!(plan.kind(s), NodeKind::Modification(_)))
}

/// Whether inlining `inlined` into the calculation `user` keeps the
/// expression within the nesting limit: a chain `LET b = a.x LET c = b.x …`
/// would otherwise fold into one arbitrarily deep attribute access, and
/// every later pass over it recurses.
fn stays_shallow(plan: &Plan, user: NodeRef, inlined: &Expr) -> bool {
    match plan.kind(user) {
        NodeKind::Calculation { expr, .. } => {
            expr.depth() + inlined.depth() <= crate::syntax::MAX_NESTING
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;

    #[test]
    fn unused_calculation_is_removed() {
        let t = TestPlan::single("FOR d IN c LET x = d.a RETURN d");
        let (order, changed) = t.apply("remove-unnecessary-calculations");
        assert!(changed);
        assert_eq!(order, ["1 Singleton", "2 EnumerateCollection", "4 Return"]);
    }

    #[test]
    fn renaming_calculation_is_folded_away() {
        let t = TestPlan::single("FOR d IN c LET x = d RETURN x");
        let (order, _) = t.apply("remove-unnecessary-calculations");
        assert_eq!(order, ["1 Singleton", "2 EnumerateCollection", "4 Return"]);
    }

    #[test]
    fn single_use_expression_moves_into_its_reader() {
        let t = TestPlan::single("FOR d IN [[1, 2]] LET k = d[0] RETURN CONCAT(k, 'x')");
        let mut plan = t.plan.clone();
        t.run(&mut plan, "remove-unnecessary-calculations");
        let calcs: Vec<_> = kinds(&plan)
            .into_iter()
            .filter(|k| k.is_calculation())
            .collect();
        // `[[1, 2]]` and `CONCAT(d[0], 'x')` remain
        assert_eq!(calcs.len(), 2, "{:?}", order(&plan));
    }

    #[test]
    fn a_call_is_not_pushed_into_an_inner_loop() {
        let t = TestPlan::single(
            "FOR d IN c LET k = CONCAT(d.a, 'x') FOR e IN other RETURN CONCAT(k, e.b)",
        );
        let mut plan = t.plan.clone();
        t.run(&mut plan, "remove-unnecessary-calculations");
        assert!(
            order(&plan)
                .iter()
                .filter(|n| n.ends_with("Calculation"))
                .count()
                >= 2
        );
    }

    #[test]
    fn non_deterministic_calculation_stays() {
        let t = TestPlan::single("LET x = RAND() RETURN 1");
        assert!(!t.apply("remove-unnecessary-calculations").1);
    }
}
