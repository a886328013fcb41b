//! The use cases: open a database on a plan, import office files, compute progress and the
//! cockpit. web and cli call these and nothing below them.

mod demo;
mod import;
mod report;

use std::sync::Arc;

use domain::{Plan, PlanProblem};
use store::{Store, StoreError};

pub use demo::DemoSpec;
pub use import::{ImportSummary, Progress};
pub use report::{Cockpit, DrillDown, DrillRow, KpiLine, TrendPoint};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("计划文件有误 / the plan file has problems:\n{}", .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Plan(Vec<PlanProblem>),
    #[error(transparent)]
    File(#[from] files::FileError),
    #[error("文件有 {} 处错误,未导入任何数据 / {} errors, nothing was imported", .0.len(), .0.len())]
    Rows(Vec<files::RowError>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// An open Leapfrog database and the plan it runs on.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub plan: Arc<Plan>,
}

impl App {
    /// Opens (creating and migrating if needed) a database; a new one gets the default plan.
    pub async fn open(url: &str) -> Result<App> {
        let store = Store::open(url).await?;
        let plan = match store.plan_source().await? {
            Some(src) => Plan::from_toml(&src).map_err(ServiceError::Plan)?,
            None => {
                let plan = Plan::default_plan();
                store
                    .save_plan(domain::plan::DEFAULT_PLAN_TOML, &plan)
                    .await?;
                plan
            }
        };
        Ok(App {
            store,
            plan: Arc::new(plan),
        })
    }

    /// Loads a plan file into a database, replacing the plan it ran on.
    pub async fn init(url: &str, plan_source: &str) -> Result<App> {
        let plan = Plan::from_toml(plan_source).map_err(ServiceError::Plan)?;
        let store = Store::open(url).await?;
        store.save_plan(plan_source, &plan).await?;
        Ok(App {
            store,
            plan: Arc::new(plan),
        })
    }

    pub(crate) fn indicator(&self, code: &str) -> Result<&domain::Indicator> {
        self.plan.indicator(code).ok_or_else(|| {
            ServiceError::BadRequest(format!(
                "未知指标“{code}”,可用 / unknown indicator, use one of: {}",
                self.plan
                    .indicators
                    .iter()
                    .map(|i| i.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }
}
