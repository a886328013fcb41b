//! Computed views kept in memory by the data version they were computed at. The version is the
//! newest entry of the audit trail, which every write appends in its own transaction: after any
//! write, on any node, the next read sees a new version and computes afresh; until then a
//! repeated read costs one indexed lookup.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use crate::Figures;

/// What a region-wide view is computed from (not who asks: these views are the same for every
/// caller allowed to see them).
pub(crate) type ViewKey = (String, i32, Figures);

/// Views by key, each with the version it holds.
pub(crate) struct ViewCache<K, V> {
    entries: Mutex<HashMap<K, (i64, Arc<V>)>>,
}

/// Entries beyond this many are dropped wholesale: views are cheap to recompute, and the months
/// and indicators leaders read are few.
const MAX_ENTRIES: usize = 512;

impl<K: Hash + Eq + Clone, V> ViewCache<K, V> {
    pub(crate) fn new() -> Self {
        ViewCache { entries: Mutex::new(HashMap::new()) }
    }

    /// The view for `key` at `version`, if one was kept.
    pub(crate) fn get(&self, key: &K, version: i64) -> Option<Arc<V>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.get(key).filter(|(v, _)| *v == version).map(|(_, view)| view.clone())
    }

    pub(crate) fn put(&self, key: K, version: i64, view: Arc<V>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (version, view));
    }
}

/// The views the cockpit and the API read most.
pub(crate) struct Views {
    pub(crate) progress: ViewCache<ViewKey, Vec<domain::ProgressRow>>,
    pub(crate) cockpit: ViewCache<ViewKey, crate::Cockpit>,
}

impl Views {
    pub(crate) fn new() -> Self {
        Views { progress: ViewCache::new(), cockpit: ViewCache::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_is_served_only_at_the_version_it_was_computed_at() {
        let cache: ViewCache<ViewKey, u32> = ViewCache::new();
        let key = ("revenue".to_string(), 202206, Figures::Official);
        cache.put(key.clone(), 7, Arc::new(1));
        assert_eq!(cache.get(&key, 7).as_deref(), Some(&1));
        assert_eq!(cache.get(&key, 8), None, "a write happened since");
        cache.put(key.clone(), 8, Arc::new(2));
        assert_eq!(cache.get(&key, 8).as_deref(), Some(&2));
    }
}
