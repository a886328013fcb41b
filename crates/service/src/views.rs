//! Computed views kept in memory by the data version they were computed at. The version is the
//! newest entry of the audit trail, which every write appends in its own transaction: after any
//! write, on any node, the next read sees a new version and computes afresh; until then a
//! repeated read costs at most one indexed lookup, shared by the requests that arrive together.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Reads the data version once for every request waiting on it, without ever answering one with
/// a version read before it arrived. Reads run one at a time; a request takes the result of a
/// read that began after it arrived — the one in flight when it came has not, so it waits for the
/// next, which every request that came meanwhile shares. A write committed before a request
/// arrived is therefore always seen, on any node, and under load a handful of lookups serve
/// hundreds of requests.
pub(crate) struct FreshVersion {
    /// Held while a read runs.
    reading: tokio::sync::Mutex<()>,
    /// How many reads have begun.
    begun: AtomicU64,
    /// The number of the last finished read and what it found.
    last: Mutex<(u64, i64)>,
}

impl FreshVersion {
    pub(crate) fn new() -> Self {
        FreshVersion { reading: tokio::sync::Mutex::new(()), begun: AtomicU64::new(0), last: Mutex::new((0, 0)) }
    }

    pub(crate) async fn get<F, Fut, E>(&self, read: F) -> Result<i64, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<i64, E>>,
    {
        let arrived = self.begun.load(Ordering::SeqCst);
        let _turn = self.reading.lock().await;
        let (number, version) = *self.last.lock().unwrap_or_else(|p| p.into_inner());
        if number > arrived {
            return Ok(version);
        }
        let number = self.begun.fetch_add(1, Ordering::SeqCst) + 1;
        let version = read().await?;
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = (number, version);
        Ok(version)
    }
}

use crate::Figures;

/// What a region-wide view is computed from (not who asks: these views are the same for every
/// caller allowed to see them).
pub(crate) type ViewKey = (String, i32, Figures);
/// The dispatch of a month as seen by whoever sees these zones (none: every zone).
pub(crate) type DispatchKey = (i32, Vec<String>);
/// The cockpit's also names the day: whether a KPI's owner is late changes with it, writes or not.
pub(crate) type CockpitKey = (String, i32, Figures, i64);
/// A drill-down page: (indicator, industry, zone), then (month, figures, the zones whose
/// enterprises the reader sees, offset, limit).
pub(crate) type DrillKey = ((String, String, String), (i32, Figures, Vec<String>, i64, i64));

/// Views by key, each with the version it holds.
pub(crate) struct ViewCache<K, V> {
    entries: Mutex<HashMap<K, (i64, Arc<V>)>>,
    /// Entries beyond this many are dropped wholesale.
    max: usize,
    /// Held while a missing view is computed, so that the leaders who open the cockpit together
    /// after a write wait for one computation instead of each starting their own.
    computing: tokio::sync::Mutex<()>,
    /// Views found, and views computed (for `/metrics`).
    hits: AtomicU64,
    misses: AtomicU64,
}

/// Entries beyond this many are dropped wholesale: views are cheap to recompute, and the months
/// and indicators leaders read are few.
const MAX_ENTRIES: usize = 512;

impl<K: Hash + Eq + Clone, V> ViewCache<K, V> {
    pub(crate) fn new() -> Self {
        Self::bounded(MAX_ENTRIES)
    }

    /// A cache of at most `max` views, for large ones.
    pub(crate) fn bounded(max: usize) -> Self {
        ViewCache {
            entries: Mutex::new(HashMap::new()),
            max,
            computing: tokio::sync::Mutex::new(()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The view for `key` as of `version` or later, if one was kept: a view computed after a
    /// newer write holds every write a request at `version` must see.
    pub(crate) fn get(&self, key: &K, version: i64) -> Option<Arc<V>> {
        let found = self.look(key, version);
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// `get` without counting.
    fn look(&self, key: &K, version: i64) -> Option<Arc<V>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.get(key).filter(|(v, _)| *v >= version).map(|(_, view)| view.clone())
    }

    fn usage(&self, cache: &'static str) -> crate::CacheUse {
        crate::CacheUse { cache, hits: self.hits.load(Ordering::Relaxed), misses: self.misses.load(Ordering::Relaxed) }
    }

    pub(crate) fn put(&self, key: K, version: i64, view: Arc<V>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.get(&key).is_some_and(|(v, _)| *v > version) {
            return;
        }
        if entries.len() >= self.max && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (version, view));
    }

    /// The view for `key` as of `version`, computed once however many ask at the same time.
    pub(crate) async fn get_or_compute<F, Fut, E>(&self, key: K, version: i64, compute: F) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<V, E>>,
    {
        if let Some(view) = self.look(&key, version) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(view);
        }
        let _one = self.computing.lock().await;
        // Computed meanwhile by the request this one waited for: found, all the same.
        if let Some(view) = self.get(&key, version) {
            return Ok(view);
        }
        let view = Arc::new(compute().await?);
        self.put(key, version, view.clone());
        Ok(view)
    }
}

/// The views the cockpit and the API read most, and the accounts behind API tokens (a token
/// revoked or an account changed is a write, so a new version drops them too).
pub(crate) struct Views {
    pub(crate) version: FreshVersion,
    pub(crate) progress: ViewCache<ViewKey, Vec<domain::ProgressRow>>,
    pub(crate) forecast: ViewCache<ViewKey, Vec<domain::progress::ForecastRow>>,
    pub(crate) cockpit: ViewCache<CockpitKey, crate::Cockpit>,
    pub(crate) dispatch: ViewCache<DispatchKey, crate::Dispatch>,
    pub(crate) drill: ViewCache<DrillKey, crate::DrillDown>,
    /// A top-level zone's month's review flags.
    pub(crate) reviews: ViewCache<ViewKey, Vec<domain::review::Flag>>,
    /// The public page (one: it is the same for everyone).
    pub(crate) public: ViewCache<(), crate::PublicView>,
    /// A top-level zone's year's Benford screen.
    pub(crate) benford: ViewCache<(String, i32), Option<domain::review::Benford>>,
    /// Ticket lists by what they hold and the day.
    pub(crate) tickets: ViewCache<(store::TicketFilter, i64), Vec<crate::TicketRow>>,
    pub(crate) tokens: ViewCache<String, domain::authz::Actor>,
    /// Evaluations as computed or saved: a year's is 100 MB or more at 100,000 enterprises, so
    /// only a few are kept.
    pub(crate) evaluations: ViewCache<crate::evaluation_runs::ComputedKey, crate::evaluation_runs::Computed>,
    /// A saved run's lists by run and what the reader sees.
    pub(crate) lists: ViewCache<(i64, String), crate::EvaluationLists>,
}

impl Views {
    pub(crate) fn usage(&self) -> Vec<crate::CacheUse> {
        vec![
            self.progress.usage("progress"),
            self.forecast.usage("forecast"),
            self.cockpit.usage("cockpit"),
            self.dispatch.usage("dispatch"),
            self.drill.usage("drill"),
            self.reviews.usage("reviews"),
            self.benford.usage("benford"),
            self.public.usage("public"),
            self.tickets.usage("tickets"),
            self.tokens.usage("tokens"),
            self.evaluations.usage("evaluations"),
            self.lists.usage("evaluation_lists"),
        ]
    }

    pub(crate) fn new() -> Self {
        Views {
            version: FreshVersion::new(),
            progress: ViewCache::new(),
            forecast: ViewCache::new(),
            cockpit: ViewCache::new(),
            dispatch: ViewCache::new(),
            drill: ViewCache::new(),
            reviews: ViewCache::new(),
            benford: ViewCache::new(),
            public: ViewCache::new(),
            tickets: ViewCache::new(),
            tokens: ViewCache::new(),
            evaluations: ViewCache::bounded(2),
            lists: ViewCache::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_never_takes_a_version_read_before_it_arrived() {
        let fresh = Arc::new(FreshVersion::new());
        let store = Arc::new(AtomicU64::new(1));
        let reads = Arc::new(AtomicU64::new(0));
        let read = |store: Arc<AtomicU64>, reads: Arc<AtomicU64>| async move {
            reads.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            Ok::<i64, ()>(store.load(Ordering::SeqCst) as i64)
        };
        assert_eq!(fresh.get(|| read(store.clone(), reads.clone())).await, Ok(1));
        // A write, then a request: it must see the write, though a version was read before.
        store.store(2, Ordering::SeqCst);
        assert_eq!(fresh.get(|| read(store.clone(), reads.clone())).await, Ok(2));
        assert_eq!(reads.load(Ordering::SeqCst), 2);

        // Many requests at once share few reads, and each sees every write made before it came.
        let before = reads.load(Ordering::SeqCst);
        let mut tasks = Vec::new();
        for i in 0..200u64 {
            let (fresh, store, reads) = (fresh.clone(), store.clone(), reads.clone());
            tasks.push(tokio::spawn(async move {
                if i % 50 == 0 {
                    store.fetch_add(1, Ordering::SeqCst);
                }
                let seen_before = store.load(Ordering::SeqCst) as i64;
                let got = fresh.get(|| read(store.clone(), reads.clone())).await.unwrap();
                assert!(got >= seen_before, "request {i} saw {got}, a write had made {seen_before}");
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        // On the test's single thread all 200 arrive while the first read runs: that read began
        // before most of them, so one more serves the rest.
        assert!(reads.load(Ordering::SeqCst) - before <= 3, "{} reads", reads.load(Ordering::SeqCst) - before);
    }

    #[test]
    fn a_view_is_served_only_at_the_version_it_was_computed_at() {
        let cache: ViewCache<ViewKey, u32> = ViewCache::new();
        let key = ("revenue".to_string(), 202206, Figures::Official);
        cache.put(key.clone(), 7, Arc::new(1));
        assert_eq!(cache.get(&key, 7).as_deref(), Some(&1));
        assert_eq!(cache.get(&key, 8), None, "a write happened since");
        cache.put(key.clone(), 8, Arc::new(2));
        assert_eq!(cache.get(&key, 8).as_deref(), Some(&2));
        // A request that read an older version may take the newer view, never the reverse.
        assert_eq!(cache.get(&key, 7).as_deref(), Some(&2));
        cache.put(key.clone(), 7, Arc::new(1));
        assert_eq!(cache.get(&key, 8).as_deref(), Some(&2), "an older view does not replace a newer one");
    }

    #[tokio::test]
    async fn a_view_asked_for_by_many_at_once_is_computed_once() {
        let cache: Arc<ViewCache<ViewKey, u32>> = Arc::new(ViewCache::new());
        let computed = Arc::new(AtomicU64::new(0));
        let key = ("revenue".to_string(), 202206, Figures::Official);
        let mut tasks = Vec::new();
        for _ in 0..64 {
            let (cache, computed, key) = (cache.clone(), computed.clone(), key.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_compute(key, 3, || async {
                        computed.fetch_add(1, Ordering::SeqCst);
                        tokio::task::yield_now().await;
                        Ok::<u32, ()>(42)
                    })
                    .await
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap().as_deref(), Ok(&42));
        }
        assert_eq!(computed.load(Ordering::SeqCst), 1);
    }
}
