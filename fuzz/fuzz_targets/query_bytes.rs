//! Arbitrary bytes as a query, against a sharded cluster, a OneShard
//! database and a single server. The first byte picks the version.
#![no_main]

use aqlplan::{Catalog, Options};
use aqlplan_fuzz::{exercise, querygen::VERSIONS};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn catalogs() -> &'static [Catalog] {
    static CATALOGS: OnceLock<Vec<Catalog>> = OnceLock::new();
    CATALOGS.get_or_init(|| {
        [
            include_str!("../../examples/sharded.json"),
            include_str!("../../examples/oneshard.json"),
            r#"{"role": "single", "collections": [{"name": "example", "count": 100,
                "indexes": [{"type": "persistent", "fields": ["value"]}]}, {"name": "c"}]}"#,
        ]
        .iter()
        .map(|text| Catalog::from_json_text(text).expect("fixed catalogs are valid"))
        .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let query = String::from_utf8_lossy(rest);
    let options = Options {
        compat: VERSIONS[first as usize % VERSIONS.len()]
            .parse()
            .expect("listed versions parse"),
        ..Options::default()
    };
    let catalog = &catalogs()[(first as usize / 16) % catalogs().len()];
    exercise(catalog, &query, &options);
});
