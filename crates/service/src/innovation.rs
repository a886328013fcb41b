//! Innovation (创新提升, M5): platforms and 双创团队 imported by the department that keeps them,
//! GDP entered once a year, and the measures the plan's KPIs take of them.

use std::path::Path;

use domain::Month;
use domain::authz::{Action, Target};
use domain::calendar::Date;
use domain::innovation::{Category, InnovationRecord, Level, count_active, doublings, rd_share_of_gdp};
use domain::progress::Pick;
use files::{InnovationColumns, RowErrors, Table};
use serde::Serialize;

use crate::import::{ImportSummary, Progress, file_name, parse_rows, row_error};
use crate::{App, Caller, Figures, Result, ServiceError};

/// The GDP figure's code among the figures entered per year.
pub const GDP: &str = "gdp";

/// Where innovation stands at a month's end.
#[derive(Debug, Clone, Serialize)]
pub struct InnovationSummary {
    pub day: Date,
    pub national_platforms: usize,
    pub provincial_platforms: usize,
    pub teams: usize,
    pub high_tech: i64,
    /// The 三个翻番's base (the baseline year's end) and each count's multiple, the smallest
    /// first; None while a base count is zero.
    pub base_year: i32,
    pub base: [usize; 3],
    pub doublings: Option<(f64, [f64; 3])>,
    /// The last year with a GDP entered, up to this month's year if complete, else the year
    /// before: its R&D spending (万元, from the facts), its GDP (亿元), and the share (%).
    pub rd_year: Option<i32>,
    pub rd_wan: Option<f64>,
    pub gdp_yi: Option<f64>,
    pub rd_share_pct: Option<f64>,
    pub gdp: Vec<(i32, f64)>,
    pub records: Vec<InnovationRecord>,
}

impl App {
    /// The counts the 三个翻番 takes on `day`: 省级以上平台, 高新技术企业, 双创团队.
    async fn three_counts(&self, records: &[InnovationRecord], day: Date) -> Result<[usize; 3]> {
        let high_tech = self.store.tag_holders(&self.plan.innovation.high_tech_tag, day).await?;
        Ok([
            count_active(records, Category::Platform, Level::Provincial, day),
            high_tech as usize,
            count_active(records, Category::Team, Level::Municipal, day),
        ])
    }

    /// The R&D share of GDP as of `month`: of its year if it is December, else of the year
    /// before; (year, R&D 万元, GDP 亿元, %).
    pub(crate) async fn rd_share(&self, month: Month, figures: Figures) -> Result<(i32, Option<f64>, Option<f64>, Option<f64>)> {
        let year = if month.month() == 12 { month.year() } else { month.year() - 1 };
        let gdp = self.store.annual_figures(GDP).await?.into_iter().find(|(y, _)| *y == year).map(|(_, v)| v as f64 / 100.0);
        let rd = match (Month::new(year, 1), Month::new(year, 12), self.plan.indicator("rd")) {
            (Some(from), Some(to), Some(_)) => {
                let index = self.index("rd", to, figures).await?;
                let every: Vec<String> = self.plan.industries.iter().map(|i| i.code.to_string()).collect();
                let zones: Vec<String> = self.plan.zones.iter().map(|z| z.code.to_string()).collect();
                index.period(Pick::Any(&every), Pick::Any(&zones), from, to)
            }
            _ => None,
        };
        let share = match (rd, gdp) {
            (Some(rd), Some(gdp)) => rd_share_of_gdp(rd, gdp),
            _ => None,
        };
        Ok((year, rd, gdp, share))
    }

    /// Innovation at the end of `month`.
    pub async fn innovation(&self, caller: &Caller, month: Month, figures: Figures) -> Result<InnovationSummary> {
        self.require(caller, Action::ReadAggregates)?;
        let mut records = self.store.innovation_records().await?;
        // Platforms before teams, the highest level first.
        records.sort_by(|a, b| {
            (a.category.code(), std::cmp::Reverse(a.level), &a.code).cmp(&(
                b.category.code(),
                std::cmp::Reverse(b.level),
                &b.code,
            ))
        });
        let day = domain::projects::last_day(month);
        let base_year = self.plan.baseline_year;
        let base_day = Date::new(base_year, 12, 31).expect("a day");
        let now = self.three_counts(&records, day).await?;
        let base = self.three_counts(&records, base_day).await?;
        let (rd_year, rd_wan, gdp_yi, rd_share_pct) = self.rd_share(month, figures).await?;
        Ok(InnovationSummary {
            day,
            national_platforms: count_active(&records, Category::Platform, Level::National, day),
            provincial_platforms: now[0],
            teams: now[2],
            high_tech: now[1] as i64,
            base_year,
            base,
            doublings: doublings(now, base),
            rd_year: Some(rd_year),
            rd_wan,
            gdp_yi,
            rd_share_pct,
            gdp: self.store.annual_figures(GDP).await?.into_iter().map(|(y, v)| (y, v as f64 / 100.0)).collect(),
            records,
        })
    }

    /// The three KPI measures of innovation at `month`: (value, basis).
    pub(crate) async fn innovation_measure(
        &self,
        measure: domain::kpi::InnovationMeasure,
        month: Month,
        figures: Figures,
    ) -> Result<Option<(f64, String)>> {
        use domain::kpi::InnovationMeasure as M;
        let day = domain::projects::last_day(month);
        let records = self.store.innovation_records().await?;
        Ok(match measure {
            M::Platforms { min_level } => Some((
                count_active(&records, Category::Platform, min_level, day) as f64,
                format!("{day} 有效的{}以上科创平台", min_level.zh()),
            )),
            M::ThreeDoublings => {
                let base_day = Date::new(self.plan.baseline_year, 12, 31).expect("a day");
                let (now, base) = (self.three_counts(&records, day).await?, self.three_counts(&records, base_day).await?);
                doublings(now, base).map(|(min, m)| {
                    (
                        min,
                        format!(
                            "较{}年末:省级以上平台 {}→{}({}倍)、高新技术企业 {}→{}({}倍)、双创团队 {}→{}({}倍),取最小",
                            self.plan.baseline_year, base[0], now[0], m[0], base[1], now[1], m[1], base[2], now[2], m[2]
                        ),
                    )
                })
            }
            M::RdShareOfGdp => {
                let (year, rd, gdp, share) = self.rd_share(month, figures).await?;
                share.map(|s| {
                    (
                        s,
                        format!(
                            "{year}年研发经费 {:.2} 亿元 ÷ 地区生产总值 {:.2} 亿元",
                            rd.unwrap_or(0.0) / 10_000.0,
                            gdp.unwrap_or(0.0)
                        ),
                    )
                })
            }
        })
    }

    /// Enters a year's GDP (亿元), with its source.
    pub async fn set_gdp(&self, caller: &Caller, year: i32, yi: f64, note: &str) -> Result<()> {
        self.require(caller, Action::EnterFigures)?;
        if !(1900..=9999).contains(&year) || !(0.01..=1.0e6).contains(&yi) {
            return Err(ServiceError::BadRequest(
                "年份应为 1900-9999,地区生产总值应在 0.01 至 1,000,000 亿元之间 / a year and a GDP of 0.01 to 1,000,000 亿元"
                    .into(),
            ));
        }
        if note.chars().count() > 200 {
            return Err(ServiceError::BadRequest("来源超过200字 / the source is longer than 200 characters".into()));
        }
        let audit = caller.audit("figure.set", "annual_figure", &format!("{GDP}/{year}")).after(format!("{yi:.2} 亿元 {note}"));
        Ok(self.store.set_annual_figure(GDP, year, (yi * 100.0).round() as i64, note.trim(), &audit).await?)
    }

    /// Imports the platforms and teams file, all or nothing, by the department that keeps them.
    pub async fn import_innovation(&self, caller: &Caller, path: &Path, progress: Progress<'_>) -> Result<ImportSummary> {
        self.authorize(caller, Action::WriteTags, Target::Department(&self.plan.innovation.department))?;
        let mut table = Table::open_with(path, &self.limits)?;
        let columns = InnovationColumns::map(&mut table)?;
        let file = table.file.clone();
        let mut errors = RowErrors::new(self.limits.max_errors);
        let mut seen = std::collections::HashMap::new();
        let keys = self.store.enterprise_keys().await?;
        let mut records = Vec::new();
        for (row, r) in parse_rows(&mut table, &mut errors, |row, cells| columns.parse(&self.plan, &file, row, cells)) {
            if let Some(u) = &r.host_uscc
                && keys.get(u).is_none()
            {
                errors.push(row_error(
                    &file,
                    row,
                    "依托单位统一社会信用代码",
                    u,
                    "企业名录中没有此企业 / not in the registry".into(),
                ));
            }
            if let Some(first) = seen.insert(r.code.clone(), row) {
                errors.push(row_error(&file, row, "编号", &r.code, format!("与第{first}行重复 / duplicates row {first}")));
            }
            records.push(r);
        }
        if !errors.is_empty() {
            errors.sort();
            return Err(ServiceError::Rows(errors));
        }
        let audit = caller
            .audit("import.innovation", "innovation_records", &file_name(path))
            .after(serde_json::json!({ "rows": records.len() }).to_string());
        self.store.save_innovation(&records, &audit).await?;
        Ok(self.imported("innovation", ImportSummary::of_file(records.len(), &table, progress)))
    }
}
