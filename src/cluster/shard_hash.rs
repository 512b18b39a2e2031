//! Which shard holds a document: ArangoDB's `hash` sharding strategy.
//!
//! The shard-key values, in shard-key order, are hashed one after the
//! other, each seeding the next: a value's hash is XXH64 over its
//! VelocyPack bytes (numbers first become doubles), starting from the FNV
//! offset basis. The result is mixed once more with FNV-1a over a fixed
//! phrase, and taken modulo the number of shards, indexing the shard ids
//! in numeric order. INFERRED: read from ArangoDB's sharding code and
//! VelocyPack's default hash; no documented plan shows a write restricted
//! to a shard of a collection with known shard ids, so the mapping itself
//! is unverified.

use crate::catalog::Collection;
use crate::value::Value;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
const PHRASE: &[u8] = b"Foxx you have stolen the goose, give she back again!";

/// The id of the shard responsible for a document with these shard-key
/// values (one per shard key, in order; `None` when a value cannot be
/// hashed).
pub fn responsible_shard(collection: &Collection, values: &[Value]) -> Option<String> {
    let mut hash = FNV_OFFSET;
    for v in values {
        hash = normalized_hash(v, hash)?;
    }
    let hash = fnv1a(hash, PHRASE);
    let mut ids: Vec<&str> = collection.shards.iter().map(|s| s.id.as_str()).collect();
    if ids.is_empty() {
        return None;
    }
    ids.sort_by_key(|id| (numeric_part(id), id.to_string()));
    let at = usize::try_from(hash % ids.len() as u64).ok()?;
    ids.get(at).map(|s| s.to_string())
}

/// `s100042` → 100042 (shards sort numerically).
fn numeric_part(id: &str) -> u64 {
    id.trim_start_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .unwrap_or(u64::MAX)
}

fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

/// VelocyPack's `normalizedHash` for scalars (arrays and objects are not
/// shard keys in practice and are refused).
fn normalized_hash(v: &Value, seed: u64) -> Option<u64> {
    let bytes: Vec<u8> = match v {
        Value::Null => vec![0x18],
        Value::Bool(false) => vec![0x19],
        Value::Bool(true) => vec![0x1a],
        Value::Int(i) => (*i as f64).to_le_bytes().to_vec(),
        Value::Double(d) => d.to_le_bytes().to_vec(),
        Value::String(s) => vpack_string(s),
        _ => return None,
    };
    Some(xxh64(&bytes, seed))
}

fn vpack_string(s: &str) -> Vec<u8> {
    let len = s.len();
    let mut out = Vec::with_capacity(len + 9);
    if len <= 126 {
        out.push(0x40 + len as u8);
    } else {
        out.push(0xbf);
        out.extend_from_slice(&(len as u64).to_le_bytes());
    }
    out.extend_from_slice(s.as_bytes());
    out
}

const P1: u64 = 0x9E37_79B1_85EB_CA87;
const P2: u64 = 0xC2B2_AE3D_27D4_EB4F;
const P3: u64 = 0x1656_67B1_9E37_79F9;
const P4: u64 = 0x85EB_CA77_C2B2_AE63;
const P5: u64 = 0x27D4_EB2F_1656_67C5;

fn round(acc: u64, lane: u64) -> u64 {
    acc.wrapping_add(lane.wrapping_mul(P2))
        .rotate_left(31)
        .wrapping_mul(P1)
}

fn merge(acc: u64, v: u64) -> u64 {
    (acc ^ round(0, v)).wrapping_mul(P1).wrapping_add(P4)
}

fn lane64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_le_bytes(a)
}

fn lane32(b: &[u8]) -> u64 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[..4]);
    u64::from(u32::from_le_bytes(a))
}

/// XXH64 (the reference algorithm).
pub fn xxh64(input: &[u8], seed: u64) -> u64 {
    let mut rest = input;
    let mut h = if input.len() >= 32 {
        let mut v = [
            seed.wrapping_add(P1).wrapping_add(P2),
            seed.wrapping_add(P2),
            seed,
            seed.wrapping_sub(P1),
        ];
        while rest.len() >= 32 {
            for (i, acc) in v.iter_mut().enumerate() {
                *acc = round(*acc, lane64(&rest[i * 8..]));
            }
            rest = &rest[32..];
        }
        let mut h = v[0]
            .rotate_left(1)
            .wrapping_add(v[1].rotate_left(7))
            .wrapping_add(v[2].rotate_left(12))
            .wrapping_add(v[3].rotate_left(18));
        for acc in v {
            h = merge(h, acc);
        }
        h
    } else {
        seed.wrapping_add(P5)
    };
    h = h.wrapping_add(input.len() as u64);
    while rest.len() >= 8 {
        h ^= round(0, lane64(rest));
        h = h.rotate_left(27).wrapping_mul(P1).wrapping_add(P4);
        rest = &rest[8..];
    }
    if rest.len() >= 4 {
        h ^= lane32(rest).wrapping_mul(P1);
        h = h.rotate_left(23).wrapping_mul(P2).wrapping_add(P3);
        rest = &rest[4..];
    }
    for &b in rest {
        h ^= u64::from(b).wrapping_mul(P5);
        h = h.rotate_left(11).wrapping_mul(P1);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(P2);
    h ^= h >> 29;
    h = h.wrapping_mul(P3);
    h ^ (h >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xxh64_reference_values() {
        assert_eq!(xxh64(b"", 0), 0xEF46_DB37_51D8_E999);
        assert_eq!(xxh64(b"a", 0), 0xD24E_C4F1_A98C_6E5B);
        assert_eq!(xxh64(b"abc", 0), 0x44BC_2CF5_AD77_0999);
    }

    #[test]
    fn every_key_lands_on_one_of_the_shards() {
        let catalog = crate::catalog::Catalog::from_json_text(
            r#"{"collections": [{"name": "c", "numberOfShards": 5}]}"#,
        )
        .expect("catalog");
        let c = catalog.collection("c").expect("c");
        let ids: Vec<String> = c.shards.iter().map(|s| s.id.clone()).collect();
        let mut seen = std::collections::BTreeSet::new();
        for k in 0..50 {
            let shard = responsible_shard(c, &[Value::String(format!("k{k}"))]).expect("a shard");
            assert!(ids.contains(&shard));
            seen.insert(shard);
        }
        // A hash spreads fifty keys over more than one shard.
        assert!(seen.len() > 1);
        // The same key always maps to the same shard.
        assert_eq!(
            responsible_shard(c, &[Value::String("x".into())]),
            responsible_shard(c, &[Value::String("x".into())])
        );
    }
}
