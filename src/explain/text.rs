//! The explain text of `db._explain()` (explain-text-format.md), byte for
//! byte, in the layout of the requested ArangoDB version.

use super::expr::ExprPrinter;
use crate::catalog::Catalog;
use crate::compat::Version;
use crate::functions::Function;
use crate::plan::expr::{Expr, VarId};
use crate::plan::{
    CollectionScan, IndexCollect, IndexRef, IndexScan, JoinInfo, Materialize, Modification,
    NodeKind, NodeRef, Parallelism, Plan, SingleRemote, SingleRemoteMode, SortMode,
};
use crate::planner::Explanation;
use std::fmt::Write;

/// Renders the whole explain output.
pub fn render(x: &Explanation) -> String {
    let mut out = String::new();
    header(&mut out, &x.query, x.cacheable, x.compat);
    let body = plan_sections(x, &x.plan);
    out.push_str(&body);
    out
}

/// Everything after the query header for one plan: the node table,
/// indexes, functions and rules.
pub fn plan_sections(x: &Explanation, plan: &Plan) -> String {
    let (mut out, r) = table_of(x, plan);
    out.push('\n');
    indexes(&mut out, &r.indexes, x.compat);
    if !r.functions.is_empty() {
        out.push('\n');
        functions(&mut out, &r.functions, x.compat);
    }
    out.push('\n');
    rules(&mut out, &plan.applied_rules, x.compat);
    out.push('\n');
    out
}

/// Only the "Execution plan:" table of a plan (for the optimizer trace).
pub(crate) fn plan_table(x: &Explanation, plan: &Plan) -> String {
    table_of(x, plan).0
}

/// The "Execution plan:" table, and the renderer that collected the
/// indexes and functions its rows use.
fn table_of<'a>(x: &Explanation<'a>, plan: &'a Plan) -> (String, Renderer<'a>) {
    let facts = super::PlanFacts::of(x, plan);
    let mut r = Renderer::new(x.catalog, x.compat, plan);
    let rows = r.rows(&facts.estimates, &facts.sites);
    let mut out = String::new();
    table(&mut out, &rows, x.is_cluster(), x.compat);
    (out, r)
}

fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// `max(w − len(s), 0)` spaces.
fn fill(w: usize, s: &str) -> String {
    " ".repeat(w.saturating_sub(utf16_len(s)))
}

fn header(out: &mut String, query: &str, cacheable: bool, compat: Version) {
    let n = utf16_len(query);
    let truncated = if n > 4096 { " - truncated..." } else { "" };
    let word = if compat.header_says_results_cachable() {
        "results cachable"
    } else {
        "cacheable"
    };
    let _ = writeln!(
        out,
        "Query String ({n} chars{truncated}, {word}: {cacheable}):"
    );
    let text = if utf16_len(query) > 4096 {
        truncate_middle(query)
    } else {
        query.to_string()
    };
    let wrapped = super::expr::cut(wrap_query(&text));
    out.push_str(&wrapped);
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

/// One printed line of the plan table.
struct Row {
    id: String,
    kind: &'static str,
    site: &'static str,
    par: bool,
    est: String,
    level: usize,
    marker: &'static str,
    comment: String,
}

fn table(out: &mut String, rows: &[Row], cluster: bool, compat: Version) {
    let w_id = rows
        .iter()
        .map(|r| utf16_len(&r.id))
        .max()
        .unwrap_or(0)
        .max(2);
    let w_type = rows.iter().map(|r| r.kind.len()).max().unwrap_or(0);
    let w_est = rows
        .iter()
        .map(|r| utf16_len(&r.est))
        .max()
        .unwrap_or(0)
        .max(4);
    let par = compat.plan_has_par_column();
    out.push_str("Execution plan:\n");
    let _ = write!(
        out,
        " {}Id   NodeType{}   ",
        fill(w_id, "Id"),
        fill(w_type, "NodeType")
    );
    if cluster {
        out.push_str("Site  ");
    }
    if par {
        out.push_str("Par   ");
    }
    let _ = writeln!(out, "{}Est.   Comment", fill(w_est, "Est."));
    for r in rows {
        let _ = write!(
            out,
            " {}{}   {}{}   ",
            fill(w_id, &r.id),
            r.id,
            r.kind,
            fill(w_type, r.kind)
        );
        if cluster {
            let _ = write!(out, "{}{}  ", r.site, fill(4, r.site));
        }
        if par {
            let _ = write!(out, "  {}   ", if r.par { "✓" } else { " " });
        }
        let _ = writeln!(
            out,
            "{}{}   {}{}{}",
            fill(w_est, &r.est),
            r.est,
            "  ".repeat(r.level),
            r.marker,
            r.comment
        );
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
    collection_vars: Vec<(VarId, String)>,
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
    fn rows(
        &mut self,
        estimates: &crate::plan::estimate::Estimates,
        sites: &std::collections::HashMap<NodeRef, crate::cluster::Site>,
    ) -> Vec<Row> {
        let mut order = Vec::new();
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
            rows.push(Row {
                id: node.id.to_string(),
                kind: kind.type_name(),
                site: sites.get(&n).map_or("", |s| s.label()),
                par: node.async_prefetch,
                est: estimates.of(n).items.to_string(),
                level,
                marker: if matches!(kind, NodeKind::Singleton) {
                    "* "
                } else {
                    "- "
                },
                comment: self.comment(n),
            });
            if let NodeKind::Join(infos) = kind {
                // One more line per joined scan, one level deeper.
                for info in infos {
                    let est = crate::optimizer::index_selection::join_info_estimate(
                        self.catalog,
                        info,
                        self.compat,
                    );
                    rows.push(Row {
                        id: node.id.to_string(),
                        kind: kind.type_name(),
                        site: sites.get(&n).map_or("", |s| s.label()),
                        par: false,
                        est: est.items.to_string(),
                        level: level + 1,
                        marker: "- ",
                        comment: self.join_info(node.id, info),
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

    fn expr(&mut self, e: &Expr) -> (String, Vec<(VarId, String)>) {
        let known = self.collection_vars.clone();
        let mut p = ExprPrinter::new(&self.plan.vars, self.compat, &known);
        let text = p.render(e);
        (text, p.met)
    }

    fn name(&self, v: VarId) -> String {
        self.plan.vars.display_name(v)
    }

    fn comment(&mut self, n: NodeRef) -> String {
        let plan = self.plan;
        match plan.kind(n) {
            NodeKind::Singleton => {
                if self.compat.singleton_lists_bind_variables() {
                    "ROOT ".into()
                } else {
                    "ROOT".into()
                }
            }
            NodeKind::EnumerateCollection(scan) => self.collection_scan(n, scan),
            NodeKind::Index(scan) => self.index_scan(n, scan),
            NodeKind::IndexCollect(c) => self.index_collect(n, c),
            NodeKind::Materialize(m) => self.materialize(m),
            NodeKind::Join(_) => "JOIN".into(),
            NodeKind::EnumerateList {
                input,
                out,
                filter,
                value,
            } => {
                let mut s = match value {
                    Some(v) => format!(
                        "FOR [{}, {}] OF {}   /* object iteration */",
                        self.name(*out),
                        self.name(*v),
                        self.name(*input)
                    ),
                    None => format!(
                        "FOR {} IN {}   /* list iteration */",
                        self.name(*out),
                        self.name(*input)
                    ),
                };
                if let Some(f) = filter {
                    let (text, _) = self.expr(f);
                    let _ = write!(s, "   FILTER {text}   /* early pruning */");
                }
                s
            }
            NodeKind::Calculation { out, expr } => self.calculation(*out, expr),
            NodeKind::Filter { input } => format!("FILTER {}", self.name(*input)),
            NodeKind::Return { input } => format!("RETURN {}", self.name(*input)),
            NodeKind::Limit {
                offset,
                limit,
                full_count,
            } => {
                format!(
                    "LIMIT {offset}, {limit}{}",
                    if *full_count { "  /* fullCount */" } else { "" }
                )
            }
            NodeKind::Sort {
                elements,
                limit,
                grouped,
            } => {
                let grouped = (*grouped).min(elements.len());
                let list: Vec<String> = elements[grouped..]
                    .iter()
                    .map(|e| {
                        format!(
                            "{} {}",
                            self.name(e.var),
                            if e.ascending { "ASC" } else { "DESC" }
                        )
                    })
                    .collect();
                let strategy = if grouped > 0 {
                    "grouped"
                } else if *limit > 0 {
                    "constrained heap"
                } else {
                    "standard"
                };
                let group_by = if grouped > 0 {
                    let names: Vec<String> = elements[..grouped]
                        .iter()
                        .map(|e| self.name(e.var))
                        .collect();
                    format!("; GROUPED BY {}", names.join(", "))
                } else {
                    String::new()
                };
                format!(
                    "SORT {}{group_by}   /* sorting strategy: {strategy} */",
                    list.join(", ")
                )
            }
            NodeKind::Collect(c) => {
                let mut s = String::from("COLLECT");
                let groups: Vec<String> = c
                    .groups
                    .iter()
                    .map(|(o, i)| format!("{} = {}", self.name(*o), self.name(*i)))
                    .collect();
                if !groups.is_empty() {
                    let _ = write!(s, " {}", groups.join(", "));
                }
                if !c.aggregates.is_empty() {
                    let list: Vec<String> = c
                        .aggregates
                        .iter()
                        .map(|a| {
                            let input = a.input.map(|v| self.name(v)).unwrap_or_default();
                            format!("{} = {}({input})", self.name(a.out), a.function)
                        })
                        .collect();
                    let _ = write!(s, " AGGREGATE {}", list.join(", "));
                }
                if let Some(into) = c.into {
                    let _ = write!(s, " INTO {}", self.name(into));
                    if let Some(e) = c.into_expression {
                        let _ = write!(s, " = {}", self.name(e));
                    }
                }
                if let Some(keep) = &c.keep {
                    let list: Vec<String> = keep.iter().map(|v| self.name(*v)).collect();
                    let _ = write!(s, " KEEP {}", list.join(", "));
                }
                let _ = write!(s, "   /* {} */", c.method.name());
                s
            }
            NodeKind::Subquery { out, .. } => {
                let constant = plan.is_deterministic(n) && plan.variables_needed(n).is_empty();
                format!(
                    "LET {} = ...   /* {}subquery */",
                    self.name(*out),
                    if constant { "const " } else { "" }
                )
            }
            NodeKind::SubqueryStart { out } => {
                format!("LET {} = ( /* subquery begin */", self.name(*out))
            }
            NodeKind::SubqueryEnd { input, .. } => match input {
                Some(v) if !self.compat.subquery_end_prints_at_start_level() => {
                    format!("RETURN  {} ) /* subquery end */", self.name(*v))
                }
                _ => ") /* subquery end */".into(),
            },
            NodeKind::Modification(m) => self.modification(n, m),
            NodeKind::NoResults => "EMPTY   /* empty result set */".into(),
            NodeKind::Remote => "REMOTE".into(),
            NodeKind::Scatter => "SCATTER".into(),
            NodeKind::Distribute {
                input, create_keys, ..
            } => {
                if self.compat.distribute_prints_variable() {
                    format!("DISTRIBUTE {}", self.name(*input))
                } else {
                    format!(
                        "DISTRIBUTE  /* create keys: {create_keys}, variable: {} */",
                        self.name(*input)
                    )
                }
            }
            NodeKind::SingleRemote(r) => self.single_remote(n, r),
            NodeKind::MultipleRemoteModification {
                collection, input, ..
            } => {
                self.collection_vars.push((*input, collection.clone()));
                // The explainer prints a fixed loop variable `d`.
                format!("FOR d IN {} INSERT d IN {collection}", self.name(*input))
            }
            NodeKind::Gather(g) => {
                let elements: Vec<String> = g
                    .elements
                    .iter()
                    .map(|e| {
                        let path: Vec<String> = e.path.iter().map(|p| format!(".`{p}`")).collect();
                        format!(
                            "{}{} {}",
                            self.name(e.var),
                            path.join(","),
                            if e.ascending { "ASC" } else { "DESC" }
                        )
                    })
                    .collect();
                let mut notes = Vec::new();
                if g.parallelism == Parallelism::Parallel {
                    notes.push("parallel".to_string());
                }
                if !g.elements.is_empty() {
                    let mode = match g.sort_mode {
                        SortMode::Heap => "heap",
                        SortMode::MinElement | SortMode::Unset => "minelement",
                    };
                    notes.push(format!("sort mode: {mode}"));
                } else if self.compat.gather_says_unsorted() {
                    notes.push("unsorted".into());
                }
                let mut s = format!("GATHER {}", elements.join(", "));
                if !notes.is_empty() {
                    let _ = write!(s, "  /* {} */", notes.join(", "));
                }
                // The documented pre-3.9 plans print a note-less gather
                // without the trailing space the explainer emitted.
                s.truncate(s.trim_end().len());
                s
            }
        }
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

    fn restriction(&self, collection: &str, restricted_to: &Option<String>) -> String {
        match restricted_to {
            Some(shard) => format!(", shard: {shard}"),
            None if self.catalog.is_cluster() => {
                let shards = self
                    .catalog
                    .collection(collection)
                    .map_or(1, |c| c.number_of_shards);
                format!(", {shards} shard(s)")
            }
            None => String::new(),
        }
    }

    fn projections(&self, list: &[Vec<String>]) -> String {
        list.iter()
            .map(|p| {
                p.iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(".")
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `   LET #4 = doc.`a`, #5 = doc.`b`` for projections with own variables.
    fn projection_lets(&self, out: VarId, projections: &[Vec<String>], vars: &[VarId]) -> String {
        if vars.is_empty() {
            return String::new();
        }
        let doc = self.name(out);
        let list: Vec<String> = projections
            .iter()
            .zip(vars)
            .map(|(p, v)| {
                let path: Vec<String> = p.iter().map(|c| format!("`{c}`")).collect();
                format!("{} = {doc}.{}", self.name(*v), path.join("."))
            })
            .collect();
        format!("   LET {}", list.join(", "))
    }

    /// ` (projections: `a`, `b`)` (3.10+) or `, projections: `a`, `b``.
    fn projections_note(&self, list: &[Vec<String>]) -> String {
        if list.is_empty() {
            return String::new();
        }
        let list = self.projections(list);
        if self.compat.projections_in_parentheses() {
            format!(" (projections: {list})")
        } else {
            format!(", projections: {list}")
        }
    }

    fn collection_scan(&mut self, n: NodeRef, scan: &CollectionScan) -> String {
        self.collection_vars
            .push((scan.out, scan.collection.clone()));
        let mut s = format!(
            "FOR {} IN {}   /* full collection scan",
            self.name(scan.out),
            scan.collection
        );
        if scan.random {
            s.push_str(", random order");
        }
        s.push_str(&self.projections_note(&scan.projections));
        s.push_str(self.satellite_note(n));
        if !scan.produces_result {
            s.push_str(", scan only");
        }
        s.push_str(&self.restriction(&scan.collection, &scan.restricted_to));
        s.push_str(if self.compat.scan_comment_has_space_before_close() {
            "  */"
        } else {
            " */"
        });
        s.push_str(&self.projection_lets(scan.out, &scan.projections, &scan.projection_vars));
        if let Some(f) = &scan.filter {
            let (text, _) = self.expr(f);
            let _ = write!(s, "   FILTER {text}   /* early pruning */");
        }
        s
    }

    fn index_scan(&mut self, n: NodeRef, scan: &IndexScan) -> String {
        self.collection_vars
            .push((scan.out, scan.collection.clone()));
        let collection = self.catalog.collection(&scan.collection);
        let mut types: Vec<String> = Vec::new();
        for (i, index) in scan.indexes.iter().enumerate() {
            let kind = match index {
                IndexRef::Primary => "primary".to_string(),
                IndexRef::Edge => "edge".to_string(),
                IndexRef::Secondary(k) => collection
                    .and_then(|c| c.indexes.get(*k))
                    .map_or("persistent".into(), |ix| ix.kind.clone()),
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
        let mut s = format!(
            "FOR {} IN {}   /* {}",
            self.name(scan.out),
            scan.collection,
            types.join(", ")
        );
        if self.compat.index_scans_have_filter_projections() {
            let fp = crate::optimizer::index_selection::filter_projections(self.catalog, scan);
            if !fp.is_empty() {
                let _ = write!(s, " (filter projections: {})", self.projections(&fp));
            }
        }
        s.push_str(&self.projections_note(&scan.projections));
        s.push_str(self.satellite_note(n));
        s.push_str(&self.restriction(&scan.collection, &scan.restricted_to));
        s.push_str(" */");
        let lets = self.projection_lets(scan.out, &scan.projections, &scan.projection_vars);
        let filter = match &scan.filter {
            Some(f) => format!("   FILTER {}   /* early pruning */", self.expr(f).0),
            None => String::new(),
        };
        if self.compat.index_comment_has_trailer() {
            let limit = if scan.limit > 0 {
                format!("   LIMIT {} /* early reducing results */", scan.limit)
            } else {
                String::new()
            };
            let late = if scan.late_doc_id.is_some() {
                "/* with late materialization */"
            } else {
                ""
            };
            let _ = write!(s, " {lets}{filter}{limit}   {late}");
        } else {
            s.push_str(&filter);
        }
        s
    }

    /// `FOR o IN orders   LET #8 = o.`total`   /* index scan (projections: `total`) */`;
    /// registers the scan's variable and index.
    fn join_info(&mut self, by: u32, info: &JoinInfo) -> String {
        self.collection_vars
            .push((info.out, info.collection.clone()));
        let ranges = match &info.condition {
            Some(Expr::Nary(crate::plan::expr::Logic::Or, branches)) => branches
                .first()
                .map_or_else(|| "*".to_string(), |b| self.expr(b).0),
            Some(other) => self.expr(other).0,
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
        let lets = self.projection_lets(info.out, &info.projections, &info.projection_vars);
        format!(
            "FOR {} IN {}{lets}   /* {access}{late}{} */",
            self.name(info.out),
            info.collection,
            self.projections_note(&info.projections)
        )
    }

    /// `MATERIALIZE doc INTO #4 /* (projections: `a`) */   LET #5 = #4.`a``.
    fn materialize(&mut self, m: &Materialize) -> String {
        let target = if m.out == m.old {
            self.name(m.old)
        } else {
            format!("{} INTO {}", self.name(m.old), self.name(m.out))
        };
        let mut s = format!("MATERIALIZE {target}");
        if !m.projections.is_empty() {
            let _ = write!(s, " /*{} */", self.projections_note(&m.projections));
        }
        // The materialized variable is not a collection variable for the
        // explainer (no `collections used` notes for it).
        s.push_str(&self.projection_lets(m.out, &m.projections, &m.projection_vars));
        s
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
    fn index_collect(&mut self, n: NodeRef, c: &IndexCollect) -> String {
        let fields: Vec<String> = self
            .catalog
            .collection(&c.collection)
            .and_then(|coll| crate::optimizer::index_selection::index_view(coll, c.index))
            .map(|v| v.fields.iter().map(|f| f.to_string()).collect())
            .unwrap_or_default();
        let doc = self.name(c.old_var);
        let groups: Vec<String> = c
            .groups
            .iter()
            .map(|(out, field)| {
                let path: Vec<String> = fields
                    .get(*field)
                    .map(|f| f.split('.').map(|p| format!("`{p}`")).collect())
                    .unwrap_or_default();
                format!("{} = {doc}.{}", self.name(*out), path.join("."))
            })
            .collect();
        let mut s = format!(
            "FOR {doc} IN {} COLLECT {}",
            c.collection,
            groups.join(", ")
        );
        if c.aggregates.is_empty() {
            s.push_str(" /* distinct value index scan */");
        } else {
            let list: Vec<String> = c
                .aggregates
                .iter()
                .map(|a| {
                    format!(
                        "{} = {}({})",
                        self.name(a.out),
                        a.function,
                        self.expr(&a.expr).0
                    )
                })
                .collect();
            let _ = write!(s, " AGGREGATE {} /* full index scan */", list.join(", "));
        }
        self.add_index_row(self.plan.id(n), &c.collection, c.index, "*".into());
        s
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
                let (text, _) = self.expr(b);
                if text.is_empty() {
                    "*".into()
                } else {
                    text
                }
            }
            None => "*".into(),
        }
    }

    fn calculation(&mut self, out: VarId, expr: &Expr) -> String {
        let (text, met) = self.expr(expr);
        for call in expr.calls() {
            if let Expr::Call { function, .. } = call {
                if !self.functions.iter().any(|f| f.name == function.name) {
                    self.functions.push(function);
                }
            }
        }
        let kind = super::expression_type(expr, self.compat);
        let mut s = format!("LET {} = {text}   /* {kind} expression */", self.name(out));
        if !met.is_empty() {
            let _ = write!(
                s,
                "   /* collections used: {} */",
                collections_used(&self.plan.vars, &met)
            );
        }
        if expr.is_constant() {
            s.push_str("   /* const assignment */");
        }
        s
    }

    /// A SingleRemoteOperationNode: the Coordinator reads or writes one
    /// document; the text mimics the AQL it replaced.
    fn single_remote(&mut self, n: NodeRef, r: &SingleRemote) -> String {
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
                    self.collection_vars.push((out, coll.clone()));
                }
                let out = r.out.map(|v| self.name(v)).unwrap_or_default();
                return format!(
                    "FOR {out} IN {coll} FILTER _key == {} /* primary index scan */",
                    key_json.unwrap_or_default()
                );
            }
            SingleRemoteMode::Modify(kind) => kind,
        };
        if let Some(input) = r.input {
            self.collection_vars.push((input, coll.clone()));
        }
        let input = r.input.map(|v| self.name(v));
        if kind == K::Insert {
            return format!("INSERT {} IN {coll}", input.unwrap_or_default());
        }
        let with = match (&input, kind) {
            (Some(v), K::Update | K::Replace) => format!("WITH {v} "),
            _ => String::new(),
        };
        let mut target = match (&key_json, &input) {
            (Some(k), _) => format!("{{ _key: {k} }} "),
            (None, Some(v)) => format!("{v} "),
            (None, None) => "<UNSUPPORTED>".into(),
        };
        let mut prefix = String::new();
        if r.replace_index_node {
            prefix = format!(
                "FOR doc IN {coll} FILTER doc._key == {} ",
                key_json.unwrap_or_default()
            );
            target = "doc ".into();
        }
        let word = match kind {
            K::Update => "UPDATE",
            K::Replace => "REPLACE",
            _ => "REMOVE",
        };
        format!("{prefix}{word} {target}{with}IN {coll}")
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
        let input = r.input.map(|v| self.name(v));
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

    fn modification(&mut self, n: NodeRef, m: &Modification) -> String {
        use crate::plan::ModificationKind as K;
        let restricted = m
            .restricted_to
            .as_ref()
            .map(|s| format!("/* , shard: {s} */"))
            .unwrap_or_default();
        let input = self.name(m.input);
        let text = match m.kind {
            K::Insert => format!("INSERT {input} IN {} {restricted}", m.collection),
            K::Update | K::Replace => {
                let word = if m.kind == K::Update {
                    "UPDATE"
                } else {
                    "REPLACE"
                };
                match m.key {
                    Some(k) => format!(
                        "{word} {} WITH {input} IN {} {restricted}",
                        self.name(k),
                        m.collection
                    ),
                    None => format!("{word} {input} IN {} {restricted}", m.collection),
                }
            }
            K::Remove => format!("REMOVE {input} IN {} {restricted}", m.collection),
            K::Upsert => format!(
                "UPSERT {input} INSERT {} {} {} IN {}",
                m.insert.map(|v| self.name(v)).unwrap_or_default(),
                if m.replace { "REPLACE" } else { "UPDATE" },
                m.update.map(|v| self.name(v)).unwrap_or_default(),
                m.collection
            ),
        };
        // Every modification but INSERT carries the primary index, which
        // the explainer lists with the key (or document) variable.
        // INFERRED for versions before the 3.12 explainer read here.
        if m.kind != K::Insert {
            let by = self.plan.id(n);
            let key = match m.kind {
                K::Update | K::Replace => m.key.unwrap_or(m.input),
                _ => m.input,
            };
            let ranges = self.name(key);
            self.add_index_row(by, &m.collection, IndexRef::Primary, ranges);
        }
        text
    }
}

/// The "collections used" list: `name : collection`, integer-like names
/// first in ascending order (the explainer keeps them in a JS object).
fn collections_used(vars: &crate::plan::Variables, met: &[(VarId, String)]) -> String {
    let mut entries: Vec<(String, &str)> = met
        .iter()
        .map(|(v, c)| (vars.get(*v).name.clone(), c.as_str()))
        .collect();
    let is_index = |k: &str| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit());
    let mut numeric: Vec<(String, &str)> = entries
        .iter()
        .filter(|(k, _)| is_index(k))
        .cloned()
        .collect();
    numeric.sort_by_key(|(k, _)| k.parse::<u64>().unwrap_or(0));
    entries.retain(|(k, _)| !is_index(k));
    numeric.extend(entries);
    numeric
        .iter()
        .map(|(k, c)| format!("{k} : {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Each node's Comment column, in printing order (shared with the
/// Graphviz renderer, so a picture says what the table says).
pub(crate) fn comments(x: &Explanation, plan: &Plan) -> Vec<(NodeRef, String)> {
    let mut r = Renderer::new(x.catalog, x.compat, plan);
    let mut order = Vec::new();
    print_order(plan, plan.root(), &mut order);
    order.into_iter().map(|n| (n, r.comment(n))).collect()
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
                format!(
                    "[ {} ]",
                    v.iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
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
    let w_by = cells.iter().map(|c| c[3].len()).max().unwrap_or(0).max(2);
    let w_name = rows
        .iter()
        .map(|r| utf16_len(&r.name))
        .max()
        .unwrap_or(0)
        .max(4);
    let w_type = rows.iter().map(|r| r.kind.len()).max().unwrap_or(0).max(4);
    let w_coll = rows
        .iter()
        .map(|r| utf16_len(&r.collection))
        .max()
        .unwrap_or(0)
        .max(10);
    let w_fields = cells
        .iter()
        .map(|c| utf16_len(&c[0]))
        .max()
        .unwrap_or(0)
        .max(6);
    let w_stored = cells
        .iter()
        .map(|c| utf16_len(&c[1]))
        .max()
        .unwrap_or(0)
        .max(13);
    let name_col = compat.indexes_have_name_column();
    let cache_col = compat.indexes_have_cache_column();
    let stored_col = compat.indexes_have_stored_values_column();
    let mut h = format!(" {}By   ", fill(w_by, "By"));
    if name_col {
        let _ = write!(h, "Name{}   ", fill(w_name, "Name"));
    }
    let _ = write!(
        h,
        "Type{}   Collection{}   Unique   Sparse   ",
        fill(w_type, "Type"),
        fill(w_coll, "Collection")
    );
    if cache_col {
        h.push_str("Cache   ");
    }
    let _ = write!(h, "Selectivity   Fields{}   ", fill(w_fields, "Fields"));
    if stored_col {
        let _ = write!(h, "Stored values{}   ", fill(w_stored, "Stored values"));
    }
    h.push_str("Ranges");
    out.push_str(&h);
    out.push('\n');
    for (r, c) in rows.iter().zip(&cells) {
        let mut line = format!(" {}{}   ", fill(w_by, &c[3]), c[3]);
        if name_col {
            let _ = write!(line, "{}{}   ", r.name, fill(w_name, &r.name));
        }
        let unique = r.unique.to_string();
        let sparse = r.sparse.map_or("n/a".to_string(), |s| s.to_string());
        let _ = write!(
            line,
            "{}{}   {}{}   {}{}   {}{}   ",
            r.kind,
            fill(w_type, &r.kind),
            r.collection,
            fill(w_coll, &r.collection),
            unique,
            fill(6, &unique),
            sparse,
            fill(6, &sparse)
        );
        if cache_col {
            let cache = r.cache.to_string();
            let _ = write!(line, "{cache}{}   ", fill(5, &cache));
        }
        let _ = write!(
            line,
            "{}{}   {}{}   ",
            fill(11, &c[2]),
            c[2],
            c[0],
            fill(w_fields, &c[0])
        );
        if stored_col {
            let _ = write!(line, "{}{}   ", c[1], fill(w_stored, &c[1]));
        }
        line.push_str(&r.ranges);
        out.push_str(&line);
        out.push('\n');
    }
}

fn functions(out: &mut String, list: &[&Function], compat: Version) {
    let w = list.iter().map(|f| f.name.len()).max().unwrap_or(0).max(4);
    let cacheable_col = compat.functions_have_cacheable_column();
    out.push_str("Functions used:\n");
    let _ = write!(out, " Name{}   Deterministic   ", fill(w, "Name"));
    if cacheable_col {
        out.push_str("Cacheable   ");
    }
    out.push_str("Uses V8\n");
    for f in list {
        let d = f.is_deterministic().to_string();
        let c = f.is_cacheable().to_string();
        let v = f.uses_v8().to_string();
        let _ = write!(
            out,
            " {}{}   {d}{}   ",
            f.name,
            fill(w, f.name),
            fill(13, &d)
        );
        if cacheable_col {
            let _ = write!(out, "{c}{}   ", fill(9, &c));
        }
        let _ = writeln!(out, "{v}{}", fill(7, &v));
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
            let id = (i + 1).to_string();
            let _ = writeln!(out, " {}{id}   {name}", fill(2, &id));
        }
        return;
    }
    let n = list.len();
    let w_id = (n.to_string().len()).max(2);
    let w_r = list.iter().map(|r| r.len()).max().unwrap_or(0).max(9);
    let rows = n.div_ceil(3);
    let cell = |i: usize| {
        let id = (i + 1).to_string();
        format!(
            "{}{id}   {}{}",
            fill(w_id, &id),
            list[i],
            fill(w_r, list[i])
        )
    };
    let columns = n.div_ceil(rows);
    let header_cell = format!(
        "{}Id   Rule Name{}",
        fill(w_id, "Id"),
        fill(w_r, "Rule Name")
    );
    let _ = writeln!(out, " {}", vec![header_cell; columns].join(&" ".repeat(9)));
    for r in 0..rows {
        let cells: Vec<String> = (0..3)
            .map(|c| c * rows + r)
            .filter(|&i| i < n)
            .map(cell)
            .collect();
        let _ = writeln!(out, " {}", cells.join(&" ".repeat(9)));
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
