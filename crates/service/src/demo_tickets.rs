//! The demo region's service tickets: a few weeks of orders across the catalogue, each taken as
//! far as its story goes on the working days it happened (accepted, answered, resolved, rated,
//! refused, transferred, sent back, overdue and escalated), so every page and light has
//! something to show. The demo enterprise account has tickets of its own, one waiting for its
//! rating.

use std::collections::BTreeMap;

use domain::Month;
use domain::authz::{Actor, Role};
use domain::calendar::Date;
use domain::services::{Channel, TicketStep};

use crate::demo::Rng;
use crate::{App, Caller, Clock, Order, Result, StepRequest, Upload};

/// Who does what in a story, by organisation.
#[derive(Clone, Copy)]
enum By {
    Enterprise,
    /// The department that has the ticket at that moment.
    Department,
}

/// One step of a story: on the working day `days_ago` before today.
struct Act {
    days_ago: usize,
    by: By,
    step: TicketStep,
    text: &'static str,
    rating: Option<u8>,
    department: Option<&'static str>,
}

const fn act(days_ago: usize, by: By, step: TicketStep, text: &'static str) -> Act {
    Act { days_ago, by, step, text, rating: None, department: None }
}

const fn rated(days_ago: usize, rating: u8, text: &'static str) -> Act {
    Act { days_ago, by: By::Enterprise, step: TicketStep::Rate, text, rating: Some(rating), department: None }
}

/// A ticket's story: its item, answers, whether it is the demo account's, when it was ordered
/// and how, and what happened next.
struct Story {
    item: &'static str,
    answers: &'static [(&'static str, &'static str)],
    own: bool,
    ordered: usize,
    channel: Channel,
    acts: &'static [Act],
}

use By::Department as D;
use TicketStep::{Accept, Refuse, Reply, Resolve, Transfer, Visit};

const STORIES: &[Story] = &[
    Story {
        item: "policy",
        answers: &[("topic", "技术改造补助"), ("question", "2023年技改补助的申报条件和截止时间?")],
        own: true,
        ordered: 12,
        channel: Channel::Online,
        acts: &[
            act(12, D, Accept, ""),
            act(11, D, Reply, "已发送政策原文,申报截止为9月30日。"),
            act(10, D, Resolve, "已答复申报条件并约定上门辅导。"),
            rated(9, 5, "答复及时、清楚。"),
        ],
    },
    Story {
        item: "loan-caiyuan",
        answers: &[("amount", "800"), ("months", "12"), ("purpose", "采购原材料"), ("bank", "九江银行")],
        own: true,
        ordered: 6,
        channel: Channel::Online,
        acts: &[act(5, D, Accept, ""), act(3, D, Reply, "已推荐合作银行,银行客户经理将于本周上门尽调。")],
    },
    Story {
        item: "talent-housing",
        answers: &[("person", "李工"), ("level", "C类"), ("occupants", "3"), ("move_in", "")],
        own: true,
        ordered: 3,
        channel: Channel::Online,
        acts: &[act(3, D, Accept, ""), act(1, D, Resolve, "已配租人才公寓2栋1单元,可凭通知办理入住。")],
    },
    Story {
        item: "project-approval",
        answers: &[("project", "二期厂房扩建"), ("matter", "施工许可"), ("investment", "12000")],
        own: false,
        ordered: 0,
        channel: Channel::Online,
        acts: &[],
    },
    Story {
        item: "project-approval",
        answers: &[("project", "智能产线技改"), ("matter", "立项备案"), ("investment", "5600")],
        own: false,
        ordered: 1,
        channel: Channel::Online,
        acts: &[],
    },
    Story {
        item: "project-approval",
        answers: &[("project", "研发楼"), ("matter", "规划许可"), ("investment", "8000")],
        own: false,
        ordered: 9,
        channel: Channel::Online,
        acts: &[act(9, D, Accept, ""), act(7, D, Reply, "规划方案需补充日照分析,已告知企业。")],
    },
    Story {
        item: "project-approval",
        answers: &[("project", "仓储中心"), ("matter", "竣工验收"), ("investment", "3000")],
        own: false,
        ordered: 5,
        channel: Channel::Phone,
        acts: &[act(4, D, Accept, "")],
    },
    Story {
        item: "project-approval",
        answers: &[("project", "新能源电池模组线"), ("matter", "环评审批"), ("investment", "26000")],
        own: false,
        ordered: 6,
        channel: Channel::Online,
        acts: &[act(5, D, Accept, "")],
    },
    Story {
        item: "loan-kedai",
        answers: &[("amount", "300"), ("months", "24"), ("patents", "6"), ("purpose", "研发投入")],
        own: false,
        ordered: 15,
        channel: Channel::Online,
        acts: &[
            act(15, D, Accept, ""),
            act(8, D, Resolve, "已获批科贷通贷款100万元。"),
            rated(7, 2, "获批额度远低于申请,希望再协调。"),
        ],
    },
    Story {
        item: "school-enrolment",
        answers: &[("child", "王小明"), ("stage", "小学"), ("grade", "三年级"), ("school", "新区实验小学")],
        own: false,
        ordered: 20,
        channel: Channel::Online,
        acts: &[act(19, D, Accept, ""), act(12, D, Resolve, "已安排至新区实验小学三年级就读。"), rated(11, 4, "")],
    },
    Story {
        item: "appeal",
        answers: &[("subject", "厂区周边道路破损"), ("detail", "大件运输车辆进出困难,影响交货。")],
        own: false,
        ordered: 3,
        channel: Channel::Visit,
        acts: &[act(2, D, Accept, ""), act(1, D, Reply, "已转请城乡建设和交通局列入本月道路维修计划。")],
    },
    Story {
        item: "mediation",
        answers: &[("party", "某劳务派遣公司"), ("amount", "45"), ("facts", "派遣人员工资结算争议。")],
        own: false,
        ordered: 4,
        channel: Channel::Online,
        acts: &[act(3, D, Refuse, "属劳动争议,请向新区劳动人事争议仲裁委员会申请,已告知联系方式。")],
    },
    Story {
        item: "appeal",
        answers: &[("subject", "流动资金紧张"), ("detail", "订单增加,急需短期流动资金。")],
        own: false,
        ordered: 8,
        channel: Channel::Center,
        acts: &[
            Act {
                days_ago: 7,
                by: D,
                step: Transfer,
                text: "属融资事项,转财政金融局办理。",
                rating: None,
                department: Some("finance"),
            },
            act(6, D, Accept, ""),
            act(5, D, Reply, "已纳入财园信贷通支持名单。"),
        ],
    },
    Story {
        item: "recruitment",
        answers: &[("positions", "数控操作工"), ("headcount", "30"), ("by", "")],
        own: false,
        ordered: 10,
        channel: Channel::Phone,
        acts: &[act(10, D, Accept, ""), act(6, D, Resolve, "已在新区人力资源市场举办专场招聘会,到岗22人。"), rated(5, 5, "")],
    },
    Story {
        item: "power-supply",
        answers: &[("capacity", "2500"), ("address", "经开区永平大道")],
        own: false,
        ordered: 18,
        channel: Channel::Online,
        acts: &[act(18, D, Accept, ""), act(14, D, Resolve, "供电公司已完成增容,已送电。"), rated(13, 5, "")],
    },
];

/// The smallest PDF a reader opens: one empty page.
fn demo_pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for o in offsets {
        out.push_str(&format!("{o:010} 00000 n \n"));
    }
    out.push_str(&format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1));
    out.into_bytes()
}

impl App {
    /// The same application on another day (noon in China): the day a story's step happened.
    fn on(&self, day: Date) -> App {
        App { clock: Clock::on(day), ..self.clone() }
    }

    /// The demo's service tickets and its owners' KPI entries, after its accounts (so that their
    /// inboxes hear of them): the stories played on the working days before today, every quarter
    /// of the reported KPIs but one left unreported, then what ran late escalated and the
    /// deadlines coming reminded.
    pub async fn generate_demo_services(&self, caller: &Caller, seed: u64) -> Result<()> {
        self.require(caller, domain::authz::Action::LoadDemo)?;
        let own = self.demo_enterprise().await?;
        self.demo_tickets(seed, own.as_deref()).await?;
        self.demo_kpi_reports().await?;
        self.remind_deadlines().await?;
        Ok(())
    }

    /// Each reported KPI's periods from the plan's first year to the last ended, entered by its
    /// owner on the period's due day: a steady climb to a little over the target by the plan's
    /// last year. The last KPI is left unreported, so the cockpit has someone late.
    async fn demo_kpi_reports(&self) -> Result<()> {
        let reported: Vec<(String, String, domain::kpi::ReportEvery, f64)> = self
            .plan
            .kpis
            .iter()
            .filter_map(|k| match &k.actual {
                domain::kpi::KpiSource::Reported { owner, every } => Some((k.code.clone(), owner.clone(), *every, k.target)),
                _ => None,
            })
            .collect();
        let Some(((_, _, _, _), keep)) = reported.split_last() else { return Ok(()) };
        let (Some(first), Some(&last_year)) = (Month::new(*self.plan.years.first().unwrap_or(&2021), 1), self.plan.years.last())
        else {
            return Ok(());
        };
        let calendar = self.plan.working_calendar();
        let last_ended = |every: domain::kpi::ReportEvery| every.last_ended(self.clock.current_month());
        for (code, owner, every, target) in keep {
            let name = self.plan.organisation_name(owner);
            let who = Caller::new(
                Actor { login: format!("demo:{owner}"), name, role: Role::Coordinator, scope: None, operator: true },
                "demo",
            );
            let span = f64::from((last_year - first.year() + 1) * 12);
            let mut end = every.period_end(first);
            while end <= last_ended(*every) {
                let months = f64::from((end.year() - first.year()) * 12 + end.month() as i32);
                let value = (target * 1.05 * months / span).min(target * 1.05);
                let report = crate::KpiReport {
                    period: every.label(end),
                    value: format!("{value:.1}"),
                    note: format!("截至{}累计", end.zh()),
                    evidence: None,
                };
                let due = self.plan.submission_deadline.due(end, &calendar);
                self.on(due).report_kpi(&who, code, report).await?;
                end = every.period_end(end.next());
            }
        }
        Ok(())
    }

    /// Plays the stories on the working days before today, then escalates what ran late.
    async fn demo_tickets(&self, seed: u64, own: Option<&str>) -> Result<()> {
        // A larger region plays the stories as many times as it has demo regions, each for
        // enterprises of its own.
        let (mut registry, total) =
            self.store.enterprises(&store::EnterpriseFilter { limit: 10_000, ..Default::default() }).await?;
        let times = crate::demo_projects::scale(total as usize);
        registry.truncate(400 * times);
        if registry.is_empty() {
            return Ok(());
        }
        let calendar = self.plan.working_calendar();
        let today = self.clock.today();
        // Working days back from today: [0] is today or the last working day before it.
        let mut days = Vec::new();
        let mut d = today;
        while days.len() < 25 {
            if calendar.is_working_day(d) {
                days.push(d);
            }
            d = Date::from_days(d.days() - 1);
        }
        let mut rng = Rng(seed ^ 0x7469_636b_6574);
        let as_org = |login: &str, name: String| {
            Caller::new(
                Actor { login: format!("demo:{login}"), name, role: Role::Coordinator, scope: None, operator: true },
                "demo",
            )
        };
        for (round, story) in (0..times).flat_map(|r| STORIES.iter().map(move |s| (r, s))) {
            let Some(item) = self.plan.services.item(story.item) else { continue };
            let uscc = match (story.own && round == 0, own) {
                (true, Some(u)) => u.to_string(),
                _ => rng.pick(&registry).uscc.clone(),
            };
            let name = self.store.enterprise(&uscc).await?.map_or_else(|| uscc.clone(), |e| e.name);
            let enterprise = as_org(&uscc, name);
            let coordinator = as_org("jfj", "经发局统筹员".into());
            let orderer = if story.channel == Channel::Online { &enterprise } else { &coordinator };
            let answers: BTreeMap<String, String> =
                story.answers.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.to_string(), v.to_string())).collect();
            let files = match item.attachment {
                domain::services::AttachmentRule::None => Vec::new(),
                _ => vec![Upload { file_name: format!("{}材料.pdf", item.name), bytes: demo_pdf() }],
            };
            let order = Order {
                item: item.code.clone(),
                uscc: Some(uscc.clone()),
                answers,
                channel: story.channel,
                note: String::new(),
                files,
            };
            let mut ticket = self.on(days[story.ordered]).order_service(orderer, order).await?;
            for a in story.acts {
                let who = match a.by {
                    By::Enterprise => &enterprise,
                    By::Department => &as_org(
                        &ticket.department,
                        self.plan
                            .departments
                            .iter()
                            .find(|d| d.code == ticket.department)
                            .map_or(ticket.department.clone(), |d| d.name.clone()),
                    ),
                };
                let req = StepRequest {
                    rating: a.rating,
                    department: a.department.map(String::from),
                    ..StepRequest::new(a.step, ticket.version, a.text)
                };
                ticket = self.on(days[a.days_ago]).ticket_step(who, &ticket.number, req).await?;
            }
            if story.acts.iter().any(|a| a.step == TicketStep::Rate && a.rating.is_some_and(|r| r <= 2)) {
                let dept =
                    self.plan.departments.iter().find(|d| d.code == ticket.department).map_or(String::new(), |d| d.name.clone());
                let who = as_org(&ticket.department, dept);
                let visit = StepRequest::new(Visit, ticket.version, "已电话回访,正协调合作银行追加授信。");
                self.on(days[0]).ticket_step(&who, &ticket.number, visit).await?;
            }
        }
        self.escalate_overdue().await?;
        Ok(())
    }
}
