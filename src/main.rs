//! `explain`: plans an AQL query for a cluster description and prints the
//! plan as ArangoDB's explain text.

use aqlplan::{Catalog, Error, Options, Version};
use clap::{Parser, ValueEnum};
use std::io::Read;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "explain",
    version,
    about = "Plan and explain AQL queries for ArangoDB clusters"
)]
struct Cli {
    /// The cluster description (JSON, see catalog.md). Default: an empty
    /// Coordinator with three DB-Servers.
    #[arg(long, value_name = "FILE")]
    catalog: Option<std::path::PathBuf>,
    /// Bind parameters as a JSON object (`{"@coll": "c", "x": 1}`).
    #[arg(long, value_name = "JSON")]
    bind: Option<String>,
    /// ArangoDB's explain options object, e.g.
    /// `{"optimizer": {"rules": ["-all", "+sort-limit"]}}`.
    #[arg(long, value_name = "JSON")]
    options: Option<String>,
    /// The ArangoDB version whose behaviour to reproduce (3.4 … 3.12,
    /// optionally with a patch level: 3.12.0).
    #[arg(long, value_name = "VERSION", default_value = "3.12")]
    compat: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Append why the query does (not) run as OneShard.
    #[arg(long)]
    why: bool,
    /// Also show the plan after each optimizer rule that changed it
    /// (text: appended tables; json: a `trace` member).
    #[arg(long)]
    trace: bool,
    /// The query text, or `-` to read it from standard input.
    query: String,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// ArangoDB's explain table (`db._explain()`).
    Text,
    /// The body of ArangoDB's `POST /_api/explain` answer.
    Json,
    /// A Graphviz picture (`dot -Tsvg`).
    Dot,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(output) => {
            print!("{output}");
            ExitCode::SUCCESS
        }
        // With --format json the error is ArangoDB's HTTP error body, on
        // standard output like any other answer; otherwise one line on
        // standard error.
        Err(e) if cli.format == Format::Json => {
            println!("{}", e.http_body());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error {}: {e}", e.number());
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<String, Error> {
    let catalog = match &cli.catalog {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::Catalog {
                path: "$".into(),
                message: format!("cannot read {}: {e}", path.display()),
            })?;
            Catalog::from_json_text(&text)?
        }
        None => Catalog::default(),
    };
    let query = if cli.query == "-" {
        let mut text = String::new();
        std::io::stdin()
            .take(aqlplan::planner::MAX_QUERY_BYTES as u64 + 1)
            .read_to_string(&mut text)
            .map_err(|e| {
                Error::BadOption(format!("cannot read the query from standard input: {e}"))
            })?;
        text
    } else {
        cli.query.clone()
    };
    let mut options = Options {
        compat: Version::parse(&cli.compat)?,
        trace: cli.trace,
        ..Options::default()
    };
    if let Some(bind) = &cli.bind {
        if bind.len() > aqlplan::planner::MAX_BIND_BYTES {
            return Err(Error::ResourceLimit(format!(
                "the bind parameters are larger than {} bytes",
                aqlplan::planner::MAX_BIND_BYTES
            )));
        }
        let json: serde_json::Value = serde_json::from_str(bind)
            .map_err(|e| Error::BadOption(format!("--bind is not valid JSON: {e}")))?;
        let object = json
            .as_object()
            .ok_or_else(|| Error::BadOption("--bind must be a JSON object".into()))?;
        options.bind = object.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    }
    if let Some(text) = &cli.options {
        let json: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| Error::BadOption(format!("--options is not valid JSON: {e}")))?;
        options.apply_json(&json)?;
    }
    let explained = aqlplan::explain(&catalog, &query, &options)?;
    let mut out = match cli.format {
        Format::Text => aqlplan::render_text(&explained),
        Format::Json => aqlplan::render_json(&explained),
        Format::Dot => aqlplan::render_dot(&explained),
    };
    // The JSON carries the OneShard decision itself; DOT is a picture.
    if cli.why && cli.format == Format::Text {
        out.push_str(&aqlplan::explain::text::why(&explained));
    }
    if cli.trace && cli.format == Format::Text {
        out.push('\n');
        out.push_str(&aqlplan::explain::trace::render(&explained));
    }
    Ok(out)
}
