//! The audit trail as a hash chain: each entry stores the hash of its predecessor and its own
//! hash over its content, so an entry altered, removed or inserted out of order is found.

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
}

/// The hash an entry must carry: SHA-256 over its predecessor's hash and its own fields.
pub fn entry_hash(e: &AuditEntry) -> String {
    let mut h = Sha256::new();
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
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The first place where a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: &'static str,
}

/// Checks entries given in `seq` order. The first entry follows `genesis` (the empty string).
pub fn verify_chain<'a>(entries: impl IntoIterator<Item = &'a AuditEntry>) -> Result<usize, ChainBreak> {
    let mut prev_hash = String::new();
    let mut n = 0;
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
        if entry_hash(e) != e.hash {
            return Err(ChainBreak { seq: e.seq, reason: "内容被修改 / content was altered" });
        }
        prev_hash = e.hash.clone();
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

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
            };
            e.hash = entry_hash(&e);
            out.push(e);
        }
        out
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(5)), Ok(5));
    }

    #[test]
    fn alteration_removal_and_reordering_are_found() {
        let mut c = chain(5);
        c[2].after = "{\"rows\":999}".into();
        assert_eq!(verify_chain(&c).unwrap_err().seq, 3);

        let mut c = chain(5);
        c.remove(1);
        assert_eq!(
            verify_chain(&c).unwrap_err(),
            ChainBreak { seq: 2, reason: "此前的条目被删除 / entries before this one were removed" }
        );

        // Recomputing the altered entry's own hash does not help: the next one no longer follows.
        let mut c = chain(5);
        c[2].actor = "mallory".into();
        c[2].hash = entry_hash(&c[2]);
        assert_eq!(verify_chain(&c).unwrap_err().seq, 4);

        let mut c = chain(5);
        c.swap(1, 2);
        assert!(verify_chain(&c).is_err());
    }
}
