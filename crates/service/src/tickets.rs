//! Enterprise services (M7, 企业点单叫号): ordering an item of the catalogue, the departments'
//! queues, the steps a ticket takes, its time limit on working days, and escalation when it runs
//! out.

use std::collections::BTreeMap;
use std::sync::Arc;

use domain::authz::{Action, Reach, Role, Target, reach};
use domain::calendar::Date;
use domain::inbox::{Notice, NoticeKind, Recipients};
use domain::services::{
    AttachmentRule, Channel, FieldError, Light, ServiceItem, StepSide, Ticket, TicketEvent, TicketFile, TicketState, TicketStep,
    TicketTally, next_state, tally,
};
use serde::Serialize;
use store::{NewEvent, NewFile, NewTicket, TicketChange, TicketFilter};

use crate::{App, Caller, Result, ServiceError};

/// The longest a reply, reason or comment may be, in characters.
pub const TEXT_MAX: usize = 2000;
/// A ticket keeps at most this many times the files one request may carry (the order's, then
/// replies and comments).
const FILE_ROUNDS: usize = 4;
/// The most tickets a list shows.
const LIST_MAX: i64 = 2000;

/// A file as uploaded: its name and bytes, not yet checked.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A request for a service.
#[derive(Debug, Clone)]
pub struct Order {
    pub item: String,
    /// The enterprise it is for; an enterprise user orders for itself and may leave it out.
    pub uscc: Option<String>,
    pub answers: BTreeMap<String, String>,
    /// How it came in; an enterprise's own order is always online.
    pub channel: Channel,
    pub note: String,
    pub files: Vec<Upload>,
}

/// A step asked for on a ticket, at the version the asker saw.
#[derive(Debug, Clone)]
pub struct StepRequest {
    pub step: TicketStep,
    pub version: i64,
    pub text: String,
    pub rating: Option<u8>,
    /// The department a transfer sends it to.
    pub department: Option<String>,
    pub files: Vec<Upload>,
}

impl StepRequest {
    /// A step with its text and nothing else (no rating, transfer or file).
    pub fn new(step: TicketStep, version: i64, text: impl Into<String>) -> StepRequest {
        StepRequest { step, version, text: text.into(), rating: None, department: None, files: Vec::new() }
    }
}

/// A ticket with what a list shows beside it.
#[derive(Debug, Clone, Serialize)]
pub struct TicketRow {
    #[serde(flatten)]
    pub ticket: Ticket,
    pub item_name: String,
    pub department_name: String,
    pub light: Light,
    /// Working days left until the due day (negative when overdue), for an accepted open ticket.
    pub days_left: Option<i64>,
}

/// A ticket with its history, files, and the steps the caller may take now.
#[derive(Debug, Clone, Serialize)]
pub struct TicketDetail {
    #[serde(flatten)]
    pub row: TicketRow,
    pub item: ServiceItem,
    pub events: Vec<TicketEvent>,
    pub files: Vec<TicketFile>,
    pub steps: Vec<TicketStep>,
}

/// A group's tally in the statistics.
#[derive(Debug, Clone, Serialize)]
pub struct TallyRow {
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub tally: TicketTally,
}

/// The year's service statistics of the tickets the caller may see (ordered in the year).
#[derive(Debug, Clone, Serialize)]
pub struct TicketStats {
    pub year: i32,
    pub total: TicketTally,
    pub by_department: Vec<TallyRow>,
    pub by_item: Vec<TallyRow>,
    pub by_zone: Vec<TallyRow>,
    /// Month by month (yyyy-mm), the months of the year so far.
    pub by_month: Vec<TallyRow>,
}

/// Which tickets a list asks for, within what the caller may see.
#[derive(Debug, Clone, Default)]
pub struct TicketQuery {
    pub states: Vec<TicketState>,
    pub item: Option<String>,
}

fn field_errors(item: &ServiceItem, errors: Vec<FieldError>) -> ServiceError {
    let list: Vec<String> = errors.iter().map(|e| format!("“{}”:{}", e.field, e.reason)).collect();
    ServiceError::BadRequest(format!("“{}”申请表有误 / the form has problems:{}", item.name, list.join(";")))
}

/// The notices a ticket's step sends: a new or transferred ticket to the department that now has
/// it, the department's answers to the enterprise, the enterprise's rating or comment back to the
/// department.
fn step_notices(t: &Ticket, step: TicketStep, item_name: &str) -> Vec<Notice> {
    let link = format!("/tickets/{}", t.number);
    let department = || vec![Recipients::Scoped(Role::Department, t.department.clone())];
    let enterprise = || vec![Recipients::Scoped(Role::Enterprise, t.uscc.clone())];
    let (title, to) = match step {
        TicketStep::Order => (format!("新工单 {} · {item_name} · {}", t.number, t.enterprise_name), department()),
        TicketStep::Transfer => (format!("转来工单 {} · {item_name} · {}", t.number, t.enterprise_name), department()),
        TicketStep::Rate if t.state == TicketState::Reopened => {
            (format!("工单 {} 企业评价{}分,退回重办,请回访", t.number, t.rating.unwrap_or(0)), department())
        }
        TicketStep::Rate => (format!("工单 {} 企业评价{}分", t.number, t.rating.unwrap_or(0)), department()),
        TicketStep::Comment => (format!("工单 {} 企业补充了留言", t.number), department()),
        TicketStep::Accept | TicketStep::Refuse | TicketStep::Reply | TicketStep::Resolve | TicketStep::Visit => {
            (format!("您的工单 {}({item_name}){}", t.number, step.zh()), enterprise())
        }
        // Past the due day: the coordinator and the leaders as well as the department.
        TicketStep::Escalate => (
            format!(
                "督办:工单 {}({item_name} · {})应于 {} 前办结,已超期",
                t.number,
                t.enterprise_name,
                t.due_on.map(|d| d.to_string()).unwrap_or_default()
            ),
            vec![
                Recipients::Role(Role::Coordinator),
                Recipients::Role(Role::Leader),
                Recipients::Scoped(Role::Department, t.department.clone()),
            ],
        ),
    };
    let kind = if step == TicketStep::Escalate { NoticeKind::Escalation } else { NoticeKind::Ticket };
    // Keyed by the ticket's version after the step (escalating leaves it): each notice once.
    vec![Notice { key: format!("ticket:{}:{}:{}", t.number, step.code(), t.version), kind, title, link, to }]
}

impl App {
    pub(crate) fn service_item(&self, code: &str) -> Result<&ServiceItem> {
        self.plan
            .services
            .item(code)
            .ok_or_else(|| ServiceError::NotFound(format!("服务目录中没有“{}” / no such service item", domain::shorten(code))))
    }

    fn department_name(&self, code: &str) -> String {
        self.plan.departments.iter().find(|d| d.code == code).map_or_else(|| code.to_string(), |d| d.name.clone())
    }

    /// Checks uploads against the plan's bounds; returns them with the type found in them.
    fn checked_files(&self, uploads: Vec<Upload>) -> Result<Vec<NewFile>> {
        let rules = &self.plan.services;
        if uploads.len() > rules.max_attachments {
            return Err(ServiceError::BadRequest(format!(
                "附件最多{}个 / at most {} attachments",
                rules.max_attachments, rules.max_attachments
            )));
        }
        uploads
            .into_iter()
            .map(|u| {
                let content_type = files::check_attachment(&u.file_name, &u.bytes, rules.max_attachment_mb << 20)
                    .map_err(ServiceError::BadRequest)?;
                // Only the last part of a path, and no control characters, in the stored name.
                let name: String =
                    u.file_name.rsplit(['/', '\\']).next().unwrap_or("").chars().filter(|c| !c.is_control()).take(120).collect();
                Ok(NewFile { file_name: name, content_type: content_type.into(), bytes: u.bytes })
            })
            .collect()
    }

    /// Orders an item (点单): the enterprise for itself, or staff for an enterprise on the phone or
    /// on a leader's visit. The ticket has its number at once.
    pub async fn order_service(&self, caller: &Caller, order: Order) -> Result<Ticket> {
        self.require_some(caller, Action::OrderService)?;
        let item = self.service_item(&order.item)?.clone();
        let own = reach(caller.actor.role, Action::OrderService) == Reach::OwnEnterprise && !caller.actor.operator;
        let named = order.uscc.as_deref().map(str::trim).filter(|u| !u.is_empty());
        if let Some(u) = named {
            domain::Uscc::parse(u).map_err(|e| ServiceError::BadRequest(e.to_string()))?;
        }
        let uscc = match (named, own) {
            (_, true) => caller.actor.scope.clone().unwrap_or_default(),
            (Some(u), false) => u.to_string(),
            (None, false) => {
                return Err(ServiceError::BadRequest("请填写企业统一社会信用代码 / give the enterprise's USCC".into()));
            }
        };
        let not_found =
            || ServiceError::NotFound(format!("没有统一社会信用代码为 {} 的企业 / no such enterprise", domain::shorten(&uscc)));
        let enterprise = self.store.enterprise(&uscc).await?.ok_or_else(not_found)?;
        self.authorize(caller, Action::OrderService, Target::Enterprise { uscc: &enterprise.uscc, zone: &enterprise.zone })?;
        let channel = if own { Channel::Online } else { order.channel };
        let answers = item.check_form(&order.answers).map_err(|e| field_errors(&item, e))?;
        let note = order.note.trim();
        if note.chars().count() > TEXT_MAX {
            return Err(ServiceError::BadRequest(format!("说明不超过{TEXT_MAX}字 / the note is at most {TEXT_MAX} characters")));
        }
        let files = self.checked_files(order.files)?;
        match item.attachment {
            AttachmentRule::Required if files.is_empty() => {
                return Err(ServiceError::BadRequest(format!("“{}”须上传附件 / this item needs an attachment", item.name)));
            }
            AttachmentRule::None if !files.is_empty() => {
                return Err(ServiceError::BadRequest(format!("“{}”无需附件 / this item takes no attachment", item.name)));
            }
            _ => {}
        }
        let new = NewTicket {
            item: &item.code,
            uscc: &enterprise.uscc,
            zone: &enterprise.zone,
            department: &item.department,
            answers: &answers,
            channel,
            day: self.clock.today(),
            at: self.clock.now(),
            prefix: &self.plan.services.ticket_prefix,
            actor: &caller.actor.login,
            actor_name: &caller.actor.name,
            note,
        };
        let audit = caller.audit("ticket.order", "ticket", "").after(
            serde_json::json!({ "item": item.code, "uscc": enterprise.uscc, "channel": channel.code(), "files": files.len() })
                .to_string(),
        );
        Ok(self.store.open_ticket(&new, &files, audit, |t| step_notices(t, TicketStep::Order, &item.name)).await?)
    }

    /// What of the tickets the caller may see: a filter the store applies.
    fn ticket_scope(&self, caller: &Caller) -> Result<TicketFilter> {
        self.require_some(caller, Action::ReadTickets)?;
        let actor = &caller.actor;
        let mut f = TicketFilter { limit: LIST_MAX, ..TicketFilter::default() };
        if actor.operator {
            return Ok(f);
        }
        let scope = actor.scope.clone().unwrap_or_default();
        match reach(actor.role, Action::ReadTickets) {
            Reach::Everything => {}
            Reach::OwnDepartment => f.department = Some(scope),
            Reach::OwnEnterprise => f.uscc = Some(scope),
            Reach::OwnZone => {
                f.zones = Some(
                    self.plan.zones.iter().filter(|z| self.plan.top_zone(&z.code) == scope).map(|z| z.code.to_string()).collect(),
                )
            }
            Reach::Nothing => f.zones = Some(Vec::new()),
        }
        Ok(f)
    }

    fn row(&self, ticket: Ticket, today: Date) -> TicketRow {
        let calendar = self.plan.working_calendar();
        let open = ticket.state.open();
        let light = Light::of(&calendar, today, ticket.due_on, open);
        let days_left = ticket.due_on.filter(|_| open).map(|due| {
            if due >= today {
                i64::from(calendar.working_days_between(today, due))
            } else {
                -i64::from(calendar.working_days_between(due, today))
            }
        });
        TicketRow {
            item_name: self.plan.services.item(&ticket.item).map_or_else(|| ticket.item.clone(), |i| i.name.clone()),
            department_name: self.department_name(&ticket.department),
            light,
            days_left,
            ticket,
        }
    }

    /// The tickets the caller may see, oldest first, narrowed by `query`: kept by data version
    /// for everyone who sees the same (a department's queue, a zone's, the region's) until the
    /// next write, or the next day (what is overdue changes with it).
    pub async fn tickets(&self, caller: &Caller, query: &TicketQuery) -> Result<Arc<Vec<TicketRow>>> {
        let f = TicketFilter { states: query.states.clone(), item: query.item.clone(), ..self.ticket_scope(caller)? };
        let today = self.clock.today();
        let version = self.data_version().await?;
        let compute = || async { Ok(self.store.tickets(&f).await?.into_iter().map(|t| self.row(t, today)).collect()) };
        self.views.tickets.get_or_compute((f.clone(), today.days()), version, compute).await
    }

    /// A ticket the caller may see; any other is "not found", so numbers reveal nothing (a role
    /// that sees no tickets at all is told so).
    async fn visible_ticket(&self, caller: &Caller, number: &str) -> Result<Ticket> {
        self.require_some(caller, Action::ReadTickets)?;
        let not_found = || ServiceError::NotFound(format!("没有编号为“{}”的工单 / no such ticket", domain::shorten(number)));
        let ticket = self.store.ticket(number.trim()).await?.ok_or_else(not_found)?;
        let target = Target::Ticket { uscc: &ticket.uscc, zone: &ticket.zone, department: &ticket.department };
        match caller.actor.authorize(&self.plan, Action::ReadTickets, target) {
            Ok(()) => Ok(ticket),
            Err(_) => Err(not_found()),
        }
    }

    /// Who may take `step` on `ticket`, whatever its state.
    fn authorize_step(&self, caller: &Caller, ticket: &Ticket, step: TicketStep) -> Result<()> {
        let target = Target::Ticket { uscc: &ticket.uscc, zone: &ticket.zone, department: &ticket.department };
        match step.side() {
            StepSide::Department => self.authorize(caller, Action::WorkTickets, target),
            StepSide::Enterprise => self.authorize(caller, Action::RateTicket, target),
        }
    }

    pub async fn ticket(&self, caller: &Caller, number: &str) -> Result<TicketDetail> {
        let ticket = self.visible_ticket(caller, number).await?;
        let item = self.service_item(&ticket.item)?.clone();
        let events = self.store.ticket_events(ticket.id).await?;
        let files = self.store.ticket_files(ticket.id).await?;
        let steps = TicketStep::ALL
            .iter()
            .copied()
            .filter(|s| s.asked())
            .filter(|s| self.authorize_step(caller, &ticket, *s).is_ok())
            .filter(|s| next_state(ticket.status(), *s, Some(5)).is_ok())
            .collect();
        Ok(TicketDetail { row: self.row(ticket, self.clock.today()), item, events, files, steps })
    }

    /// One of a ticket's files, for whoever may see the ticket.
    pub async fn ticket_file(&self, caller: &Caller, number: &str, n: i64) -> Result<(TicketFile, Vec<u8>)> {
        let ticket = self.visible_ticket(caller, number).await?;
        self.store
            .ticket_file(ticket.id, n)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("工单 {} 没有第{n}个附件 / no such file", ticket.number)))
    }

    /// Takes a step on a ticket, refused if the ticket changed since the version the caller saw.
    pub async fn ticket_step(&self, caller: &Caller, number: &str, req: StepRequest) -> Result<Ticket> {
        let ticket = self.visible_ticket(caller, number).await?;
        let step = req.step;
        if !step.asked() {
            return Err(ServiceError::BadRequest(format!("“{}”不是可办理的操作 / not a step one takes", step.zh())));
        }
        self.authorize_step(caller, &ticket, step)?;
        if req.rating.is_some_and(|r| !(1..=5).contains(&r)) {
            return Err(ServiceError::BadRequest("评价应为1到5分 / a rating is 1 to 5".into()));
        }
        if req.version != ticket.version {
            return Err(ServiceError::Conflict(format!(
                "工单 {} 已被他人处理,请刷新后再操作 / the ticket changed meanwhile, reload it",
                ticket.number
            )));
        }
        let text = req.text.trim();
        if step.needs_text() && text.is_empty() {
            return Err(ServiceError::BadRequest(format!("{}须填写说明 / say why or what", step.zh())));
        }
        if text.chars().count() > TEXT_MAX {
            return Err(ServiceError::BadRequest(format!("说明不超过{TEXT_MAX}字 / at most {TEXT_MAX} characters")));
        }
        let state = next_state(ticket.status(), step, req.rating).map_err(ServiceError::Conflict)?;
        if step == TicketStep::Rate && req.rating.is_some_and(|r| r <= domain::services::UNSATISFIED_AT_MOST) && text.is_empty() {
            return Err(ServiceError::BadRequest("不满意时请写明原因 / say what was unsatisfactory".into()));
        }
        if !req.files.is_empty() && !matches!(step, TicketStep::Reply | TicketStep::Resolve | TicketStep::Comment) {
            return Err(ServiceError::BadRequest(format!("{}不带附件 / this step takes no files", step.zh())));
        }
        let files = self.checked_files(req.files)?;
        let existing = self.store.ticket_files(ticket.id).await?.len();
        if existing + files.len() > self.plan.services.max_attachments * FILE_ROUNDS {
            return Err(ServiceError::BadRequest("此工单的附件已达上限 / this ticket holds as many files as it may".into()));
        }
        let today = self.clock.today();
        let item = self.service_item(&ticket.item)?;
        let limit = item.limit_days;
        let calendar = self.plan.working_calendar();
        let mut change = TicketChange { state: Some(state), ..TicketChange::default() };
        match step {
            TicketStep::Accept => {
                change.accepted_on = Some(Some(today));
                change.due_on = Some(Some(calendar.nth_working_day_after(today, limit)));
            }
            TicketStep::Transfer => {
                let to = req.department.as_deref().map(str::trim).unwrap_or("");
                if !self.plan.departments.iter().any(|d| d.code == to) {
                    return Err(ServiceError::BadRequest(format!(
                        "转办部门“{}”不在计划中 / unknown department",
                        domain::shorten(to)
                    )));
                }
                if to == ticket.department {
                    return Err(ServiceError::BadRequest("转办部门与当前部门相同 / already with that department".into()));
                }
                change.department = Some(to.to_string());
                change.accepted_on = Some(None);
                change.due_on = Some(None);
            }
            TicketStep::Resolve => change.resolved_on = Some(Some(today)),
            TicketStep::Rate => {
                change.rating = req.rating;
                if state == TicketState::Reopened {
                    // Sent back: a return visit is owed, and the rework has the item's time again.
                    change.visit_owed = Some(true);
                    change.resolved_on = Some(None);
                    change.due_on = Some(Some(calendar.nth_working_day_after(today, limit)));
                }
            }
            TicketStep::Visit => change.visit_owed = Some(false),
            _ => {}
        }
        let event = NewEvent {
            at: self.clock.now(),
            actor: &caller.actor.login,
            actor_name: &caller.actor.name,
            step,
            text,
            rating: req.rating,
        };
        let audit = caller.audit(&format!("ticket.{}", step.code()), "ticket", &ticket.number).after(
            serde_json::json!({
                "state": state.code(),
                "department": change.department.as_deref().unwrap_or(&ticket.department),
                "rating": req.rating,
                "text": domain::shorten(text),
                "files": files.len(),
            })
            .to_string(),
        );
        // The notices tell of the ticket as the step leaves it.
        let notices = |after: &Ticket| step_notices(after, step, &item.name);
        Ok(self.store.ticket_step(&ticket, &change, &event, &files, &audit, notices).await?)
    }

    /// The tickets ordered in `year` within a scope, as they stand today.
    async fn tickets_ordered_in(&self, year: i32, scope: TicketFilter) -> Result<Vec<Ticket>> {
        let (Some(first), Some(last)) = (Date::new(year, 1, 1), Date::new(year, 12, 31)) else {
            return Err(ServiceError::BadRequest(format!("年份 {year} 不正确 / bad year")));
        };
        Ok(self.store.tickets(&TicketFilter { ordered: Some((first, last)), limit: i64::MAX, ..scope }).await?)
    }

    /// Every ticket ordered in `year`: what region-wide figures (the zone assessment, the
    /// bulletin) are computed from, whoever reads them.
    pub(crate) async fn all_tickets_of_year(&self, year: i32) -> Result<Vec<Ticket>> {
        self.tickets_ordered_in(year, TicketFilter::default()).await
    }

    /// The year's statistics per department, item, zone and month: received, accepted, resolved on
    /// time, overdue, mean handling time in working days, satisfaction (ratings of 4 or 5).
    pub async fn ticket_stats(&self, caller: &Caller, year: i32) -> Result<TicketStats> {
        let tickets = self.tickets_ordered_in(year, self.ticket_scope(caller)?).await?;
        let (calendar, today) = (self.plan.working_calendar(), self.clock.today());
        // Groups without tickets are left out, but for months: a month with none is a fact.
        let group = |key: &dyn Fn(&Ticket) -> String, names: Vec<(String, String)>, keep_empty: bool| -> Vec<TallyRow> {
            names
                .into_iter()
                .map(|(code, name)| {
                    let tally = tally(tickets.iter().filter(|t| key(t) == code), &calendar, today);
                    TallyRow { code, name, tally }
                })
                .filter(|r| keep_empty || r.tally.received > 0)
                .collect()
        };
        let departments = self.plan.departments.iter().map(|d| (d.code.clone(), d.name.clone())).collect();
        let items = self.plan.services.items.iter().map(|i| (i.code.clone(), i.name.clone())).collect();
        let zones = self.plan.top_zones().map(|z| (z.code.to_string(), z.name.clone())).collect();
        let last_month = match year.cmp(&today.year) {
            std::cmp::Ordering::Less => 12,
            std::cmp::Ordering::Equal => today.month,
            std::cmp::Ordering::Greater => 0,
        };
        let months = (1..=last_month).map(|m| (format!("{year}-{m:02}"), format!("{m}月"))).collect();
        let month_of = |t: &Ticket| {
            let d = Date::from_days((t.ordered_at + 8 * 3600).div_euclid(86_400));
            format!("{}-{:02}", d.year, d.month)
        };
        Ok(TicketStats {
            year,
            total: tally(&tickets, &calendar, today),
            by_department: group(&|t| t.department.clone(), departments, false),
            by_item: group(&|t| t.item.clone(), items, false),
            by_zone: group(&|t| self.plan.top_zone(&t.zone).to_string(), zones, false),
            by_month: group(&month_of, months, true),
        })
    }

    /// Escalates (督办) every open ticket past its due day, each once; run by the server now and
    /// then and by `leapfrog tickets escalate`. Returns the tickets escalated.
    pub async fn escalate_overdue(&self) -> Result<Vec<Ticket>> {
        let names: std::collections::HashMap<&str, &str> =
            self.plan.services.items.iter().map(|i| (i.code.as_str(), i.name.as_str())).collect();
        let notices = |t: &Ticket| step_notices(t, TicketStep::Escalate, names.get(t.item.as_str()).copied().unwrap_or(&t.item));
        Ok(self.store.escalate_overdue(self.clock.today(), self.clock.now(), "system", "系统督办", notices).await?)
    }
}
