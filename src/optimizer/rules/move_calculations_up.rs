//! `move-calculations-up` (and `-2`): moves each deterministic calculation
//! (and subquery) as far up the pipeline as its inputs allow, so it is
//! evaluated as early — and as rarely — as possible.
//!
//! Does not fire for non-deterministic calculations, nor past the node
//! that defines an input, nor past a LIMIT (on a Coordinator a calculation
//! that reads collection data may pass it). A calculation at the top of a
//! subquery that needs nothing from it moves out, above the SubqueryNode —
//! except out of a subquery that runs only when its ternary branch is taken
//! (3.12.1+; INFERRED from the 3.12 release notes' plan).
//!
//! ```text
//! before: FOR doc IN c  LET #1 = doc.x > 1  FILTER #1  LET #3 = doc.y
//! after:  FOR doc IN c  LET #3 = doc.y  LET #1 = doc.x > 1  FILTER #1
//! ```
//! Candidates are processed root first, so the reference query ends where
//! it began after `move-filters-up` — yet both report a change.
//!
//! A candidate stops directly below the nearest node above it that it may
//! not pass (a setter of an input, a LIMIT, the top of its pipeline). That
//! node is found from positions kept for the whole rule ([`Order`]), not by
//! walking up past every node: constant calculations all climb to the top,
//! and walking there would take time in the square of the plan's length.

use crate::optimizer::{Context, Outcome, Rule};
use crate::plan::{NodeKind, NodeRef, Plan, Setters, VarId};

pub struct MoveCalculationsUp;

impl Rule for MoveCalculationsUp {
    fn apply(&self, plan: &mut Plan, cx: &Context) -> Outcome {
        let mut candidates = plan.find(NodeKind::is_calculation);
        if cx.compat.optimizes_inside_subqueries() {
            candidates.extend(plan.find(|k| matches!(k, NodeKind::Subquery { .. })));
        }
        if candidates.is_empty() {
            return Outcome::Unchanged;
        }
        // Only a Coordinator lets calculations that read collection data
        // pass a LIMIT: only there, and only when a walk meets a LIMIT, are
        // the setters of inputs looked up (moves change no setter).
        let mut setters: Option<Setters> = None;
        // The main pipeline's top belongs to no subquery: a calculation
        // that reaches it stays below it.
        let main_top = plan.upwards(plan.root()).last();
        // Made when a walk up would be long (small plans never need it).
        let mut order: Option<Order> = None;
        let mut subqueries = SubqueryFacts::of(plan);
        let mut changed = false;
        for n in candidates {
            let needed = match subqueries.is_deterministic(n) {
                Some(false) => continue,
                Some(true) => subqueries.needed(plan, n),
                None if !plan.is_deterministic(n) => continue,
                None => plan.variables_needed(n),
            };
            // The same variables (the order may differ after moves; it
            // does not matter here).
            debug_assert!({
                let (mut a, mut b) = (needed.clone(), plan.variables_needed(n));
                a.sort_unstable();
                b.sort_unstable();
                a == b
            });
            let mut stops_at_limit = None;
            let mut stops_at_limits = |plan: &Plan| {
                *stops_at_limit.get_or_insert_with(|| {
                    !cx.is_cluster()
                        || !reads_collection_data(
                            plan,
                            setters.get_or_insert_with(|| plan.setters()),
                            &needed,
                        )
                })
            };
            if order.is_none() {
                match short_walk(plan, n, &needed, main_top, &mut stops_at_limits) {
                    Some(Some(c)) => {
                        plan.move_above(n, c);
                        changed = true;
                        continue;
                    }
                    Some(None) => continue,
                    None => {}
                }
            }
            let order = order.get_or_insert_with(|| Order::of(plan));
            // The SubqueryNode `n` has (so far) moved out above: it moves
            // once, to where it ends up, however many levels it leaves.
            let mut left: Option<NodeRef> = None;
            loop {
                let here = left.unwrap_or(n);
                let Some(stop) =
                    order.nearest_stop_above(plan, here, &needed, &mut stops_at_limits)
                else {
                    // Above a SubqueryNode at the top of its pipeline.
                    if let Some(sq) = left {
                        plan.unlink(n);
                        plan.insert_above(sq, n);
                        order.placed(plan, n);
                    }
                    break;
                };
                let leaves_subquery = plan.dependency(stop).is_none()
                    && Some(stop) != main_top
                    && !needed.iter().any(|&v| plan.kind(stop).sets_variable(v));
                if leaves_subquery {
                    // At the top of a subquery: leave it, above its
                    // SubqueryNode (unless the subquery only runs when its
                    // branch is taken), and go on from there.
                    let sq = order.subquery_of(here).filter(|&sq| {
                        !matches!(
                            plan.kind(sq),
                            NodeKind::Subquery {
                                conditional: true,
                                ..
                            }
                        )
                    });
                    if let Some(sq) = sq {
                        subqueries.left(sq);
                        left = Some(sq);
                        changed = true;
                        continue;
                    }
                }
                // Directly below the stop (one move, however far).
                if let Some(below) = plan.parent(stop).filter(|&b| b != n) {
                    plan.move_above(n, below);
                    order.placed(plan, n);
                    changed = true;
                }
                break;
            }
        }
        Outcome::changed_if(changed)
    }
}

/// Whether a calculation needing `needed` reads collection data (an
/// input set by a scan or a subquery).
fn reads_collection_data(plan: &Plan, setters: &Setters, needed: &[VarId]) -> bool {
    needed.iter().any(|v| {
        setters.get(v).is_some_and(|&s| {
            matches!(
                plan.kind(s),
                NodeKind::EnumerateCollection(_) | NodeKind::Index(_) | NodeKind::Subquery { .. }
            )
        })
    })
}

/// Steps [`short_walk`] takes before it leaves the candidate to [`Order`].
const SHORT_WALK: usize = 24;

/// The rule's walk for one candidate, node by node, when it is short and
/// stays in the candidate's pipeline: `Some(Some(c))` moves `n` directly
/// above `c`, `Some(None)` leaves it; None when the walk would be longer
/// than [`SHORT_WALK`] or reach the top of a subquery.
fn short_walk(
    plan: &Plan,
    n: NodeRef,
    needed: &[VarId],
    main_top: Option<NodeRef>,
    stops_at_limits: &mut impl FnMut(&Plan) -> bool,
) -> Option<Option<NodeRef>> {
    let mut highest = None;
    let mut cur = plan.dependency(n);
    for _ in 0..SHORT_WALK {
        let Some(c) = cur else {
            return Some(highest);
        };
        if needed.iter().any(|&v| plan.kind(c).sets_variable(v)) || Some(c) == main_top {
            return Some(highest);
        }
        // The top of a subquery: leaving it is for `Order`.
        plan.dependency(c)?;
        if matches!(plan.kind(c), NodeKind::Limit { .. }) && stops_at_limits(plan) {
            return Some(highest);
        }
        highest = Some(c);
        cur = plan.dependency(c);
    }
    None
}

/// [`Plan::is_deterministic`] and [`Plan::variables_needed`] of every
/// SubqueryNode, by node index, kept for the rule (asking per SubqueryNode
/// would walk nested bodies once per level). Only deterministic nodes
/// move, and nothing moves into a body, so whether a subquery is
/// deterministic stays as it was; what it needs changes only when a node
/// leaves its own body ([`Self::left`]), and is then worked out again from
/// its body and what the subqueries in it need.
struct SubqueryFacts(Vec<Option<SubqueryFact>>);

struct SubqueryFact {
    deterministic: bool,
    /// None: to be worked out again.
    needed: Option<Vec<VarId>>,
}

impl SubqueryFacts {
    fn of(plan: &Plan) -> SubqueryFacts {
        let mut facts = SubqueryFacts(Vec::new());
        // Inner subqueries come later in pre-order: they are done first.
        for &n in plan.preorder_nodes().iter().rev() {
            let NodeKind::Subquery { root, .. } = plan.kind(n) else {
                continue;
            };
            let deterministic = plan.upwards(*root).all(|s| {
                !matches!(plan.kind(s), NodeKind::Modification(_))
                    && match facts.get(s) {
                        Some(fact) => fact.deterministic,
                        None => plan.is_deterministic(s),
                    }
            });
            debug_assert_eq!(deterministic, plan.is_deterministic(n));
            if facts.0.len() <= n.index() {
                facts.0.resize_with(n.index() + 1, || None);
            }
            facts.0[n.index()] = Some(SubqueryFact {
                deterministic,
                needed: None,
            });
            let needed = facts.work_out_needed(plan, n);
            if let Some(Some(fact)) = facts.0.get_mut(n.index()) {
                fact.needed = Some(needed);
            }
        }
        facts
    }

    fn get(&self, n: NodeRef) -> Option<&SubqueryFact> {
        self.0.get(n.index()).and_then(Option::as_ref)
    }

    /// Whether SubqueryNode `n` is deterministic; None for other nodes.
    fn is_deterministic(&self, n: NodeRef) -> Option<bool> {
        self.get(n).map(|f| f.deterministic)
    }

    /// What SubqueryNode `n` needs ([`Plan::variables_needed`]).
    fn needed(&mut self, plan: &Plan, n: NodeRef) -> Vec<VarId> {
        if let Some(needed) = self.get(n).and_then(|f| f.needed.as_ref()) {
            return needed.clone();
        }
        let needed = self.work_out_needed(plan, n);
        if let Some(Some(fact)) = self.0.get_mut(n.index()) {
            fact.needed = Some(needed.clone());
        }
        needed
    }

    /// [`Plan::variables_needed`] of SubqueryNode `n`, with what the
    /// subqueries in its body need taken from here.
    fn work_out_needed(&mut self, plan: &Plan, n: NodeRef) -> Vec<VarId> {
        let NodeKind::Subquery { root, .. } = plan.kind(n) else {
            return plan.variables_needed(n);
        };
        let mut body: Vec<NodeRef> = plan.upwards(*root).collect();
        body.reverse();
        let mut set = Vec::new();
        for &s in &body {
            plan.kind(s).for_each_variable_set(&mut |v| set.push(v));
        }
        set.sort_unstable();
        let mut needed = Vec::new();
        for &s in &body {
            let reads = match self.get(s) {
                Some(_) => self.needed(plan, s),
                None => plan.kind(s).variables_used(),
            };
            for v in reads {
                if set.binary_search(&v).is_err() && !needed.contains(&v) {
                    needed.push(v);
                }
            }
        }
        needed
    }

    /// Records that a node left the body of SubqueryNode `sq`.
    fn left(&mut self, sq: NodeRef) {
        if let Some(Some(fact)) = self.0.get_mut(sq.index()) {
            fact.needed = None;
        }
    }
}

/// Where every node is while the rule moves calculations: its pipeline
/// and a label that grows from the pipeline's top to its bottom (gaps
/// between labels leave room for moved nodes; a pipeline without room is
/// labelled anew).
struct Order {
    /// By node index: the pipeline (an index into `pipelines`).
    pipeline: Vec<usize>,
    /// By node index: the position label within the pipeline.
    label: Vec<u64>,
    pipelines: Vec<Pipeline>,
    /// (variable, a node that sets it), sorted.
    setters: Vec<(VarId, NodeRef)>,
}

struct Pipeline {
    top: NodeRef,
    /// The SubqueryNode whose body this is; none for the main query.
    subquery: Option<NodeRef>,
    /// Its LIMIT nodes, top first (no LIMIT moves).
    limits: Vec<NodeRef>,
}

/// Room between the labels of neighbours when a pipeline is labelled.
const SPACING: u64 = 1 << 32;

impl Order {
    fn of(plan: &Plan) -> Order {
        let mut order = Order {
            pipeline: vec![usize::MAX; plan.node_bound()],
            label: vec![0; plan.node_bound()],
            pipelines: Vec::new(),
            setters: Vec::new(),
        };
        order.add_pipeline(plan, plan.root(), None);
        for &n in plan.preorder_nodes() {
            if let NodeKind::Subquery { root, .. } = plan.kind(n) {
                order.add_pipeline(plan, *root, Some(n));
            }
            plan.kind(n)
                .for_each_variable_set(&mut |v| order.setters.push((v, n)));
        }
        order.setters.sort_unstable();
        order
    }

    fn add_pipeline(&mut self, plan: &Plan, bottom: NodeRef, subquery: Option<NodeRef>) {
        let id = self.pipelines.len();
        let mut top = bottom;
        for n in plan.upwards(bottom) {
            self.pipeline[n.index()] = id;
            top = n;
        }
        let mut limits = Vec::new();
        self.label_from(plan, top);
        let mut cur = Some(top);
        while let Some(n) = cur {
            if matches!(plan.kind(n), NodeKind::Limit { .. }) {
                limits.push(n);
            }
            cur = plan.parent(n);
        }
        self.pipelines.push(Pipeline {
            top,
            subquery,
            limits,
        });
    }

    /// Labels the pipeline from `top` down, evenly spaced.
    fn label_from(&mut self, plan: &Plan, top: NodeRef) {
        let mut next = SPACING;
        let mut cur = Some(top);
        while let Some(n) = cur {
            self.label[n.index()] = next;
            next += SPACING;
            cur = plan.parent(n);
        }
    }

    fn is_above(&self, a: NodeRef, n: NodeRef) -> bool {
        self.pipeline[a.index()] == self.pipeline[n.index()]
            && self.label[a.index()] < self.label[n.index()]
    }

    /// The nearest node above `n` that it may not pass: a setter of a
    /// `needed` variable, a LIMIT (when `limits` stop it), or the top of
    /// its pipeline. None when `n` is the top itself.
    fn nearest_stop_above(
        &self,
        plan: &Plan,
        n: NodeRef,
        needed: &[VarId],
        limits: &mut impl FnMut(&Plan) -> bool,
    ) -> Option<NodeRef> {
        plan.dependency(n)?;
        let pipeline = &self.pipelines[self.pipeline[n.index()]];
        let mut stop = pipeline.top;
        let mut consider = |c: NodeRef| {
            if self.is_above(c, n) && self.label[c.index()] > self.label[stop.index()] {
                stop = c;
            }
        };
        for &v in needed {
            let from = self.setters.partition_point(|&(w, _)| w < v);
            for &(_, s) in self.setters[from..].iter().take_while(|&&(w, _)| w == v) {
                consider(s);
            }
        }
        let here = self.label[n.index()];
        let above = pipeline
            .limits
            .partition_point(|l| self.label[l.index()] < here);
        if let Some(&limit) = above.checked_sub(1).and_then(|i| pipeline.limits.get(i)) {
            if limits(plan) {
                consider(limit);
            }
        }
        Some(stop)
    }

    /// The SubqueryNode of the pipeline `n` is in.
    fn subquery_of(&self, n: NodeRef) -> Option<NodeRef> {
        self.pipelines[self.pipeline[n.index()]].subquery
    }

    /// Records where `n` is after a move: in its new consumer's pipeline,
    /// between its neighbours.
    fn placed(&mut self, plan: &Plan, n: NodeRef) {
        let Some(parent) = plan.parent(n) else {
            return;
        };
        let id = self.pipeline[parent.index()];
        self.pipeline[n.index()] = id;
        let after = self.label[parent.index()];
        let before = match plan.dependency(n) {
            Some(d) => self.label[d.index()],
            None => {
                self.pipelines[id].top = n;
                0
            }
        };
        if after - before >= 2 {
            self.label[n.index()] = before + (after - before) / 2;
        } else {
            let top = self.pipelines[id].top;
            self.label_from(plan, top);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizer::rules::testing::*;

    #[test]
    fn moves_calculation_above_filter_and_reports_change() {
        // Root first: 5 climbs above 4 and 3, then 3 overtakes 5 again
        // (the ping-pong of optimizer.md §10.3); both count as moves.
        let t = TestPlan::single("FOR d IN c FILTER d.x > 1 LET y = d.y RETURN y");
        let (order, changed) = t.apply("move-calculations-up");
        assert!(changed);
        assert_eq!(
            order,
            [
                "1 Singleton",
                "2 EnumerateCollection",
                "3 Calculation",
                "5 Calculation",
                "4 Filter",
                "6 Return"
            ]
        );
    }

    #[test]
    fn stops_at_the_definition_of_an_input() {
        let t = TestPlan::single("FOR d IN c RETURN d.x");
        let (order, changed) = t.apply("move-calculations-up");
        assert!(!changed);
        assert_eq!(
            order,
            [
                "1 Singleton",
                "2 EnumerateCollection",
                "3 Calculation",
                "4 Return"
            ]
        );
    }

    #[test]
    fn non_deterministic_calculations_stay() {
        let t = TestPlan::single("FOR d IN c FILTER d.x > 1 LET r = RAND() RETURN r");
        let (_, changed) = t.apply("move-calculations-up");
        assert!(!changed);
    }

    #[test]
    fn constant_calculation_climbs_to_the_top() {
        let t = TestPlan::single("FOR d IN c LET k = 1 + d.x LET z = [1, 2] RETURN [k, z]");
        let (order, _) = t.apply("move-calculations-up");
        assert_eq!(order[1], "4 Calculation");
    }

    #[test]
    fn does_not_pass_a_limit_on_a_single_server() {
        let t = TestPlan::single("FOR d IN c LIMIT 2 LET y = d.y RETURN y");
        let (_, changed) = t.apply("move-calculations-up");
        assert!(!changed);
    }

    #[test]
    fn nothing_leaves_a_subquery_that_runs_only_for_its_ternary_branch() {
        let query = "LET doc = FIRST(FOR d IN c RETURN d) \
                     RETURN doc ?: FIRST(INSERT { k: 1 } INTO c RETURN NEW)";
        let main_calculations = |compat| {
            let t = TestPlan::new(SINGLE, query, compat);
            let (order, _) = t.apply("move-calculations-up");
            order.iter().filter(|n| n.ends_with("Calculation")).count()
        };
        // 3.12.0: the INSERT document moves out of its subquery.
        assert_eq!(main_calculations(crate::compat::Version::new(3, 12, 0)), 3);
        // 3.12.1+: the guarded subquery keeps its calculations.
        assert_eq!(main_calculations(crate::compat::Version::NEWEST), 2);
    }
}
