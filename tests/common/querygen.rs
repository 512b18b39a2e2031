//! Grammar-shaped AQL queries with matching cluster descriptions, drawn
//! from a stream of bytes.
//!
//! Shared by the property test (`tests/properties.rs`, bytes from a seeded
//! PRNG) and the fuzz target `fuzz/fuzz_targets/grammar.rs` (bytes from
//! libFuzzer), via `#[path]`, so both exercise the same shapes.
//!
//! With `strict`, every query is valid by construction: variables are used
//! only where they are in scope, collections exist, functions get an
//! accepted number of arguments, a modified collection is not read
//! afterwards, and every bind parameter given is used. Without it, a small
//! share of choices is deliberately wrong (unknown names, wrong arity,
//! stray tokens) so the error paths are fuzzed as well.
#![allow(dead_code)]

use serde_json::{json, Map, Value as Json};

/// Where the generator's choices come from.
pub trait Source {
    fn byte(&mut self) -> u8;
}

/// libFuzzer input: its bytes in order, then zeros (zero always picks the
/// first, simplest alternative, so every input ends in a small query).
pub struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data, pos: 0 }
    }
}

impl Source for Bytes<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
}

/// A seeded xorshift PRNG for the deterministic property test.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
}

impl Source for Rng {
    fn byte(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 24) as u8
    }
}

/// One generated input for the planner.
#[derive(Debug, Clone)]
pub struct Case {
    pub catalog: Json,
    pub query: String,
    pub bind: Map<String, Json>,
    pub rules: Vec<String>,
    pub compat: &'static str,
}

pub const VERSIONS: &[&str] = &[
    "3.12", "3.11", "3.10", "3.9", "3.8", "3.7", "3.6", "3.5", "3.4", "3.12.0",
];

/// Functions that are safe in any position: (name, min args, max args).
const FUNCTIONS: &[(&str, usize, usize)] = &[
    ("LENGTH", 1, 1),
    ("CONCAT", 1, 3),
    ("LOWER", 1, 1),
    ("UPPER", 1, 1),
    ("ABS", 1, 1),
    ("FLOOR", 1, 1),
    ("ROUND", 1, 1),
    ("TO_NUMBER", 1, 1),
    ("TO_STRING", 1, 1),
    ("TO_BOOL", 1, 1),
    ("IS_NULL", 1, 1),
    ("IS_STRING", 1, 1),
    ("FIRST", 1, 1),
    ("LAST", 1, 1),
    ("UNIQUE", 1, 1),
    ("FLATTEN", 1, 2),
    ("MERGE", 1, 3),
    ("KEEP", 2, 3),
    ("ATTRIBUTES", 1, 1),
    ("VALUES", 1, 1),
    ("SUM", 1, 1),
    ("MAX", 1, 1),
    ("MIN", 1, 1),
    ("AVERAGE", 1, 1),
    ("RAND", 0, 0),
    ("DATE_NOW", 0, 0),
    ("CURRENT_USER", 0, 0),
    ("NOOPT", 1, 1),
    ("PASSTHRU", 1, 1),
    ("SUBSTRING", 2, 3),
    ("CONTAINS", 2, 2),
    ("POSITION", 2, 2),
    ("APPEND", 2, 2),
    ("PUSH", 2, 2),
    ("NOT_NULL", 1, 3),
    ("HASH", 1, 1),
    ("MD5", 1, 1),
    ("SHA1", 1, 1),
    ("DOCUMENT", 1, 1),
    ("COUNT", 1, 1),
];

const AGGREGATES: &[&str] = &[
    "MIN",
    "MAX",
    "SUM",
    "LENGTH",
    "COUNT",
    "AVG",
    "AVERAGE",
    "UNIQUE",
    "SORTED_UNIQUE",
    "COUNT_DISTINCT",
    "STDDEV",
    "VARIANCE",
    "BIT_AND",
    "BIT_OR",
    "BIT_XOR",
    "PUSH",
];

const ATTRIBUTES: &[&str] = &["value", "a", "b", "_key", "name", "x"];

const BINARY: &[&str] = &[
    "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "IN", "NOT IN", "LIKE",
    "=~", "AND", "OR",
];

/// Deepest expression nesting the generator itself builds.
const MAX_EXPR_DEPTH: usize = 4;
/// Deepest subquery nesting.
const MAX_SUBQUERY_DEPTH: usize = 3;

pub struct Gen<S> {
    src: S,
    strict: bool,
    collections: Vec<String>,
    /// Visible variables, innermost scope last.
    scopes: Vec<Vec<String>>,
    next_var: usize,
    bind: Map<String, Json>,
    /// Collections written by the query (never read afterwards).
    written: Vec<String>,
    subquery_depth: usize,
    /// For each open query level, the index of its first scope.
    level_starts: Vec<usize>,
    /// For each open query level, whether it has a FOR loop yet (RETURN
    /// DISTINCT needs one).
    level_loops: Vec<bool>,
}

impl<S: Source> Gen<S> {
    pub fn new(src: S, strict: bool) -> Self {
        Gen {
            src,
            strict,
            collections: Vec::new(),
            scopes: vec![Vec::new()],
            next_var: 0,
            bind: Map::new(),
            written: Vec::new(),
            subquery_depth: 0,
            level_starts: vec![0],
            level_loops: vec![false],
        }
    }

    fn pick(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        if n <= 256 {
            self.src.byte() as usize % n
        } else {
            (self.src.byte() as usize * 256 + self.src.byte() as usize) % n
        }
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.pick(one_in) == one_in - 1
    }

    /// Whether to make a deliberately invalid choice.
    fn noise(&mut self) -> bool {
        !self.strict && self.chance(24)
    }

    fn choose<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.pick(items.len())].clone()
    }

    /// A whole case: catalog, query, bind parameters, rules, version.
    pub fn case(mut self) -> Case {
        let catalog = self.catalog();
        let query = self.query();
        let rules = self.rules();
        let compat = self.choose(VERSIONS);
        Case {
            catalog,
            query,
            bind: self.bind,
            rules,
            compat,
        }
    }

    // ------------------------------------------------------------ catalog

    fn catalog(&mut self) -> Json {
        let servers: Vec<String> = (1..=1 + self.pick(4))
            .map(|i| format!("PRMR-{i}"))
            .collect();
        let n = 1 + self.pick(4);
        let mut collections = Vec::new();
        let mut shard_counts = Vec::new();
        for i in 0..n {
            let name = format!("c{i}");
            let shards = [1, 1, 2, 3, 5, 7][self.pick(6)];
            let mut c = Map::new();
            c.insert("name".into(), json!(name));
            c.insert("numberOfShards".into(), json!(shards));
            c.insert(
                "count".into(),
                json!([0, 1, 10, 1000, 100_000][self.pick(5)]),
            );
            if self.chance(3) {
                let keys: &[&str] = self.choose(&[&["value"][..], &["a", "b"], &["_key"]]);
                c.insert("shardKeys".into(), json!(keys));
            }
            if self.chance(4) {
                c.insert("replicationFactor".into(), json!("satellite"));
            } else if self.chance(3) {
                c.insert("replicationFactor".into(), json!(1 + self.pick(3)));
            }
            if self.chance(6) {
                c.insert("type".into(), json!("edge"));
            }
            // A follower of an earlier prototype with the same shard count.
            if let Some(proto) = (0..i).find(|&p| shard_counts[p] == shards && self.chance(3)) {
                let p: &Json = &collections[proto];
                if p.get("distributeShardsLike").is_none() {
                    c.insert("distributeShardsLike".into(), json!(format!("c{proto}")));
                }
            }
            if self.noise() {
                c.insert("distributeShardsLike".into(), json!("c0"));
            }
            let indexes: Vec<Json> = (0..self.pick(3)).map(|_| self.index()).collect();
            c.insert("indexes".into(), Json::Array(indexes));
            shard_counts.push(shards);
            collections.push(Json::Object(c));
            self.collections.push(name);
        }
        let role = if self.chance(5) {
            "single"
        } else {
            "coordinator"
        };
        let sharding = if self.chance(4) { "single" } else { "flexible" };
        json!({
            "role": role,
            "database": { "name": "db", "sharding": sharding },
            "servers": { "dbServers": servers },
            "collections": collections,
            "userFunctions": ["MY::FN"],
        })
    }

    fn index(&mut self) -> Json {
        let kind = self.choose(&["persistent", "hash", "skiplist", "persistent", "ttl"]);
        let n = 1 + self.pick(2);
        let fields: Vec<&str> = (0..n).map(|_| self.choose(ATTRIBUTES)).collect();
        let mut index = json!({
            "type": kind,
            "fields": fields,
            "unique": self.chance(4),
            "sparse": self.chance(4),
        });
        if self.chance(3) {
            index["selectivityEstimate"] = json!([0.1, 0.5, 1.0][self.pick(3)]);
        }
        if self.chance(5) {
            index["storedValues"] = json!([self.choose(ATTRIBUTES)]);
        }
        index
    }

    fn rules(&mut self) -> Vec<String> {
        const RULES: &[&str] = &[
            "-all",
            "+all",
            "-use-indexes",
            "-cluster-one-shard",
            "-move-filters-up",
            "-sort-limit",
            "-splice-subqueries",
            "-optimize-projections",
            "+use-indexes",
        ];
        (0..self.pick(3))
            .map(|_| self.choose(RULES).to_string())
            .collect()
    }

    // -------------------------------------------------------------- query

    fn query(&mut self) -> String {
        let mut out = String::new();
        self.body(&mut out, true);
        out
    }

    fn fresh_var(&mut self) -> String {
        let v = format!("v{}", self.next_var);
        self.next_var += 1;
        v
    }

    fn declare(&mut self, name: String) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.push(name);
        }
    }

    fn visible(&self) -> Vec<String> {
        self.scopes.iter().flatten().cloned().collect()
    }

    fn readable_collections(&self) -> Vec<String> {
        self.collections
            .iter()
            .filter(|c| !self.written.contains(c))
            .cloned()
            .collect()
    }

    /// A statement list ending in RETURN (or a modification at the top).
    fn body(&mut self, out: &mut String, top: bool) {
        let n = self.pick(5);
        for _ in 0..n {
            self.statement(out);
        }
        if top && !self.readable_collections().is_empty() && self.chance(4) {
            self.modification(out);
            return;
        }
        out.push_str(" RETURN ");
        if self.level_loops.last() == Some(&true) && self.chance(6) {
            out.push_str("DISTINCT ");
        }
        self.expr(out, 0);
    }

    fn statement(&mut self, out: &mut String) {
        match self.pick(9) {
            0 | 1 => self.for_statement(out),
            2 => self.let_statement(out),
            3 => {
                out.push_str(" FILTER ");
                self.expr(out, 0);
            }
            4 => {
                out.push_str(" SORT ");
                self.expr(out, 0);
                out.push_str([" ASC", " DESC", ""][self.pick(3)]);
            }
            5 => {
                let count = [0, 1, 2, 10, 100][self.pick(5)];
                if self.chance(2) {
                    out.push_str(&format!(" LIMIT {}, {count}", self.pick(5)));
                } else {
                    out.push_str(&format!(" LIMIT {count}"));
                }
            }
            6 => self.collect(out),
            7 => {
                // A subquery in a LET.
                if self.subquery_depth < MAX_SUBQUERY_DEPTH {
                    let v = self.fresh_var();
                    out.push_str(&format!(" LET {v} = ("));
                    self.subquery(out);
                    out.push(')');
                    self.declare(v);
                } else {
                    self.let_statement(out);
                }
            }
            _ => {
                if self.noise() {
                    self.unusual_statement(out);
                } else {
                    self.let_statement(out);
                }
            }
        }
    }

    /// Stray tokens, and valid AQL outside what aqlplan plans (graph
    /// traversals, path searches, WINDOW, UPSERT, SEARCH, array filters):
    /// only in non-strict mode, where an error is an acceptable outcome.
    fn unusual_statement(&mut self, out: &mut String) {
        let c = self.collections.first().cloned().unwrap_or_default();
        let v = self.fresh_var();
        let snippet = match self.pick(12) {
            0 => self
                .choose(&["(", "]", ",", "RETURN", "FOR", "@", "'x", "?", "::"])
                .to_string(),
            1 => format!(
                "FOR {v}, e, p IN 1..3 OUTBOUND '{c}/1' {c} PRUNE e.x == 1 OPTIONS {{bfs: true}}"
            ),
            2 => format!("FOR {v} IN OUTBOUND SHORTEST_PATH '{c}/1' TO '{c}/2' GRAPH 'g'"),
            3 => format!("FOR {v} IN 1..2 ANY K_PATHS '{c}/1' TO '{c}/2' {c}"),
            4 => format!("WINDOW {{ preceding: 1, following: 1 }} AGGREGATE {v} = SUM(1)"),
            5 => format!("UPSERT {{ a: 1 }} INSERT {{ a: 1 }} UPDATE {{ b: 2 }} IN {c}"),
            6 => format!("FOR {v} IN {c} SEARCH {v}.a == 1 OPTIONS {{ waitForSync: true }}"),
            7 => format!("LET {v} = [1, 2, 3][? 2 FILTER CURRENT > 1]"),
            8 => format!("LET {v} = [1, 2] AT LEAST (1) == 1"),
            9 => format!("FOR [{v}, w] IN [[1, 2]]"),
            10 => format!("LET {v} = {c}[* RETURN CURRENT._key]"),
            _ => {
                format!("FOR {v} IN {c} OPTIONS {{ indexHint: ['a', 'b'], forceIndexHint: true }}")
            }
        };
        out.push(' ');
        out.push_str(&snippet);
    }

    fn subquery(&mut self, out: &mut String) {
        let start = self.scopes.len();
        self.subquery_depth += 1;
        self.level_starts.push(start);
        self.level_loops.push(false);
        self.scopes.push(Vec::new());
        self.body(out, false);
        self.scopes.truncate(start);
        self.level_starts.pop();
        self.level_loops.pop();
        self.subquery_depth -= 1;
    }

    fn for_statement(&mut self, out: &mut String) {
        let v = self.fresh_var();
        out.push_str(&format!(" FOR {v} IN "));
        let collections = self.readable_collections();
        match self.pick(4) {
            0 | 1 if !collections.is_empty() => {
                let c = self.choose(&collections);
                if self.chance(4) {
                    let p = format!("@{c}");
                    out.push_str(&format!("@{p}"));
                    self.bind.insert(p, json!(c));
                } else {
                    out.push_str(&c);
                }
                if self.chance(6) {
                    out.push_str(" OPTIONS { indexHint: \"idx\" }");
                }
            }
            2 => {
                let from = self.pick(3);
                out.push_str(&format!("{from}..{}", from + self.pick(20)));
            }
            3 if self.chance(4) => {
                // Ranges at the edges of the number types.
                out.push_str(self.choose(&[
                    "-9223372036854775808..9223372036854775807",
                    "1..1e300",
                    "1e300..-1e300",
                    "0..0",
                ]));
            }
            _ => self.expr(out, 1),
        }
        self.scopes.push(vec![v]);
        if let Some(l) = self.level_loops.last_mut() {
            *l = true;
        }
    }

    fn let_statement(&mut self, out: &mut String) {
        let v = self.fresh_var();
        out.push_str(&format!(" LET {v} = "));
        self.expr(out, 0);
        self.declare(v);
    }

    fn collect(&mut self, out: &mut String) {
        out.push_str(" COLLECT");
        let mut outputs = Vec::new();
        let groups = self.pick(3);
        for i in 0..groups {
            let v = self.fresh_var();
            out.push_str(if i == 0 { " " } else { ", " });
            out.push_str(&format!("{v} = "));
            self.expr(out, 1);
            outputs.push(v);
        }
        // Without groups, only WITH COUNT INTO or AGGREGATE may follow.
        let tail = match self.pick(4) {
            0 | 3 if groups == 0 => 1,
            t => t,
        };
        match tail {
            0 => {}
            1 => {
                let v = self.fresh_var();
                out.push_str(&format!(" WITH COUNT INTO {v}"));
                outputs.push(v);
            }
            2 => {
                out.push_str(" AGGREGATE ");
                for i in 0..1 + self.pick(2) {
                    let v = self.fresh_var();
                    let f = self.choose(AGGREGATES);
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&format!("{v} = {f}("));
                    self.expr(out, 2);
                    out.push(')');
                    outputs.push(v);
                }
            }
            _ => {
                let v = self.fresh_var();
                out.push_str(&format!(" INTO {v}"));
                if self.chance(3) {
                    out.push_str(" = ");
                    self.expr(out, 2);
                } else if self.chance(3) {
                    let visible = self.visible();
                    if let Some(k) = visible.last() {
                        out.push_str(&format!(" KEEP {k}"));
                    }
                }
                outputs.push(v);
            }
        }
        if self.chance(5) {
            out.push_str(
                [
                    " OPTIONS { method: \"hash\" }",
                    " OPTIONS { method: \"sorted\" }",
                ][self.pick(2)],
            );
        }
        // COLLECT hides the variables of the current query level.
        let level_start = self.level_start();
        self.scopes.truncate(level_start);
        self.scopes.push(outputs);
    }

    /// Index of the first scope of the innermost query level.
    fn level_start(&self) -> usize {
        self.level_starts.last().copied().unwrap_or(0)
    }

    fn modification(&mut self, out: &mut String) {
        let collections = self.readable_collections();
        let c = self.choose(&collections);
        let vars = self.visible();
        let returns_new = match self.pick(4) {
            0 => {
                out.push_str(" INSERT ");
                self.object(out, 1);
                out.push_str(&format!(" INTO {c}"));
                true
            }
            1 => {
                out.push_str(" UPDATE ");
                self.key(out, &vars);
                out.push_str(" WITH ");
                self.object(out, 1);
                out.push_str(&format!(" IN {c}"));
                true
            }
            2 => {
                out.push_str(" REPLACE ");
                self.key(out, &vars);
                out.push_str(" WITH ");
                self.object(out, 1);
                out.push_str(&format!(" IN {c}"));
                true
            }
            _ => {
                out.push_str(" REMOVE ");
                self.key(out, &vars);
                out.push_str(&format!(" IN {c}"));
                false
            }
        };
        if self.chance(4) {
            out.push_str(" OPTIONS { ignoreErrors: true }");
        }
        self.written.push(c);
        if self.chance(2) {
            out.push_str(if returns_new {
                " RETURN NEW"
            } else {
                " RETURN OLD"
            });
        }
    }

    fn key(&mut self, out: &mut String, vars: &[String]) {
        match vars.last() {
            Some(v) if self.chance(2) => out.push_str(&format!("{v}._key")),
            _ => out.push_str(&format!("\"k{}\"", self.pick(100))),
        }
    }

    // -------------------------------------------------------- expressions

    fn expr(&mut self, out: &mut String, depth: usize) {
        if depth >= MAX_EXPR_DEPTH {
            return self.leaf(out);
        }
        match self.pick(16) {
            0..=4 => self.leaf(out),
            5 | 6 => {
                out.push('(');
                self.expr(out, depth + 1);
                out.push(' ');
                out.push_str(self.choose(BINARY));
                out.push(' ');
                self.expr(out, depth + 1);
                out.push(')');
            }
            7 => {
                out.push_str(["-", "NOT ", "!"][self.pick(3)]);
                out.push('(');
                self.expr(out, depth + 1);
                out.push(')');
            }
            8 => self.call(out, depth),
            9 => {
                out.push('[');
                for i in 0..self.pick(4) {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.expr(out, depth + 1);
                }
                out.push(']');
            }
            10 => self.object(out, depth),
            11 => {
                out.push('(');
                self.expr(out, depth + 1);
                out.push_str(" ? ");
                self.expr(out, depth + 1);
                out.push_str(" : ");
                self.expr(out, depth + 1);
                out.push(')');
            }
            12 => {
                // Array expansion and inline filter.
                out.push('(');
                self.expr(out, depth + 1);
                out.push_str(")[*");
                if self.chance(2) {
                    out.push_str(" FILTER CURRENT.value > 1");
                }
                if self.chance(3) {
                    out.push_str(" LIMIT 2");
                }
                if self.chance(2) {
                    out.push_str(" RETURN CURRENT.a");
                }
                out.push(']');
            }
            13 => {
                out.push('(');
                self.expr(out, depth + 1);
                out.push_str([" ANY == ", " ALL IN ", " NONE < "][self.pick(3)]);
                self.expr(out, depth + 1);
                out.push(')');
            }
            14 if self.subquery_depth < MAX_SUBQUERY_DEPTH => {
                out.push('(');
                self.subquery(out);
                out.push(')');
            }
            _ => {
                self.expr(out, depth + 1);
                if self.chance(2) {
                    out.push_str(&format!("[{}]", self.pick(3)));
                } else {
                    out.push('.');
                    out.push_str(self.choose(ATTRIBUTES));
                }
            }
        }
    }

    fn leaf(&mut self, out: &mut String) {
        let vars = self.visible();
        match self.pick(10) {
            0..=3 if !vars.is_empty() => {
                let v = self.choose(&vars);
                out.push_str(&v);
                if self.chance(2) {
                    out.push('.');
                    out.push_str(self.choose(ATTRIBUTES));
                }
            }
            0..=4 => out.push_str(&self.pick(1000).to_string()),
            5 => out.push_str(self.choose(&[
                "1.5",
                "-0.25",
                "1e3",
                "0x1F",
                "0b101",
                "9223372036854775807",
                "-9223372036854775808",
                "1e300",
                "-1e300",
                "0.0",
            ])),
            6 => out.push_str(["\"a\"", "'b'", "\"\"", "\"x%\"", "'Ünï'"][self.pick(5)]),
            7 => out.push_str(["null", "true", "false"][self.pick(3)]),
            8 => {
                let p = format!("p{}", self.pick(3));
                let value = [
                    json!(1),
                    json!("s"),
                    json!([1, 2]),
                    json!({"a": 1}),
                    json!(null),
                ][self.pick(5)]
                .clone();
                out.push_str(&format!("@{p}"));
                self.bind.entry(p).or_insert(value);
            }
            _ => {
                if self.noise() {
                    out.push_str(["nope", "@missing", "@@missing", "OLD", "CURRENT"][self.pick(5)]);
                } else {
                    out.push_str(&self.pick(10).to_string());
                }
            }
        }
    }

    fn call(&mut self, out: &mut String, depth: usize) {
        let (name, min, max) = self.choose(FUNCTIONS);
        let mut n = min + self.pick(max - min + 1);
        let mut name = name.to_string();
        if self.noise() {
            match self.pick(3) {
                0 => n = max + 1,
                1 => name = "NO_SUCH_FUNCTION".into(),
                _ => name = "MY::FN".into(),
            }
        }
        if name == "DOCUMENT" {
            // DOCUMENT reads a collection: keep it to readable ones.
            match self.readable_collections().first() {
                Some(c) => {
                    out.push_str(&format!("DOCUMENT(\"{c}/k1\")"));
                    return;
                }
                None => name = "FIRST".into(),
            }
        }
        out.push_str(&name);
        out.push('(');
        for i in 0..n {
            if i > 0 {
                out.push_str(", ");
            }
            self.expr(out, depth + 1);
        }
        out.push(')');
    }

    fn object(&mut self, out: &mut String, depth: usize) {
        out.push('{');
        for i in 0..self.pick(4) {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(self.choose(ATTRIBUTES));
            out.push_str(": ");
            self.expr(out, depth + 1);
        }
        out.push('}');
    }
}
