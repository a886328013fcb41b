//! A synthetic but plausible region for demonstrations and benchmarks: enterprises spread over
//! the zones and industries as the plan's target table decomposes them, monthly facts with
//! seasonality, and growth that leaves some cells ahead and some behind. Deterministic for a seed.

use std::io::Write;
use std::path::Path;

use domain::authz::{Action, Role};
use domain::submission::SubmissionState;
use domain::{Enterprise, IndicatorCode, IndustryCode, Month, Plan, Uscc, ZoneCode};
use store::FactRow;

use crate::{App, Caller, Progress, Result, ServiceError};

/// splitmix64: small, fast and good enough for synthetic data; no dependency needed.
pub(crate) struct Rng(pub u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(crate) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// Spring Festival makes February the low month; December closes the year high.
const SEASON: [f64; 12] = [0.072, 0.055, 0.080, 0.081, 0.083, 0.088, 0.082, 0.084, 0.088, 0.089, 0.091, 0.107];

#[derive(Debug, Clone)]
pub struct DemoSpec {
    pub enterprises: usize,
    pub first_year: i32,
    pub years: i32,
    pub seed: u64,
}

/// One (industry, zone) cell of the demo region with its 2nd-year-on growth.
struct DemoCell {
    industry: IndustryCode,
    zones: Vec<ZoneCode>,
    /// Revenue of the cell in the first year, 万元.
    base_wan: f64,
    growth: f64,
    weight: f64,
}

fn demo_cells(plan: &Plan, rng: &mut Rng) -> Vec<DemoCell> {
    let sub_zones = |top: &str| -> Vec<ZoneCode> {
        plan.zones.iter().filter(|z| plan.top_zone(&z.code) == top).map(|z| z.code.clone()).collect()
    };
    let n_years = f64::from(plan.final_year() - plan.baseline_year);
    let mut cells = Vec::new();
    for t in plan.targets.iter().filter(|t| t.year == plan.final_year()) {
        for (zone, target) in &t.zones {
            // Each cell starts somewhere between a third and a half of its final target, and
            // grows at a pace from clearly short of the path to comfortably ahead of it.
            let base = target * rng.range(0.33, 0.5);
            let needed = (target / base).powf(1.0 / n_years);
            let growth = needed * rng.range(0.88, 1.10);
            cells.push(DemoCell {
                industry: t.industry.clone(),
                zones: sub_zones(zone),
                base_wan: base,
                growth,
                weight: *target,
            });
        }
    }
    // Services and other industries: smaller, no targets, spread over every zone.
    let targeted = plan.target_industries();
    let total_target: f64 = cells.iter().map(|c| c.weight).sum();
    let others: Vec<&IndustryCode> =
        plan.industries.iter().map(|i| &i.code).filter(|c| !targeted.contains(&c.as_str())).collect();
    for industry in &others {
        for top in plan.top_zones() {
            let weight = total_target * 0.15 / (others.len() * plan.top_zones().count()).max(1) as f64;
            cells.push(DemoCell {
                industry: (*industry).clone(),
                zones: sub_zones(&top.code),
                base_wan: weight * rng.range(0.4, 0.6),
                growth: rng.range(1.05, 1.25),
                weight,
            });
        }
    }
    cells
}

const NAME_HEADS: [&str; 24] = [
    "鸿", "瑞", "晟", "嘉", "博", "泰", "宏", "航", "卓", "恒", "盛", "远", "澜", "清", "启", "景", "拓", "凯", "锦", "润", "昇",
    "弘", "翔", "睿",
];

fn industry_word(code: &str) -> &'static str {
    match code {
        "optoelectronics" => "光电科技",
        "smart-manufacturing" => "智能装备",
        "new-materials" => "新材料",
        "biomedicine" => "医药",
        "silicone" => "硅业",
        "textiles" => "服饰",
        "digital-economy" => "数字科技",
        "aviation-logistics" => "航空物流",
        "green-finance" => "融资租赁",
        "headquarters" => "实业控股",
        "cultural-creative" => "文化传媒",
        "health" => "健康管理",
        _ => "实业",
    }
}

struct Generated {
    enterprises: Vec<Enterprise>,
    /// Per enterprise: index of its cell and its share of the cell.
    shares: Vec<(usize, f64)>,
    cells: Vec<DemoCell>,
}

fn generate_registry(plan: &Plan, spec: &DemoSpec, rng: &mut Rng) -> Generated {
    let cells = demo_cells(plan, rng);
    let total_weight: f64 = cells.iter().map(|c| c.weight).sum();
    let mut enterprises = Vec::with_capacity(spec.enterprises);
    let mut raw_shares = Vec::with_capacity(spec.enterprises);
    let mut cell_size = vec![0.0f64; cells.len()];
    // Cumulative weights to draw a cell per enterprise, so each cell gets enterprises in proportion.
    let mut cum = Vec::with_capacity(cells.len());
    let mut acc = 0.0;
    for c in &cells {
        acc += c.weight / total_weight;
        cum.push(acc);
    }
    // Parks come from their own stream, so the registry and facts of a seed stay as they were.
    let mut park_rng = Rng(spec.seed ^ 0x5041_524B);
    for n in 0..spec.enterprises {
        let u = rng.unit();
        let cell_i = if n < cells.len() { n } else { cum.iter().position(|c| u < *c).unwrap_or(cells.len() - 1) };
        let cell = &cells[cell_i];
        let zone = rng.pick(&cell.zones).clone();
        // Sizes are heavy-tailed: a few large enterprises carry most of a cell.
        let size = (-rng.unit().max(1e-9).ln()).powf(2.2) + 0.02;
        cell_size[cell_i] += size;
        raw_shares.push((cell_i, size));
        let body = format!("91361200MA{:07}", n + 1);
        let uscc = Uscc::complete(&body).expect("a demo body is well formed");
        let name = format!("江西{}{}{}有限公司", rng.pick(&NAME_HEADS), rng.pick(&NAME_HEADS), industry_word(&cell.industry));
        let year = spec.first_year - 1 - (rng.next() % 20) as i32;
        let established = format!("{year}-{:02}-{:02}", 1 + rng.next() % 12, 1 + rng.next() % 28);
        let land = if plan.industry(&cell.industry).is_some_and(|i| i.tier.is_industrial()) {
            Some((rng.range(5.0, 200.0) * size.sqrt().max(0.3) * 1000.0).round() as i64)
        } else {
            None
        };
        let mut tags = Vec::new();
        if size > 2.0 {
            tags.push("规上工业".to_string());
        }
        if rng.unit() < 0.08 {
            tags.push("专精特新".to_string());
        }
        if rng.unit() < 0.2 {
            tags.push("高新技术企业".to_string());
        }
        // Most of a zone's industrial enterprises sit in one of its parks.
        let parks: Vec<&str> = plan.parks.iter().filter(|p| p.zone == zone).map(|p| p.code.as_str()).collect();
        let park = (land.is_some() && !parks.is_empty() && park_rng.unit() < 0.6).then(|| park_rng.pick(&parks).to_string());
        enterprises.push(Enterprise {
            park,
            uscc,
            name,
            zone,
            industry: cell.industry.clone(),
            land_mu_milli: land,
            above_scale: size > 0.5,
            established: Some(established),
            tags,
        });
    }
    let shares: Vec<(usize, f64)> = raw_shares.into_iter().map(|(c, s)| (c, s / cell_size[c].max(1e-9))).collect();
    // 规上 as the statistics define it: the first year's revenue at or over the plan's threshold.
    for (e, (c, share)) in enterprises.iter_mut().zip(&shares) {
        e.above_scale = cells[*c].base_wan * share >= plan.cultivation.above_scale_threshold_wan;
        e.tags.retain(|t| t != "规上工业");
        if e.above_scale {
            e.tags.insert(0, "规上工业".to_string());
        }
    }
    Generated { enterprises, shares, cells }
}

/// The demo's monthly values of every plan indicator for one enterprise-month, in raw units.
fn month_values(plan: &Plan, revenue_wan: f64, rng: &mut Rng) -> Vec<Option<i64>> {
    plan.indicators
        .iter()
        .map(|ind| {
            let noise = rng.range(0.9, 1.1);
            let v = match ind.code.as_str() {
                "revenue" => revenue_wan,
                "value_added" => revenue_wan * 0.26 * noise,
                "tax" => revenue_wan * 0.045 * noise,
                "investment" => {
                    if rng.unit() < 0.3 {
                        revenue_wan * rng.range(0.05, 0.6)
                    } else {
                        0.0
                    }
                }
                "energy" => revenue_wan * 0.08 * noise,
                "emissions" => revenue_wan * 0.0009 * noise,
                "rd" => revenue_wan * 0.028 * noise,
                "employees" => (revenue_wan * 12.0 / 120.0 * noise).max(3.0).round(),
                _ => revenue_wan * 0.1 * noise,
            };
            // Two decimals, as statistics offices report.
            let cents = (v * 100.0).round() as i64;
            let scale = domain::amount::scale(ind.decimals);
            Some(if ind.decimals >= 2 { cents * (scale / 100) } else { (v.round() as i64) * scale })
        })
        .collect()
}

impl App {
    /// Fills the database with a demo region; returns (enterprises, fact rows).
    pub async fn generate_demo(
        &self,
        caller: &Caller,
        spec: &DemoSpec,
        csv_dir: Option<&Path>,
        progress: Progress<'_>,
    ) -> Result<(usize, usize)> {
        self.require(caller, Action::LoadDemo)?;
        let plan = &self.plan;
        let mut rng = Rng(spec.seed);
        let generated = generate_registry(plan, spec, &mut rng);
        let codes: Vec<IndicatorCode> = plan.indicators.iter().map(|i| i.code.clone()).collect();
        let existing = self.store.enterprise_keys().await?;
        let mut registry = self.store.begin_enterprises_import(&existing, &codes).await?;
        registry.write(&generated.enterprises).await?;
        registry.finish(&caller.audit("demo.enterprises", "enterprises", "demo")).await?;
        let keys = self.store.enterprise_keys().await?;
        let mut csv = match csv_dir {
            Some(dir) => Some(DemoCsv::create(dir, plan, &generated.enterprises)?),
            None => None,
        };
        let mut import = self.store.begin_facts_import(codes, keys.cells.clone()).await?;
        let months: Vec<Month> =
            (0..spec.years).flat_map(|y| (1..=12).filter_map(move |m| Month::new(spec.first_year + y, m))).collect();
        let total = (generated.enterprises.len() * months.len()) as u64;
        let mut done = 0u64;
        let mut batch_keys = Vec::new();
        let mut batch_values: Vec<Vec<Option<i64>>> = Vec::new();
        for (e, (cell_i, share)) in generated.enterprises.iter().zip(&generated.shares) {
            let key = keys.get(&e.uscc).expect("just registered");
            let cell = &generated.cells[*cell_i];
            let own_growth = rng.range(0.96, 1.04);
            for m in &months {
                let years = f64::from(m.year() - spec.first_year);
                let annual = cell.base_wan * share * (cell.growth * own_growth).powf(years);
                let revenue = annual * SEASON[(m.month() - 1) as usize] * rng.range(0.92, 1.08);
                let values = month_values(plan, revenue, &mut rng);
                if let Some(c) = csv.as_mut() {
                    c.fact(&e.uscc, *m, &values, plan)?;
                }
                batch_keys.push((key, *m));
                batch_values.push(values);
            }
            if batch_keys.len() >= 20_000 {
                flush(&mut import, &mut batch_keys, &mut batch_values).await?;
                done += 20_000.min(total);
                progress(done.min(total), total);
            }
        }
        flush(&mut import, &mut batch_keys, &mut batch_values).await?;
        import.finish(&caller.audit("demo.facts", "facts", "demo"), None).await?;
        // The demo's history has been reviewed: every zone's months are locked, so official
        // figures show them.
        let zones: Vec<&str> = plan.top_zones().map(|z| z.code.as_str()).collect();
        let periods: Vec<i64> = months.iter().map(|m| m.yyyymm().into()).collect();
        let audit = caller.audit("demo.lock", "submission", "demo");
        self.store.record_states(store::ZONE_MONTH, &zones, &periods, SubmissionState::Locked, &audit).await?;
        self.demo_projects(caller, spec, &generated.enterprises, &months).await?;
        self.demo_evaluations(caller, &months).await?;
        self.demo_tags(caller, spec, &generated, &months).await?;
        self.demo_innovation(caller, spec, &generated, &months).await?;
        if let Some(c) = csv {
            c.finish()?;
        }
        progress(total, total);
        Ok((generated.enterprises.len(), total as usize))
    }
}

impl App {
    /// The demo's platforms and 双创团队 (more each year, a few revoked), and a GDP for every year.
    async fn demo_innovation(&self, caller: &Caller, spec: &DemoSpec, generated: &Generated, months: &[Month]) -> Result<()> {
        use domain::calendar::Date;
        use domain::innovation::{Category, InnovationRecord, Level};
        let (Some(first), Some(last)) = (months.first(), months.last()) else { return Ok(()) };
        let end = domain::projects::last_day(*last);
        let mut rng = Rng(spec.seed ^ 0x494E_4E4F);
        let hosts: Vec<&Enterprise> = generated.enterprises.iter().filter(|e| e.land_mu_milli.is_some()).take(200).collect();
        if hosts.is_empty() {
            return Ok(());
        }
        let kinds = ["企业技术中心", "工程研究中心", "重点实验室", "技术创新中心", "院士工作站", "新型研发机构"];
        let institutions = ["南昌大学", "江西师范大学", "华东交通大学", "中国科学院赣江创新研究院", "江西省科学院"];
        let mut records = Vec::new();
        let years = first.year() - 1..=last.year();
        let span = (years.end() - years.start() + 1) as u64;
        for n in 0..(12 + 8 * span as usize) {
            let year = years.start() + (rng.next() % span) as i32;
            let on = Date::new(year, 1 + (rng.next() % 12) as u32, 1 + (rng.next() % 28) as u32).expect("a day").min(end);
            let team = n % 4 == 3;
            let level = match rng.next() % 10 {
                0 if !team => Level::National,
                1..=5 => Level::Provincial,
                _ => Level::Municipal,
            };
            let host = rng.pick(&hosts);
            let by_enterprise = rng.unit() < 0.7;
            let kind = if team { String::new() } else { rng.pick(&kinds).to_string() };
            records.push(InnovationRecord {
                code: format!("{}{:03}", if team { "T" } else { "P" }, n + 1),
                name: if team {
                    format!("{}双创团队", &host.name.chars().skip(2).take(4).collect::<String>())
                } else {
                    format!("{}{kind}", &host.name.chars().skip(2).take(4).collect::<String>())
                },
                category: if team { Category::Team } else { Category::Platform },
                level,
                kind,
                host_uscc: by_enterprise.then(|| host.uscc.to_string()),
                host_name: if by_enterprise { host.name.clone() } else { rng.pick(&institutions).to_string() },
                recognised_on: on,
                revoked_on: (rng.unit() < 0.08).then(|| Date::from_days(on.days() + 500)).filter(|d| *d <= end),
                note: String::new(),
            });
        }
        self.store.save_innovation(&records, &caller.audit("demo.innovation", "innovation_records", "demo")).await?;
        // GDP (亿元), growing some 8 % a year.
        let mut gdp = 2400.0;
        for year in first.year()..=last.year() {
            let audit = caller.audit("demo.figure", "annual_figure", &format!("{}/{year}", crate::innovation::GDP));
            self.store
                .set_annual_figure(crate::innovation::GDP, year, (gdp * 100.0_f64).round() as i64, "演示数据", &audit)
                .await?;
            gdp *= 1.08;
        }
        Ok(())
    }

    /// The demo's designations with their periods: 规上工业 for the enterprises of that size (most
    /// from before the first year, some new each year), three-year 高新技术企业 and 专精特新
    /// certificates for those the registry tags so (some lapsed, some renewed), and 龙头 and 链主
    /// for each industry's largest.
    async fn demo_tags(&self, caller: &Caller, spec: &DemoSpec, generated: &Generated, months: &[Month]) -> Result<()> {
        use domain::calendar::Date;
        use domain::tags::EnterpriseTag;
        let (Some(first), Some(last)) = (months.first(), months.last()) else { return Ok(()) };
        let end = domain::projects::last_day(*last);
        let start = Date::new(first.year(), 1, 1).expect("January the first");
        let known = |code: &str| self.plan.tags.iter().any(|t| t.code == code);
        let mut rng = Rng(spec.seed ^ 0x5441_4753);
        let day_in = |rng: &mut Rng, from: Date, to: Date| {
            Date::from_days(from.days() + (rng.next() % (to.days() - from.days() + 1) as u64) as i64)
        };
        let three_years = |from: Date| {
            Date::new(from.year + 3, from.month, from.day.min(28)).map(|d| Date::from_days(d.days() - 1)).expect("a valid day")
        };
        let mut tags = Vec::new();
        let mut push = |uscc: &str, tag: &str, valid_from: Date, valid_to: Option<Date>, note: String| {
            tags.push(EnterpriseTag { uscc: uscc.to_string(), tag: tag.to_string(), valid_from, valid_to, note });
        };
        for e in &generated.enterprises {
            let uscc = e.uscc.to_string();
            if e.above_scale && known("above-scale") {
                let from = if rng.unit() < 0.85 {
                    Date::new(first.year() - 1, 1, 1).expect("a day")
                } else {
                    day_in(&mut rng, start, end)
                };
                push(&uscc, "above-scale", from, None, "规模以上工业企业统计名录".into());
            }
            for (registry, code, prefix) in [("高新技术企业", "high-tech", "GR"), ("专精特新", "specialised", "ZJTX")] {
                if !e.tags.iter().any(|t| t == registry) || !known(code) {
                    continue;
                }
                let from = day_in(&mut rng, Date::new(first.year() - 2, 1, 1).expect("a day"), end);
                let to = three_years(from);
                push(&uscc, code, from, Some(to), format!("{prefix}{}{:06}", from.year, rng.next() % 1_000_000));
                if to < end && rng.unit() < 0.6 {
                    let again = to.succ();
                    push(
                        &uscc,
                        code,
                        again,
                        Some(three_years(again)),
                        format!("{prefix}{}{:06}", again.year, rng.next() % 1_000_000),
                    );
                }
            }
        }
        // 龙头: each industry's two largest, the new area's four largest of those, each zone's
        // largest; the largest of each 1- and 2-tier industry is its 链主.
        let size = |k: usize| generated.shares[k].1 * generated.cells[generated.shares[k].0].base_wan;
        let mut order: Vec<usize> = (0..generated.enterprises.len()).collect();
        order.sort_by(|a, b| size(*b).total_cmp(&size(*a)));
        let (mut per_industry, mut per_zone) = (std::collections::HashMap::new(), std::collections::HashMap::new());
        let mut region = 0;
        for k in order {
            let e = &generated.enterprises[k];
            let uscc = e.uscc.to_string();
            let tier = self.plan.industry(&e.industry).map(|i| i.tier);
            let n = per_industry.entry(e.industry.clone()).or_insert(0);
            if *n < 2 && tier.is_some_and(|t| t != domain::Tier::Services) {
                *n += 1;
                push(&uscc, "leading-industry", start, None, "行业龙头企业".into());
                if *n == 1 && matches!(tier, Some(domain::Tier::Leading | domain::Tier::Advantage)) {
                    push(&uscc, "chain-leader", start, None, "产业链链主企业".into());
                }
                if region < 4 {
                    region += 1;
                    push(&uscc, "leading-region", start, None, "新区龙头企业".into());
                }
            }
            let top = self.plan.top_zone(&e.zone).to_string();
            let z = per_zone.entry(top).or_insert(0);
            if *z < 1 && e.land_mu_milli.is_some() {
                *z += 1;
                push(&uscc, "leading-zone", start, None, "组团龙头企业".into());
            }
        }
        // 映山红: a few of the largest move through the listing stages, one has listed.
        let stages = self.plan.cultivation.listing_stages.clone();
        if stages.len() == 4 {
            let boards = ["科创板", "创业板", "北交所", "新三板", "区域股权交易中心"];
            let mut candidates: Vec<usize> =
                (0..generated.enterprises.len()).filter(|k| generated.enterprises[*k].above_scale).collect();
            candidates.sort_by(|a, b| size(*b).total_cmp(&size(*a)));
            for (n, k) in candidates.into_iter().skip(4).take(12).enumerate() {
                let uscc = generated.enterprises[k].uscc.to_string();
                let board = boards[n % boards.len()];
                let reached = [0, 0, 1, 1, 1, 2, 2, 3, 0, 1, 0, 2][n];
                let mut day = day_in(&mut rng, start, Date::from_days(start.days() + 400));
                for (s, code) in stages.iter().enumerate().take(reached + 1) {
                    if day > end {
                        break;
                    }
                    push(&uscc, code, day, None, if s == 0 { "上市后备企业库".into() } else { board.into() });
                    day = Date::from_days(day.days() + 120 + (rng.next() % 240) as i64);
                }
            }
        }
        tags.retain(|t| known(&t.tag));
        self.store.save_tags(&tags, &caller.audit("demo.tags", "enterprise_tags", "demo")).await?;
        Ok(())
    }

    /// The demo's per-mu evaluations: every complete year's run final (published the January
    /// after, for the plan's days), the last complete year's under publication from today, open
    /// to objections.
    async fn demo_evaluations(&self, caller: &Caller, months: &[Month]) -> Result<()> {
        if self.plan.evaluation.is_none() {
            return Ok(());
        }
        let complete: Vec<i32> = months.iter().filter(|m| m.month() == 12).map(|m| m.year()).collect();
        for (k, year) in complete.iter().enumerate() {
            let id = match self.run_evaluation(caller, *year, crate::Figures::Official).await {
                Ok(id) => id,
                // A year without land-holding industrial enterprises has nothing to evaluate.
                Err(crate::ServiceError::BadRequest(_)) => continue,
                Err(e) => return Err(e),
            };
            if k + 1 < complete.len() {
                self.publish_evaluation(caller, id, domain::calendar::Date::new(year + 1, 1, 15)).await?;
                self.finalise_evaluation(caller, id).await?;
            } else {
                self.publish_evaluation(caller, id, None).await?;
            }
        }
        Ok(())
    }

    /// The demo's major projects; their reports through the year's second-last month are locked,
    /// the last month's are left for the zones to submit.
    async fn demo_projects(&self, caller: &Caller, spec: &DemoSpec, registry: &[Enterprise], months: &[Month]) -> Result<()> {
        let Some(&last) = months.last() else { return Ok(()) };
        // Its own stream, so the registry and facts of a seed stay as they were.
        let mut rng = Rng(spec.seed ^ 0x5052_4F4A_4543_5453);
        let first_year = spec.first_year.max(self.plan.baseline_year + 1);
        let demo = crate::demo_projects::generate(&self.plan, registry, first_year, last, &mut rng);
        let leads = crate::demo_projects::generate_leads(
            &self.plan,
            first_year,
            last,
            crate::demo_projects::scale(registry.len()),
            &mut rng,
        );
        self.store.save_leads(&leads, &caller.audit("demo.leads", "leads", "demo")).await?;
        self.store.save_project_lines(&demo.lines, &caller.audit("demo.projects", "projects", "demo")).await?;
        for q in &demo.problems {
            let audit = caller.audit("demo.problem", "project", &q.code);
            let id = self.store.add_problem(&q.code, q.month, &q.description, &q.department, q.due, &audit).await?;
            if let Some((on, resolution)) = &q.resolved {
                let status = domain::projects::ProblemStatus::Resolved;
                let open = domain::projects::ProblemStatus::Open;
                self.store.update_problem(id, open, status, resolution, Some(*on), &audit).await?;
            }
        }
        let zones: Vec<&str> = self.plan.top_zones().map(|z| z.code.as_str()).collect();
        let closed: Vec<i64> = months.iter().filter(|m| **m < last).map(|m| m.yyyymm().into()).collect();
        let audit = caller.audit("demo.lock", "project_month", "demo");
        self.store.record_states(crate::PROJECT_MONTH, &zones, &closed, SubmissionState::Locked, &audit).await?;
        Ok(())
    }
}

async fn flush(
    import: &mut store::FactsImport,
    keys: &mut Vec<(store::EnterpriseKey, Month)>,
    values: &mut Vec<Vec<Option<i64>>>,
) -> Result<()> {
    let rows: Vec<FactRow> =
        keys.iter().zip(values.iter()).map(|((k, m), v)| FactRow { enterprise: *k, month: *m, values: v }).collect();
    import.write(&rows).await?;
    keys.clear();
    values.clear();
    Ok(())
}

/// The demo registry and facts as import files (UTF-8 CSV with Chinese headers).
struct DemoCsv {
    facts: std::io::BufWriter<std::fs::File>,
    line: String,
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> ServiceError + '_ {
    move |e| ServiceError::BadRequest(format!("无法写入 {} / cannot write: {e}", path.display()))
}

impl DemoCsv {
    fn create(dir: &Path, plan: &Plan, enterprises: &[Enterprise]) -> Result<DemoCsv> {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        let path = dir.join("enterprises.csv");
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).map_err(io_err(&path))?);
        let mut out = String::from("统一社会信用代码,企业名称,组团,产业,用地面积(亩),规上,成立日期,标签,园区\n");
        for e in enterprises {
            let land = e.land_mu_milli.map(|v| domain::Amount { raw: v, decimals: 3 }.to_string()).unwrap_or_default();
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{}\n",
                e.uscc,
                e.name,
                e.zone,
                e.industry,
                land,
                if e.above_scale { "是" } else { "否" },
                e.established.as_deref().unwrap_or(""),
                e.tags.join("、"),
                e.park.as_deref().unwrap_or("")
            ));
        }
        w.write_all(out.as_bytes()).map_err(io_err(&path))?;
        w.flush().map_err(io_err(&path))?;
        let path = dir.join("facts.csv");
        let mut facts = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path).map_err(io_err(&path))?);
        let header: Vec<String> = ["统一社会信用代码".to_string(), "月份".to_string()]
            .into_iter()
            .chain(plan.indicators.iter().map(|i| format!("{}({})", i.name, i.unit)))
            .collect();
        writeln!(facts, "{}", header.join(",")).map_err(io_err(&path))?;
        Ok(DemoCsv { facts, line: String::with_capacity(256) })
    }

    fn fact(&mut self, uscc: &str, month: Month, values: &[Option<i64>], plan: &Plan) -> Result<()> {
        use std::fmt::Write as _;
        self.line.clear();
        let _ = write!(self.line, "{uscc},{month}");
        for (v, ind) in values.iter().zip(&plan.indicators) {
            self.line.push(',');
            if let Some(v) = v {
                let _ = write!(self.line, "{}", domain::Amount { raw: *v, decimals: ind.decimals });
            }
        }
        self.line.push('\n');
        self.facts.write_all(self.line.as_bytes()).map_err(|e| ServiceError::Internal(format!("facts.csv: {e}")))
    }

    fn finish(mut self) -> Result<()> {
        self.facts.flush().map_err(|e| ServiceError::Internal(format!("facts.csv: {e}")))
    }
}

/// The demo's password for every demo account. `serve` refuses to run while any account still
/// has it; only `demo` serves such a database.
pub const DEMO_PASSWORD: &str = "Ganjiang-2023!";

/// One account per role and scope: (login, name, role, scope).
fn demo_accounts(plan: &Plan, enterprise: Option<&str>) -> Vec<(String, String, Role, Option<String>)> {
    let mut v = vec![
        ("jfj".to_string(), "经发局统筹员".to_string(), Role::Coordinator, None),
        ("leader".into(), "新区领导".into(), Role::Leader, None),
        ("admin".into(), "系统管理员".into(), Role::Admin, None),
    ];
    if let Some(d) = plan.departments.iter().find(|d| d.code != "economy") {
        v.push((format!("dept-{}", d.code), d.name.clone(), Role::Department, Some(d.code.clone())));
    }
    for z in plan.top_zones() {
        v.push((format!("zone-{}", z.code), format!("{}填报员", z.name), Role::Zone, Some(z.code.to_string())));
    }
    if let Some(uscc) = enterprise {
        v.push(("qiye".into(), "企业用户".into(), Role::Enterprise, Some(uscc.to_string())));
    }
    v
}

impl App {
    /// The demo enterprise account's enterprise: one graded C in the last evaluation, whose result
    /// page has most to say (what would lift it a class), else the registry's first.
    pub(crate) async fn demo_enterprise(&self) -> Result<Option<String>> {
        let first = self.store.enterprises(&store::EnterpriseFilter { limit: 1, ..Default::default() }).await?.0;
        if let Some(run) = self.store.evaluation_runs(None).await?.first()
            && let Some(c) = self.store.first_of_class(run.id, "C").await?
            && self.store.enterprise(&c).await?.is_some()
        {
            return Ok(Some(c));
        }
        Ok(first.first().map(|e| e.uscc.clone()))
    }

    /// Creates the demo accounts that do not exist yet; returns (login, role, scope) of all.
    pub async fn seed_demo_users(&self, caller: &Caller) -> Result<Vec<(String, Role, Option<String>)>> {
        self.require(caller, Action::LoadDemo)?;
        let own = self.demo_enterprise().await?;
        let hash = crate::accounts::hash_password(DEMO_PASSWORD.to_string()).await?;
        let mut out = Vec::new();
        for (login, name, role, scope) in demo_accounts(&self.plan, own.as_deref()) {
            if self.store.user_by_login(&login).await?.is_none() {
                let audit = caller
                    .audit("user.add", "user", &login)
                    .after(serde_json::json!({ "login": login, "role": role, "scope": scope, "demo": true }).to_string());
                let user = store::NewUser {
                    login: &login,
                    name: &name,
                    role: role.code(),
                    scope: scope.as_deref(),
                    password_hash: &hash,
                    must_change_password: false,
                };
                self.store.create_user(&user, &audit).await?;
            }
            out.push((login, role, scope));
        }
        Ok(out)
    }

    /// Whether `demo` may seed its well-known accounts here: a database it built (its facts came
    /// from the demo generator) or one without any facts yet. Anyone's real database is not.
    pub async fn may_hold_demo_accounts(&self) -> Result<bool> {
        Ok(self.store.latest_month().await?.is_none() || self.store.has_audit_action("demo.facts").await?)
    }

    /// Logins that still have the demo password.
    pub async fn logins_with_demo_password(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for u in self.store.users().await? {
            if !u.disabled && crate::accounts::password_matches(DEMO_PASSWORD.to_string(), u.password_hash.clone()).await {
                out.push(u.login);
            }
        }
        Ok(out)
    }
}
