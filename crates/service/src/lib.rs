//! The use cases: open a database on a plan, import office files, compute progress and the
//! cockpit. web and cli call these and nothing below them.

mod accounts;
mod assessment;
pub mod backup;
mod bulletin;
mod clock;
mod cultivation;
mod demo;
mod demo_projects;
mod demo_tickets;
mod evaluation;
mod evaluation_runs;
mod import;
mod inbox;
mod innovation;
mod kpi_reports;
mod leads;
mod operations;
mod projects;
mod public;
mod report;
mod review;
mod submissions;
mod tags;
mod tasks;
mod tickets;
mod views;
mod workflow;

use std::sync::Arc;

use domain::authz::Actor;
use domain::{Plan, PlanProblem};
use store::{AuditRecord, Store, StoreError};

pub use accounts::{LoginError, Session, actor_of, random_hex, token_hash};
pub use bulletin::Quarter;
pub use clock::Clock;
pub use cultivation::{ListingPipeline, ListingRow, ScaleUpLibrary, ScaleUpRow, SelectionGroup};
pub use demo::{DEMO_PASSWORD, DemoSpec};
pub use evaluation::{DetailLine, Evaluated, EvaluationDetail, HistoryEntry};
pub use evaluation_runs::{EvaluationLists, ListEntry, ObjectionView, ResultLine, RunView, Source, ZoneAggregate, default_run};
pub use files::ProjectFileKind;
pub use import::{ImportSummary, Progress};
pub use innovation::InnovationSummary;
pub use kpi_reports::{KpiReport, ReportedKpi};
pub use leads::{Pipeline, StageCount, ZoneTally};
pub use operations::{CacheUse, QueueLength};
pub use projects::{
    DepartmentProblems, Dispatch, OpenProblem, PROJECT_MONTH, PhotoRow, ProjectDetail, ProjectFiles, ReportRow, ZoneCount,
};
pub use public::{LightCounts, PublicRow, PublicView};
pub use report::{Cell, Cockpit, DrillDown, DrillRow, KpiLine, TrendPoint};
pub use review::{DataQuality, FlagRef, QualityBenford, QualityMonth, ReviewSheet, SheetFlag};
pub use submissions::{BoardCell, Figures, FlagTally, States};
pub use tags::TagView;
pub use tasks::TaskLine;
pub use tickets::{Order, StepRequest, TallyRow, TicketDetail, TicketQuery, TicketRow, TicketStats, Upload};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("计划文件有误 / the plan file has problems:\n{}", .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Plan(Vec<PlanProblem>),
    #[error(transparent)]
    File(#[from] files::FileError),
    #[error("文件有 {} 处错误,未导入任何数据 / {} errors, nothing was imported", .0.len(), .0.len())]
    Rows(files::RowErrors),
    /// A database failure: logged, shown as "internal error".
    #[error(transparent)]
    Store(StoreError),
    /// Another write held the database longer than the configured wait: try again.
    #[error("{0}")]
    Busy(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    /// The request does not fit the state the data is in (a step the month's state does not
    /// allow): 409.
    #[error("{0}")]
    Conflict(String),
    /// A fault of the program or its data, not of the request: logged, shown as "internal error".
    #[error("内部错误 / internal error: {0}")]
    Internal(String),
}

/// What the store refuses, in the service's words: a rule it keeps is a conflict, a total out of
/// range a bad request, a wait that ran out "busy"; web and the command line see only these.
impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(m) => ServiceError::Conflict(m),
            StoreError::OutOfRange(m) => ServiceError::BadRequest(m),
            StoreError::UnsupportedUrl(_) => ServiceError::BadRequest(e.to_string()),
            StoreError::Busy => ServiceError::Busy(e.to_string()),
            StoreError::Config(m) => ServiceError::Internal(m),
            StoreError::Corrupt(_) => ServiceError::Internal(e.to_string()),
            StoreError::Db(_) => ServiceError::Store(e),
        }
    }
}

/// What the store's lists and trail take and give, as the service's own vocabulary: web and the
/// command line name them through `service`, never `store`.
pub use store::{AuditFilter, EnterpriseFilter, EnterpriseRow, TaskNote, TokenRow, UserRecord, now};

/// Who is acting, and the request it is part of (for the audit trail).
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub request_id: String,
}

impl Caller {
    pub fn new(actor: Actor, request_id: impl Into<String>) -> Caller {
        Caller { actor, request_id: request_id.into() }
    }

    /// The operator of the command line, named by the operating-system account that ran it.
    pub fn operator() -> Caller {
        let os_user = std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "unknown".into());
        Caller::new(Actor::operator(&os_user), format!("cli-{}", random_hex(8)))
    }

    /// An audit record of this caller's action.
    pub fn audit(&self, action: &str, entity: &str, entity_id: &str) -> AuditRecord {
        AuditRecord::new(&self.actor.login, action, entity, entity_id).request(&self.request_id)
    }
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// An open Leapfrog database and the plan it runs on.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub plan: Arc<Plan>,
    /// What reading one uploaded file may cost.
    pub limits: files::Limits,
    /// The time every use case goes by.
    pub clock: Clock,
    /// What opens `/metrics` to a monitoring system (see `Settings`).
    pub metrics_token: Option<Arc<str>>,
    /// Computed views by data version (see `views`).
    views: Arc<views::Views>,
    /// What this process counts of its work (see `operations`).
    counters: Arc<operations::Counters>,
}

/// What an installation sets in its environment (`LEAPFROG_…`), read once at start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub limits: files::Limits,
    /// How long a write waits for another on SQLite before answering "busy"
    /// (`LEAPFROG_BUSY_TIMEOUT_SECS`, default 10).
    pub busy_timeout: std::time::Duration,
    /// The system clock, or a fixed one in tests.
    pub clock: Clock,
    /// What a monitoring system sends to read `/metrics` (`LEAPFROG_METRICS_TOKEN`); it opens
    /// nothing else. Without it only an administrator may read them.
    pub metrics_token: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            limits: files::Limits::default(),
            busy_timeout: std::time::Duration::from_secs(10),
            clock: Clock::system(),
            metrics_token: None,
        }
    }
}

impl Settings {
    pub fn from_env() -> Result<Settings> {
        let mut s = Settings { limits: files::Limits::from_env().map_err(ServiceError::BadRequest)?, ..Settings::default() };
        if let Ok(v) = std::env::var("LEAPFROG_BUSY_TIMEOUT_SECS") {
            let secs: u64 = v.trim().parse().map_err(|_| {
                ServiceError::BadRequest(format!("LEAPFROG_BUSY_TIMEOUT_SECS=“{v}”应为整数秒 / must be whole seconds"))
            })?;
            s.busy_timeout = std::time::Duration::from_secs(secs);
        }
        if let Ok(v) = std::env::var("LEAPFROG_METRICS_TOKEN") {
            // A short secret is a guessable one.
            if v.trim().len() < 16 {
                return Err(ServiceError::BadRequest(
                    "LEAPFROG_METRICS_TOKEN 至少16个字符 / must be at least 16 characters".into(),
                ));
            }
            s.metrics_token = Some(v.trim().to_string());
        }
        Ok(s)
    }
}

impl App {
    /// Opens (creating and migrating if needed) a database with the environment's settings; a
    /// new one gets the default plan.
    pub async fn open(url: &str) -> Result<App> {
        App::open_with(url, Settings::from_env()?).await
    }

    pub async fn open_with(url: &str, settings: Settings) -> Result<App> {
        let store = Store::open(url, settings.busy_timeout, store::SealPlaces::for_url(url)).await?;
        let plan = match store.plan_source().await? {
            Some(src) => Plan::from_toml(&src).map_err(ServiceError::Plan)?,
            None => {
                let plan = Plan::default_plan();
                let audit = AuditRecord::new("system", "plan.load", "plan", &plan.code);
                store.save_plan(domain::plan::DEFAULT_PLAN_TOML, &plan, &audit).await?;
                plan
            }
        };
        Ok(App::assemble(store, plan, settings))
    }

    fn assemble(store: Store, plan: Plan, settings: Settings) -> App {
        App {
            store,
            plan: Arc::new(plan),
            limits: settings.limits,
            clock: settings.clock,
            metrics_token: settings.metrics_token.map(Arc::from),
            views: Arc::new(views::Views::new()),
            counters: Arc::default(),
        }
    }

    /// Loads a plan file into a database, replacing the plan it ran on.
    pub async fn init(url: &str, plan_source: &str, caller: &Caller) -> Result<App> {
        let plan = Plan::from_toml(plan_source).map_err(ServiceError::Plan)?;
        let settings = Settings::from_env()?;
        let store = Store::open(url, settings.busy_timeout, store::SealPlaces::for_url(url)).await?;
        store.save_plan(plan_source, &plan, &caller.audit("plan.load", "plan", &plan.code)).await?;
        Ok(App::assemble(store, plan, settings))
    }

    /// The data version, read fresh for this request (shared with the requests that came with it).
    pub(crate) async fn data_version(&self) -> Result<i64> {
        Ok(self.views.version.get(|| self.store.data_version()).await?)
    }

    pub(crate) fn indicator(&self, code: &str) -> Result<&domain::Indicator> {
        self.plan.indicator(code).ok_or_else(|| {
            ServiceError::BadRequest(format!(
                "未知指标“{code}”,可用 / unknown indicator, use one of: {}",
                self.plan.indicators.iter().map(|i| i.code.as_str()).collect::<Vec<_>>().join(", ")
            ))
        })
    }
}

/// January and December of a year, or why the year is not one.
pub(crate) fn year_months(year: i32) -> Result<(domain::Month, domain::Month)> {
    match (domain::Month::new(year, 1), domain::Month::new(year, 12)) {
        (Some(first), Some(last)) => Ok((first, last)),
        _ => Err(ServiceError::BadRequest(format!("年份 {year} 不正确 / bad year"))),
    }
}
