//! The AQL function registry: every built-in function with its argument
//! counts and the flags the optimizer and OneShard decisions read.

mod table;

use crate::error::{Error, Result};

/// Function properties, as ArangoDB's function registry declares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flags(u16);

impl Flags {
    pub const NONE: Flags = Flags(0);
    /// Same arguments, same result.
    pub const DETERMINISTIC: Flags = Flags(1);
    /// The query result may be cached when only such functions are used.
    pub const CACHEABLE: Flags = Flags(1 << 1);
    /// May run on a DB-Server in a sharded (non-OneShard) cluster.
    pub const CLUSTER: Flags = Flags(1 << 2);
    /// May run on the DB-Server of a OneShard database.
    pub const ONE_SHARD: Flags = Flags(1 << 3);
    /// Reads documents from collections (e.g. `DOCUMENT`).
    pub const READS_DOCUMENTS: Flags = Flags(1 << 4);
    /// Never evaluated at plan time (`NOOPT`, `NOEVAL`).
    pub const NO_EVAL: Flags = Flags(1 << 5);
    /// Internal: not callable from user queries.
    pub const INTERNAL: Flags = Flags(1 << 6);
    /// Usable in ArangoSearch analyzers.
    pub const ANALYZER: Flags = Flags(1 << 7);
    /// Implemented in JavaScript only (`Uses V8` in the functions table).
    pub const V8: Flags = Flags(1 << 8);
    /// What most functions have: deterministic, cacheable, runs anywhere.
    pub const DEFAULT: Flags = Flags(1 | 1 << 1 | 1 << 2 | 1 << 3 | 1 << 7);

    pub const fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }

    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for Flags {
    type Output = Flags;
    fn bitor(self, rhs: Flags) -> Flags {
        self.union(rhs)
    }
}

/// Unlimited maximum argument count.
pub const MANY: u8 = u8::MAX;

/// One built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Function {
    /// Upper-case name, as ArangoDB prints it.
    pub name: &'static str,
    pub min_args: u8,
    /// `MANY` for variadic functions.
    pub max_args: u8,
    pub flags: Flags,
}

impl Function {
    pub fn is_deterministic(&self) -> bool {
        self.flags.contains(Flags::DETERMINISTIC)
    }
    pub fn is_cacheable(&self) -> bool {
        self.flags.contains(Flags::CACHEABLE)
    }
    pub fn uses_v8(&self) -> bool {
        self.flags.contains(Flags::V8)
    }
    /// Whether a calculation calling this may run on a DB-Server.
    pub fn runs_on_db_server(&self, one_shard: bool) -> bool {
        self.flags.contains(if one_shard {
            Flags::ONE_SHARD
        } else {
            Flags::CLUSTER
        })
    }
}

/// Looks a function up by name, case-insensitively.
pub fn lookup(name: &str) -> Option<&'static Function> {
    let upper = name.to_ascii_uppercase();
    table::FUNCTIONS
        .binary_search_by(|f| f.name.cmp(upper.as_str()))
        .ok()
        .map(|i| &table::FUNCTIONS[i])
}

/// Resolves a user-visible call: unknown names are error 1540, internal
/// functions are not callable, and the argument count must fit (1541).
pub fn resolve_call(name: &str, arg_count: usize) -> Result<&'static Function> {
    let function = lookup(name)
        .filter(|f| !f.flags.contains(Flags::INTERNAL))
        .ok_or_else(|| Error::UnknownFunction(name.to_ascii_uppercase()))?;
    let max = if function.max_args == MANY {
        usize::MAX
    } else {
        usize::from(function.max_args)
    };
    if arg_count < usize::from(function.min_args) || arg_count > max {
        // ArangoDB names the function as the query wrote it here.
        return Err(Error::InvalidArgumentCount {
            name: name.to_string(),
            min: usize::from(function.min_args),
            max: if function.max_args == MANY {
                65536
            } else {
                max
            },
        });
    }
    Ok(function)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique_for_binary_search() {
        for pair in table::FUNCTIONS.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} before {}",
                pair[0].name,
                pair[1].name
            );
        }
    }

    #[test]
    fn lookup_is_case_insensitive() {
        assert_eq!(lookup("length").map(|f| f.name), Some("LENGTH"));
    }

    fn get(name: &str) -> &'static Function {
        lookup(name).unwrap_or_else(|| panic!("{name} missing"))
    }

    fn bounds(name: &str) -> (u8, u8) {
        let f = get(name);
        (f.min_args, f.max_args)
    }

    #[test]
    fn table_has_every_registered_function() {
        // 252 from AqlFunctionFeature (3.12, incl. aliases, internal,
        // vector and Enterprise-only entries) + 10 ArangoSearch functions.
        assert_eq!(table::FUNCTIONS.len(), 262);
        for f in table::FUNCTIONS {
            assert_eq!(f.name, f.name.to_ascii_uppercase());
            assert!(f.min_args <= f.max_args, "{}", f.name);
        }
    }

    #[test]
    fn argument_bounds_follow_the_signatures() {
        assert_eq!(bounds("LENGTH"), (1, 1));
        assert_eq!(bounds("COUNT"), (1, 1));
        assert_eq!(bounds("CONCAT"), (1, MANY));
        assert_eq!(bounds("CONCAT_SEPARATOR"), (2, MANY));
        assert_eq!(bounds("MERGE_RECURSIVE"), (1, MANY));
        assert_eq!(bounds("CALL"), (1, MANY));
        assert_eq!(bounds("APPLY"), (1, 2));
        assert_eq!(bounds("FAIL"), (0, 1));
        assert_eq!(bounds("DOCUMENT"), (1, 2));
        assert_eq!(bounds("DECAY_GAUSS"), (5, 5));
        assert_eq!(bounds("DATE_DIFF"), (3, 6));
        assert_eq!(bounds("GEO_IN_RANGE"), (4, 7));
        assert_eq!(bounds("NEAR"), (3, 5));
        assert_eq!(bounds("WITHIN_RECTANGLE"), (5, 5));
        assert_eq!(bounds("DATE_NOW"), (0, 0));
    }

    #[test]
    fn aliases_are_copies_of_their_originals() {
        for (alias, original) in [
            ("COUNT", "LENGTH"),
            ("AVG", "AVERAGE"),
            ("KEYS", "ATTRIBUTES"),
            ("IS_LIST", "IS_ARRAY"),
            ("IS_DOCUMENT", "IS_OBJECT"),
            ("TO_LIST", "TO_ARRAY"),
            ("VARIANCE", "VARIANCE_POPULATION"),
            ("STDDEV", "STDDEV_POPULATION"),
            ("COUNT_UNIQUE", "COUNT_DISTINCT"),
            ("CONTAINS_ARRAY", "POSITION"),
            ("RANDOM", "RAND"),
        ] {
            let (a, o) = (get(alias), get(original));
            assert_eq!(
                (a.min_args, a.max_args, a.flags),
                (o.min_args, o.max_args, o.flags),
                "{alias}"
            );
        }
    }

    #[test]
    fn special_flags() {
        let servers = Flags::CLUSTER | Flags::ONE_SHARD;
        assert_eq!(get("LENGTH").flags, Flags::DEFAULT);
        assert_eq!(
            get("DATE_NOW").flags,
            Flags::DETERMINISTIC | servers | Flags::ANALYZER
        );
        assert!(!get("DATE_NOW").is_cacheable());
        assert_eq!(
            get("DOCUMENT").flags,
            Flags::ONE_SHARD | Flags::READS_DOCUMENTS
        );
        assert!(get("DOCUMENT").runs_on_db_server(true));
        assert!(!get("DOCUMENT").runs_on_db_server(false));
        let user = get("CURRENT_USER");
        assert_eq!(user.flags, Flags::DETERMINISTIC);
        assert!(!user.runs_on_db_server(true) && !user.runs_on_db_server(false));
        let sleep = get("SLEEP");
        assert_eq!(sleep.flags, servers);
        assert!(!sleep.is_deterministic() && !sleep.is_cacheable());
        assert_eq!(get("RAND").flags, servers | Flags::ANALYZER);
        assert_eq!(
            get("NOOPT").flags,
            servers | Flags::NO_EVAL | Flags::ANALYZER
        );
        assert_eq!(get("COLLECTION_COUNT").flags, Flags::READS_DOCUMENTS);
        assert_eq!(get("NEAR").flags, Flags::CACHEABLE);
        assert!(!get("NGRAM_MATCH").flags.contains(Flags::ANALYZER));
    }

    #[test]
    fn only_v8_lacks_a_cxx_implementation() {
        let v8: Vec<_> = table::FUNCTIONS
            .iter()
            .filter(|f| f.uses_v8())
            .map(|f| f.name)
            .collect();
        assert_eq!(v8, ["V8"]);
        assert_eq!(
            get("V8").flags,
            Flags::DETERMINISTIC | Flags::CACHEABLE | Flags::V8
        );
        for name in ["CALL", "APPLY"] {
            assert_eq!(get(name).flags, Flags::NONE, "{name}");
        }
    }

    #[test]
    fn internal_functions_are_hidden_from_users() {
        let internal: Vec<_> = table::FUNCTIONS
            .iter()
            .filter(|f| f.flags.contains(Flags::INTERNAL))
            .map(|f| f.name)
            .collect();
        assert_eq!(
            internal,
            [
                "INTERNAL",
                "MAKE_DISTRIBUTE_GRAPH_INPUT",
                "MAKE_DISTRIBUTE_INPUT",
                "MAKE_DISTRIBUTE_INPUT_WITH_KEY_CREATION",
                "SELECT_SMART_DISTRIBUTE_GRAPH_INPUT",
            ]
        );
        assert_eq!(
            get("MAKE_DISTRIBUTE_INPUT").flags,
            Flags::DETERMINISTIC
                | Flags::CACHEABLE
                | Flags::INTERNAL
                | Flags::CLUSTER
                | Flags::ONE_SHARD
        );
        assert_eq!(
            get("MAKE_DISTRIBUTE_INPUT_WITH_KEY_CREATION").flags,
            Flags::INTERNAL
        );
        assert!(resolve_call("INTERNAL", 0).is_err());
        assert!(resolve_call("make_distribute_input", 2).is_err());
    }

    #[test]
    fn resolve_call_checks_argument_counts() {
        assert!(resolve_call("concat", 1).is_ok());
        assert!(resolve_call("concat", 300).is_ok());
        assert!(resolve_call("LENGTH", 2).is_err());
        assert!(resolve_call("PREGEL_RESULT", 1).is_err());
    }
}
