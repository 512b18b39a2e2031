//! The cluster description aqlplan plans against: one database, its
//! collections with shard counts, placement, document counts and indexes.
//!
//! The JSON shape uses ArangoDB's own names (see `catalog.md`). Loading
//! validates everything up front and names the JSON path of a bad field;
//! nothing is guessed silently.

use crate::error::{Error, Result};
use serde_json::{Map, Value as Json};

/// Which server the query is explained on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A cluster Coordinator: Site column, cluster rules.
    Coordinator,
    /// A single server: no Site column, no cluster rules.
    Single,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharding {
    Flexible,
    /// A OneShard database: every collection has one shard, placed like `_graphs`.
    Single,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicationFactor {
    Copies(u32),
    /// A SatelliteCollection: one copy on every DB-Server.
    Satellite,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionType {
    Document,
    Edge,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    pub name: String,
    /// ArangoDB's index type word: `persistent`, `hash`, `skiplist`, `geo`, …
    pub kind: String,
    pub fields: Vec<String>,
    pub unique: bool,
    /// None for index types without a `sparse` member (printed `n/a`).
    pub sparse: Option<bool>,
    pub selectivity: Option<f64>,
    pub cache_enabled: bool,
    pub stored_values: Vec<String>,
}

impl Index {
    /// Sorted indexes can serve range conditions and SORT.
    pub fn is_sorted(&self) -> bool {
        matches!(self.kind.as_str(), "persistent" | "skiplist" | "primary")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Shard {
    pub id: String,
    /// Leader first, then followers.
    pub servers: Vec<String>,
}

impl Shard {
    pub fn leader(&self) -> &str {
        self.servers.first().map(String::as_str).unwrap_or("")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Collection {
    pub name: String,
    pub kind: CollectionType,
    pub number_of_shards: u32,
    pub shard_keys: Vec<String>,
    pub replication_factor: ReplicationFactor,
    pub write_concern: u32,
    /// The prototype collection whose sharding this one follows.
    pub distribute_shards_like: Option<String>,
    pub is_smart: bool,
    pub count: u64,
    /// Secondary indexes as listed; the primary (and edge) index are implied.
    pub indexes: Vec<Index>,
    pub shards: Vec<Shard>,
}

impl Collection {
    pub fn is_satellite(&self) -> bool {
        self.replication_factor == ReplicationFactor::Satellite
    }

    /// Sharded by `_key` only (ArangoDB's default).
    pub fn has_default_sharding(&self) -> bool {
        self.shard_keys.len() == 1 && self.shard_keys[0] == "_key"
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    pub role: Role,
    pub force_one_shard: bool,
    pub database_name: String,
    pub sharding: Sharding,
    pub replication_factor: ReplicationFactor,
    pub write_concern: u32,
    pub coordinators: Vec<String>,
    pub db_servers: Vec<String>,
    /// Every collection, including the implicit `_graphs`.
    pub collections: Vec<Collection>,
    /// Registered user-defined functions, upper-case `NS::NAME`.
    pub user_functions: Vec<String>,
    /// Things the file said that were overridden (e.g. shard counts in a
    /// OneShard database).
    pub warnings: Vec<String>,
}

impl Default for Catalog {
    /// An empty coordinator catalog with the default servers.
    fn default() -> Catalog {
        Catalog::from_json(&Json::Object(Map::new())).expect("the empty catalog is valid")
    }
}

impl Catalog {
    /// Parses and validates a catalog file's text.
    pub fn from_json_text(text: &str) -> Result<Catalog> {
        let json: Json = serde_json::from_str(text).map_err(|e| Error::Catalog {
            path: "$".into(),
            message: format!("not valid JSON: {e}"),
        })?;
        Catalog::from_json(&json)
    }

    /// Builds a catalog from a parsed JSON document.
    pub fn from_json(json: &Json) -> Result<Catalog> {
        let root = Fields::object(json, "$")?;
        let role = match root.opt_str("role")?.unwrap_or("coordinator") {
            "coordinator" => Role::Coordinator,
            "single" => Role::Single,
            other => {
                return Err(root.bad(
                    "role",
                    format!("unknown role '{other}' (expected \"coordinator\" or \"single\")"),
                ))
            }
        };
        let force_one_shard = root.opt_bool("forceOneShard")?.unwrap_or(false);

        let db = match root.get("database") {
            Some(v) => Fields::object(v, "database")?,
            None => Fields::empty("database"),
        };
        let database_name = db.opt_str("name")?.unwrap_or("_system").to_string();
        let sharding = match db.opt_str("sharding")?.unwrap_or("flexible") {
            "" | "flexible" => Sharding::Flexible,
            "single" => Sharding::Single,
            other => {
                return Err(db.bad(
                    "sharding",
                    format!(
                        "unknown sharding '{other}' (expected \"\", \"flexible\" or \"single\")"
                    ),
                ))
            }
        };
        let replication_factor = db
            .opt_replication("replicationFactor")?
            .unwrap_or(ReplicationFactor::Copies(1));
        let write_concern = db.opt_u64("writeConcern")?.unwrap_or(1) as u32;

        let servers = match root.get("servers") {
            Some(v) => Fields::object(v, "servers")?,
            None => Fields::empty("servers"),
        };
        let db_servers = servers
            .opt_strings("dbServers")?
            .unwrap_or_else(|| vec!["PRMR-0001".into(), "PRMR-0002".into(), "PRMR-0003".into()]);
        if db_servers.is_empty() {
            return Err(servers.bad("dbServers", "a cluster needs at least one DB-Server".into()));
        }
        let coordinators = servers
            .opt_strings("coordinators")?
            .unwrap_or_else(|| vec!["CRDN-0001".into()]);

        let user_functions = root
            .opt_strings("userFunctions")?
            .unwrap_or_default()
            .into_iter()
            .map(|f| f.to_ascii_uppercase())
            .collect();

        let mut catalog = Catalog {
            role,
            force_one_shard,
            database_name,
            sharding,
            replication_factor,
            write_concern,
            coordinators,
            db_servers,
            collections: Vec::new(),
            user_functions,
            warnings: Vec::new(),
        };

        let listed = match root.get("collections") {
            Some(Json::Array(items)) => items.as_slice(),
            Some(_) => return Err(root.bad("collections", "expected an array".into())),
            None => &[],
        };
        let mut raw_shards = Vec::new();
        for (i, item) in listed.iter().enumerate() {
            let path = format!("collections[{i}]");
            let (collection, shards) = catalog.parse_collection(item, &path)?;
            if catalog
                .collections
                .iter()
                .any(|c| c.name == collection.name)
            {
                return Err(Error::Catalog {
                    path: format!("{path}.name"),
                    message: format!("duplicate collection '{}'", collection.name),
                });
            }
            catalog.collections.push(collection);
            raw_shards.push((path, shards));
        }
        if !catalog.collections.iter().any(|c| c.name == "_graphs") {
            catalog.collections.push(catalog.system_graphs_collection());
            raw_shards.push(("_graphs".into(), None));
        }
        catalog.check_prototypes(&raw_shards)?;
        catalog.place_shards(raw_shards)?;
        Ok(catalog)
    }

    fn system_graphs_collection(&self) -> Collection {
        Collection {
            name: "_graphs".into(),
            kind: CollectionType::Document,
            number_of_shards: 1,
            shard_keys: vec!["_key".into()],
            replication_factor: self.replication_factor,
            write_concern: self.write_concern,
            distribute_shards_like: None,
            is_smart: false,
            count: 0,
            indexes: Vec::new(),
            shards: Vec::new(),
        }
    }

    fn parse_collection(
        &mut self,
        item: &Json,
        path: &str,
    ) -> Result<(Collection, Option<Vec<Shard>>)> {
        let c = Fields::object(item, path)?;
        let name = c.req_str("name")?.to_string();
        if name.is_empty() {
            return Err(c.bad("name", "a collection name must not be empty".into()));
        }
        let kind = match c.get("type") {
            None => CollectionType::Document,
            Some(Json::String(s)) if s == "document" => CollectionType::Document,
            Some(Json::String(s)) if s == "edge" => CollectionType::Edge,
            Some(Json::Number(n)) if n.as_u64() == Some(2) => CollectionType::Document,
            Some(Json::Number(n)) if n.as_u64() == Some(3) => CollectionType::Edge,
            Some(_) => return Err(c.bad("type", "expected \"document\", \"edge\", 2 or 3".into())),
        };
        let mut number_of_shards = match c.opt_u64("numberOfShards")? {
            Some(0) => return Err(c.bad("numberOfShards", "must be at least 1".into())),
            Some(n) if n > 1000 => {
                return Err(c.bad("numberOfShards", "must be at most 1000".into()))
            }
            Some(n) => n as u32,
            None => 1,
        };
        let shard_keys = c
            .opt_strings("shardKeys")?
            .unwrap_or_else(|| vec!["_key".into()]);
        if shard_keys.is_empty() {
            return Err(c.bad("shardKeys", "needs at least one attribute".into()));
        }
        let replication_factor = c
            .opt_replication("replicationFactor")?
            .unwrap_or(self.replication_factor);
        let write_concern = c
            .opt_u64("writeConcern")?
            .map_or(self.write_concern, |w| w as u32);
        let mut distribute_shards_like = c
            .opt_str("distributeShardsLike")?
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let is_smart = c.opt_bool("isSmart")?.unwrap_or(false);
        let count = c.opt_u64("count")?.unwrap_or(0);

        let indexes = match c.get("indexes") {
            None => Vec::new(),
            Some(Json::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| parse_index(v, &format!("{path}.indexes[{i}]")).transpose())
                .collect::<Result<_>>()?,
            Some(_) => return Err(c.bad("indexes", "expected an array".into())),
        };

        let shards = match c.get("shards") {
            None => None,
            Some(Json::Object(map)) => {
                let mut shards = Vec::new();
                for (id, servers) in map {
                    let spath = format!("{path}.shards.{id}");
                    let list = strings(servers, &spath)?;
                    if list.is_empty() {
                        return Err(Error::Catalog {
                            path: spath,
                            message: "a shard needs a leader".into(),
                        });
                    }
                    for s in &list {
                        if !self.db_servers.contains(s) {
                            return Err(Error::Catalog {
                                path: spath,
                                message: format!("server '{s}' is not in servers.dbServers"),
                            });
                        }
                    }
                    shards.push(Shard {
                        id: id.clone(),
                        servers: list,
                    });
                }
                if c.get("numberOfShards").is_some() && shards.len() != number_of_shards as usize {
                    return Err(c.bad(
                        "shards",
                        format!(
                            "lists {} shard(s) but numberOfShards is {number_of_shards}",
                            shards.len()
                        ),
                    ));
                }
                if shards.is_empty() {
                    return Err(c.bad("shards", "needs at least one shard".into()));
                }
                number_of_shards = shards.len() as u32;
                Some(shards)
            }
            Some(_) => {
                return Err(c.bad(
                    "shards",
                    "expected an object of shard id → server list".into(),
                ))
            }
        };

        if self.is_one_shard_database() && name != "_graphs" {
            if number_of_shards != 1 {
                self.warnings.push(format!(
                    "{path}: numberOfShards {number_of_shards} ignored: every collection of a OneShard database has one shard"
                ));
                number_of_shards = 1;
            }
            if distribute_shards_like.as_deref() != Some("_graphs") {
                if let Some(other) = &distribute_shards_like {
                    self.warnings.push(format!(
                        "{path}: distributeShardsLike '{other}' ignored: a OneShard database places every collection like _graphs"
                    ));
                }
                distribute_shards_like = Some("_graphs".into());
            }
        }

        let collection = Collection {
            name,
            kind,
            number_of_shards,
            shard_keys,
            replication_factor,
            write_concern,
            distribute_shards_like,
            is_smart,
            count,
            indexes,
            shards: Vec::new(),
        };
        let shards =
            if self.is_one_shard_database() && shards.as_ref().is_some_and(|s| s.len() != 1) {
                None
            } else {
                shards
            };
        Ok((collection, shards))
    }

    fn check_prototypes(&self, raw: &[(String, Option<Vec<Shard>>)]) -> Result<()> {
        for (c, (path, _)) in self.collections.iter().zip(raw) {
            let Some(proto_name) = &c.distribute_shards_like else {
                continue;
            };
            let path = format!("{path}.distributeShardsLike");
            let proto = self.collection(proto_name).ok_or_else(|| Error::Catalog {
                path: path.clone(),
                message: format!("names collection '{proto_name}', which is not in the catalog"),
            })?;
            if proto.name == c.name {
                return Err(Error::Catalog {
                    path,
                    message: "a collection cannot be its own prototype".into(),
                });
            }
            if proto.distribute_shards_like.is_some() {
                return Err(Error::Catalog {
                    path,
                    message: format!("prototype '{proto_name}' itself follows another collection"),
                });
            }
            if proto.number_of_shards != c.number_of_shards {
                return Err(Error::Catalog {
                    path,
                    message: format!(
                        "prototype '{proto_name}' has {} shard(s) but this collection has {}",
                        proto.number_of_shards, c.number_of_shards
                    ),
                });
            }
        }
        Ok(())
    }

    /// Fills in every collection's shards: listed ones as given; others
    /// round-robin over the DB-Servers; followers of a prototype copy its
    /// placement shard for shard.
    fn place_shards(&mut self, raw: Vec<(String, Option<Vec<Shard>>)>) -> Result<()> {
        let n = self.db_servers.len();
        let copies = |rf: ReplicationFactor| match rf {
            ReplicationFactor::Copies(k) => (k.max(1) as usize).min(n),
            ReplicationFactor::Satellite => n,
        };
        // Prototypes first, so followers can copy them.
        let order: Vec<usize> = (0..self.collections.len())
            .filter(|&i| self.collections[i].distribute_shards_like.is_none())
            .chain(
                (0..self.collections.len())
                    .filter(|&i| self.collections[i].distribute_shards_like.is_some()),
            )
            .collect();
        let mut raw: Vec<Option<Vec<Shard>>> = raw.into_iter().map(|(_, s)| s).collect();
        for i in order {
            let shards = match raw[i].take() {
                Some(shards) => shards,
                None => {
                    let c = &self.collections[i];
                    let proto = c
                        .distribute_shards_like
                        .as_ref()
                        .and_then(|p| self.collection(p))
                        .map(|p| p.shards.clone());
                    let k = copies(c.replication_factor);
                    (0..c.number_of_shards as usize)
                        .map(|s| Shard {
                            id: format!("s{}", 100_001 + i * 1000 + s),
                            servers: match &proto {
                                Some(p) => p[s].servers.clone(),
                                None => (0..k)
                                    .map(|f| self.db_servers[(s + f) % n].clone())
                                    .collect(),
                            },
                        })
                        .collect()
                }
            };
            self.collections[i].shards = shards;
        }
        Ok(())
    }

    pub fn is_one_shard_database(&self) -> bool {
        self.sharding == Sharding::Single || self.force_one_shard
    }

    pub fn is_cluster(&self) -> bool {
        self.role == Role::Coordinator
    }

    pub fn collection(&self, name: &str) -> Option<&Collection> {
        self.collections.iter().find(|c| c.name == name)
    }

    pub fn has_user_function(&self, upper_name: &str) -> bool {
        self.user_functions
            .iter()
            .any(|f| f.eq_ignore_ascii_case(upper_name))
    }
}

fn parse_index(json: &Json, path: &str) -> Result<Option<Index>> {
    let f = Fields::object(json, path)?;
    let kind = f.req_str("type")?.to_string();
    // The primary and edge indexes exist implicitly; a pasted `indexes()`
    // listing contains them, so skip rather than duplicate them.
    if kind == "primary" || kind == "edge" {
        return Ok(None);
    }
    let fields = match f.get("fields") {
        None => Vec::new(),
        Some(Json::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Json::String(s) => Ok(s.clone()),
                Json::Object(o) => o
                    .get("name")
                    .and_then(Json::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| Error::Catalog {
                        path: format!("{path}.fields[{i}]"),
                        message: "an object field needs a \"name\"".into(),
                    }),
                _ => Err(Error::Catalog {
                    path: format!("{path}.fields[{i}]"),
                    message: "expected a string".into(),
                }),
            })
            .collect::<Result<_>>()?,
        Some(_) => return Err(f.bad("fields", "expected an array".into())),
    };
    let selectivity = match f.get("selectivityEstimate") {
        None | Some(Json::Null) => None,
        Some(Json::Number(n)) => n.as_f64(),
        Some(_) => return Err(f.bad("selectivityEstimate", "expected a number".into())),
    };
    let stored_values = match f.get("storedValues") {
        None => Vec::new(),
        Some(v) => stored_value_names(v, &format!("{path}.storedValues"))?,
    };
    Ok(Some(Index {
        name: f.opt_str("name")?.unwrap_or("").to_string(),
        unique: f.opt_bool("unique")?.unwrap_or(false),
        sparse: f.opt_bool("sparse")?,
        cache_enabled: f.opt_bool("cacheEnabled")?.unwrap_or(false),
        selectivity,
        stored_values,
        fields,
        kind,
    }))
}

/// `storedValues` is a list of attribute names, or (inverted indexes) of
/// `{ fields: [...] }` groups.
fn stored_value_names(json: &Json, path: &str) -> Result<Vec<String>> {
    let bad = || Error::Catalog {
        path: path.into(),
        message: "expected an array of attribute names".into(),
    };
    let Json::Array(items) = json else {
        return Err(bad());
    };
    let mut out = Vec::new();
    for item in items {
        match item {
            Json::String(s) => out.push(s.clone()),
            Json::Object(o) => out.extend(strings(o.get("fields").ok_or_else(bad)?, path)?),
            _ => return Err(bad()),
        }
    }
    Ok(out)
}

fn strings(json: &Json, path: &str) -> Result<Vec<String>> {
    match json {
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| Error::Catalog {
                        path: format!("{path}[{i}]"),
                        message: "expected a string".into(),
                    })
            })
            .collect(),
        _ => Err(Error::Catalog {
            path: path.into(),
            message: "expected an array of strings".into(),
        }),
    }
}

/// Typed access to one JSON object's members, with the object's JSON path
/// for messages.
struct Fields<'a> {
    map: Option<&'a Map<String, Json>>,
    path: String,
}

impl<'a> Fields<'a> {
    fn object(json: &'a Json, path: &str) -> Result<Fields<'a>> {
        match json {
            Json::Object(map) => Ok(Fields {
                map: Some(map),
                path: path.to_string(),
            }),
            _ => Err(Error::Catalog {
                path: path.into(),
                message: "expected an object".into(),
            }),
        }
    }

    fn empty(path: &str) -> Fields<'a> {
        Fields {
            map: None,
            path: path.to_string(),
        }
    }

    fn get(&self, key: &str) -> Option<&'a Json> {
        self.map.and_then(|m| m.get(key))
    }

    fn bad(&self, key: &str, message: String) -> Error {
        let path = if self.path == "$" {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        };
        Error::Catalog { path, message }
    }

    fn opt_str(&self, key: &str) -> Result<Option<&'a str>> {
        match self.get(key) {
            None => Ok(None),
            Some(Json::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.bad(key, "expected a string".into())),
        }
    }

    fn req_str(&self, key: &str) -> Result<&'a str> {
        self.opt_str(key)?
            .ok_or_else(|| self.bad(key, "is required".into()))
    }

    fn opt_bool(&self, key: &str) -> Result<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Json::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.bad(key, "expected true or false".into())),
        }
    }

    fn opt_u64(&self, key: &str) -> Result<Option<u64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Json::Number(n)) => n
                .as_u64()
                .map(Some)
                .ok_or_else(|| self.bad(key, "expected a non-negative integer".into())),
            Some(_) => Err(self.bad(key, "expected a non-negative integer".into())),
        }
    }

    fn opt_strings(&self, key: &str) -> Result<Option<Vec<String>>> {
        let path = if self.path == "$" {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        };
        self.get(key).map(|v| strings(v, &path)).transpose()
    }

    fn opt_replication(&self, key: &str) -> Result<Option<ReplicationFactor>> {
        match self.get(key) {
            None => Ok(None),
            Some(Json::String(s)) if s == "satellite" => Ok(Some(ReplicationFactor::Satellite)),
            Some(Json::Number(n)) if n.as_u64().is_some_and(|k| k >= 1) => Ok(Some(
                ReplicationFactor::Copies(n.as_u64().unwrap_or(1) as u32),
            )),
            Some(_) => Err(self.bad(key, "expected a positive integer or \"satellite\"".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Catalog> {
        Catalog::from_json_text(text)
    }

    fn err_path(text: &str) -> String {
        match load(text) {
            Err(Error::Catalog { path, .. }) => path,
            other => panic!("expected a catalog error, got {other:?}"),
        }
    }

    #[test]
    fn defaults_fill_an_empty_file() {
        let c = load("{}").unwrap();
        assert_eq!(c.role, Role::Coordinator);
        assert_eq!(c.database_name, "_system");
        assert_eq!(c.db_servers.len(), 3);
        assert_eq!(c.collection("_graphs").unwrap().shards.len(), 1);
    }

    #[test]
    fn shards_are_placed_round_robin_and_followers_copy_prototypes() {
        let c = load(
            r#"{"collections": [
                {"name": "a", "numberOfShards": 4, "replicationFactor": 2},
                {"name": "b", "numberOfShards": 4, "distributeShardsLike": "a"}]}"#,
        )
        .unwrap();
        let a = c.collection("a").unwrap();
        let leaders: Vec<&str> = a.shards.iter().map(Shard::leader).collect();
        assert_eq!(
            leaders,
            ["PRMR-0001", "PRMR-0002", "PRMR-0003", "PRMR-0001"]
        );
        assert_eq!(a.shards[0].servers, ["PRMR-0001", "PRMR-0002"]);
        let b = c.collection("b").unwrap();
        let b_servers: Vec<_> = b.shards.iter().map(|s| &s.servers).collect();
        let a_servers: Vec<_> = a.shards.iter().map(|s| &s.servers).collect();
        assert_eq!(b_servers, a_servers);
    }

    #[test]
    fn one_shard_database_forces_one_shard_and_warns() {
        let c = load(r#"{"database": {"sharding": "single"}, "collections": [{"name": "x", "numberOfShards": 3}]}"#).unwrap();
        let x = c.collection("x").unwrap();
        assert_eq!(x.number_of_shards, 1);
        assert_eq!(x.distribute_shards_like.as_deref(), Some("_graphs"));
        assert_eq!(
            x.shards[0].leader(),
            c.collection("_graphs").unwrap().shards[0].leader()
        );
        assert_eq!(c.warnings.len(), 1);
    }

    #[test]
    fn broken_files_name_the_field() {
        assert_eq!(err_path("[1"), "$");
        assert_eq!(err_path("[]"), "$");
        assert_eq!(err_path(r#"{"role": "leader"}"#), "role");
        assert_eq!(
            err_path(r#"{"database": {"sharding": "double"}}"#),
            "database.sharding"
        );
        assert_eq!(
            err_path(r#"{"collections": [{"name": "a", "numberOfShards": "5"}]}"#),
            "collections[0].numberOfShards"
        );
        assert_eq!(
            err_path(r#"{"collections": [{"numberOfShards": 5}]}"#),
            "collections[0].name"
        );
        assert_eq!(
            err_path(r#"{"collections": [{"name": "b", "distributeShardsLike": "nope"}]}"#),
            "collections[0].distributeShardsLike"
        );
        assert_eq!(
            err_path(
                r#"{"collections": [{"name": "a"}, {"name": "b", "distributeShardsLike": "a"},
                   {"name": "c", "distributeShardsLike": "b"}]}"#
            ),
            "collections[2].distributeShardsLike"
        );
        assert_eq!(
            err_path(
                r#"{"collections": [{"name": "a", "numberOfShards": 2}, {"name": "b", "numberOfShards": 3, "distributeShardsLike": "a"}]}"#
            ),
            "collections[1].distributeShardsLike"
        );
        assert_eq!(
            err_path(
                r#"{"collections": [{"name": "a", "numberOfShards": 2, "shards": {"s1": ["PRMR-0001"]}}]}"#
            ),
            "collections[0].shards"
        );
        assert_eq!(
            err_path(r#"{"collections": [{"name": "a", "shards": {"s1": ["PRMR-9"]}}]}"#),
            "collections[0].shards.s1"
        );
        assert_eq!(
            err_path(r#"{"collections": [{"name": "a"}, {"name": "a"}]}"#),
            "collections[1].name"
        );
        assert_eq!(
            err_path(r#"{"collections": [{"name": "a", "indexes": [{"fields": ["x"]}]}]}"#),
            "collections[0].indexes[0].type"
        );
    }
}
