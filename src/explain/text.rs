//! The explain text of `db._explain()` (explain-text-format.md), byte for
//! byte, in the layout of the requested ArangoDB version.

use super::expr::{DisplayName, ExprPrinter};
use crate::catalog::Catalog;
use crate::cluster::Site;
use crate::compat::Version;
use crate::functions::Function;
use crate::plan::estimate::Estimates;
use crate::plan::expr::{Expr, VarId};
use crate::plan::{
    CollectionScan, Gather, IndexCollect, IndexRef, IndexScan, JoinInfo, Materialize, Modification,
    NodeKind, NodeRef, Parallelism, Plan, SingleRemote, SingleRemoteMode, SortMode,
};
use crate::planner::Explanation;
use crate::value::{write_int, write_uint};
use std::collections::HashMap;
use std::fmt::Write;

/// Renders the whole explain output.
pub fn render(x: &Explanation) -> String {
    let mut out = String::with_capacity(2048);
    header(&mut out, &x.query, x.cacheable, x.compat);
    write_plan_sections(&mut out, x, &x.plan);
    out
}

/// Everything after the query header for one plan: the node table,
/// indexes, functions and rules.
pub fn plan_sections(x: &Explanation, plan: &Plan) -> String {
    let mut out = String::new();
    write_plan_sections(&mut out, x, plan);
    out
}

fn write_plan_sections(out: &mut String, x: &Explanation, plan: &Plan) {
    let r = write_table(out, x, plan);
    out.push('\n');
    indexes(out, &r.indexes, x.compat);
    if !r.functions.is_empty() {
        out.push('\n');
        functions(out, &r.functions, x.compat);
    }
    out.push('\n');
    rules(out, &plan.applied_rules, x.compat);
    out.push('\n');
}

/// Only the "Execution plan:" table of a plan (for the optimizer trace).
pub(crate) fn plan_table(x: &Explanation, plan: &Plan) -> String {
    let mut out = String::new();
    write_table(&mut out, x, plan);
    out
}

/// Writes the "Execution plan:" table; returns the renderer that collected
/// the indexes and functions its rows use.
fn write_table<'a>(out: &mut String, x: &Explanation<'a>, plan: &'a Plan) -> Renderer<'a> {
    let facts = super::PlanFacts::of(x, plan);
    let mut r = Renderer::new(x.catalog, x.compat, plan);
    let rows = r.rows(&facts.estimates, &facts.sites);
    r.table(out, &rows, x.is_cluster());
    r
}

fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

fn header(out: &mut String, query: &str, cacheable: bool, compat: Version) {
    let n = utf16_len(query);
    let truncated = if n > 4096 { " - truncated..." } else { "" };
    let word = if compat.header_says_results_cachable() {
        "results cachable"
    } else {
        "cacheable"
    };
    out.push_str("Query String (");
    write_uint(out, n as u64);
    out.push_str(" chars");
    out.push_str(truncated);
    out.push_str(", ");
    out.push_str(word);
    out.push_str(if cacheable {
        ": true):\n"
    } else {
        ": false):\n"
    });
    let is_terminator = |c: char| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}');
    if n <= 100 && !query.contains(is_terminator) {
        // One line of the word wrap, and nothing to cut.
        out.push(' ');
        out.push_str(query);
    } else {
        let text = if n > 4096 {
            truncate_middle(query)
        } else {
            query.to_string()
        };
        out.push_str(&super::expr::cut(wrap_query(&text)));
    }
    out.push_str("\n\n");
}

/// First 2048 and last 2048 UTF-16 units joined by ` ... `.
fn truncate_middle(query: &str) -> String {
    let units: Vec<u16> = query.encode_utf16().collect();
    let head = String::from_utf16_lossy(&units[..2048]);
    let tail = String::from_utf16_lossy(&units[units.len() - 2048..]);
    format!("{head} ... {tail}")
}

/// The explainer's word wrap at width 100 (a regular expression applied
/// with `match(/.{1,100}(\s|$)|\S+?(\s|$)/g)`), then every run of newlines
/// becomes a newline plus one space, and the text gets a leading space.
pub fn wrap_query(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let is_terminator = |c: char| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}');
    let is_space = |c: char| c.is_whitespace() || c == '\u{feff}';
    let mut chunks: Vec<String> = Vec::new();
    let mut p = 0;
    while p < chars.len() {
        // Longest run of ≤ 100 units without line terminators that is
        // followed by whitespace (taken along) or the end.
        let mut units = 0;
        let mut run_end = p;
        while run_end < chars.len()
            && !is_terminator(chars[run_end])
            && units + chars[run_end].len_utf16() <= 100
        {
            units += chars[run_end].len_utf16();
            run_end += 1;
        }
        let mut matched = None;
        let mut k = run_end;
        while k > p {
            if k == chars.len() {
                matched = Some(k);
                break;
            }
            if is_space(chars[k]) {
                matched = Some(k + 1);
                break;
            }
            k -= 1;
        }
        if matched.is_none() {
            // Shortest run of non-whitespace followed by whitespace or end.
            let mut k = p;
            while k < chars.len() && !is_space(chars[k]) {
                k += 1;
            }
            if k > p {
                matched = Some(if k < chars.len() { k + 1 } else { k });
            }
        }
        match matched {
            Some(end) => {
                chunks.push(chars[p..end].iter().collect());
                p = end;
            }
            None => p += 1,
        }
    }
    let joined = chunks.join("\n");
    let mut out = String::from(" ");
    let mut in_newlines = false;
    for c in joined.chars() {
        if c == '\n' {
            in_newlines = true;
            continue;
        }
        if in_newlines {
            out.push_str("\n ");
            in_newlines = false;
        }
        out.push(c);
    }
    if in_newlines {
        out.push_str("\n ");
    }
    out
}

/// One printed line of the plan table; its comment is written with the
/// line (rendering it registers the indexes and functions it uses).
struct Row {
    node: NodeRef,
    id: u32,
    kind: &'static str,
    site: &'static str,
    par: bool,
    est: u64,
    level: usize,
    marker: &'static str,
    /// For the extra lines of a JoinNode: the joined scan described.
    join: Option<usize>,
}

/// Decimal digits of `n`.
fn digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// Appends `max(w − len, 0)` spaces.
fn pad(out: &mut String, w: usize, len: usize) {
    spaces(out, w.saturating_sub(len));
}

fn spaces(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// An "Indexes used" row.
struct IndexRow {
    by: u32,
    name: String,
    kind: String,
    collection: String,
    unique: bool,
    sparse: Option<bool>,
    cache: bool,
    selectivity: Option<f64>,
    fields: Vec<String>,
    stored: Vec<String>,
    ranges: String,
}

struct Renderer<'a> {
    catalog: &'a Catalog,
    compat: Version,
    plan: &'a Plan,
    /// Variables produced by collection accesses printed so far.
    collection_vars: Vec<(VarId, &'a str)>,
    indexes: Vec<IndexRow>,
    functions: Vec<&'static Function>,
}

impl<'a> Renderer<'a> {
    fn new(catalog: &'a Catalog, compat: Version, plan: &'a Plan) -> Renderer<'a> {
        Renderer {
            catalog,
            compat,
            plan,
            collection_vars: Vec::new(),
            indexes: Vec::new(),
            functions: Vec::new(),
        }
    }

    /// Rows in printing order (§5): the main pipeline top to bottom, a
    /// (legacy) subquery's body right after its SubqueryNode.
    fn rows(&self, estimates: &Estimates, sites: &HashMap<NodeRef, Site>) -> Vec<Row> {
        let mut order = Vec::with_capacity(self.plan.node_count());
        print_order(self.plan, self.plan.root(), &mut order);
        let mut rows = Vec::with_capacity(order.len());
        let mut level = 0usize;
        let mut saved: Vec<usize> = Vec::new();
        for n in order {
            let kind = self.plan.kind(n);
            match kind {
                NodeKind::Subquery { .. } | NodeKind::SubqueryStart { .. } => saved.push(level),
                NodeKind::SubqueryEnd { input, .. } if !saved.is_empty() => {
                    if self.compat.subquery_end_prints_at_start_level() {
                        level = *saved.last().unwrap_or(&level);
                    } else if input.is_none() {
                        level = level.saturating_sub(1);
                    }
                }
                _ => {}
            }
            let node = self.plan.node(n);
            let site = sites.get(&n).map_or("", |s| s.label());
            rows.push(Row {
                node: n,
                id: node.id,
                kind: kind.type_name(),
                site,
                par: node.async_prefetch,
                est: estimates.of(n).items,
                level,
                marker: if matches!(kind, NodeKind::Singleton) {
                    "* "
                } else {
                    "- "
                },
                join: None,
            });
            if let NodeKind::Join(infos) = kind {
                // One more line per joined scan, one level deeper.
                for (i, info) in infos.iter().enumerate() {
                    let est = crate::optimizer::index_selection::join_info_estimate(
                        self.catalog,
                        info,
                        self.compat,
                    );
                    rows.push(Row {
                        node: n,
                        id: node.id,
                        kind: kind.type_name(),
                        site,
                        par: false,
                        est: est.items,
                        level: level + 1,
                        marker: "- ",
                        join: Some(i),
                    });
                }
            }
            if matches!(kind, NodeKind::SubqueryEnd { .. }) {
                if let Some(l) = saved.pop() {
                    level = l;
                }
            }
            let has_parent = self.plan.parent(n).is_some();
            match kind {
                NodeKind::EnumerateCollection(_)
                | NodeKind::EnumerateList { .. }
                | NodeKind::Index(_)
                | NodeKind::SubqueryStart { .. }
                | NodeKind::Subquery { .. } => level += 1,
                _ if !has_parent && !saved.is_empty() => level = saved.pop().unwrap_or(0),
                NodeKind::Singleton => level += 1,
                _ => {}
            }
        }
        rows
    }

    /// The "Execution plan:" table.
    fn table(&mut self, out: &mut String, rows: &[Row], cluster: bool) {
        let w_id = rows
            .iter()
            .map(|r| digits(r.id.into()))
            .max()
            .unwrap_or(0)
            .max(2);
        let w_type = rows.iter().map(|r| r.kind.len()).max().unwrap_or(0);
        let w_est = rows.iter().map(|r| digits(r.est)).max().unwrap_or(0).max(4);
        let par = self.compat.plan_has_par_column();
        out.push_str("Execution plan:\n ");
        pad(out, w_id, 2);
        out.push_str("Id   NodeType");
        pad(out, w_type, 8);
        out.push_str("   ");
        if cluster {
            out.push_str("Site  ");
        }
        if par {
            out.push_str("Par   ");
        }
        pad(out, w_est, 4);
        out.push_str("Est.   Comment\n");
        for r in rows {
            out.push(' ');
            pad(out, w_id, digits(r.id.into()));
            write_int(out, r.id.into());
            out.push_str("   ");
            out.push_str(r.kind);
            pad(out, w_type, r.kind.len());
            out.push_str("   ");
            if cluster {
                out.push_str(r.site);
                pad(out, 4, r.site.len());
                out.push_str("  ");
            }
            if par {
                out.push_str(if r.par { "  ✓   " } else { "      " });
            }
            pad(out, w_est, digits(r.est));
            write_uint(out, r.est);
            out.push_str("   ");
            spaces(out, 2 * r.level);
            out.push_str(r.marker);
            let plan = self.plan;
            match (r.join, plan.kind(r.node)) {
                (Some(i), NodeKind::Join(infos)) => {
                    if let Some(info) = infos.get(i) {
                        self.join_info(out, r.id, info);
                    }
                }
                _ => self.comment(out, r.node),
            }
            out.push('\n');
        }
    }

    /// Writes `e` in the explainer's notation; returns the collection
    /// variables it read.
    fn expr(&self, out: &mut String, e: &Expr) -> Vec<(VarId, &'a str)> {
        let mut p = ExprPrinter::new(&self.plan.vars, self.compat, &self.collection_vars);
        p.write_into(out, e);
        p.met
    }

    /// `e` in the explainer's notation, as a string of its own.
    fn expr_text(&self, e: &Expr) -> String {
        let mut s = String::new();
        self.expr(&mut s, e);
        s
    }

    fn name(&self, v: VarId) -> DisplayName<'a> {
        DisplayName(self.plan.vars.get(v))
    }

    /// The Comment column of node `n`.
    fn comment(&mut self, s: &mut String, n: NodeRef) {
        let plan = self.plan;
        match plan.kind(n) {
            NodeKind::Singleton => s.push_str(if self.compat.singleton_lists_bind_variables() {
                "ROOT "
            } else {
                "ROOT"
            }),
            NodeKind::EnumerateCollection(scan) => self.collection_scan(s, n, scan),
            NodeKind::Index(scan) => self.index_scan(s, n, scan),
            NodeKind::IndexCollect(c) => self.index_collect(s, n, c),
            NodeKind::Materialize(m) => self.materialize(s, m),
            NodeKind::Join(_) => s.push_str("JOIN"),
            NodeKind::EnumerateList {
                input,
                out,
                filter,
                value,
            } => {
                match value {
                    Some(v) => {
                        let _ = write!(
                            s,
                            "FOR [{}, {}] OF {}   /* object iteration */",
                            self.name(*out),
                            self.name(*v),
                            self.name(*input)
                        );
                    }
                    None => {
                        let _ = write!(
                            s,
                            "FOR {} IN {}   /* list iteration */",
                            self.name(*out),
                            self.name(*input)
                        );
                    }
                }
                if let Some(f) = filter {
                    self.early_pruning(s, f);
                }
            }
            NodeKind::Calculation { out, expr } => self.calculation(s, *out, expr),
            NodeKind::Filter { input } => {
                s.push_str("FILTER ");
                self.name(*input).push_to(s);
            }
            NodeKind::Return { input } => {
                s.push_str("RETURN ");
                self.name(*input).push_to(s);
            }
            NodeKind::Limit {
                offset,
                limit,
                full_count,
            } => {
                s.push_str("LIMIT ");
                write_uint(s, *offset);
                s.push_str(", ");
                write_uint(s, *limit);
                if *full_count {
                    s.push_str("  /* fullCount */");
                }
            }
            NodeKind::Sort {
                elements,
                limit,
                grouped,
            } => {
                let grouped = (*grouped).min(elements.len());
                s.push_str("SORT ");
                for (i, e) in elements[grouped..].iter().enumerate() {
                    s.push_str(sep(i));
                    self.name(e.var).push_to(s);
                    s.push_str(if e.ascending { " ASC" } else { " DESC" });
                }
                let strategy = if grouped > 0 {
                    "grouped"
                } else if *limit > 0 {
                    "constrained heap"
                } else {
                    "standard"
                };
                if grouped > 0 {
                    s.push_str("; GROUPED BY ");
                    for (i, e) in elements[..grouped].iter().enumerate() {
                        let _ = write!(s, "{}{}", sep(i), self.name(e.var));
                    }
                }
                let _ = write!(s, "   /* sorting strategy: {strategy} */");
            }
            NodeKind::Collect(c) => {
                s.push_str("COLLECT");
                for (i, (o, input)) in c.groups.iter().enumerate() {
                    let lead = if i == 0 { " " } else { ", " };
                    let _ = write!(s, "{lead}{} = {}", self.name(*o), self.name(*input));
                }
                for (i, a) in c.aggregates.iter().enumerate() {
                    let lead = if i == 0 { " AGGREGATE " } else { ", " };
                    let _ = write!(s, "{lead}{} = {}(", self.name(a.out), a.function);
                    if let Some(input) = a.input {
                        let _ = write!(s, "{}", self.name(input));
                    }
                    s.push(')');
                }
                if let Some(into) = c.into {
                    let _ = write!(s, " INTO {}", self.name(into));
                    if let Some(e) = c.into_expression {
                        let _ = write!(s, " = {}", self.name(e));
                    }
                }
                if let Some(keep) = &c.keep {
                    s.push_str(" KEEP ");
                    for (i, v) in keep.iter().enumerate() {
                        let _ = write!(s, "{}{}", sep(i), self.name(*v));
                    }
                }
                let _ = write!(s, "   /* {} */", c.method.name());
            }
            NodeKind::Subquery { out, .. } => {
                let constant = plan.is_deterministic(n) && plan.variables_needed(n).is_empty();
                let _ = write!(
                    s,
                    "LET {} = ...   /* {}subquery */",
                    self.name(*out),
                    if constant { "const " } else { "" }
                );
            }
            NodeKind::SubqueryStart { out } => {
                let _ = write!(s, "LET {} = ( /* subquery begin */", self.name(*out));
            }
            NodeKind::SubqueryEnd { input, .. } => match input {
                Some(v) if !self.compat.subquery_end_prints_at_start_level() => {
                    let _ = write!(s, "RETURN  {} ) /* subquery end */", self.name(*v));
                }
                _ => s.push_str(") /* subquery end */"),
            },
            NodeKind::Modification(m) => self.modification(s, n, m),
            NodeKind::NoResults => s.push_str("EMPTY   /* empty result set */"),
            NodeKind::Remote => s.push_str("REMOTE"),
            NodeKind::Scatter => s.push_str("SCATTER"),
            NodeKind::Distribute {
                input, create_keys, ..
            } => {
                if self.compat.distribute_prints_variable() {
                    let _ = write!(s, "DISTRIBUTE {}", self.name(*input));
                } else {
                    let _ = write!(
                        s,
                        "DISTRIBUTE  /* create keys: {create_keys}, variable: {} */",
                        self.name(*input)
                    );
                }
            }
            NodeKind::SingleRemote(r) => self.single_remote(s, n, r),
            NodeKind::MultipleRemoteModification {
                collection, input, ..
            } => {
                self.collection_vars.push((*input, collection));
                // The explainer prints a fixed loop variable `d`.
                let _ = write!(s, "FOR d IN {} INSERT d IN {collection}", self.name(*input));
            }
            NodeKind::Gather(g) => self.gather(s, g),
        }
    }

    fn gather(&self, s: &mut String, g: &Gather) {
        let start = s.len();
        s.push_str("GATHER ");
        for (i, e) in g.elements.iter().enumerate() {
            s.push_str(sep(i));
            self.name(e.var).push_to(s);
            for (j, p) in e.path.iter().enumerate() {
                let _ = write!(s, "{}.`{p}`", if j > 0 { "," } else { "" });
            }
            s.push_str(if e.ascending { " ASC" } else { " DESC" });
        }
        let sort_mode = match g.sort_mode {
            SortMode::Heap => "heap",
            SortMode::MinElement | SortMode::Unset => "minelement",
        };
        let parallel = g.parallelism == Parallelism::Parallel;
        match (parallel, g.elements.is_empty()) {
            (true, false) => {
                let _ = write!(s, "  /* parallel, sort mode: {sort_mode} */");
            }
            (false, false) => {
                let _ = write!(s, "  /* sort mode: {sort_mode} */");
            }
            (true, true) if self.compat.gather_says_unsorted() => {
                s.push_str("  /* parallel, unsorted */")
            }
            (true, true) => s.push_str("  /* parallel */"),
            (false, true) if self.compat.gather_says_unsorted() => s.push_str("  /* unsorted */"),
            (false, true) => {}
        }
        // The documented pre-3.9 plans print a note-less gather
        // without the trailing space the explainer emitted.
        let kept = s[start..].trim_end().len();
        s.truncate(start + kept);
    }

    /// `   FILTER …   /* early pruning */` after a loop.
    fn early_pruning(&self, s: &mut String, filter: &Expr) {
        s.push_str("   FILTER ");
        self.expr(s, filter);
        s.push_str("   /* early pruning */");
    }

    /// `, satellite` for a loop over a SatelliteCollection (the node's
    /// `satellite` attribute is the collection's property, whether or not
    /// `remove-satellite-joins` joined it to a sharded loop).
    fn satellite_note(&self, n: NodeRef) -> &'static str {
        let satellite = self
            .plan
            .kind(n)
            .collection()
            .and_then(|c| self.catalog.collection(c))
            .is_some_and(|c| c.is_satellite());
        if satellite {
            ", satellite"
        } else {
            ""
        }
    }

    fn restriction(&self, s: &mut String, collection: &str, restricted_to: &Option<String>) {
        match restricted_to {
            Some(shard) => {
                let _ = write!(s, ", shard: {shard}");
            }
            None if self.catalog.is_cluster() => {
                let shards = self
                    .catalog
                    .collection(collection)
                    .map_or(1, |c| c.number_of_shards);
                s.push_str(", ");
                write_int(s, shards.into());
                s.push_str(" shard(s)");
            }
            None => {}
        }
    }

    /// `` `a`, `b`.`c` ``.
    fn projections(&self, s: &mut String, list: &[Vec<String>]) {
        for (i, p) in list.iter().enumerate() {
            s.push_str(sep(i));
            attribute_path(s, p.iter().map(String::as_str));
        }
    }

    /// `   LET #4 = doc.`a`, #5 = doc.`b`` for projections with own variables.
    fn projection_lets(
        &self,
        s: &mut String,
        out: VarId,
        projections: &[Vec<String>],
        vars: &[VarId],
    ) {
        if vars.is_empty() {
            return;
        }
        let doc = self.name(out);
        s.push_str("   LET ");
        for (i, (p, v)) in projections.iter().zip(vars).enumerate() {
            let _ = write!(s, "{}{} = {doc}.", sep(i), self.name(*v));
            attribute_path(s, p.iter().map(String::as_str));
        }
    }

    /// ` (projections: `a`, `b`)` (3.10+) or `, projections: `a`, `b``.
    fn projections_note(&self, s: &mut String, list: &[Vec<String>]) {
        if list.is_empty() {
            return;
        }
        if self.compat.projections_in_parentheses() {
            s.push_str(" (projections: ");
            self.projections(s, list);
            s.push(')');
        } else {
            s.push_str(", projections: ");
            self.projections(s, list);
        }
    }

    fn collection_scan(&mut self, s: &mut String, n: NodeRef, scan: &'a CollectionScan) {
        self.collection_vars.push((scan.out, &scan.collection));
        s.push_str("FOR ");
        self.name(scan.out).push_to(s);
        s.push_str(" IN ");
        s.push_str(&scan.collection);
        s.push_str("   /* full collection scan");
        if scan.random {
            s.push_str(", random order");
        }
        self.projections_note(s, &scan.projections);
        s.push_str(self.satellite_note(n));
        if !scan.produces_result {
            s.push_str(", scan only");
        }
        self.restriction(s, &scan.collection, &scan.restricted_to);
        s.push_str(if self.compat.scan_comment_has_space_before_close() {
            "  */"
        } else {
            " */"
        });
        self.projection_lets(s, scan.out, &scan.projections, &scan.projection_vars);
        if let Some(f) = &scan.filter {
            self.early_pruning(s, f);
        }
    }

    fn index_scan(&mut self, s: &mut String, n: NodeRef, scan: &'a IndexScan) {
        self.collection_vars.push((scan.out, &scan.collection));
        let collection = self.catalog.collection(&scan.collection);
        let mut types: Vec<String> = Vec::new();
        for (i, index) in scan.indexes.iter().enumerate() {
            let kind = match index {
                IndexRef::Primary => "primary",
                IndexRef::Edge => "edge",
                IndexRef::Secondary(k) => collection
                    .and_then(|c| c.indexes.get(*k))
                    .map_or("persistent", |ix| ix.kind.as_str()),
            };
            let mut t = format!(
                "{}{kind} index scan",
                if scan.ascending { "" } else { "reverse " }
            );
            if !scan.produces_result {
                t.push_str(", scan only");
            } else if scan.covers_projections
                || (scan.late_doc_id.is_some()
                    && self.compat.late_materialized_scan_is_index_only())
            {
                t.push_str(", index only");
            } else {
                t.push_str(self.compat.document_lookup_note());
            }
            if types.last() != Some(&t) {
                types.push(t);
            }
            let ranges = self.index_ranges(scan, i);
            self.add_index_row(self.plan.id(n), &scan.collection, *index, ranges);
        }
        let _ = write!(
            s,
            "FOR {} IN {}   /* {}",
            self.name(scan.out),
            scan.collection,
            types.join(", ")
        );
        if self.compat.index_scans_have_filter_projections() {
            let fp = crate::optimizer::index_selection::filter_projections(self.catalog, scan);
            if !fp.is_empty() {
                s.push_str(" (filter projections: ");
                self.projections(s, &fp);
                s.push(')');
            }
        }
        self.projections_note(s, &scan.projections);
        s.push_str(self.satellite_note(n));
        self.restriction(s, &scan.collection, &scan.restricted_to);
        s.push_str(" */");
        if self.compat.index_comment_has_trailer() {
            s.push(' ');
            self.projection_lets(s, scan.out, &scan.projections, &scan.projection_vars);
            if let Some(f) = &scan.filter {
                self.early_pruning(s, f);
            }
            if scan.limit > 0 {
                let _ = write!(s, "   LIMIT {} /* early reducing results */", scan.limit);
            }
            s.push_str("   ");
            if scan.late_doc_id.is_some() {
                s.push_str("/* with late materialization */");
            }
        } else if let Some(f) = &scan.filter {
            self.early_pruning(s, f);
        }
    }

    /// `FOR o IN orders   LET #8 = o.`total`   /* index scan (projections: `total`) */`;
    /// registers the scan's variable and index.
    fn join_info(&mut self, s: &mut String, by: u32, info: &'a JoinInfo) {
        self.collection_vars.push((info.out, &info.collection));
        let ranges = match &info.condition {
            Some(Expr::Nary(crate::plan::expr::Logic::Or, branches)) => branches
                .first()
                .map_or_else(|| "*".to_string(), |b| self.expr_text(b)),
            Some(other) => self.expr_text(other),
            None => "*".to_string(),
        };
        self.add_index_row(by, &info.collection, info.index, ranges);
        let access = if info.covers_projections {
            "index scan"
        } else if info.produces_output {
            "index scan + document lookup"
        } else {
            "index scan only"
        };
        let late = if info.late_doc_id.is_some() {
            " with late materialization"
        } else {
            ""
        };
        let _ = write!(s, "FOR {} IN {}", self.name(info.out), info.collection);
        self.projection_lets(s, info.out, &info.projections, &info.projection_vars);
        let _ = write!(s, "   /* {access}{late}");
        self.projections_note(s, &info.projections);
        s.push_str(" */");
    }

    /// `MATERIALIZE doc INTO #4 /* (projections: `a`) */   LET #5 = #4.`a``.
    fn materialize(&mut self, s: &mut String, m: &Materialize) {
        if m.out == m.old {
            let _ = write!(s, "MATERIALIZE {}", self.name(m.old));
        } else {
            let _ = write!(
                s,
                "MATERIALIZE {} INTO {}",
                self.name(m.old),
                self.name(m.out)
            );
        }
        if !m.projections.is_empty() {
            s.push_str(" /*");
            self.projections_note(s, &m.projections);
            s.push_str(" */");
        }
        // The materialized variable is not a collection variable for the
        // explainer (no `collections used` notes for it).
        self.projection_lets(s, m.out, &m.projections, &m.projection_vars);
    }

    /// Adds an "Indexes used" row for `index` of `collection`, used by node `by`.
    fn add_index_row(&mut self, by: u32, collection: &str, index: IndexRef, ranges: String) {
        let coll = self.catalog.collection(collection);
        let (name, kind, unique, sparse, cache, selectivity, fields, stored) = match index {
            IndexRef::Primary => (
                "primary".to_string(),
                "primary".to_string(),
                true,
                Some(false),
                false,
                Some(1.0),
                vec!["_key".to_string()],
                vec![],
            ),
            IndexRef::Edge => (
                "edge".to_string(),
                "edge".to_string(),
                false,
                Some(false),
                false,
                None,
                vec!["_from".to_string(), "_to".to_string()],
                vec![],
            ),
            IndexRef::Secondary(k) => match coll.and_then(|c| c.indexes.get(k)) {
                Some(ix) => (
                    ix.name.clone(),
                    ix.kind.clone(),
                    ix.unique,
                    ix.sparse,
                    ix.cache_enabled,
                    ix.selectivity,
                    ix.fields.clone(),
                    ix.stored_values.clone(),
                ),
                None => return,
            },
        };
        self.indexes.push(IndexRow {
            by,
            name,
            kind,
            collection: collection.to_string(),
            unique,
            sparse,
            cache,
            selectivity,
            fields,
            stored,
            ranges,
        });
    }

    /// `FOR doc IN coll COLLECT a = doc.`a` … /* distinct value index scan */`.
    fn index_collect(&mut self, s: &mut String, n: NodeRef, c: &IndexCollect) {
        let fields: Vec<String> = self
            .catalog
            .collection(&c.collection)
            .and_then(|coll| crate::optimizer::index_selection::index_view(coll, c.index))
            .map(|v| v.fields.iter().map(|f| f.to_string()).collect())
            .unwrap_or_default();
        let doc = self.name(c.old_var);
        let _ = write!(s, "FOR {doc} IN {} COLLECT ", c.collection);
        for (i, (out, field)) in c.groups.iter().enumerate() {
            let _ = write!(s, "{}{} = {doc}.", sep(i), self.name(*out));
            if let Some(f) = fields.get(*field) {
                attribute_path(s, f.split('.'));
            }
        }
        if c.aggregates.is_empty() {
            s.push_str(" /* distinct value index scan */");
        } else {
            s.push_str(" AGGREGATE ");
            for (i, a) in c.aggregates.iter().enumerate() {
                let _ = write!(s, "{}{} = {}(", sep(i), self.name(a.out), a.function);
                self.expr(s, &a.expr);
                s.push(')');
            }
            s.push_str(" /* full index scan */");
        }
        self.add_index_row(self.plan.id(n), &c.collection, c.index, "*".into());
    }

    fn index_ranges(&mut self, scan: &IndexScan, i: usize) -> String {
        let Some(condition) = &scan.condition else {
            return "*".into();
        };
        let branch = if scan.all_covered_by_one_index {
            Some(condition)
        } else {
            match condition {
                Expr::Nary(crate::plan::expr::Logic::Or, branches) => branches.get(i),
                other => Some(other),
            }
        };
        match branch {
            Some(b) => {
                let text = self.expr_text(b);
                if text.is_empty() {
                    "*".into()
                } else {
                    text
                }
            }
            None => "*".into(),
        }
    }

    fn calculation(&mut self, s: &mut String, out: VarId, expr: &Expr) {
        for call in expr.calls() {
            if let Expr::Call { function, .. } = call {
                if !self.functions.iter().any(|f| f.name == function.name) {
                    self.functions.push(function);
                }
            }
        }
        s.push_str("LET ");
        self.name(out).push_to(s);
        s.push_str(" = ");
        let met = self.expr(s, expr);
        s.push_str("   /* ");
        s.push_str(super::expression_type(expr, self.compat));
        s.push_str(" expression */");
        if !met.is_empty() {
            s.push_str("   /* collections used: ");
            collections_used(s, &self.plan.vars, &met);
            s.push_str(" */");
        }
        if expr.is_constant() {
            s.push_str("   /* const assignment */");
        }
    }

    /// A SingleRemoteOperationNode: the Coordinator reads or writes one
    /// document; the text mimics the AQL it replaced.
    fn single_remote(&mut self, s: &mut String, n: NodeRef, r: &'a SingleRemote) {
        use crate::plan::ModificationKind as K;
        let coll = &r.collection;
        self.single_remote_index_row(n, r);
        let key_json = r
            .key
            .as_ref()
            .map(|k| serde_json::Value::String(k.clone()).to_string());
        let kind = match r.mode {
            SingleRemoteMode::Index => {
                if let Some(out) = r.out {
                    self.collection_vars.push((out, coll));
                }
                s.push_str("FOR ");
                if let Some(v) = r.out {
                    let _ = write!(s, "{}", self.name(v));
                }
                let _ = write!(
                    s,
                    " IN {coll} FILTER _key == {} /* primary index scan */",
                    key_json.unwrap_or_default()
                );
                return;
            }
            SingleRemoteMode::Modify(kind) => kind,
        };
        if let Some(input) = r.input {
            self.collection_vars.push((input, coll));
        }
        let input = r.input.map(|v| self.name(v));
        if kind == K::Insert {
            s.push_str("INSERT ");
            if let Some(v) = input {
                let _ = write!(s, "{v}");
            }
            let _ = write!(s, " IN {coll}");
            return;
        }
        if r.replace_index_node {
            let _ = write!(
                s,
                "FOR doc IN {coll} FILTER doc._key == {} ",
                key_json.as_deref().unwrap_or_default()
            );
        }
        let word = match kind {
            K::Update => "UPDATE",
            K::Replace => "REPLACE",
            _ => "REMOVE",
        };
        let _ = write!(s, "{word} ");
        match (r.replace_index_node, &key_json, input) {
            (true, _, _) => s.push_str("doc "),
            (false, Some(k), _) => {
                let _ = write!(s, "{{ _key: {k} }} ");
            }
            (false, None, Some(v)) => {
                let _ = write!(s, "{v} ");
            }
            (false, None, None) => s.push_str("<UNSUPPORTED>"),
        }
        if let (Some(v), K::Update | K::Replace) = (input, kind) {
            let _ = write!(s, "WITH {v} ");
        }
        let _ = write!(s, "IN {coll}");
    }

    /// The primary-index row of a SingleRemoteOperationNode: the JSON key
    /// (the explainer's UPDATE mode leaves a space after it), else the
    /// input variable.
    fn single_remote_index_row(&mut self, n: NodeRef, r: &SingleRemote) {
        use crate::plan::ModificationKind as K;
        let key = r
            .key
            .as_ref()
            .map(|k| serde_json::Value::String(k.clone()).to_string());
        let input = r.input.map(|v| self.name(v).to_string());
        let ranges = match (r.mode, key, input) {
            (SingleRemoteMode::Index, k, _) => k.unwrap_or_default(),
            (SingleRemoteMode::Modify(K::Insert), _, i) => i.unwrap_or_default(),
            (SingleRemoteMode::Modify(K::Update), Some(k), _) => format!("{k} "),
            (_, Some(k), _) => k,
            (_, None, Some(i)) => i,
            (_, None, None) => "<UNSUPPORTED>".into(),
        };
        let by = self.plan.id(n);
        self.add_index_row(by, &r.collection, IndexRef::Primary, ranges);
    }

    fn modification(&mut self, s: &mut String, n: NodeRef, m: &Modification) {
        use crate::plan::ModificationKind as K;
        let input = self.name(m.input);
        let coll = &m.collection;
        match m.kind {
            K::Insert => {
                let _ = write!(s, "INSERT {input} IN {coll} ");
            }
            K::Update | K::Replace => {
                let word = if m.kind == K::Update {
                    "UPDATE"
                } else {
                    "REPLACE"
                };
                match m.key {
                    Some(k) => {
                        let _ = write!(s, "{word} {} WITH {input} IN {coll} ", self.name(k));
                    }
                    None => {
                        let _ = write!(s, "{word} {input} IN {coll} ");
                    }
                }
            }
            K::Remove => {
                let _ = write!(s, "REMOVE {input} IN {coll} ");
            }
            K::Upsert => {
                let _ = write!(s, "UPSERT {input} INSERT ");
                if let Some(v) = m.insert {
                    let _ = write!(s, "{}", self.name(v));
                }
                let _ = write!(s, " {} ", if m.replace { "REPLACE" } else { "UPDATE" });
                if let Some(v) = m.update {
                    let _ = write!(s, "{}", self.name(v));
                }
                let _ = write!(s, " IN {coll}");
            }
        }
        if m.kind != K::Upsert {
            if let Some(shard) = &m.restricted_to {
                let _ = write!(s, "/* , shard: {shard} */");
            }
        }
        // Every modification but INSERT carries the primary index, which
        // the explainer lists with the key (or document) variable.
        // INFERRED for versions before the 3.12 explainer read here.
        if m.kind != K::Insert {
            let by = self.plan.id(n);
            let key = match m.kind {
                K::Update | K::Replace => m.key.unwrap_or(m.input),
                _ => m.input,
            };
            let ranges = self.name(key).to_string();
            self.add_index_row(by, &m.collection, IndexRef::Primary, ranges);
        }
    }
}

/// `", "` before every list element but the first.
fn sep(i: usize) -> &'static str {
    if i == 0 {
        ""
    } else {
        ", "
    }
}

/// `` `a`.`b` ``.
fn attribute_path<'s>(s: &mut String, parts: impl Iterator<Item = &'s str>) {
    for (i, p) in parts.enumerate() {
        if i > 0 {
            s.push('.');
        }
        let _ = write!(s, "`{p}`");
    }
}

/// The "collections used" list: `name : collection`, integer-like names
/// first in ascending order (the explainer keeps them in a JS object).
fn collections_used(s: &mut String, vars: &crate::plan::Variables, met: &[(VarId, &str)]) {
    let is_index = |k: &str| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit());
    let entries: Vec<(&str, &str)> = met
        .iter()
        .map(|(v, c)| (vars.get(*v).name.as_str(), *c))
        .collect();
    let mut numeric: Vec<(&str, &str)> = entries
        .iter()
        .copied()
        .filter(|(k, _)| is_index(k))
        .collect();
    numeric.sort_by_key(|(k, _)| k.parse::<u64>().unwrap_or(0));
    let named = entries.iter().filter(|(k, _)| !is_index(k));
    for (i, (k, c)) in numeric.iter().chain(named).enumerate() {
        let _ = write!(s, "{}{k} : {c}", sep(i));
    }
}

/// Each node's Comment column, in printing order (shared with the
/// Graphviz renderer, so a picture says what the table says).
pub(crate) fn comments(x: &Explanation, plan: &Plan) -> Vec<(NodeRef, String)> {
    let mut r = Renderer::new(x.catalog, x.compat, plan);
    let mut order = Vec::new();
    print_order(plan, plan.root(), &mut order);
    order
        .into_iter()
        .map(|n| {
            let mut s = String::new();
            r.comment(&mut s, n);
            (n, s)
        })
        .collect()
}

/// Printing order: depth first from the Singleton; a legacy subquery's
/// body directly after its SubqueryNode.
fn print_order(plan: &Plan, bottom: NodeRef, out: &mut Vec<NodeRef>) {
    for n in plan.pipeline_ending_at(bottom) {
        out.push(n);
        if let NodeKind::Subquery { root, .. } = plan.kind(n) {
            print_order(plan, *root, out);
        }
    }
}

fn indexes(out: &mut String, rows: &[IndexRow], compat: Version) {
    out.push_str("Indexes used:\n");
    if rows.is_empty() {
        out.push_str(" none\n");
        return;
    }
    let text_of = |r: &IndexRow| -> [String; 4] {
        let list = |v: &[String]| {
            if v.is_empty() {
                "[  ]".to_string()
            } else {
                let mut s = String::from("[ ");
                for (i, f) in v.iter().enumerate() {
                    let _ = write!(s, "{}`{f}`", sep(i));
                }
                s.push_str(" ]");
                s
            }
        };
        let selectivity = match r.selectivity {
            Some(s) => format!("{:.2} %", s * 100.0),
            None if r.unique => "100.00 %".into(),
            None => "n/a".into(),
        };
        [
            list(&r.fields),
            list(&r.stored),
            selectivity,
            r.by.to_string(),
        ]
    };
    let cells: Vec<[String; 4]> = rows.iter().map(text_of).collect();
    let widest = |len: &dyn Fn(usize) -> usize, at_least: usize| {
        (0..rows.len()).map(len).max().unwrap_or(0).max(at_least)
    };
    let w_by = widest(&|i| cells[i][3].len(), 2);
    let w_name = widest(&|i| utf16_len(&rows[i].name), 4);
    let w_type = widest(&|i| rows[i].kind.len(), 4);
    let w_coll = widest(&|i| utf16_len(&rows[i].collection), 10);
    let w_fields = widest(&|i| utf16_len(&cells[i][0]), 6);
    let w_stored = widest(&|i| utf16_len(&cells[i][1]), 13);
    let name_col = compat.indexes_have_name_column();
    let cache_col = compat.indexes_have_cache_column();
    let stored_col = compat.indexes_have_stored_values_column();
    out.push(' ');
    right(out, w_by, "By");
    out.push_str("   ");
    if name_col {
        left(out, "Name", w_name);
    }
    left(out, "Type", w_type);
    left(out, "Collection", w_coll);
    out.push_str("Unique   Sparse   ");
    if cache_col {
        out.push_str("Cache   ");
    }
    out.push_str("Selectivity   ");
    left(out, "Fields", w_fields);
    if stored_col {
        left(out, "Stored values", w_stored);
    }
    out.push_str("Ranges\n");
    for (r, c) in rows.iter().zip(&cells) {
        out.push(' ');
        right(out, w_by, &c[3]);
        out.push_str("   ");
        if name_col {
            left(out, &r.name, w_name);
        }
        left(out, &r.kind, w_type);
        left(out, &r.collection, w_coll);
        left(out, if r.unique { "true" } else { "false" }, 6);
        let sparse = r.sparse.map_or("n/a", |s| if s { "true" } else { "false" });
        left(out, sparse, 6);
        if cache_col {
            left(out, if r.cache { "true" } else { "false" }, 5);
        }
        right(out, 11, &c[2]);
        out.push_str("   ");
        left(out, &c[0], w_fields);
        if stored_col {
            left(out, &c[1], w_stored);
        }
        out.push_str(&r.ranges);
        out.push('\n');
    }
}

/// `s` padded to width `w`, then the three-space column gap.
fn left(out: &mut String, s: &str, w: usize) {
    out.push_str(s);
    pad(out, w, utf16_len(s));
    out.push_str("   ");
}

/// `s` right-aligned in width `w`.
fn right(out: &mut String, w: usize, s: &str) {
    pad(out, w, utf16_len(s));
    out.push_str(s);
}

fn functions(out: &mut String, list: &[&Function], compat: Version) {
    let w = list.iter().map(|f| f.name.len()).max().unwrap_or(0).max(4);
    let cacheable_col = compat.functions_have_cacheable_column();
    let word = |b: bool| if b { "true" } else { "false" };
    out.push_str("Functions used:\n ");
    left(out, "Name", w);
    out.push_str("Deterministic   ");
    if cacheable_col {
        out.push_str("Cacheable   ");
    }
    out.push_str("Uses V8\n");
    for f in list {
        out.push(' ');
        left(out, f.name, w);
        left(out, word(f.is_deterministic()), 13);
        if cacheable_col {
            left(out, word(f.is_cacheable()), 9);
        }
        let v = word(f.uses_v8());
        out.push_str(v);
        pad(out, 7, v.len());
        out.push('\n');
    }
}

fn rules(out: &mut String, list: &[&'static str], compat: Version) {
    out.push_str("Optimization rules applied:\n");
    if list.is_empty() {
        out.push_str(" none\n");
        return;
    }
    if !compat.rules_in_three_columns() {
        out.push_str(" Id   RuleName\n");
        for (i, name) in list.iter().enumerate() {
            out.push(' ');
            pad(out, 2, digits(i as u64 + 1));
            write_uint(out, i as u64 + 1);
            out.push_str("   ");
            out.push_str(name);
            out.push('\n');
        }
        return;
    }
    let n = list.len();
    let w_id = digits(n as u64).max(2);
    let w_r = list.iter().map(|r| r.len()).max().unwrap_or(0).max(9);
    let rows = n.div_ceil(3);
    let columns = n.div_ceil(rows);
    const GAP: &str = "         ";
    out.push(' ');
    for c in 0..columns {
        if c > 0 {
            out.push_str(GAP);
        }
        pad(out, w_id, 2);
        out.push_str("Id   Rule Name");
        pad(out, w_r, 9);
    }
    out.push('\n');
    for r in 0..rows {
        out.push(' ');
        for (c, i) in (0..3).map(|c| c * rows + r).filter(|&i| i < n).enumerate() {
            if c > 0 {
                out.push_str(GAP);
            }
            pad(out, w_id, digits(i as u64 + 1));
            write_uint(out, i as u64 + 1);
            out.push_str("   ");
            out.push_str(list[i]);
            pad(out, w_r, utf16_len(list[i]));
        }
        out.push('\n');
    }
}

/// The `--why` section: the OneShard decision and its reasons, one per
/// line, with the position in the query where there is one.
pub fn why(x: &Explanation) -> String {
    let mut out = String::new();
    if !x.is_cluster() {
        out.push_str("OneShard: not applicable (single server)\n");
        return out;
    }
    if x.one_shard.applied {
        out.push_str("OneShard: applied (the whole query runs on one DB-Server)\n");
        return out;
    }
    out.push_str("OneShard: not applied\n");
    for r in &x.one_shard.reasons {
        match r.position {
            Some((line, column)) => {
                let _ = writeln!(out, " - {} (line {line}, column {column})", r.message);
            }
            None => {
                let _ = writeln!(out, " - {}", r.message);
            }
        }
    }
    out
}
