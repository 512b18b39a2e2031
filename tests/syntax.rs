//! Parser tests: precedence, literals, statements, round-trips, errors and
//! nesting limits.

use aqlplan::syntax::*;
use aqlplan::Error;

fn q(text: &str) -> Query {
    match parse(text) {
        Ok(q) => q,
        Err(e) => panic!("{text:?} failed: {e:?}"),
    }
}

/// The expression of the single `RETURN` statement.
fn ret(text: &str) -> Expr {
    let query = q(&format!("RETURN {text}"));
    match query.statements.into_iter().last() {
        Some(Statement::Return { expr, .. }) => expr,
        other => panic!("not a return: {other:?}"),
    }
}

fn e(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: Span::default(),
    }
}
fn int(v: i64) -> Expr {
    e(ExprKind::Int(v))
}
fn name(n: &str) -> Expr {
    e(ExprKind::Name(n.into()))
}
fn bin(op: BinaryOp, l: Expr, r: Expr) -> Expr {
    e(ExprKind::Binary {
        op,
        lhs: Box::new(l),
        rhs: Box::new(r),
    })
}
fn un(op: UnaryOp, x: Expr) -> Expr {
    e(ExprKind::Unary {
        op,
        operand: Box::new(x),
    })
}
fn attr(o: Expr, n: &str) -> Expr {
    e(ExprKind::Attribute {
        object: Box::new(o),
        name: n.into(),
    })
}

fn syntax_err(text: &str) -> (String, usize, usize) {
    match parse(text) {
        Err(Error::Syntax {
            message,
            line,
            column,
        }) => (message, line, column),
        other => panic!("{text:?}: expected a syntax error, got {other:?}"),
    }
}

// ------------------------------------------------------------- precedence

#[test]
fn arithmetic_precedence_and_associativity() {
    use BinaryOp::*;
    assert_eq!(ret("1 + 2 * 3"), bin(Add, int(1), bin(Mul, int(2), int(3))));
    assert_eq!(ret("1 - 2 - 3"), bin(Sub, bin(Sub, int(1), int(2)), int(3)));
    assert_eq!(ret("8 / 4 % 3"), bin(Mod, bin(Div, int(8), int(4)), int(3)));
    assert_eq!(
        ret("(1 + 2) * 3"),
        bin(Mul, bin(Add, int(1), int(2)), int(3))
    );
}

#[test]
fn logical_precedence() {
    use BinaryOp::*;
    assert_eq!(
        ret("a || b && c"),
        bin(Or, name("a"), bin(And, name("b"), name("c")))
    );
    assert_eq!(
        ret("a == b && c"),
        bin(And, bin(Eq, name("a"), name("b")), name("c"))
    );
    assert_eq!(
        ret("a OR b AND c"),
        bin(Or, name("a"), bin(And, name("b"), name("c")))
    );
    // grammar.y: IN binds tighter than ==, < tighter than IN
    assert_eq!(
        ret("a == b IN c"),
        bin(Eq, name("a"), bin(In, name("b"), name("c")))
    );
    assert_eq!(
        ret("a IN b < c"),
        bin(In, name("a"), bin(Lt, name("b"), name("c")))
    );
    // range between comparison and additive operators
    assert_eq!(
        ret("1 < 2 .. 3 + 1"),
        bin(
            Lt,
            int(1),
            e(ExprKind::Range {
                from: Box::new(int(2)),
                to: Box::new(bin(Add, int(3), int(1)))
            })
        )
    );
}

#[test]
fn not_binds_tighter_than_in() {
    // `NOT a IN b` is `(NOT a) IN b` in ArangoDB (UNEGATION > IN)
    assert_eq!(
        ret("NOT a IN b"),
        bin(BinaryOp::In, un(UnaryOp::Not, name("a")), name("b"))
    );
    assert_eq!(
        ret("a NOT IN b"),
        bin(BinaryOp::NotIn, name("a"), name("b"))
    );
    assert_eq!(ret("!a"), un(UnaryOp::Not, name("a")));
}

#[test]
fn unary_minus_vs_attribute_access() {
    assert_eq!(ret("-a.b"), un(UnaryOp::Minus, attr(name("a"), "b")));
    assert_eq!(
        ret("-1 + 2"),
        bin(BinaryOp::Add, un(UnaryOp::Minus, int(1)), int(2))
    );
    assert_eq!(ret("- -1"), un(UnaryOp::Minus, un(UnaryOp::Minus, int(1))));
}

#[test]
fn ternary_nesting() {
    let t = |c: Expr, th: Option<Expr>, o: Expr| {
        e(ExprKind::Ternary {
            condition: Box::new(c),
            then: th.map(Box::new),
            otherwise: Box::new(o),
        })
    };
    assert_eq!(
        ret("a ? b : c ? d : e"),
        t(
            name("a"),
            Some(name("b")),
            t(name("c"), Some(name("d")), name("e"))
        )
    );
    assert_eq!(
        ret("a ? b ? c : d : e"),
        t(
            name("a"),
            Some(t(name("b"), Some(name("c")), name("d"))),
            name("e")
        )
    );
    assert_eq!(ret("a ?: b"), t(name("a"), None, name("b")));
    assert_eq!(
        ret("a || b ? 1 : 2"),
        t(
            bin(BinaryOp::Or, name("a"), name("b")),
            Some(int(1)),
            int(2)
        )
    );
}

#[test]
fn array_comparison_operators() {
    let x = ret("a ALL IN b");
    assert!(matches!(
        x.kind,
        ExprKind::ArrayCompare {
            quantifier: Quantifier::All,
            op: BinaryOp::In,
            ..
        }
    ));
    let x = ret("a NONE > 1");
    assert!(matches!(
        x.kind,
        ExprKind::ArrayCompare {
            quantifier: Quantifier::None,
            op: BinaryOp::Gt,
            ..
        }
    ));
    let x = ret("a AT LEAST (2) == 1");
    match x.kind {
        ExprKind::ArrayCompare {
            quantifier: Quantifier::AtLeast(n),
            op: BinaryOp::Eq,
            ..
        } => assert_eq!(*n, int(2)),
        other => panic!("{other:?}"),
    }
    // ANY IN takes the precedence of IN: tighter than &&
    assert!(matches!(
        ret("a ANY IN b && c").kind,
        ExprKind::Binary {
            op: BinaryOp::And,
            ..
        }
    ));
    assert!(matches!(
        ret("a NOT LIKE b").kind,
        ExprKind::Binary {
            op: BinaryOp::NotLike,
            ..
        }
    ));
}

// --------------------------------------------------------------- literals

#[test]
fn literals() {
    assert_eq!(ret("42"), int(42));
    assert_eq!(ret("1.5"), e(ExprKind::Double(1.5)));
    assert_eq!(ret(".5"), e(ExprKind::Double(0.5)));
    assert_eq!(ret("1e10"), e(ExprKind::Double(1e10)));
    assert_eq!(ret("2.5E-3"), e(ExprKind::Double(2.5e-3)));
    assert_eq!(ret("0x1F"), int(31));
    assert_eq!(ret("0b101"), int(5));
    assert_eq!(ret("TRUE"), e(ExprKind::Bool(true)));
    assert_eq!(ret("False"), e(ExprKind::Bool(false)));
    assert_eq!(ret("NULL"), e(ExprKind::Null));
    assert_eq!(ret("'a\\'b'"), e(ExprKind::String("a'b".into())));
    assert_eq!(
        ret(r#""\n\t\r\b\f\\\"\/\u00e9\ud83d\ude00""#),
        e(ExprKind::String("\n\t\r\u{8}\u{c}\\\"/é😀".into()))
    );
    assert_eq!(
        ret("'CURRENT_USER()'"),
        e(ExprKind::String("CURRENT_USER()".into()))
    );
    assert_eq!(ret("@x1"), e(ExprKind::BindParameter("x1".into())));
    assert_eq!(ret("@1"), e(ExprKind::BindParameter("1".into())));
    assert_eq!(
        ret("@@coll"),
        e(ExprKind::CollectionBindParameter("coll".into()))
    );
}

#[test]
fn number_ranges() {
    // ArangoDB turns decimal integers beyond i64 into doubles
    assert_eq!(
        ret("9223372036854775808"),
        e(ExprKind::Double(9223372036854775808.0))
    );
    assert_eq!(ret("9223372036854775807"), int(i64::MAX));
    assert!(matches!(
        parse("RETURN 0xFFFFFFFFFFFFFFFFF"),
        Err(Error::NumberOutOfRange(_))
    ));
    assert!(matches!(
        parse("RETURN 0b11111111111111111111111111111111111111111111111111111111111111111"),
        Err(Error::NumberOutOfRange(_))
    ));
}

#[test]
fn names_and_objects() {
    assert_eq!(ret("`for`"), name("for"));
    assert_eq!(ret("´a b´"), name("a b"));
    assert_eq!(ret("`a\\`b`"), name("a`b"));
    assert_eq!(ret("_key1"), name("_key1"));
    assert_eq!(ret("doc.`filter`"), attr(name("doc"), "filter"));
    // keywords are not attribute names without quotes (grammar.y: '.' T_STRING)
    assert!(parse("RETURN doc.filter").is_err());
    assert!(parse("RETURN for").is_err());
    let o = ret("{ a: 1, 'b': 2, \"c\": 3, d, [x]: 4, @p: 5, }");
    match o.kind {
        ExprKind::Object(entries) => {
            assert_eq!(entries.len(), 6);
            assert_eq!(
                entries[3],
                ObjectEntry::Pair {
                    key: "d".into(),
                    value: name("d"),
                    shorthand: true
                }
            );
            assert_eq!(
                entries[5],
                ObjectEntry::Computed {
                    key: e(ExprKind::BindParameter("p".into())),
                    value: int(5)
                }
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(ret("[1, 2,]"), e(ExprKind::Array(vec![int(1), int(2)])));
}

#[test]
fn postfix_forms() {
    assert!(matches!(ret("a[*]").kind, ExprKind::Expansion(ref x) if x.levels == 1));
    assert!(matches!(ret("a[**]").kind, ExprKind::Expansion(ref x) if x.levels == 2));
    match ret("a[* FILTER CURRENT.x LIMIT 1, 2 RETURN CURRENT.y].z").kind {
        ExprKind::Attribute { object, name } => {
            assert_eq!(name, "z");
            match object.kind {
                ExprKind::Expansion(x) => {
                    assert!(x.filter.is_some() && x.projection.is_some());
                    assert_eq!(x.limit, Some((Some(int(1)), int(2))));
                }
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
    for (text, want) in [
        ("a[? FILTER CURRENT > 1]", None),
        ("a[? ALL FILTER CURRENT > 1]", Some(Quantifier::All)),
        (
            "a[? AT LEAST (2) FILTER CURRENT > 1]",
            Some(Quantifier::AtLeast(Box::new(int(2)))),
        ),
        (
            "a[? 2 FILTER CURRENT > 1]",
            Some(Quantifier::Count(Box::new(int(2)))),
        ),
    ] {
        match ret(text).kind {
            ExprKind::ArrayFilter { quantifier, .. } => assert_eq!(quantifier, want, "{text}"),
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(
        ret("a[? 1..2 FILTER true]").kind,
        ExprKind::ArrayFilter {
            quantifier: Some(Quantifier::Count(_)),
            ..
        }
    ));
    assert_eq!(
        ret("NS::SUB::FUNC(1)"),
        e(ExprKind::Call {
            name: "NS::SUB::FUNC".into(),
            args: vec![int(1)]
        })
    );
    assert!(matches!(ret("LIKE(a, b)").kind, ExprKind::Call { ref name, .. } if name == "LIKE"));
    assert!(matches!(
        ret("(FOR x IN y RETURN x)").kind,
        ExprKind::Subquery(_)
    ));
    assert!(matches!(
        ret("LENGTH(FOR x IN y RETURN x)").kind,
        ExprKind::Call { ref args, .. } if matches!(args[0].kind, ExprKind::Subquery(_))
    ));
}

// ------------------------------------------------------------- statements

#[test]
fn destructuring_patterns_in_for() {
    let s = q("FOR { a, b: [x, , y], \"c d\": z } IN coll RETURN a").statements;
    let Statement::For(f) = &s[0] else {
        panic!("a FOR statement")
    };
    let names: Vec<&str> = f
        .pattern
        .as_ref()
        .expect("a pattern")
        .variables()
        .iter()
        .map(|n| n.text.as_str())
        .collect();
    assert_eq!(names, ["a", "x", "y", "z"]);
    assert!(f.variables.is_empty());
    // a quoted attribute has no variable of its own
    assert!(parse("FOR { \"a\" } IN c RETURN 1").is_err());
    // a pattern must assign something
    assert!(parse("FOR [,] IN c RETURN 1").is_err());
    let s = q("LET a = 1, [b, c] = [2, 3] RETURN c").statements;
    assert!(matches!(&s[0], Statement::Let(l)
        if l.len() == 2 && matches!(l[1].0, Pattern::Array(_))));
    // graph loops take plain variables only
    assert!(parse("FOR [v, e] IN 1..2 OUTBOUND 'a/1' edges RETURN v").is_err());
}

#[test]
fn statement_forms() {
    let s = q("WITH a, @@b FOR v IN 1..2 OUTBOUND 'x/1' edges RETURN v").statements;
    assert!(matches!(&s[0], Statement::With(l) if l.len() == 2));
    let s = q("FOR [k, v] IN {a: 1} RETURN k").statements;
    assert!(
        matches!(&s[0], Statement::For(f) if f.pattern.as_ref().is_some_and(|p| p.variables().len() == 2))
    );
    let s = q("FOR d IN view SEARCH d.x == 1 OPTIONS {a: 1} RETURN d").statements;
    assert!(matches!(&s[0], Statement::For(f) if f.search.is_some() && f.options.is_some()));
    let s = q("FOR v, e, p IN 1..3 ANY 'a/1' GRAPH 'g' PRUNE stop = v.x == 1 OPTIONS {} RETURN p")
        .statements;
    match &s[0] {
        Statement::For(For {
            source: ForSource::Traversal(t),
            options: Some(_),
            ..
        }) => {
            assert_eq!(t.direction, Direction::Any);
            assert!(t.depth.is_some());
            assert_eq!(
                t.prune
                    .as_ref()
                    .and_then(|p| p.variable.as_ref())
                    .map(|n| n.text.as_str()),
                Some("stop")
            );
        }
        other => panic!("{other:?}"),
    }
    let s = q("FOR v IN OUTBOUND 'a' e1, INBOUND @@e2 RETURN v").statements;
    match &s[0] {
        Statement::For(For {
            source: ForSource::Traversal(t),
            ..
        }) => assert!(
            matches!(&t.graph, GraphRef::Collections(l) if l.len() == 2 && l[1].0 == Some(Direction::Inbound))
        ),
        other => panic!("{other:?}"),
    }
    for (text, kind) in [
        (
            "FOR v, e IN OUTBOUND SHORTEST_PATH 'a' TO 'b' GRAPH 'g' RETURN v",
            PathKind::ShortestPath,
        ),
        (
            "FOR p IN ANY K_SHORTEST_PATHS 'a' TO 'b' edges RETURN p",
            PathKind::KShortestPaths,
        ),
        (
            "FOR p IN 1..3 OUTBOUND K_PATHS 'a' TO 'b' GRAPH 'g' RETURN p",
            PathKind::KPaths,
        ),
        (
            "FOR p IN INBOUND ALL_SHORTEST_PATHS 'a' TO 'b' GRAPH @g OPTIONS {} RETURN p",
            PathKind::AllShortestPaths,
        ),
    ] {
        match &q(text).statements[0] {
            Statement::For(For {
                source: ForSource::Path(p),
                ..
            }) => assert_eq!(p.kind, kind),
            other => panic!("{other:?}"),
        }
    }
    let s = q("LET a = 1, b = 2 RETURN a + b").statements;
    assert!(matches!(&s[0], Statement::Let(l) if l.len() == 2));
    let s = q("FOR x IN c SORT x.a DESC, x.b, x.c ASC, x.d @dir LIMIT 2, 3 RETURN x").statements;
    match &s[1] {
        Statement::Sort(l) => {
            assert_eq!(l[0].direction, SortDirection::Desc);
            assert_eq!(l[1].direction, SortDirection::Default);
            assert_eq!(l[2].direction, SortDirection::Asc);
            assert!(matches!(l[3].direction, SortDirection::Dynamic(_)));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        &s[2],
        Statement::Limit {
            offset: Some(_),
            ..
        }
    ));
    for text in [
        "FOR x IN c COLLECT a = x.a, b = x.b RETURN a",
        "FOR x IN c COLLECT a = x.a INTO g RETURN g",
        "FOR x IN c COLLECT a = x.a INTO g = x.name RETURN g",
        "FOR x IN c COLLECT a = x.a INTO g KEEP x RETURN g",
        "FOR x IN c COLLECT a = x.a WITH COUNT INTO n RETURN n",
        "FOR x IN c COLLECT WITH COUNT INTO n RETURN n",
        "FOR x IN c COLLECT AGGREGATE m = MAX(x.a) RETURN m",
        "FOR x IN c COLLECT a = x.a AGGREGATE m = MAX(x.b) INTO g OPTIONS { method: 'sorted' } RETURN m",
        "FOR x IN c WINDOW { preceding: 1, following: 1 } AGGREGATE s = SUM(x.v) RETURN s",
        "FOR x IN c WINDOW x.t WITH { preceding: 'PT1H' } AGGREGATE s = SUM(x.v) RETURN s",
        "INSERT { a: 1 } INTO c",
        "INSERT { a: 1 } IN @@c OPTIONS { waitForSync: true } RETURN NEW",
        "FOR d IN c UPDATE d IN c",
        "FOR d IN c UPDATE d WITH { x: 1 } IN c OPTIONS {} RETURN NEW",
        "FOR d IN c REPLACE d._key WITH { x: 1 } INTO c",
        "FOR d IN c REMOVE d IN c LET r = OLD RETURN r",
        "UPSERT { a: 1 } INSERT { a: 1 } UPDATE { b: 2 } IN c",
        "UPSERT @s INSERT {} REPLACE {} IN c OPTIONS {}",
        "UPSERT FILTER CURRENT.a == 1 INSERT {} UPDATE {} INTO c",
        "for x in c filter x.a return distinct x",
    ] {
        q(text);
    }
    match &q("FOR d IN c COLLECT a = d.a INTO g KEEP d RETURN a").statements[1] {
        Statement::Collect(c) => assert_eq!(c.into.as_ref().map(|i| i.keep.len()), Some(1)),
        other => panic!("{other:?}"),
    }
    match &q("FOR d IN c UPDATE d WITH {} IN c").statements[1] {
        Statement::Update(m) => assert!(m.key.is_some()),
        other => panic!("{other:?}"),
    }
}

// -------------------------------------------------------------- round trip

const ROUND_TRIP: &[&str] = &[
    "RETURN 1",
    "RETURN 1.0",
    "RETURN 1e300",
    "RETURN 0.1 + 0.2",
    "RETURN 2.5E-3",
    "RETURN .5",
    "RETURN 0x1F + 0b11",
    "RETURN 99999999999999999999",
    "RETURN -1",
    "RETURN - -a",
    "RETURN +a",
    "RETURN NOT a",
    "RETURN !a && b",
    "RETURN 'it\\'s'",
    r#"RETURN "tab\there\nnew \"q\" \\ \u0001 é 😀""#,
    "RETURN null",
    "RETURN [true, false, null]",
    "RETURN {}",
    "RETURN { a: 1, 'b c': 2, \"for\": 3 }",
    "LET a = 1 RETURN { a }",
    "LET `for` = 1 RETURN { `for` }",
    "RETURN { [CONCAT('a', 'b')]: 1, @k: 2 }",
    "RETURN `my var`.`my attr`",
    "RETURN ´x´.y",
    "RETURN doc.`filter`.`return`",
    "RETURN a.b[0]['c'][@i].@j",
    "RETURN @@c",
    "RETURN a[*]",
    "RETURN a[**].b",
    "RETURN a[* FILTER CURRENT.x > 1 LIMIT 5 RETURN CURRENT.y]",
    "RETURN a[* LIMIT 1, 2]",
    "RETURN a[? FILTER CURRENT]",
    "RETURN a[?]",
    "RETURN a[? ANY FILTER CURRENT > 1]",
    "RETURN a[? NONE FILTER CURRENT > 1]",
    "RETURN a[? AT LEAST (3) FILTER CURRENT > 1]",
    "RETURN a[? 2..4 FILTER CURRENT > 1]",
    "RETURN LENGTH([1, 2])",
    "RETURN ns::sub::f(1, 2)",
    "RETURN LIKE(a, 'b%')",
    "RETURN `weird name`(1)",
    "RETURN 1 + 2 * 3 - 4 / 5 % 6",
    "RETURN (1 + 2) * 3",
    "RETURN a || b && c || d",
    "RETURN a == b != c",
    "RETURN a < b <= c > d >= e",
    "RETURN a IN b NOT IN c",
    "RETURN a LIKE b NOT LIKE c",
    "RETURN a =~ b !~ c",
    "RETURN a NOT =~ b",
    "RETURN a ALL == b",
    "RETURN a ANY != b",
    "RETURN a NONE IN b",
    "RETURN a ALL NOT IN b",
    "RETURN a AT LEAST (1 + 1) < b",
    "RETURN 1..10",
    "RETURN a ? b : c ? d : e",
    "RETURN a ?: b",
    "RETURN (FOR x IN 1..3 RETURN x)",
    "RETURN LENGTH(FOR x IN c RETURN x)",
    "WITH a, b FOR v IN OUTBOUND 'a/1' e RETURN v",
    "WITH @@a FOR v IN OUTBOUND 'a/1' e RETURN v",
    "FOR x IN c FILTER x.a == 1 SORT x.b DESC LIMIT 10 RETURN x",
    "FOR [k, v] IN { a: 1 } RETURN [k, v]",
    "FOR { a, b, c } IN coll SORT a, c RETURN { a, b, c }",
    "FOR [, y, z] IN [[1, 2, 3]] RETURN [y, z]",
    "FOR { vip: status, `odd name`, \"quoted key\": q } IN c RETURN [status, q]",
    "FOR { obj: [x, [y, z]], w } IN c RETURN [x, y, z, w]",
    "FOR [a, { b, c: [d] }] IN c RETURN d",
    "LET [x, y] = [1, 2, 3] RETURN [x, y]",
    "LET [, y] = [1, 2] RETURN y",
    "LET a = 1, { name, vip: status } = { name: 'n', vip: true } RETURN [a, name, status]",
    "LET { obj: [x, [y, z]] } = { obj: [1, [2, 3]] } RETURN z",
    "FOR d IN v SEARCH ANALYZER(d.t == 'x', 'text_en') OPTIONS { waitForSync: true } RETURN d",
    "FOR x IN c OPTIONS { indexHint: 'idx' } RETURN x",
    "FOR v, e, p IN 1..3 OUTBOUND 'a/1' GRAPH 'g' PRUNE v.x == 1 OPTIONS { bfs: true } RETURN p",
    "FOR v IN 2 INBOUND @start e1, ANY @@e2, OUTBOUND e3 PRUNE s = v.stop RETURN v",
    "FOR v IN ANY 'a' GRAPH @g RETURN v",
    "FOR v IN ANY 'a' GRAPH g RETURN v",
    "FOR v, e IN OUTBOUND SHORTEST_PATH 'a' TO 'b' GRAPH 'g' OPTIONS { weightAttribute: 'w' } RETURN v",
    "FOR p IN ANY K_SHORTEST_PATHS 'a' TO 'b' e LIMIT 3 RETURN p",
    "FOR p IN 1..2 OUTBOUND K_PATHS 'a' TO 'b' GRAPH 'g' RETURN p",
    "FOR p IN OUTBOUND K_PATHS 'a' TO 'b' GRAPH 'g' RETURN p",
    "FOR p IN INBOUND ALL_SHORTEST_PATHS 'a' TO 'b' e RETURN p",
    "FOR x IN c COLLECT a = x.a, b = x.b INTO g = x.c RETURN [a, b, g]",
    "FOR x IN c COLLECT a = x.a INTO g KEEP x RETURN g",
    "FOR x IN c COLLECT a = x.a WITH COUNT INTO n OPTIONS { method: 'hash' } RETURN n",
    "FOR x IN c COLLECT WITH COUNT INTO n RETURN n",
    "FOR x IN c COLLECT AGGREGATE m = MAX(x.a), s = SUM(x.b) INTO g RETURN m",
    "FOR x IN c WINDOW { preceding: 'unbounded', following: 0 } AGGREGATE s = SUM(x.v) RETURN s",
    "FOR x IN c WINDOW x.t WITH { preceding: 'PT1H' } AGGREGATE s = SUM(x.v) RETURN s",
    "FOR x IN c SORT x.a @dir, x.b 'DESC' RETURN DISTINCT x.a",
    "FOR x IN c LIMIT @off, @count RETURN x",
    "LET a = 1, b = (FOR y IN c RETURN y) RETURN [a, b]",
    "INSERT { a: 1 } INTO c",
    "FOR i IN 1..10 INSERT { i } IN @@c OPTIONS { overwriteMode: 'replace' } RETURN NEW",
    "FOR d IN c UPDATE d WITH { x: d.x + 1 } IN c RETURN { old: OLD, new: NEW }",
    "FOR d IN c UPDATE d IN c",
    "FOR d IN c REPLACE d INTO 'c'",
    "FOR d IN c REPLACE d._key WITH {} IN c",
    "FOR d IN c REMOVE d IN c",
    "FOR d IN c REMOVE d IN c LET x = OLD RETURN x",
    "UPSERT { k: 1 } INSERT { k: 1 } UPDATE { n: OLD.n + 1 } IN c",
    "UPSERT @s INSERT {} REPLACE {} IN c OPTIONS { readOwnWrites: false }",
    "UPSERT FILTER CURRENT.k == 1 INSERT {} UPDATE {} IN c RETURN NEW",
    "FOR x IN c FILTER x.a IN [1, 2] && x.b NOT IN @list RETURN x",
    "// comment\nFOR x /* inline */ IN c RETURN x // end",
    "for x in c filter x.a == 1 return x",
];

#[test]
fn round_trip() {
    for text in ROUND_TRIP {
        let first = q(text);
        let printed = first.to_string();
        let second = match parse(&printed) {
            Ok(x) => x,
            Err(e) => panic!("{text:?} printed as {printed:?} which fails: {e:?}"),
        };
        assert_eq!(first, second, "{text:?} printed as {printed:?}");
        // printing is stable
        assert_eq!(printed, second.to_string());
    }
}

#[test]
fn doubles_stay_doubles() {
    for text in [
        "1.0",
        "1e300",
        "0.1",
        "123456789.5",
        "1e-7",
        "99999999999999999999",
    ] {
        let x = ret(text);
        let printed = x.to_string();
        assert_eq!(ret(&printed), x, "{text} -> {printed}");
        assert!(matches!(ret(&printed).kind, ExprKind::Double(_)));
    }
}

// ----------------------------------------------------------------- errors

#[test]
fn syntax_error_positions() {
    let (m, line, col) = syntax_err("FOR x IN");
    assert!(
        m.starts_with("syntax error, unexpected end of query string"),
        "{m}"
    );
    assert!(m.ends_with("near 'IN' at position 1:7"), "{m}");
    assert_eq!((line, col), (1, 7));

    let (m, line, col) = syntax_err("FOR x IN c\nFILTER x.a ==\nRETURN x");
    assert!(m.contains("unexpected RETURN declaration"), "{m}");
    assert_eq!((line, col), (3, 1));
    assert!(m.ends_with("near 'RETURN x' at position 3:1"), "{m}");

    let (m, _, _) = syntax_err("FOR x IN c");
    assert!(m.contains("unexpected end of query string"), "{m}");

    let (m, line, col) = syntax_err("RETURN 'abc");
    assert!(
        m.starts_with("unexpected unterminated string literal"),
        "{m}"
    );
    assert_eq!((line, col), (1, 8));

    let (m, _, _) = syntax_err("RETURN `abc");
    assert!(m.starts_with("unexpected unterminated identifier"), "{m}");
    let (m, _, _) = syntax_err("RETURN 1 /* never closed");
    assert!(
        m.starts_with("unexpected unterminated multi-line comment"),
        "{m}"
    );

    // long regions are cut to 32 bytes
    let (m, _, _) = syntax_err("RETURN 1 1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert!(
        m.contains("near '1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'"),
        "{m}"
    );

    let (m, _, _) = syntax_err("RETURN 1 + FOR");
    assert!(m.contains("unexpected FOR declaration"), "{m}");
    let (m, _, _) = syntax_err("LET x = 1");
    assert!(m.contains("unexpected end of query string"), "{m}");
    let (m, _, _) = syntax_err("RETURN x.");
    assert!(m.contains("unexpected end of query string"), "{m}");
    assert!(syntax_err("FOR x, y IN c RETURN x")
        .0
        .contains("single return variable"));
    assert!(syntax_err("FOR x IN c OPTIONS 1 RETURN x")
        .0
        .contains("'OPTIONS' have to be an object"));
    assert!(syntax_err("RETURN DISTINCT 1").0.contains("DISTINCT"));
    assert!(syntax_err("FOR x IN c RETURN x WITH a")
        .0
        .contains("unexpected WITH keyword"));
}

#[test]
fn empty_queries() {
    for text in [
        "",
        "   ",
        "\n\t ",
        "// just a comment",
        "/* block */ // and line\n",
    ] {
        assert_eq!(parse(text), Err(Error::QueryEmpty), "{text:?}");
    }
    assert_eq!(Error::QueryEmpty.number(), 1502);
}

#[test]
fn garbage_never_panics() {
    // a small deterministic PRNG over bytes and AQL-ish fragments
    let frags: &[&str] = &[
        "FOR", " x ", "IN", "(", ")", "[", "]", "{", "}", "RETURN", "'", "\"", "`", "´", "@", "@@",
        "..", ".", "?", ":", "::", "*", "/*", "//", "\n", "0x", "1e", "NOT", "AT LEAST", ",", "=",
        "==", "\\", "é", "\u{0}", "COLLECT", "WITH", "INTO", "[*", "[?", "€", "\u{FFFD}", " ",
    ];
    let mut seed: u64 = 0x2545F4914F6CDD1D;
    for _ in 0..3000 {
        let mut s = String::new();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let n = (seed % 24) as usize;
        for _ in 0..n {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            if seed.is_multiple_of(3) {
                s.push(char::from((seed >> 8) as u8 % 128));
            } else {
                s.push_str(frags[(seed >> 16) as usize % frags.len()]);
            }
        }
        let _ = parse(&s);
    }
    let bytes: Vec<u8> = (0..=255u8).cycle().take(2000).collect();
    let _ = parse(&String::from_utf8_lossy(&bytes));
}

// ---------------------------------------------------------------- nesting

#[test]
fn deep_nesting_is_rejected() {
    // Brackets are counted by the pre-scan, before pest recurses.
    for open in ["[", "(", "{"] {
        let text = format!("RETURN {}", open.repeat(100_000));
        assert_eq!(parse(&text), Err(Error::TooMuchNesting));
    }
    // Unbracketed depth is bounded by the AST depth check. 5 000 levels are
    // ten times the limit; parsing them is linear but slow in a debug build.
    let long_sum = format!("RETURN 0{}", " + 1".repeat(5_000));
    assert_eq!(parse(&long_sum), Err(Error::TooMuchNesting));
    let minus = format!("RETURN {}1", "-".repeat(5_000));
    assert_eq!(parse(&minus), Err(Error::TooMuchNesting));
    let chain = format!("RETURN a{}", ".b".repeat(5_000));
    assert_eq!(parse(&chain), Err(Error::TooMuchNesting));
    let tern = format!("RETURN {}1", "a ? 1 : ".repeat(5_000));
    assert_eq!(parse(&tern), Err(Error::TooMuchNesting));
    assert_eq!(Error::TooMuchNesting.number(), 1524);
}

#[test]
fn nesting_at_the_limit_parses_with_default_main_stack() {
    // 8 MiB: the default main-thread stack on Linux (test threads get 2 MiB)
    std::thread::Builder::new()
        .stack_size(8 * 1024 * 1024)
        .spawn(|| {
            let n = 498;
            let arrays = format!("RETURN {}1{}", "[".repeat(n), "]".repeat(n));
            parse(&arrays).expect("arrays at the limit");
            let parens = format!("RETURN {}1{}", "(".repeat(n), ")".repeat(n));
            parse(&parens).expect("parens at the limit");
            let objects = format!("RETURN {}1{}", "{a: ".repeat(n), "}".repeat(n));
            parse(&objects).expect("objects at the limit");
            let sub = format!(
                "RETURN {}1{}",
                "(FOR x IN 1..2 RETURN ".repeat(n),
                ")".repeat(n)
            );
            parse(&sub).expect("subqueries at the limit");
            let sum = format!("RETURN 0{}", " + 1".repeat(n));
            parse(&sum).expect("sum at the limit");
            let over = format!("RETURN {}1{}", "[".repeat(501), "]".repeat(501));
            assert_eq!(parse(&over), Err(Error::TooMuchNesting));
        })
        .expect("spawn")
        .join()
        .expect("no stack overflow");
}

#[test]
fn keywords_are_reserved_in_any_case_and_only_as_whole_words() {
    // The grammar's `keyword` rule against the library's list, which the
    // printer and the error messages use too.
    assert_eq!(keywords().count(), 37);
    for word in keywords() {
        for spelled in [word.to_string(), word.to_uppercase()] {
            let query = format!("LET {spelled} = 1 RETURN 1");
            assert!(parse(&query).is_err(), "{query:?} parsed");
        }
        // A keyword with a letter or digit before or after it is a name.
        for variable in [format!("{word}x"), format!("{word}_1"), format!("x{word}")] {
            q(&format!("LET {variable} = 1 RETURN {variable}"));
        }
    }
    // Near misses of keywords are names too.
    for variable in [
        "fo", "lett", "al", "an", "inn", "intox", "k_path", "k_", "nul", "wi",
    ] {
        q(&format!("LET {variable} = 1 RETURN {variable}"));
    }
}
