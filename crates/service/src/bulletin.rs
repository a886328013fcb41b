//! The quarterly bulletin (季通报): headline KPIs, the industries' progress, the zones' ranking,
//! the major projects and their lagging list, the "152" tally — each section with a sentence of
//! plain analysis written from the figures, as a `files::Report` for DOCX and XLSX.

use domain::projects::{Light, last_day};
use domain::{ALL, Month, ProgressRow, Status};
use files::{Report, ReportTable, Section};

use crate::{App, Caller, Figures, Result, ServiceError};

/// A quarter: 2022Q3, 2022-Q3 or 2022年第3季度.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quarter {
    pub year: i32,
    pub q: u32,
}

impl Quarter {
    pub fn parse(s: &str) -> Option<Quarter> {
        let t = s.trim().to_uppercase().replace(['-', ' '], "");
        let (year, q) = if let Some((y, q)) = t.split_once('Q') {
            (y.parse().ok()?, q.parse().ok()?)
        } else {
            let (y, rest) = t.split_once("年第")?;
            (y.parse().ok()?, rest.strip_suffix("季度")?.parse().ok()?)
        };
        ((1..=4).contains(&q) && (1900..=9999).contains(&year)).then_some(Quarter { year, q })
    }

    /// The quarter's last month.
    pub fn last_month(self) -> Month {
        Month::new(self.year, self.q * 3).expect("a valid quarter")
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}Q{}", self.year, self.q)
    }
}

fn yi(wan: Option<f64>) -> String {
    wan.map_or("—".into(), domain::amount::yi_yuan)
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{v:.1}"))
}

fn status_zh(s: Option<Status>) -> &'static str {
    s.map_or("—", Status::zh)
}

/// Names joined with 、, and their figures, for a sentence.
fn listing(items: &[(String, f64)]) -> String {
    let names: Vec<&str> = items.iter().map(|(n, _)| n.as_str()).collect();
    let figures: Vec<String> = items.iter().map(|(_, v)| format!("{:.1}", v.abs())).collect();
    if items.len() == 1 {
        format!("{},落后{}个百分点", names[0], figures[0])
    } else {
        format!("{},分别落后{}个百分点", names.join("、"), figures.join("、"))
    }
}

impl App {
    /// The bulletin of a quarter, on official figures through its last month.
    pub async fn bulletin(&self, caller: &Caller, quarter: Quarter) -> Result<Report> {
        // A region's document: for those who see every zone's projects, not a zone's part of it.
        self.require(caller, domain::authz::Action::ReadAggregates)?;
        self.require(caller, domain::authz::Action::ReadProjects)?;
        let month = quarter.last_month();
        if month >= self.clock.current_month() {
            return Err(ServiceError::BadRequest(format!(
                "{}年第{}季度尚未结束 / the quarter has not ended",
                quarter.year, quarter.q
            )));
        }
        let cut_off = format!("数据截至{}", last_day(month));
        let unit_note = |unit: &str| format!("单位:{unit};{cut_off}");
        let ind = self.plan.indicator(&self.plan.target_indicator).expect("the target indicator is in the plan");
        let cockpit = self.cockpit(caller, ind.code.as_str(), month, Figures::Official).await?;
        let rows = &cockpit.rows;
        let find = |i: &str, z: &str| rows.iter().find(|r| r.industry == i && r.zone == z);
        let mut sections = Vec::new();

        // 一、总体情况
        let total = find(ALL, ALL);
        let mut overall = Vec::new();
        if let Some(t) = total {
            overall.push(format!(
                "{}年1-{}月,{}{}累计完成{}亿元,同比{}{:.1}%,完成年度目标{}%,序时进度{:.1}%,{}。",
                month.year(),
                month.month(),
                self.plan.total_label,
                ind.name,
                yi(t.ytd),
                if t.yoy_pct.unwrap_or(0.0) >= 0.0 { "增长" } else { "下降" },
                t.yoy_pct.unwrap_or(0.0).abs(),
                pct(t.attainment_pct),
                t.time_progress_pct,
                match t.gap_pp {
                    Some(g) if g >= 0.0 => format!("超序时进度{g:.1}个百分点"),
                    Some(g) => format!("落后序时进度{:.1}个百分点", -g),
                    None => "暂无目标".into(),
                }
            ));
        } else {
            overall.push(format!("{}尚无经审核的月度数据。", month.zh()));
        }
        let met = cockpit.kpis.iter().filter(|k| k.actual.as_ref().is_some_and(|a| a.met)).count();
        let with_actual = cockpit.kpis.iter().filter(|k| k.actual.is_some()).count();
        overall.push(format!("{}项主要目标中,{with_actual}项已有实际值,其中{met}项已达到目标值。", cockpit.kpis.len()));
        sections.push(Section {
            heading: "总体情况".into(),
            paragraphs: overall,
            tables: vec![ReportTable {
                title: "主要目标完成情况".into(),
                note: cut_off.clone(),
                columns: ["指标", "目标值", "单位", "实际值", "是否达到", "口径"].map(String::from).to_vec(),
                numeric: vec![false, true, false, true, false, false],
                rows: cockpit
                    .kpis
                    .iter()
                    .map(|k| {
                        vec![
                            k.name.clone(),
                            format!("{}", k.target),
                            k.unit.clone(),
                            k.actual.as_ref().map_or("—".into(), |a| format!("{:.2}", a.value)),
                            k.actual.as_ref().map_or("—".into(), |a| if a.met { "是" } else { "否" }.into()),
                            k.actual.as_ref().map_or_else(
                                || {
                                    k.supplied_by
                                        .as_ref()
                                        .map_or(String::new(), |m| format!("待{}模块提供", self.plan.module_name(m)))
                                },
                                |a| a.basis.clone(),
                            ),
                        ]
                    })
                    .collect(),
            }],
        });

        // 二、产业发展情况
        let industries: Vec<&ProgressRow> = rows.iter().filter(|r| r.zone == ALL).collect();
        let mut behind: Vec<(String, f64)> = industries
            .iter()
            .filter(|r| r.industry != ALL && r.gap_pp.is_some_and(|g| g < 0.0))
            .map(|r| (self.plan.industry_label(&r.industry), r.gap_pp.unwrap_or(0.0)))
            .collect();
        behind.sort_by(|a, b| a.1.total_cmp(&b.1));
        let analysis = if behind.is_empty() {
            "各有目标的产业均达到或超过序时进度。".to_string()
        } else {
            format!("{}滞后于序时进度,需加快推进。", listing(&behind))
        };
        sections.push(Section {
            heading: "产业发展情况".into(),
            paragraphs: vec![analysis],
            tables: vec![progress_table(self, &self.plan.matrix_title, &industries, true, &unit_note("亿元、%"))],
        });

        // 三、各组团情况
        let mut zones: Vec<&ProgressRow> = rows.iter().filter(|r| r.industry == ALL && r.zone != ALL).collect();
        zones.sort_by(|a, b| b.attainment_pct.unwrap_or(f64::MIN).total_cmp(&a.attainment_pct.unwrap_or(f64::MIN)));
        let zone_name = |z: &str| self.plan.zone(z).map_or(z.to_string(), |x| x.name.clone());
        let lagging: Vec<(String, f64)> = zones
            .iter()
            .filter(|r| r.gap_pp.is_some_and(|g| g < 0.0))
            .map(|r| (zone_name(&r.zone), r.gap_pp.unwrap_or(0.0)))
            .collect();
        let first = zones.first().map(|r| format!("{}完成年度目标{}%,位列第一", zone_name(&r.zone), pct(r.attainment_pct)));
        let zone_text = match (first, lagging.is_empty()) {
            (Some(f), true) => format!("{f};各组团均达到序时进度。"),
            (Some(f), false) => format!("{f};{}。", listing(&lagging)),
            (None, _) => "各组团尚无数据。".into(),
        };
        let mut zone_table = progress_table(self, "各组团目标完成情况(按完成率排名)", &zones, false, &unit_note("亿元、%"));
        zone_table.columns.insert(0, "排名".into());
        zone_table.numeric.insert(0, true);
        for (k, r) in zone_table.rows.iter_mut().enumerate() {
            r.insert(0, (k + 1).to_string());
        }
        sections.push(Section { heading: "各组团推进情况".into(), paragraphs: vec![zone_text], tables: vec![zone_table] });

        // 四、重大项目推进情况
        let d = self.dispatch(caller, month).await?;
        let count = |l: Light| d.lights.iter().filter(|x| x.overall == Some(l)).count();
        let (red, yellow, green) = (count(Light::Red), count(Light::Yellow), count(Light::Green));
        let mut project_text = vec![format!(
            "纳入调度的重大项目{}个,其中红灯{red}个、黄灯{yellow}个、绿灯{green}个;{}年1-{}月亿元以上工业项目开工{}个{},项目完成投资{}亿元{}。",
            d.lights.len(),
            month.year(),
            month.month(),
            d.major_started,
            d.major_target.map_or(String::new(), |t| format!("(年度目标{t}个,完成{:.1}%)", d.major_started as f64 / t * 100.0)),
            domain::amount::yi_yuan(d.investment_ytd_wan),
            d.investment_target_wan.map_or(String::new(), |t| format!(
                "(年度目标{}亿元,完成{:.1}%,序时进度{:.1}%)",
                domain::amount::yi_yuan(t),
                d.investment_ytd_wan / t * 100.0,
                d.time_progress_pct
            )),
        )];
        let open: usize = d.open_problems.iter().map(|p| p.problems.len()).sum();
        if open > 0 {
            let most = d.open_problems.iter().max_by_key(|p| p.problems.len()).map(|p| p.name.clone()).unwrap_or_default();
            project_text.push(format!("待协调解决问题{open}个,其中{most}最多,请相关部门加快办理。"));
        }
        sections.push(Section {
            heading: "重大项目推进情况".into(),
            paragraphs: project_text,
            tables: vec![
                ReportTable {
                    title: "各组团项目调度情况".into(),
                    note: cut_off.clone(),
                    columns: ["组团", "项目数", "红灯", "黄灯", "绿灯"].map(String::from).to_vec(),
                    numeric: vec![false, true, true, true, true],
                    rows: d
                        .by_zone
                        .iter()
                        .map(|z| {
                            vec![
                                zone_name(&z.zone),
                                z.projects.to_string(),
                                z.red.to_string(),
                                z.yellow.to_string(),
                                z.green.to_string(),
                            ]
                        })
                        .collect(),
                },
                ReportTable {
                    title: "滞后项目清单(红灯)".into(),
                    note: cut_off.clone(),
                    columns: ["项目编号", "项目名称", "组团", "滞后原因"].map(String::from).to_vec(),
                    numeric: vec![false; 4],
                    rows: d
                        .lights
                        .iter()
                        .filter(|l| l.overall == Some(Light::Red))
                        .map(|l| vec![l.code.clone(), d.name_of(&l.code), zone_name(&l.zone), l.reasons.join(";")])
                        .collect(),
                },
            ],
        });

        // 五、招商引资“152”进展
        let p = self.pipeline(caller, month.year()).await?;
        let tally_text = |t: &domain::leads::Tally| {
            t.tiers
                .iter()
                .map(|x| format!("超{}亿元{}个(目标{}个)", x.at_least_wan / 10_000, x.signed, x.required))
                .collect::<Vec<_>>()
                .join("、")
        };
        let short: Vec<String> = p.zones.iter().filter(|z| !z.tally.met).map(|z| zone_name(&z.zone)).collect();
        sections.push(Section {
            heading: "招商引资“152”进展".into(),
            paragraphs: vec![format!(
                "{}年签约项目{}个,{};全区“152”任务{}。{}",
                month.year(),
                p.signed,
                tally_text(&p.region),
                if p.region.met { "已完成" } else { "尚未完成" },
                if short.is_empty() {
                    "各组团均完成年度任务。".to_string()
                } else {
                    format!("{}尚未完成组团任务。", short.join("、"))
                }
            )],
            tables: vec![ReportTable {
                title: "“152”项目进展".into(),
                note: format!("签约项目按签约日期计入;{cut_off}"),
                columns: ["范围", "各档签约(目标)", "是否完成"].map(String::from).to_vec(),
                numeric: vec![false; 3],
                rows: std::iter::once(vec![
                    "全区".to_string(),
                    tally_text(&p.region),
                    if p.region.met { "是" } else { "否" }.into(),
                ])
                .chain(
                    p.zones
                        .iter()
                        .map(|z| vec![zone_name(&z.zone), tally_text(&z.tally), if z.tally.met { "是" } else { "否" }.into()]),
                )
                .collect(),
            }],
        });

        sections.push(self.services_section(quarter).await?);

        Ok(Report {
            title: format!("{}产业跨越发展{}年第{}季度工作通报", self.plan.region, quarter.year, quarter.q),
            issuer: if self.plan.lead_organisation.is_empty() {
                self.plan.region.clone()
            } else {
                self.plan.lead_organisation.clone()
            },
            date: {
                let today = self.clock.today();
                format!("{}年{}月{}日", today.year, today.month, today.day)
            },
            subtitle: format!("{}年第{}季度", quarter.year, quarter.q),
            sections,
        })
    }
}

impl App {
    /// 六、企业服务: the quarter's tickets (ordered in it, as they stand on the bulletin's day) in
    /// total and per department.
    async fn services_section(&self, quarter: Quarter) -> Result<Section> {
        use domain::services::tally;
        let months = (quarter.q * 3 - 2)..=(quarter.q * 3);
        let tickets: Vec<domain::services::Ticket> = self
            .all_tickets_of_year(quarter.year)
            .await?
            .into_iter()
            .filter(|t| months.contains(&domain::calendar::Date::from_days((t.ordered_at + 8 * 3600).div_euclid(86_400)).month))
            .collect();
        let (calendar, today) = (self.plan.working_calendar(), self.clock.today());
        let t = tally(&tickets, &calendar, today);
        let pct = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}%"));
        let days = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}"));
        let lines: Vec<(String, domain::services::TicketTally)> = self
            .plan
            .departments
            .iter()
            .map(|d| (d.name.clone(), tally(tickets.iter().filter(|x| x.department == d.code), &calendar, today)))
            .filter(|(_, t)| t.received > 0)
            .collect();
        let late: Vec<String> = lines.iter().filter(|(_, t)| t.overdue > 0).map(|(n, t)| format!("{n}{}件", t.overdue)).collect();
        let text = if t.received == 0 {
            "本季度无企业点单。".to_string()
        } else {
            format!(
                "本季度企业点单{}件,受理{}件,不予受理{}件,办结{}件,按时办结率{},平均办理时长{}个工作日;企业评价{}件,满意率{}。{}",
                t.received,
                t.accepted,
                t.refused,
                t.resolved,
                pct(t.on_time_pct),
                days(t.handling_days),
                t.rated,
                pct(t.satisfaction_pct),
                if late.is_empty() {
                    "无超期工单。".to_string()
                } else {
                    format!("超期工单:{},已督办。", late.join("、"))
                }
            )
        };
        if lines.is_empty() {
            return Ok(Section {
                heading: "企业服务(点单叫号)情况".into(), paragraphs: vec![text], tables: Vec::new()
            });
        }
        Ok(Section {
            heading: "企业服务(点单叫号)情况".into(),
            paragraphs: vec![text],
            tables: vec![ReportTable {
                title: "各部门企业服务办理情况".into(),
                note: format!("单位:件;本季度点单的工单,状态截至{today}"),
                columns: ["承办部门", "受理量", "已办结", "按时办结率", "超期", "平均办理时长(工作日)", "满意率"]
                    .map(String::from)
                    .to_vec(),
                numeric: vec![false, true, true, true, true, true, true],
                rows: lines
                    .iter()
                    .map(|(n, t)| {
                        vec![
                            n.clone(),
                            t.received.to_string(),
                            t.resolved.to_string(),
                            pct(t.on_time_pct),
                            t.overdue.to_string(),
                            days(t.handling_days),
                            pct(t.satisfaction_pct),
                        ]
                    })
                    .collect(),
            }],
        })
    }
}

/// Progress rows as a table in 亿元 and percent.
fn progress_table(app: &App, title: &str, rows: &[&ProgressRow], by_industry: bool, note: &str) -> ReportTable {
    let name = |r: &ProgressRow| {
        if by_industry {
            app.plan.industry_label(&r.industry)
        } else {
            app.plan.zone(&r.zone).map_or(r.zone.clone(), |z| z.name.clone())
        }
    };
    ReportTable {
        title: title.into(),
        note: note.into(),
        columns: [
            if by_industry { "产业" } else { "组团" },
            "本年累计",
            "同比(%)",
            "年度目标",
            "完成率(%)",
            "序时进度(%)",
            "进度差(百分点)",
            "状态",
        ]
        .map(String::from)
        .to_vec(),
        numeric: vec![false, true, true, true, true, true, true, false],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    name(r),
                    yi(r.ytd),
                    pct(r.yoy_pct),
                    yi(r.target),
                    pct(r.attainment_pct),
                    format!("{:.1}", r.time_progress_pct),
                    pct(r.gap_pp),
                    status_zh(r.status).to_string(),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_read_as_people_write_them() {
        assert_eq!(Quarter::parse("2022Q3"), Some(Quarter { year: 2022, q: 3 }));
        assert_eq!(Quarter::parse("2022-q3"), Some(Quarter { year: 2022, q: 3 }));
        assert_eq!(Quarter::parse("2022年第3季度"), Some(Quarter { year: 2022, q: 3 }));
        assert_eq!(Quarter::parse("2022Q5"), None);
        assert_eq!(Quarter::parse("Q3"), None);
        assert_eq!(Quarter { year: 2022, q: 3 }.last_month().to_string(), "2022-09");
    }
}
