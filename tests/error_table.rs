//! Runs every row of the error table in `docs/errors.md` through the
//! `explain` binary: exit status 1, nothing on standard output, and exactly
//! `error NNNN: message` on standard error; with `--format json` the same
//! number and message (plus the query phase) in ArangoDB's HTTP error body
//! on standard output. The table is the specification: a row whose example
//! does not produce its number and message fails here.

mod common;

struct Row {
    number: u32,
    http: u16,
    message: String,
    args: Vec<String>,
    stdin: Option<String>,
}

fn table() -> Vec<Row> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/errors.md");
    let text = std::fs::read_to_string(path).expect("docs/errors.md");
    let rows: Vec<Row> = text
        .lines()
        .filter(|l| l.starts_with("| ") && l.as_bytes().get(2).is_some_and(u8::is_ascii_digit))
        .map(row)
        .collect();
    assert!(rows.len() >= 20, "the error table has {} rows", rows.len());
    rows
}

/// `| 1501 | 400 | `message` | `explain ARGS` |`
fn row(line: &str) -> Row {
    let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
    assert_eq!(cells.len(), 4, "{line}");
    let code = |cell: &str| {
        cell.strip_prefix('`')
            .and_then(|c| c.strip_suffix('`'))
            .unwrap_or_else(|| panic!("not a code cell: {cell}"))
            .to_string()
    };
    let command = code(cells[3]);
    let (command, stdin) = if let Some((c, input)) = command.split_once(" <<< ") {
        (c.to_string(), Some(expand(&words(input).concat())))
    } else if let Some((c, file)) = command.split_once(" < ") {
        let path = format!("{}/{}", env!("CARGO_MANIFEST_DIR"), file.trim());
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        (c.to_string(), Some(text))
    } else {
        (command, None)
    };
    let mut args: Vec<String> = words(&command).iter().map(|w| expand(w)).collect();
    assert_eq!(args.remove(0), "explain", "{line}");
    Row {
        number: cells[0].parse().expect("number"),
        http: cells[1].parse().expect("HTTP code"),
        message: code(cells[2]),
        args,
        stdin,
    }
}

/// Splits a shell command line into words: single and double quotes, no
/// escapes (the table needs nothing more).
fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut quote = None;
    for c in command.chars() {
        match (quote, c) {
            (None, ' ') => out.extend(word.take()),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (Some(q), c) if c == q => quote = None,
            (_, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    assert!(quote.is_none(), "unbalanced quotes in {command}");
    out.extend(word);
    out
}

/// Expands `{N×text}` into `text` repeated N times.
fn expand(word: &str) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(start) = rest.find('{') {
        let Some((count, tail)) = rest[start + 1..].split_once('×') else {
            break;
        };
        let Ok(n) = count.parse::<usize>() else {
            out.push_str(&rest[..=start]);
            rest = &rest[start + 1..];
            continue;
        };
        let end = tail.find('}').expect("closing brace");
        out.push_str(&rest[..start]);
        out.push_str(&tail[..end].repeat(n));
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out
}

fn run(args: &[String], stdin: Option<&str>) -> std::process::Output {
    common::run_explain(args, stdin.map(str::as_bytes))
}

#[test]
fn every_row_gives_its_number_and_message_as_text() {
    for row in table() {
        let out = run(&row.args, row.stdin.as_deref());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{:?}: {stderr}", row.args);
        assert!(out.stdout.is_empty(), "{:?}", row.args);
        assert_eq!(
            stderr,
            format!("error {}: {}\n", row.number, row.message),
            "{:?}",
            row.args
        );
    }
}

#[test]
fn every_row_gives_arangodb_http_error_body_as_json() {
    for row in table() {
        let mut args = vec!["--format".to_string(), "json".to_string()];
        args.extend(row.args.iter().cloned());
        let out = run(&args, row.stdin.as_deref());
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stderr.is_empty(), "{args:?}");
        let body: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("the error body is JSON");
        assert_eq!(body["error"], true);
        assert_eq!(body["errorNum"], row.number, "{args:?}");
        assert_eq!(body["code"], row.http, "{args:?}");
        let message = body["errorMessage"].as_str().expect("message");
        assert!(
            message == row.message || message.starts_with(&format!("{} (while ", row.message)),
            "{args:?}: {message}"
        );
    }
}
