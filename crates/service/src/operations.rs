//! What a node counts of its own work, for `/metrics`: files imported and their rows by kind,
//! and the service queues as they stand. Counters are the process's own; a monitoring system
//! sums the nodes.

use std::collections::BTreeMap;
use std::sync::Mutex;

use domain::services::TicketState;

use crate::{App, ImportSummary, Result};

#[derive(Debug, Default)]
pub(crate) struct Counters {
    /// By kind of file: files imported, rows imported.
    imports: Mutex<BTreeMap<&'static str, (u64, u64)>>,
}

/// One department's queue in one state: how many tickets, and how many of them are past their
/// time limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueLength {
    pub department: String,
    pub state: TicketState,
    pub open: u64,
    pub overdue: u64,
}

/// How often a kept view was found, and how often it had to be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheUse {
    pub cache: &'static str,
    pub hits: u64,
    pub misses: u64,
}

impl App {
    /// Whether `given` is the installation's metrics token (`LEAPFROG_METRICS_TOKEN`), which opens
    /// `/metrics` and nothing else. Compared as hashes, so the time taken says nothing of how
    /// much of it matched.
    pub fn is_metrics_token(&self, given: &str) -> bool {
        self.metrics_token.as_deref().is_some_and(|token| crate::token_hash(token) == crate::token_hash(given.trim()))
    }

    /// The gate for an account reading `/metrics`.
    pub fn require_metrics(&self, caller: &crate::Caller) -> Result<()> {
        self.require(caller, domain::authz::Action::ReadMetrics)
    }

    /// Counts an import that went through, and hands its summary on.
    pub(crate) fn imported(&self, kind: &'static str, summary: ImportSummary) -> ImportSummary {
        let mut imports = self.counters.imports.lock().unwrap_or_else(|p| p.into_inner());
        let entry = imports.entry(kind).or_default();
        entry.0 += 1;
        entry.1 += summary.rows as u64;
        summary
    }

    /// Files and rows imported by this process since it started, by kind of file.
    pub fn imports_counted(&self) -> Vec<(&'static str, u64, u64)> {
        let imports = self.counters.imports.lock().unwrap_or_else(|p| p.into_inner());
        imports.iter().map(|(kind, (files, rows))| (*kind, *files, *rows)).collect()
    }

    /// How this process's kept views were used.
    pub fn cache_use(&self) -> Vec<CacheUse> {
        self.views.usage()
    }

    /// The open tickets per department and state, and how many are past their time limit
    /// today. Region-wide and without names: `/metrics` authorises its own callers.
    pub async fn ticket_queues(&self) -> Result<Vec<QueueLength>> {
        let today = self.clock.today();
        let rows = self.store.ticket_queues(today).await?;
        Ok(rows.into_iter().map(|(department, state, open, overdue)| QueueLength { department, state, open, overdue }).collect())
    }
}
