//! The investment-attraction file: one lead a row, with its stage and the dates it reached.

use std::collections::BTreeMap;

use domain::Plan;
use domain::leads::{Lead, Stage, TARGET_FLAGS};
use domain::projects::{AMOUNT_DECIMALS, check_project_code};

use crate::cells;
use crate::enterprises::{Column, RowCheck, locate, text};
use crate::table::{Cell, Table};
use crate::{FileError, RowError};

pub(crate) const LEAD_COLUMNS: &[Column] = &[
    Column { code: "code", zh: "线索编号", required: true },
    Column { code: "name", zh: "项目名称", required: true },
    Column { code: "investor", zh: "投资方", required: true },
    Column { code: "amount", zh: "投资额(万元)", required: true },
    Column { code: "industry", zh: "产业", required: true },
    Column { code: "zone", zh: "组团", required: true },
    Column { code: "source", zh: "来源", required: true },
    Column { code: "flags", zh: "目标企业", required: false },
    Column { code: "owner", zh: "责任单位", required: true },
    Column { code: "stage", zh: "阶段", required: true },
    Column { code: "signed", zh: "签约日期", required: false },
    Column { code: "registered", zh: "注册日期", required: false },
    Column { code: "started", zh: "开工日期", required: false },
    Column { code: "producing", zh: "投产日期", required: false },
    Column { code: "funds", zh: "到位资金(万元)", required: false },
    Column { code: "project", zh: "项目编号", required: false },
];

/// The stages whose date the file gives, in their columns' order (10..=13).
const DATED: [Stage; 4] = [Stage::Signed, Stage::Registered, Stage::Started, Stage::Producing];

/// Where the lead file's columns are.
pub struct LeadColumns {
    at: Vec<Option<usize>>,
}

impl LeadColumns {
    pub fn map(table: &mut Table) -> Result<Self, FileError> {
        Ok(LeadColumns { at: locate(table, LEAD_COLUMNS)? })
    }

    /// The header row of a template or an export.
    pub fn headers() -> Vec<&'static str> {
        LEAD_COLUMNS.iter().map(|c| c.zh).collect()
    }

    pub fn parse(&self, plan: &Plan, file: &str, row: usize, cells: &[Cell]) -> Result<Lead, Vec<RowError>> {
        let empty = Cell::Empty;
        let get = |k: usize| self.at[k].and_then(|i| cells.get(i)).unwrap_or(&empty);
        let mut check = RowCheck { file, row, errors: Vec::new() };
        // Reads column k, noting its error under the column's Chinese name.
        macro_rules! read {
            ($k:expr, $read:expr) => {
                cells::read(&mut check, LEAD_COLUMNS[$k].zh, get($k), $read)
            };
        }
        let required_text = |what: &'static str| cells::words(what, true);
        let code = read!(0, |c: &Cell| {
            let t = text(c).trim().to_string();
            check_project_code(&t).map(|()| t).map_err(|e| e.replace("项目编号", "线索编号"))
        });
        let name = read!(1, required_text("项目名称"));
        let investor = read!(2, required_text("投资方"));
        let amount = read!(3, |c: &Cell| cells::amount(c, AMOUNT_DECIMALS)
            .and_then(|v| v.ok_or_else(|| "投资额不能为空 / required".to_string())));
        let industry = read!(4, |c: &Cell| plan
            .resolve_industry(&text(c))
            .map(|i| i.code.clone())
            .ok_or_else(|| "未知产业 / unknown industry".to_string()));
        let zone = read!(5, |c: &Cell| plan
            .resolve_zone(&text(c))
            .map(|z| z.code.clone())
            .ok_or_else(|| "未知组团 / unknown zone".to_string()));
        let source = read!(6, |c: &Cell| {
            let t = text(c).trim().to_string();
            if plan.leads.sources.contains(&t) {
                Ok(t)
            } else {
                Err(format!("来源应为 {} 之一 / unknown source", plan.leads.sources.join("、")))
            }
        });
        let flags = read!(7, |c: &Cell| {
            text(c)
                .split(['、', ';', ';', ','])
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(|f| {
                    TARGET_FLAGS.iter().find(|(code, zh)| *code == f || *zh == f).map(|(code, _)| code.to_string()).ok_or_else(
                        || format!("“{}”不是目标企业类别(世界500强、中国500强、民营500强、行业100强)", domain::shorten(f)),
                    )
                })
                .collect::<Result<Vec<String>, String>>()
        });
        let owner = read!(8, |c: &Cell| {
            let t = text(c);
            let t = t.trim();
            plan.departments
                .iter()
                .find(|d| d.code == t || d.name == t)
                .map(|d| d.code.clone())
                .or_else(|| plan.resolve_zone(t).filter(|z| z.parent.is_none()).map(|z| z.code.to_string()))
                .ok_or_else(|| "责任单位应为计划中的部门或一级组团 / owner is a department or a top-level zone".to_string())
        });
        let stage = read!(9, |c: &Cell| Stage::parse(&text(c))
            .ok_or_else(|| "阶段应为 线索、洽谈、签约、注册、开工 或 投产 / unknown stage".to_string()));
        let mut dates = BTreeMap::new();
        for (k, s) in DATED.iter().enumerate() {
            if let Some(Some(d)) = read!(10 + k, cells::date) {
                dates.insert(*s, d);
            }
        }
        let funds = read!(14, |c: &Cell| cells::amount(c, AMOUNT_DECIMALS).map(|v| v.unwrap_or(0)));
        let project = read!(15, |c: &Cell| {
            let t = text(c).trim().to_string();
            if t.is_empty() { Ok(None) } else { check_project_code(&t).map(|()| Some(t)) }
        });
        if let Some(stage) = stage {
            // Every stage from 签约 up to the one reached has its date, and none beyond it.
            for (k, s) in DATED.iter().enumerate() {
                if *s <= stage && !dates.contains_key(s) {
                    check.fail(
                        LEAD_COLUMNS[10 + k].zh,
                        get(10 + k),
                        format!("已到“{}”阶段,须填写{}日期 / the date is required", stage.zh(), s.zh()),
                    );
                } else if *s > stage && dates.contains_key(s) {
                    check.fail(
                        LEAD_COLUMNS[10 + k].zh,
                        get(10 + k),
                        format!("尚在“{}”阶段,不应有{}日期 / not reached yet", stage.zh(), s.zh()),
                    );
                }
            }
            let in_order: Vec<_> = dates.values().collect();
            if in_order.windows(2).any(|w| w[1] < w[0]) {
                check.fail("签约日期", get(10), "各阶段日期应依次不早于前一阶段 / stage dates go forward");
            }
        }
        match (code, name, investor, amount, industry, zone, source, flags, owner, stage, funds, project) {
            (
                Some(code),
                Some(name),
                Some(investor),
                Some(amount),
                Some(industry),
                Some(zone),
                Some(source),
                Some(flags),
                Some(owner),
                Some(stage),
                Some(funds_in_place),
                Some(project),
            ) if check.errors.is_empty() => Ok(Lead {
                code,
                name,
                investor,
                amount,
                industry,
                zone,
                source,
                flags,
                owner,
                stage,
                dates,
                funds_in_place,
                project,
            }),
            _ => Err(check.errors),
        }
    }
}
