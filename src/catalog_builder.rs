//! Building a [`Catalog`] in code instead of from a file. The builder
//! assembles the same JSON document a catalog file holds and reads it with
//! [`Catalog::from_json`], so validation, shard placement and the OneShard
//! rules are the file's.
//!
//! ```
//! use aqlplan::{Catalog, CollectionSpec, Options};
//!
//! let catalog = Catalog::builder()
//!     .database("shardedDB")
//!     .db_servers(["PRMR-1", "PRMR-2", "PRMR-3"])
//!     .collection(CollectionSpec::new("example").shards(5).count(10_000))
//!     .collection(
//!         CollectionSpec::new("users")
//!             .count(500)
//!             .persistent_index("idx_email", ["email"]),
//!     )
//!     .build()
//!     .unwrap();
//! assert_eq!(catalog.collection("example").unwrap().number_of_shards, 5);
//!
//! let x = aqlplan::explain(&catalog, "FOR u IN users FILTER u.email == 'a' RETURN u",
//!                          &Options::default()).unwrap();
//! assert!(x.nodes().iter().any(|n| n.node_type == "IndexNode"));
//! ```

use crate::catalog::Catalog;
use crate::error::Result;
use serde_json::{json, Map, Value as Json};

/// A catalog under construction (see the module documentation).
#[derive(Debug, Clone)]
pub struct CatalogBuilder {
    root: Map<String, Json>,
    database: Map<String, Json>,
    servers: Map<String, Json>,
    collections: Vec<Json>,
}

impl Catalog {
    /// Starts a Coordinator catalog (a cluster) with ArangoDB's defaults:
    /// database `_system`, three DB-Servers, no collections.
    pub fn builder() -> CatalogBuilder {
        CatalogBuilder {
            root: Map::new(),
            database: Map::new(),
            servers: Map::new(),
            collections: Vec::new(),
        }
    }
}

impl CatalogBuilder {
    /// Plan for a single server instead of a cluster.
    pub fn single_server(mut self) -> Self {
        self.root.insert("role".into(), json!("single"));
        self
    }

    /// The database the queries run in.
    pub fn database(mut self, name: &str) -> Self {
        self.database.insert("name".into(), json!(name));
        self
    }

    /// Makes the database a OneShard database (`sharding: "single"`).
    pub fn one_shard_database(mut self) -> Self {
        self.database.insert("sharding".into(), json!("single"));
        self
    }

    /// The DB-Server ids, in order (shards without an explicit placement
    /// go round-robin over them).
    pub fn db_servers<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        let ids: Vec<String> = ids.into_iter().map(Into::into).collect();
        self.servers.insert("dbServers".into(), json!(ids));
        self
    }

    /// A registered user-defined function (`NAMESPACE::NAME`).
    pub fn user_function(mut self, name: &str) -> Self {
        let list = self
            .root
            .entry("userFunctions")
            .or_insert_with(|| json!([]));
        if let Json::Array(items) = list {
            items.push(json!(name));
        }
        self
    }

    pub fn collection(mut self, spec: CollectionSpec) -> Self {
        self.collections.push(Json::Object(spec.fields));
        self
    }

    /// Validates and finishes the catalog; errors name the JSON path of
    /// the bad field, as for a catalog file.
    pub fn build(self) -> Result<Catalog> {
        let mut root = self.root;
        if !self.database.is_empty() {
            root.insert("database".into(), Json::Object(self.database));
        }
        if !self.servers.is_empty() {
            root.insert("servers".into(), Json::Object(self.servers));
        }
        root.insert("collections".into(), Json::Array(self.collections));
        Catalog::from_json(&Json::Object(root))
    }
}

/// One collection of a [`CatalogBuilder`], with ArangoDB's defaults (one
/// shard, sharded by `_key`, no documents, no secondary indexes).
#[derive(Debug, Clone)]
pub struct CollectionSpec {
    fields: Map<String, Json>,
}

impl CollectionSpec {
    pub fn new(name: &str) -> CollectionSpec {
        let mut fields = Map::new();
        fields.insert("name".into(), json!(name));
        CollectionSpec { fields }
    }

    /// An edge collection (it gets the edge index on `_from`/`_to`).
    pub fn edge(mut self) -> Self {
        self.fields.insert("type".into(), json!("edge"));
        self
    }

    /// `numberOfShards`.
    pub fn shards(mut self, n: u32) -> Self {
        self.fields.insert("numberOfShards".into(), json!(n));
        self
    }

    /// The number of documents (feeds the estimates).
    pub fn count(mut self, n: u64) -> Self {
        self.fields.insert("count".into(), json!(n));
        self
    }

    /// `shardKeys`.
    pub fn shard_keys<S: Into<String>>(mut self, keys: impl IntoIterator<Item = S>) -> Self {
        let keys: Vec<String> = keys.into_iter().map(Into::into).collect();
        self.fields.insert("shardKeys".into(), json!(keys));
        self
    }

    /// `distributeShardsLike`: follow another collection's sharding.
    pub fn distribute_shards_like(mut self, prototype: &str) -> Self {
        self.fields
            .insert("distributeShardsLike".into(), json!(prototype));
        self
    }

    /// A SatelliteCollection (a copy on every DB-Server).
    pub fn satellite(mut self) -> Self {
        self.fields
            .insert("replicationFactor".into(), json!("satellite"));
        self
    }

    /// A non-unique, non-sparse persistent index.
    pub fn persistent_index<S: Into<String>>(
        self,
        name: &str,
        fields: impl IntoIterator<Item = S>,
    ) -> Self {
        let fields: Vec<String> = fields.into_iter().map(Into::into).collect();
        self.index(json!({"type": "persistent", "name": name, "fields": fields}))
    }

    /// Any index, as `collection.indexes()` prints it.
    pub fn index(mut self, definition: Json) -> Self {
        let list = self.fields.entry("indexes").or_insert_with(|| json!([]));
        if let Json::Array(items) = list {
            items.push(definition);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_what_the_equivalent_file_builds() {
        let built = Catalog::builder()
            .database("db")
            .db_servers(["A", "B"])
            .collection(CollectionSpec::new("c").shards(2).count(7))
            .user_function("my::f")
            .build()
            .expect("valid");
        let file = Catalog::from_json_text(
            r#"{"database": {"name": "db"}, "servers": {"dbServers": ["A", "B"]},
                "collections": [{"name": "c", "numberOfShards": 2, "count": 7}],
                "userFunctions": ["my::f"]}"#,
        )
        .expect("valid");
        assert_eq!(built, file);
    }

    #[test]
    fn bad_fields_are_refused_with_their_path() {
        let err = Catalog::builder()
            .collection(CollectionSpec::new("c").index(json!({"fields": 3})))
            .build()
            .expect_err("invalid index");
        assert!(err.to_string().contains("indexes"), "{err}");
    }
}
