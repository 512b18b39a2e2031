//! Execution plans: a DAG of execution nodes (petgraph `StableGraph`, so
//! removing a node never renumbers the others), the query's variables, and
//! the surgery primitives the optimizer rules are written in.
//!
//! Edges point from a dependency to its consumer (rows flow along them).
//! ArangoDB's node ids are data on the nodes; graph indices are storage
//! handles and never printed.

pub mod builder;
pub mod estimate;
pub mod expr;
pub mod hash;
pub mod node;
mod resolve;

pub use expr::{Expr, VarId};
pub use node::*;

use crate::compat::Version;
use petgraph::stable_graph::{NodeIndex, StableGraph};
use petgraph::visit::EdgeRef;
use petgraph::Direction::{Incoming, Outgoing};
use std::sync::OnceLock;

/// A query variable.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    pub id: VarId,
    pub name: String,
}

impl Variable {
    /// Temporaries (names starting with a digit or `_`) print as `#name`.
    pub fn display_name(&self) -> String {
        match self.name.chars().next() {
            Some(c) if c.is_ascii_digit() || c == '_' => format!("#{}", self.name),
            _ => self.name.clone(),
        }
    }

    pub fn is_temporary(&self) -> bool {
        self.name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '_')
    }
}

/// All variables of a query, numbered by one counter (ArangoDB's
/// `VariableGenerator`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Variables {
    counter: u32,
    list: Vec<Variable>,
}

impl Variables {
    /// A named variable takes one counter value.
    pub fn create(&mut self, name: &str) -> VarId {
        let id = self.counter;
        self.counter += 1;
        self.list.push(Variable {
            id,
            name: name.to_string(),
        });
        id
    }

    /// A parser temporary (subquery results, UPSERT helpers) first takes a
    /// counter value for its name, then one for its id — in every version.
    pub fn create_parser_temporary(&mut self) -> VarId {
        let name = self.counter.to_string();
        self.counter += 1;
        self.create(&name)
    }

    /// A planner temporary (`tmpCalc`): two counter values up to 3.11,
    /// one (name = id) from 3.12.
    pub fn create_temporary(&mut self, compat: Version) -> VarId {
        if compat.temporaries_use_two_counter_values() {
            self.create_parser_temporary()
        } else {
            let name = self.counter.to_string();
            self.create(&name)
        }
    }

    pub fn get(&self, id: VarId) -> &Variable {
        // Ids are only ever handed out by this generator.
        let pos = self
            .list
            .binary_search_by_key(&id, |v| v.id)
            .expect("variable ids come from this generator");
        &self.list[pos]
    }

    pub fn display_name(&self, id: VarId) -> String {
        self.get(id).display_name()
    }

    pub fn all(&self) -> &[Variable] {
        &self.list
    }

    pub fn rename(&mut self, id: VarId, name: &str) {
        if let Ok(pos) = self.list.binary_search_by_key(&id, |v| v.id) {
            self.list[pos].name = name.to_string();
        }
    }
}

/// Handle of a node in a plan's graph.
pub type NodeRef = NodeIndex;

/// The node that sets each variable ([`Plan::setters`]), indexed by id.
#[derive(Debug, Clone, Default)]
pub struct Setters(Vec<Option<NodeRef>>);

impl Setters {
    /// An empty table with room for every variable of `plan`'s query.
    pub fn for_variables_of(plan: &Plan) -> Setters {
        let vars = plan.vars.all().last().map_or(0, |v| v.id as usize + 1);
        Setters(vec![None; vars])
    }

    pub fn get(&self, var: &VarId) -> Option<&NodeRef> {
        self.0.get(*var as usize).and_then(Option::as_ref)
    }

    /// Records `n` as the setter of `var` (replacing an earlier one).
    pub fn insert(&mut self, var: VarId, n: NodeRef) {
        let i = var as usize;
        if self.0.len() <= i {
            self.0.resize(i + 1, None);
        }
        self.0[i] = Some(n);
    }
}

/// How many nodes of a plan read each variable (each node once), for
/// rules that ask "is this variable read after its definition?" per node:
/// a variable is defined once and read only below its definition, so any
/// reader but the definition itself comes after it ([`Plan::is_used_after`]
/// without the walk down the plan). Rules keep it up to date by calling
/// [`Self::forget`] before they change or remove a node and
/// [`Self::learn`] after they changed it. The counts are made on the first
/// question a short walk cannot answer (on small plans, never).
#[derive(Debug, Clone, Default)]
pub struct ReadCounts(Option<Vec<u32>>);

/// Nodes [`ReadCounts::is_used_after`] visits before it counts readers.
const READ_WALK_BUDGET: usize = 48;

impl ReadCounts {
    /// Counts over all nodes reachable from the root.
    fn count(plan: &Plan) -> Vec<u32> {
        let mut counts = Vec::new();
        for &n in plan.preorder_nodes() {
            Self::each_read(plan, n, |v| Self::add(&mut counts, v));
        }
        counts
    }

    fn add(counts: &mut Vec<u32>, var: VarId) {
        let i = var as usize;
        if counts.len() <= i {
            counts.resize(i + 1, 0);
        }
        counts[i] += 1;
    }

    fn each_read(plan: &Plan, n: NodeRef, mut f: impl FnMut(VarId)) {
        let mut seen: Vec<VarId> = Vec::new();
        plan.kind(n).for_each_variable_used(&mut |v| {
            if !seen.contains(&v) {
                seen.push(v);
                f(v);
            }
        });
    }

    /// Counts the reads of `n`.
    pub fn learn(&mut self, plan: &Plan, n: NodeRef) {
        if let Some(counts) = &mut self.0 {
            Self::each_read(plan, n, |v| Self::add(counts, v));
        }
    }

    /// Counts one more reader of `var`.
    pub fn add_reader(&mut self, var: VarId) {
        if let Some(counts) = &mut self.0 {
            Self::add(counts, var);
        }
    }

    /// Stops counting the reads of `n`.
    pub fn forget(&mut self, plan: &Plan, n: NodeRef) {
        if let Some(counts) = &mut self.0 {
            Self::each_read(plan, n, |v| {
                if let Some(c) = counts.get_mut(v as usize) {
                    *c = c.saturating_sub(1);
                }
            });
        }
    }

    /// Whether a node other than `n` (which defines `var`) reads `var`:
    /// [`Plan::is_used_after`]`(n, var)`.
    pub fn is_used_after(&mut self, plan: &Plan, n: NodeRef, var: VarId) -> bool {
        if self.0.is_none() {
            if let Some(used) = plan.is_used_after_within(n, var, READ_WALK_BUDGET) {
                return used;
            }
        }
        let counts = self.0.get_or_insert_with(|| Self::count(plan));
        let all = counts.get(var as usize).copied().unwrap_or(0);
        let used = all > u32::from(plan.kind(n).uses_variable(var));
        debug_assert_eq!(
            used,
            plan.is_used_after(n, var),
            "reads of {var} after {n:?}"
        );
        used
    }
}

/// An execution plan.
#[derive(Debug, Clone)]
pub struct Plan {
    graph: StableGraph<Node, ()>,
    root: NodeRef,
    last_id: u32,
    pub vars: Variables,
    /// Names of the rules that changed this plan, in order (explain's
    /// "Optimization rules applied").
    pub applied_rules: Vec<&'static str>,
    /// Nodes that are the root of a subquery pipeline.
    subquery_roots: Vec<NodeRef>,
    /// Set by `cluster-one-shard`: the whole query runs on one DB-Server,
    /// and the remaining cluster rules no longer apply.
    pub one_shard: bool,
    /// Set when a rule made the remaining cluster rules pointless (e.g. the
    /// Coordinator does the single document operation itself).
    pub cluster_rules_off: bool,
    /// The pre-order walk of the current shape, made on first use after a
    /// change: most rules only look, and each starts with this walk.
    preorder: OnceLock<Vec<NodeRef>>,
}

impl Plan {
    /// An empty plan; its first node should be a SingletonNode.
    pub fn new(vars: Variables) -> Plan {
        Plan {
            graph: StableGraph::new(),
            root: NodeIndex::end(),
            last_id: 0,
            vars,
            applied_rules: Vec::new(),
            subquery_roots: Vec::new(),
            one_shard: false,
            cluster_rules_off: false,
            preorder: OnceLock::new(),
        }
    }

    /// Forgets what was derived from the plan's shape; every method that
    /// may change the shape calls it first.
    fn shape_changes(&mut self) {
        self.preorder.take();
    }

    /// An empty plan with room for about `nodes` nodes.
    pub fn with_capacity(vars: Variables, nodes: usize) -> Plan {
        let mut plan = Plan::new(vars);
        // Room for what the optimizer adds (cluster rules add a few nodes
        // per scan): growing copies every 272-byte node.
        let room = nodes + nodes / 2 + 8;
        plan.graph = StableGraph::with_capacity(room, room);
        plan
    }

    /// Creates a detached node with the next id.
    pub fn create(&mut self, kind: NodeKind) -> NodeRef {
        self.shape_changes();
        self.last_id += 1;
        self.graph.add_node(Node {
            id: self.last_id,
            kind,
            async_prefetch: false,
        })
    }

    pub fn root(&self) -> NodeRef {
        self.root
    }

    pub fn set_root(&mut self, n: NodeRef) {
        self.shape_changes();
        self.root = n;
    }

    pub fn node(&self, n: NodeRef) -> &Node {
        &self.graph[n]
    }

    pub fn kind(&self, n: NodeRef) -> &NodeKind {
        &self.graph[n].kind
    }

    pub fn kind_mut(&mut self, n: NodeRef) -> &mut NodeKind {
        self.shape_changes();
        &mut self.graph[n].kind
    }

    pub fn node_mut(&mut self, n: NodeRef) -> &mut Node {
        self.shape_changes();
        &mut self.graph[n]
    }

    pub fn id(&self, n: NodeRef) -> u32 {
        self.graph[n].id
    }

    /// Whether `n` is still in the plan's graph (not deleted).
    pub fn contains(&self, n: NodeRef) -> bool {
        self.graph.contains_node(n)
    }

    /// One more than the largest node index in use: the size of tables
    /// indexed by `NodeRef::index`.
    pub fn node_bound(&self) -> usize {
        petgraph::visit::NodeIndexable::node_bound(&self.graph)
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// The (first) node this one pulls rows from.
    pub fn dependency(&self, n: NodeRef) -> Option<NodeRef> {
        self.graph.neighbors_directed(n, Incoming).next()
    }

    /// The node that consumes this one's rows.
    pub fn parent(&self, n: NodeRef) -> Option<NodeRef> {
        self.graph.neighbors_directed(n, Outgoing).next()
    }

    /// Appends a detached node below `above` (`above` → `n`).
    pub fn add_dependency(&mut self, n: NodeRef, above: NodeRef) {
        self.shape_changes();
        self.graph.add_edge(above, n, ());
    }

    /// Removes `n` from its pipeline: its parent takes its dependency.
    pub fn unlink(&mut self, n: NodeRef) {
        self.shape_changes();
        let dep = self.dependency(n);
        let parent = self.parent(n);
        self.detach(n);
        match (dep, parent) {
            (Some(d), Some(p)) => {
                self.graph.add_edge(d, p, ());
            }
            (Some(d), None) if self.root == n => self.root = d,
            _ => {}
        }
        // Subquery roots end their pipelines: a node with a consumer is none.
        debug_assert!(parent.is_none() || !self.subquery_roots.contains(&n));
        let pos = parent
            .is_none()
            .then(|| self.subquery_roots.iter().position(|&r| r == n))
            .flatten();
        if let Some(pos) = pos {
            if let Some(d) = dep {
                self.subquery_roots[pos] = d;
                self.retarget_subquery(n, d);
            }
        }
    }

    fn retarget_subquery(&mut self, old: NodeRef, new: NodeRef) {
        self.shape_changes();
        for w in self.graph.node_weights_mut() {
            if let NodeKind::Subquery { root, .. } = &mut w.kind {
                if *root == old {
                    *root = new;
                }
            }
        }
    }

    /// Removes all edges of `n`, leaving it detached (still in the graph).
    fn detach(&mut self, n: NodeRef) {
        self.shape_changes();
        for direction in [Incoming, Outgoing] {
            while let Some(e) = self
                .graph
                .edges_directed(n, direction)
                .next()
                .map(|e| e.id())
            {
                self.graph.remove_edge(e);
            }
        }
    }

    /// Deletes a node from the plan entirely (after unlinking).
    pub fn remove(&mut self, n: NodeRef) {
        self.shape_changes();
        self.unlink(n);
        self.graph.remove_node(n);
    }

    /// Puts the detached node `n` directly above `at`:
    /// `old dependency → n → at`.
    pub fn insert_above(&mut self, at: NodeRef, n: NodeRef) {
        self.shape_changes();
        if let Some(d) = self.dependency(at) {
            if let Some(e) = self.graph.find_edge(d, at) {
                self.graph.remove_edge(e);
            }
            self.graph.add_edge(d, n, ());
        }
        self.graph.add_edge(n, at, ());
    }

    /// Puts the detached node `n` directly below `at`: `at → n → old parent`.
    pub fn insert_below(&mut self, at: NodeRef, n: NodeRef) {
        self.shape_changes();
        match self.parent(at) {
            Some(p) => {
                if let Some(e) = self.graph.find_edge(at, p) {
                    self.graph.remove_edge(e);
                }
                self.graph.add_edge(n, p, ());
            }
            None => {
                if self.root == at {
                    self.root = n;
                }
                if let Some(pos) = self.subquery_roots.iter().position(|&r| r == at) {
                    self.subquery_roots[pos] = n;
                    self.retarget_subquery(at, n);
                }
            }
        }
        self.graph.add_edge(at, n, ());
    }

    /// Puts the detached node `new` where `old` is and deletes `old`.
    pub fn replace_node(&mut self, old: NodeRef, new: NodeRef) {
        self.insert_above(old, new);
        self.remove(old);
    }

    /// Moves `n` (already in a pipeline) to directly above `at`.
    pub fn move_above(&mut self, n: NodeRef, at: NodeRef) {
        self.unlink(n);
        self.insert_above(at, n);
    }

    pub fn forget_subquery_root(&mut self, root: NodeRef) {
        self.subquery_roots.retain(|&r| r != root);
    }

    pub fn register_subquery_root(&mut self, root: NodeRef) {
        self.subquery_roots.push(root);
    }

    /// Whether `n` is the root of a subquery pipeline.
    pub fn is_subquery_root(&self, n: NodeRef) -> bool {
        self.subquery_roots.contains(&n)
    }

    /// ArangoDB's pre-order walk from the root (§1.4): a node, then its
    /// dependencies; a SubqueryNode's own pipeline after its dependencies.
    pub fn preorder(&self) -> Vec<NodeRef> {
        self.preorder_nodes().to_vec()
    }

    /// [`Self::preorder`] without copying it.
    pub fn preorder_nodes(&self) -> &[NodeRef] {
        self.preorder.get_or_init(|| self.walk_preorder())
    }

    fn walk_preorder(&self) -> Vec<NodeRef> {
        let mut out = Vec::with_capacity(self.graph.node_count());
        let mut next = Some(self.root).filter(|&r| self.graph.contains_node(r));
        let mut pending_subqueries: Vec<NodeRef> = Vec::new();
        // Walk the main chain first; subquery pipelines are visited after
        // everything above their SubqueryNode, i.e. after the chain ends.
        while let Some(n) = next {
            out.push(n);
            if let NodeKind::Subquery { root, .. } = self.kind(n) {
                pending_subqueries.push(*root);
            }
            // Subqueries are entered innermost-last: the one met last
            // (highest up) is visited first.
            next = self.dependency(n).or_else(|| pending_subqueries.pop());
        }
        out
    }

    /// Pre-order nodes of the given kind.
    pub fn find(&self, pred: impl Fn(&NodeKind) -> bool) -> Vec<NodeRef> {
        self.preorder_nodes()
            .iter()
            .copied()
            .filter(|&n| pred(self.kind(n)))
            .collect()
    }

    /// The last node of the main pipeline, then of every (unspliced)
    /// subquery's, in pre-order.
    pub fn pipeline_bottoms(&self) -> Vec<NodeRef> {
        let mut bottoms = vec![self.root];
        bottoms.extend(
            self.preorder_nodes()
                .iter()
                .filter_map(|&n| match self.kind(n) {
                    NodeKind::Subquery { root, .. } => Some(*root),
                    _ => None,
                }),
        );
        bottoms
    }

    /// The main pipeline, top (Singleton) to bottom (root).
    pub fn pipeline(&self) -> Vec<NodeRef> {
        self.pipeline_ending_at(self.root)
    }

    /// `from`, then the nodes above it in its pipeline, bottom to top.
    pub fn upwards(&self, from: NodeRef) -> impl Iterator<Item = NodeRef> + '_ {
        std::iter::successors(Some(from), |&n| self.dependency(n))
    }

    /// A pipeline, top to bottom, ending at `bottom`.
    pub fn pipeline_ending_at(&self, bottom: NodeRef) -> Vec<NodeRef> {
        // One allocation: a pipeline holds at most every node.
        let mut out = Vec::with_capacity(self.graph.node_count());
        out.extend(self.upwards(bottom));
        out.reverse();
        out
    }

    /// Whether `n` belongs to a subquery pipeline (not the main query).
    pub fn in_subquery(&self, n: NodeRef) -> bool {
        let mut bottom = n;
        while let Some(p) = self.parent(bottom) {
            bottom = p;
        }
        bottom != self.root
    }

    /// ArangoDB's `isInInnerLoop`: whether a FOR loop lies above `n` in
    /// its own pipeline (a subquery's enclosing loops do not count).
    pub fn in_inner_loop(&self, n: NodeRef) -> bool {
        let mut cur = self.dependency(n);
        while let Some(c) = cur {
            if matches!(
                self.kind(c),
                NodeKind::EnumerateCollection(_)
                    | NodeKind::Index(_)
                    | NodeKind::EnumerateList { .. }
            ) {
                return true;
            }
            cur = self.dependency(c);
        }
        false
    }

    /// The node that defines `var`, searching the pipeline above `n` and,
    /// for subqueries, the enclosing pipelines.
    pub fn setter_above(&self, n: NodeRef, var: VarId) -> Option<NodeRef> {
        let mut cur = self.dependency(n);
        while let Some(c) = cur {
            if self.kind(c).sets_variable(var) {
                return Some(c);
            }
            cur = self.dependency(c);
        }
        None
    }

    /// The node anywhere in the plan that defines `var`.
    pub fn setter(&self, var: VarId) -> Option<NodeRef> {
        self.graph
            .node_indices()
            .find(|&n| self.kind(n).sets_variable(var))
    }

    /// [`Self::setter`] of every variable at once: for rules that look up
    /// setters per node (one scan instead of one per lookup).
    pub fn setters(&self) -> Setters {
        // Sized for every variable of the query (ids are counted up).
        let mut out = Setters::for_variables_of(self);
        for n in self.graph.node_indices() {
            self.kind(n).for_each_variable_set(&mut |v| {
                let i = v as usize;
                if out.0.len() <= i {
                    out.0.resize(i + 1, None);
                }
                // The first node in index order wins, as in `setter`.
                out.0[i].get_or_insert(n);
            });
        }
        out
    }

    /// Whether any node below `n` (towards the root, including subquery
    /// bodies that hang off later SubqueryNodes) reads `var`.
    pub fn is_used_after(&self, n: NodeRef, var: VarId) -> bool {
        let mut cur = self.parent(n);
        while let Some(c) = cur {
            if self.node_uses(c, var) {
                return true;
            }
            cur = self.parent(c);
        }
        // A subquery's body may read variables of the pipeline enclosing it.
        if self.in_subquery(n) {
            let mut bottom = n;
            while let Some(p) = self.parent(bottom) {
                bottom = p;
            }
            if let Some(sq) = self.subquery_node_of(bottom) {
                return self.is_used_after(sq, var);
            }
        }
        false
    }

    /// [`Self::is_used_after`] if a walk of at most `budget` nodes within
    /// `n`'s own pipeline (and the subquery bodies hanging off it) tells.
    pub fn is_used_after_within(&self, n: NodeRef, var: VarId, mut budget: usize) -> Option<bool> {
        let mut bottom = n;
        while let Some(c) = self.parent(bottom) {
            if self.node_uses_within(c, var, &mut budget)? {
                return Some(true);
            }
            bottom = c;
        }
        // Whether the enclosing pipelines read it is for the full walk.
        (bottom == self.root).then_some(false)
    }

    fn node_uses_within(&self, n: NodeRef, var: VarId, budget: &mut usize) -> Option<bool> {
        *budget = budget.checked_sub(1)?;
        if self.kind(n).uses_variable(var) {
            return Some(true);
        }
        if let NodeKind::Subquery { root, .. } = self.kind(n) {
            for s in self.upwards(*root) {
                if self.node_uses_within(s, var, budget)? {
                    return Some(true);
                }
            }
        }
        Some(false)
    }

    /// Whether node `n` reads `var`, counting a SubqueryNode's whole body.
    pub fn node_uses(&self, n: NodeRef, var: VarId) -> bool {
        if self.kind(n).uses_variable(var) {
            return true;
        }
        if let NodeKind::Subquery { root, .. } = self.kind(n) {
            return self.upwards(*root).any(|s| self.node_uses(s, var));
        }
        false
    }

    /// Whether SubqueryNode `n` (or a subquery nested in it) writes data.
    pub fn subquery_modifies(&self, n: NodeRef) -> bool {
        let mut pending = vec![n];
        while let Some(sq) = pending.pop() {
            let NodeKind::Subquery { root, .. } = self.kind(sq) else {
                continue;
            };
            for s in self.upwards(*root) {
                match self.kind(s) {
                    NodeKind::Modification(_) => return true,
                    NodeKind::Subquery { .. } => pending.push(s),
                    _ => {}
                }
            }
        }
        false
    }

    /// The SubqueryNode whose pipeline ends at `root`.
    pub fn subquery_node_of(&self, root: NodeRef) -> Option<NodeRef> {
        self.graph
            .node_indices()
            .find(|&n| matches!(self.kind(n), NodeKind::Subquery { root: r, .. } if *r == root))
    }

    /// All node handles in serialization order: every node after its
    /// dependencies, Singleton first, root last (subquery bodies are not
    /// included; they belong to their SubqueryNode).
    pub fn serialization_order(&self) -> Vec<NodeRef> {
        self.pipeline()
    }

    /// Replaces every use of `from` by `to` in the whole plan.
    pub fn replace_variable(&mut self, from: VarId, to: VarId) {
        for w in self.graph.node_weights_mut() {
            w.kind.replace_variable(from, to);
        }
    }

    /// Replaces every use of each key of `renames` by its value, in one
    /// pass over the plan. No value may itself be a key.
    pub fn replace_variables(&mut self, renames: &hash::FastMap<VarId, VarId>) {
        if renames.is_empty() {
            return;
        }
        let mut found = Vec::new();
        for w in self.graph.node_weights_mut() {
            w.kind.for_each_variable_used(&mut |from| {
                if renames.contains_key(&from) && !found.contains(&from) {
                    found.push(from);
                }
            });
            for from in found.drain(..) {
                w.kind.replace_variable(from, renames[&from]);
            }
        }
    }

    /// Records that `rule` changed the plan (consecutive repeats collapse).
    pub fn record_rule(&mut self, rule: &'static str) {
        if self.applied_rules.last() != Some(&rule) {
            self.applied_rules.push(rule);
        }
    }

    pub fn nodes(&self) -> impl Iterator<Item = NodeRef> + '_ {
        self.graph.node_indices()
    }

    /// The last node of the pipeline `n` belongs to.
    pub fn pipeline_bottom(&self, n: NodeRef) -> NodeRef {
        let mut bottom = n;
        while let Some(p) = self.parent(bottom) {
            bottom = p;
        }
        bottom
    }

    /// ArangoDB's notion of a deterministic node: no random scan, no
    /// non-deterministic expression, no writing subquery.
    pub fn is_deterministic(&self, n: NodeRef) -> bool {
        match self.kind(n) {
            NodeKind::Calculation { expr, .. } => expr.is_deterministic(),
            NodeKind::EnumerateCollection(scan) => !scan.random,
            NodeKind::Subquery { root, .. } => self.upwards(*root).all(|s| {
                self.is_deterministic(s) && !matches!(self.kind(s), NodeKind::Modification(_))
            }),
            _ => true,
        }
    }

    /// The variables a node needs from the pipeline above it; for a
    /// SubqueryNode, what its body reads but does not define itself.
    pub fn variables_needed(&self, n: NodeRef) -> Vec<VarId> {
        match self.kind(n) {
            NodeKind::Subquery { root, .. } => {
                let body = self.pipeline_ending_at(*root);
                let set: Vec<VarId> = body
                    .iter()
                    .flat_map(|&s| self.kind(s).variables_set())
                    .collect();
                let mut used = Vec::new();
                for &s in &body {
                    for v in self.variables_needed(s) {
                        if !set.contains(&v) && !used.contains(&v) {
                            used.push(v);
                        }
                    }
                }
                used
            }
            kind => kind.variables_used(),
        }
    }

    /// Every expression held by any node (subquery bodies included).
    pub fn expressions(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        for n in self.graph.node_indices() {
            match self.kind(n) {
                NodeKind::Calculation { expr, .. } => out.push(expr),
                NodeKind::EnumerateCollection(s) => out.extend(s.filter.as_ref()),
                NodeKind::Index(s) => out.extend(s.condition.iter().chain(s.filter.iter())),
                NodeKind::Join(infos) => {
                    out.extend(infos.iter().filter_map(|i| i.condition.as_ref()))
                }
                NodeKind::EnumerateList { filter, .. } => out.extend(filter.as_ref()),
                _ => {}
            }
        }
        out
    }
}
