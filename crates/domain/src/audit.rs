//! The audit trail as a hash chain: each entry stores the hash of its predecessor and its own
//! hash over its content, so an entry altered, removed or inserted out of order is found. The
//! hash is an HMAC under a key kept outside the database, so whoever can write to the database
//! cannot recompute the chain; and a checkpoint of the newest entry, also kept outside, finds a
//! tail cut off.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    /// Seconds since the epoch, UTC.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// JSON, or empty.
    pub before: String,
    pub after: String,
    pub reason: String,
    pub request_id: String,
    pub prev_hash: String,
    pub hash: String,
    /// Sealed with the installation's key (entries from before a key existed are not).
    pub keyed: bool,
}

/// The newest entry as last recorded outside the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
}

/// What a verified chain holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub entries: usize,
    /// Entries from before the chain was keyed, at its start.
    pub unkeyed: usize,
}

const BLOCK: usize = 64;

/// HMAC-SHA256 (RFC 2104) over what `feed` writes.
fn hmac(key: &[u8], feed: impl Fn(&mut Sha256)) -> Vec<u8> {
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    feed(&mut inner);
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().to_vec()
}

/// The hash an entry must carry over its predecessor's hash and its own fields: an HMAC under
/// `key` for a keyed entry, plain SHA-256 for one from before the chain was keyed.
pub fn entry_hash(e: &AuditEntry, key: Option<&[u8]>) -> String {
    let digest = match (e.keyed, key) {
        (true, Some(key)) => hmac(key, |h| feed_fields(e, h)),
        _ => {
            let mut h = Sha256::new();
            feed_fields(e, &mut h);
            h.finalize().to_vec()
        }
    };
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn feed_fields(e: &AuditEntry, h: &mut Sha256) {
    for field in [
        e.prev_hash.as_str(),
        &e.seq.to_string(),
        &e.at.to_string(),
        &e.actor,
        &e.action,
        &e.entity,
        &e.entity_id,
        &e.before,
        &e.after,
        &e.reason,
        &e.request_id,
    ] {
        // Length-prefixed, so that moving text from one field to the next changes the hash.
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
}

/// The first place where a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: &'static str,
}

/// Checks entries given in `seq` order. The first entry follows `genesis` (the empty string).
/// Keyed entries need `key`; unkeyed ones may only open the chain. With a checkpoint, the chain
/// must still hold the entry it names, unchanged.
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
    key: Option<&[u8]>,
    checkpoint: Option<&Checkpoint>,
) -> Result<Verified, ChainBreak> {
    let mut prev_hash = String::new();
    let (mut n, mut unkeyed) = (0usize, 0usize);
    let mut at_checkpoint = None;
    for (expected_seq, e) in (1..).zip(entries) {
        if e.seq != expected_seq {
            return Err(ChainBreak {
                seq: expected_seq,
                reason: if e.seq > expected_seq {
                    "此前的条目被删除 / entries before this one were removed"
                } else {
                    "序号重复或顺序错乱 / sequence number repeated or out of order"
                },
            });
        }
        if e.prev_hash != prev_hash {
            return Err(ChainBreak { seq: e.seq, reason: "与上一条目不衔接 / does not follow the previous entry" });
        }
        if e.keyed && key.is_none() {
            return Err(ChainBreak {
                seq: e.seq,
                reason: "缺少审计密钥,无法核验 / this entry is keyed: verify with the audit key (LEAPFROG_AUDIT_KEY_FILE)",
            });
        }
        if !e.keyed && unkeyed < n {
            return Err(ChainBreak {
                seq: e.seq,
                reason: "未加密钥的条目出现在加密钥条目之后(链被重算) / an unkeyed entry after keyed ones: the chain was recomputed",
            });
        }
        if entry_hash(e, key) != e.hash {
            return Err(ChainBreak { seq: e.seq, reason: "内容被修改 / content was altered (or sealed with another key)" });
        }
        if checkpoint.is_some_and(|c| c.seq == e.seq) {
            at_checkpoint = Some(e.hash.as_str());
        }
        unkeyed += usize::from(!e.keyed);
        prev_hash = e.hash.clone();
        n += 1;
    }
    if let Some(c) = checkpoint {
        match at_checkpoint {
            None => {
                return Err(ChainBreak {
                    seq: n as i64 + 1,
                    reason: "最新的条目被删除:库外检查点记录的条目已不存在 / the newest entries were removed: the checkpoint outside the database names a later entry",
                });
            }
            Some(h) if h != c.hash => {
                return Err(ChainBreak {
                    seq: c.seq,
                    reason: "与库外检查点不符(链被重算) / differs from the checkpoint outside the database: the chain was recomputed",
                });
            }
            Some(_) => {}
        }
    }
    Ok(Verified { entries: n, unkeyed })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn verify(c: &[AuditEntry]) -> Result<Verified, ChainBreak> {
        verify_chain(c, Some(KEY), None)
    }

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for seq in 1..=n {
            let mut e = AuditEntry {
                seq,
                at: 1_700_000_000 + seq,
                actor: "alice".into(),
                action: "import.facts".into(),
                entity: "facts".into(),
                entity_id: format!("file{seq}"),
                before: String::new(),
                after: format!("{{\"rows\":{seq}}}"),
                reason: String::new(),
                request_id: String::new(),
                prev_hash: out.last().map(|p| p.hash.clone()).unwrap_or_default(),
                hash: String::new(),
                keyed: true,
            };
            e.hash = entry_hash(&e, Some(KEY));
            out.push(e);
        }
        out
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(Verified { entries: 5, unkeyed: 0 }));
    }

    #[test]
    fn alteration_removal_and_reordering_are_found() {
        let mut c = chain(5);
        c[2].after = "{\"rows\":999}".into();
        assert_eq!(verify(&c).unwrap_err().seq, 3);

        let mut c = chain(5);
        c.remove(1);
        assert_eq!(
            verify(&c).unwrap_err(),
            ChainBreak { seq: 2, reason: "此前的条目被删除 / entries before this one were removed" }
        );

        // Recomputing the altered entry's own hash does not help: the next one no longer follows.
        let mut c = chain(5);
        c[2].actor = "mallory".into();
        c[2].hash = entry_hash(&c[2], Some(KEY));
        assert_eq!(verify(&c).unwrap_err().seq, 4);

        let mut c = chain(5);
        c.swap(1, 2);
        assert!(verify(&c).is_err());
    }

    #[test]
    fn a_chain_recomputed_without_the_key_is_found() {
        // Rewriting entry 3 and recomputing every hash after it with plain SHA-256, as one could
        // with write access to the database alone.
        let mut c = chain(5);
        c[2].actor = "mallory".into();
        for i in 2..5 {
            c[i].prev_hash = c[i - 1].hash.clone();
            c[i].keyed = false;
            c[i].hash = entry_hash(&c[i], None);
        }
        assert_eq!(verify(&c).unwrap_err().seq, 3);
        // Recomputed from the first entry on, all unkeyed: only the checkpoint can tell.
        let original = chain(5);
        let checkpoint = Checkpoint { seq: 5, hash: original[4].hash.clone() };
        let mut c = chain(5);
        for i in 0..5 {
            c[i].prev_hash = if i == 0 { String::new() } else { c[i - 1].hash.clone() };
            c[i].keyed = false;
            c[i].hash = entry_hash(&c[i], None);
        }
        assert!(verify(&c).is_ok());
        assert_eq!(verify_chain(&c, Some(KEY), Some(&checkpoint)).unwrap_err().seq, 5);
        // The wrong key fails at once.
        assert_eq!(verify_chain(&original, Some(b"another key"), None).unwrap_err().seq, 1);
    }

    #[test]
    fn a_cut_tail_is_found_against_the_checkpoint() {
        let c = chain(30);
        let checkpoint = Checkpoint { seq: 30, hash: c[29].hash.clone() };
        assert!(verify_chain(&c, Some(KEY), Some(&checkpoint)).is_ok());
        let cut = &c[..10];
        let err = verify_chain(cut, Some(KEY), Some(&checkpoint)).unwrap_err();
        assert_eq!(err.seq, 11);
        assert!(err.reason.contains("newest entries were removed"));
        assert_eq!(verify_chain(&[], Some(KEY), Some(&checkpoint)).unwrap_err().seq, 1);
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2 of RFC 4231.
        let mac = hmac(b"Jefe", |h| h.update(b"what do ya want for nothing?"));
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
