//! Enterprise services (M7, 企业点单叫号): the catalogue of the plan file, a ticket's states and
//! the steps between them, its time limit on working days and the light that shows how near it is.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::calendar::{Date, WorkingCalendar};

coded_enum!(
    /// A form field's type.
    #[serde(rename_all = "snake_case")]
    FieldKind {
        Text = "text", "文本";
        LongText = "textarea", "多行文本";
        Number = "number", "数值";
        Integer = "integer", "整数";
        Date = "date", "日期";
        Choice = "choice", "选项";
    }
);

coded_enum!(
    /// Whether an item's request needs a file with it.
    #[serde(rename_all = "snake_case")]
    AttachmentRule {
        Required = "required", "必须上传附件";
        Optional = "optional", "可上传附件";
        None = "none", "无需附件";
    }
);

/// One field of an item's request form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormField {
    pub code: String,
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
    /// The choices of a `choice` field.
    pub options: Vec<String>,
}

/// A service of the catalogue (服务事项).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceItem {
    pub code: String,
    pub name: String,
    pub category: String,
    /// The department that answers it.
    pub department: String,
    /// Working days from acceptance to the answer.
    pub limit_days: u32,
    pub attachment: AttachmentRule,
    pub description: String,
    pub fields: Vec<FormField>,
}

/// `[services]`: the ticket numbers' prefix, the attachments' bounds and the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceRules {
    pub ticket_prefix: String,
    pub max_attachments: usize,
    pub max_attachment_mb: usize,
    pub items: Vec<ServiceItem>,
}

impl Default for ServiceRules {
    fn default() -> Self {
        ServiceRules { ticket_prefix: "T".into(), max_attachments: 5, max_attachment_mb: 10, items: Vec::new() }
    }
}

impl ServiceRules {
    pub fn item(&self, code: &str) -> Option<&ServiceItem> {
        self.items.iter().find(|i| i.code == code)
    }
}

/// The longest a one-line or a long text answer may be, in characters.
const TEXT_MAX: usize = 200;
const LONG_TEXT_MAX: usize = 2000;

/// A form field that was refused: its label and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl ServiceItem {
    /// Checks a request's answers against the form: every required field given, each of its
    /// type, no field the form lacks. Returns the answers as kept (trimmed, numbers normalised,
    /// empty optional fields left out).
    pub fn check_form(&self, answers: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut kept = BTreeMap::new();
        for code in answers.keys() {
            if !self.fields.iter().any(|f| f.code == *code) {
                errors.push(FieldError {
                    field: crate::shorten(code),
                    reason: format!("“{}”的申请表没有此项 / not a field of this form", self.name),
                });
            }
        }
        for f in &self.fields {
            let value = answers.get(&f.code).map(|v| v.trim()).unwrap_or("");
            let refuse = |reason: String| FieldError { field: f.label.clone(), reason };
            if value.is_empty() {
                if f.required {
                    errors.push(refuse("必填 / required".into()));
                }
                continue;
            }
            let checked = match f.kind {
                FieldKind::Text if value.chars().count() > TEXT_MAX => {
                    Err(format!("不超过{TEXT_MAX}字 / at most {TEXT_MAX} characters"))
                }
                FieldKind::LongText if value.chars().count() > LONG_TEXT_MAX => {
                    Err(format!("不超过{LONG_TEXT_MAX}字 / at most {LONG_TEXT_MAX} characters"))
                }
                FieldKind::Text | FieldKind::LongText => Ok(value.to_string()),
                FieldKind::Number => match value.replace(',', "").parse::<f64>() {
                    Ok(v) if (0.0..1e12).contains(&v) => Ok(format_number(v)),
                    _ => Err(format!("“{}”不是不小于0的数 / not a number of 0 or more", crate::shorten(value))),
                },
                FieldKind::Integer => match value.replace(',', "").parse::<u32>() {
                    Ok(v) => Ok(v.to_string()),
                    _ => Err(format!("“{}”不是不小于0的整数 / not a whole number", crate::shorten(value))),
                },
                FieldKind::Date => match Date::parse(value) {
                    Some(d) => Ok(d.to_string()),
                    None => Err(format!("“{}”不是日期,应写作 2023-09-28 / not a date", crate::shorten(value))),
                },
                FieldKind::Choice if f.options.iter().any(|o| o == value) => Ok(value.to_string()),
                FieldKind::Choice => Err(format!("应为:{} / one of the choices", f.options.join("、"))),
            };
            match checked {
                Ok(v) => {
                    kept.insert(f.code.clone(), v);
                }
                Err(reason) => errors.push(refuse(reason)),
            }
        }
        if errors.is_empty() { Ok(kept) } else { Err(errors) }
    }
}

fn format_number(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

coded_enum!(
    /// A ticket's state: 已点单 → 已受理 → 办理中 → 已办结 → 已评价, or 不予受理; an unsatisfied
    /// rating sends it back (重新办理).
    #[serde(rename_all = "snake_case")]
    TicketState {
        Ordered = "ordered", "已点单";
        Accepted = "accepted", "已受理";
        Working = "working", "办理中";
        Resolved = "resolved", "已办结";
        Rated = "rated", "已评价";
        Refused = "refused", "不予受理";
        Reopened = "reopened", "重新办理";
    }
);

impl TicketState {
    /// Still with a department: counted in its queue and against its time limit.
    pub fn open(self) -> bool {
        matches!(self, TicketState::Ordered | TicketState::Accepted | TicketState::Working | TicketState::Reopened)
    }
}

coded_enum!(
    /// What is done to a ticket. `Order` and `Escalate` are recorded in its history, never asked
    /// for as steps.
    #[serde(rename_all = "snake_case")]
    TicketStep {
        Order = "order", "点单";
        Escalate = "escalate", "督办";
        Accept = "accept", "受理";
        Refuse = "refuse", "不予受理";
        Transfer = "transfer", "转办";
        Reply = "reply", "答复";
        Resolve = "resolve", "办结";
        Visit = "visit", "回访";
        Rate = "rate", "评价";
        Comment = "comment", "留言";
    }
);

/// Who takes a step: the department that has the ticket (or the coordinator), or the enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepSide {
    Department,
    Enterprise,
}

/// A rating at or under this sends the ticket back.
pub const UNSATISFIED_AT_MOST: u8 = 2;
/// Ratings at or over this count as satisfied in the statistics.
pub const SATISFIED_AT_LEAST: u8 = 4;

impl TicketStep {
    /// The steps a user may ask for.
    pub fn asked(self) -> bool {
        !matches!(self, TicketStep::Order | TicketStep::Escalate)
    }

    pub fn side(self) -> StepSide {
        match self {
            TicketStep::Rate | TicketStep::Comment => StepSide::Enterprise,
            _ => StepSide::Department,
        }
    }

    /// Whether the step must say why or what (a reason, an answer, a visit's record).
    pub fn needs_text(self) -> bool {
        !matches!(self, TicketStep::Accept | TicketStep::Rate)
    }
}

/// What a ticket is when a step is asked for: its state and whether a return visit is owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketStatus {
    pub state: TicketState,
    /// Reopened and not yet visited (回访).
    pub visit_owed: bool,
}

/// The state a step leads to, or why it cannot be taken now. `rating` is the rate step's.
pub fn next_state(status: TicketStatus, step: TicketStep, rating: Option<u8>) -> Result<TicketState, String> {
    use TicketState as S;
    let state = status.state;
    let refuse =
        || Err(format!("工单“{}”时不能{} / a ticket that is {} cannot be {}", state.zh(), step.zh(), state.code(), step.code()));
    match step {
        TicketStep::Accept if state == S::Ordered => Ok(S::Accepted),
        TicketStep::Refuse if state == S::Ordered => Ok(S::Refused),
        TicketStep::Transfer if matches!(state, S::Ordered | S::Accepted | S::Working) => Ok(S::Ordered),
        TicketStep::Reply if matches!(state, S::Accepted | S::Working) => Ok(S::Working),
        TicketStep::Reply if state == S::Reopened => Ok(S::Reopened),
        TicketStep::Resolve if state == S::Reopened && status.visit_owed => {
            Err("请先记录回访,再办结 / record the return visit before resolving again".into())
        }
        TicketStep::Resolve if matches!(state, S::Accepted | S::Working | S::Reopened) => Ok(S::Resolved),
        TicketStep::Visit if state == S::Reopened && status.visit_owed => Ok(S::Reopened),
        TicketStep::Visit if state == S::Reopened => Err("已记录回访 / the return visit is already recorded".into()),
        TicketStep::Rate if state == S::Resolved => match rating {
            Some(r @ 1..=5) if r <= UNSATISFIED_AT_MOST => Ok(S::Reopened),
            Some(1..=5) => Ok(S::Rated),
            _ => Err("评价应为1到5分 / a rating is 1 to 5".into()),
        },
        TicketStep::Comment if state.open() || state == S::Resolved => Ok(state),
        _ => refuse(),
    }
}

coded_enum!(
    /// How a request came in.
    #[serde(rename_all = "snake_case")]
    Channel {
        Online = "online", "网上点单";
        Phone = "phone", "电话登记";
        Visit = "visit", "领导挂点联系";
        Center = "center", "企情收处中心";
    }
);

/// A service request and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ticket {
    #[serde(skip)]
    pub id: i64,
    pub number: String,
    pub item: String,
    pub uscc: String,
    pub enterprise_name: String,
    pub zone: String,
    pub department: String,
    pub state: TicketState,
    /// The request form's answers, by field code.
    pub answers: BTreeMap<String, String>,
    pub channel: Channel,
    /// Seconds since the epoch.
    pub ordered_at: i64,
    pub ordered_by: String,
    pub accepted_on: Option<Date>,
    pub due_on: Option<Date>,
    pub resolved_on: Option<Date>,
    pub rating: Option<u8>,
    pub visit_owed: bool,
    pub escalated_at: Option<i64>,
    /// Bumped by every change: a step names the version it was asked on, so two people acting
    /// on one ticket at once never both succeed.
    pub version: i64,
}

impl Ticket {
    pub fn status(&self) -> TicketStatus {
        TicketStatus { state: self.state, visit_owed: self.visit_owed }
    }
}

/// One line of a ticket's history: a step, a reply, a comment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketEvent {
    pub n: i64,
    pub at: i64,
    pub actor: String,
    pub actor_name: String,
    pub step: TicketStep,
    /// The state after the step, and the department that had the ticket then.
    pub state: TicketState,
    pub department: String,
    pub text: String,
    pub rating: Option<u8>,
}

/// A file sent with a ticket (its bytes are read on their own).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketFile {
    pub n: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub author: String,
    pub at: i64,
}

/// How near an open ticket is to its time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    /// Not accepted yet, or closed: no clock runs.
    None,
    Green,
    /// One working day left.
    Blue,
    /// Due today.
    Yellow,
    /// Past its due day.
    Red,
}

impl Light {
    pub fn zh(self) -> &'static str {
        match self {
            Light::None => "",
            Light::Green => "正常",
            Light::Blue => "剩1个工作日",
            Light::Yellow => "今日到期",
            Light::Red => "已超期",
        }
    }

    /// For an open ticket due on `due`, on `today`.
    pub fn of(calendar: &WorkingCalendar, today: Date, due: Option<Date>, open: bool) -> Light {
        let Some(due) = due.filter(|_| open) else { return Light::None };
        if today > due {
            Light::Red
        } else if today == due {
            Light::Yellow
        } else if calendar.working_days_between(today, due) <= 1 {
            Light::Blue
        } else {
            Light::Green
        }
    }
}

/// What a set of tickets came to: the statistics of a department, an item, a zone or a month.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TicketTally {
    /// Ordered.
    pub received: usize,
    /// Accepted at some time (whatever happened next).
    pub accepted: usize,
    pub refused: usize,
    /// Resolved now (办结 or 评价).
    pub resolved: usize,
    /// Of those resolved, by their due day.
    pub on_time: usize,
    /// Resolved after their due day, or open past it.
    pub overdue: usize,
    /// Mean working days from acceptance to resolution, over those resolved.
    pub handling_days: Option<f64>,
    pub rated: usize,
    /// Rated 4 or 5.
    pub satisfied: usize,
    /// on_time of resolved, %.
    pub on_time_pct: Option<f64>,
    /// satisfied of rated, %.
    pub satisfaction_pct: Option<f64>,
}

/// Tallies tickets on the working-day calendar as they stand on `today`.
pub fn tally<'a>(tickets: impl IntoIterator<Item = &'a Ticket>, calendar: &WorkingCalendar, today: Date) -> TicketTally {
    let mut t = TicketTally::default();
    let mut handling = 0u64;
    for x in tickets {
        t.received += 1;
        t.accepted += usize::from(x.accepted_on.is_some());
        t.refused += usize::from(x.state == TicketState::Refused);
        let resolved = matches!(x.state, TicketState::Resolved | TicketState::Rated);
        match (resolved, x.resolved_on, x.due_on) {
            (true, Some(done), due) => {
                t.resolved += 1;
                if due.is_none_or(|due| done <= due) {
                    t.on_time += 1;
                } else {
                    t.overdue += 1;
                }
                if let Some(from) = x.accepted_on {
                    handling += u64::from(calendar.working_days_between(from, done));
                }
            }
            _ if x.state.open() && x.due_on.is_some_and(|due| today > due) => t.overdue += 1,
            _ => {}
        }
        if let Some(r) = x.rating {
            t.rated += 1;
            t.satisfied += usize::from(r >= SATISFIED_AT_LEAST);
        }
    }
    let pct = |a: usize, b: usize| (b > 0).then(|| (a as f64 * 1000.0 / b as f64).round() / 10.0);
    t.handling_days = (t.resolved > 0).then(|| (handling as f64 * 10.0 / t.resolved as f64).round() / 10.0);
    t.on_time_pct = pct(t.on_time, t.resolved);
    t.satisfaction_pct = pct(t.satisfied, t.rated);
    t
}

/// A ticket's number, readable and unique per day: the plan's prefix, the day, the day's
/// sequence (`GJ20230928-0042`).
pub fn ticket_number(prefix: &str, day: Date, seq: i64) -> String {
    format!("{prefix}{:04}{:02}{:02}-{seq:04}", day.year, day.month, day.day)
}

/// A ticket's key, from its day and its sequence that day: unique because the sequence is.
pub fn ticket_id(day: Date, seq: i64) -> i64 {
    (i64::from(day.year) * 10_000 + i64::from(day.month) * 100 + i64::from(day.day)) * 100_000 + seq
}

/// The most tickets a day's sequence holds (the key leaves five digits for it).
pub const DAY_SEQ_MAX: i64 = 99_999;

// ------------------------------------------------------------------ the plan file's section

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawServices {
    ticket_prefix: String,
    #[serde(default = "default_max_attachments")]
    max_attachments: usize,
    #[serde(default = "default_max_attachment_mb")]
    max_attachment_mb: usize,
    #[serde(default)]
    items: Vec<RawItem>,
}

fn default_max_attachments() -> usize {
    5
}

fn default_max_attachment_mb() -> usize {
    10
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    code: String,
    name: String,
    category: String,
    department: String,
    limit_days: u32,
    attachment: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    fields: Vec<RawField>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    code: String,
    label: String,
    kind: String,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    options: Vec<String>,
}

/// Checks `[services]` against the plan's departments; each problem goes to `problem`.
pub(crate) fn rules_from(
    raw: RawServices,
    span: Range<usize>,
    departments: &[crate::plan::Department],
    problem: &mut dyn FnMut(Range<usize>, String),
) -> ServiceRules {
    let mut at = |msg: String| problem(span.clone(), msg);
    let prefix_ok = !raw.ticket_prefix.is_empty()
        && raw.ticket_prefix.len() <= 6
        && raw.ticket_prefix.chars().all(|c| c.is_ascii_uppercase());
    if !prefix_ok {
        at(format!("services.ticket_prefix“{}”应为1到6个大写字母 / 1 to 6 capital letters", crate::shorten(&raw.ticket_prefix)));
    }
    if !(1..=20).contains(&raw.max_attachments) || !(1..=50).contains(&raw.max_attachment_mb) {
        at("services.max_attachments 应在1到20之间,max_attachment_mb 在1到50之间 / attachment bounds out of range".into());
    }
    let mut items: Vec<ServiceItem> = Vec::new();
    for r in raw.items {
        let name = r.name.clone();
        if !crate::code::is_code(&r.code) || items.iter().any(|i| i.code == r.code || i.name == r.name) {
            at(format!("服务事项“{name}”的代码不合法或与其他事项重复 / item code is invalid or repeated"));
        }
        if !departments.iter().any(|d| d.code == r.department) {
            at(format!("服务事项“{name}”的部门“{}”不在 departments 中 / unknown department", r.department));
        }
        if !(1..=60).contains(&r.limit_days) {
            at(format!("服务事项“{name}”的 limit_days 应在1到60个工作日之间 / 1 to 60 working days"));
        }
        let attachment = AttachmentRule::parse(&r.attachment).unwrap_or_else(|| {
            at(format!("服务事项“{name}”的 attachment 应为 required、optional 或 none / unknown attachment rule"));
            AttachmentRule::None
        });
        let mut fields: Vec<FormField> = Vec::new();
        for f in r.fields {
            let kind = FieldKind::parse(&f.kind).unwrap_or_else(|| {
                at(format!("服务事项“{name}”的字段“{}”类型“{}”未知 / unknown field kind", f.label, f.kind));
                FieldKind::Text
            });
            if !crate::code::is_code(&f.code) || fields.iter().any(|x| x.code == f.code) {
                at(format!("服务事项“{name}”的字段代码“{}”不合法或重复 / field code is invalid or repeated", f.code));
            }
            if (kind == FieldKind::Choice) == f.options.is_empty() {
                at(format!(
                    "服务事项“{name}”的字段“{}”:选项字段须有 options,其他字段不能有 / options belong to choice fields",
                    f.label
                ));
            }
            fields.push(FormField { code: f.code, label: f.label, kind, required: f.required, options: f.options });
        }
        items.push(ServiceItem {
            code: r.code,
            name: r.name,
            category: r.category,
            department: r.department,
            limit_days: r.limit_days,
            attachment,
            description: r.description,
            fields,
        });
    }
    ServiceRules {
        ticket_prefix: raw.ticket_prefix,
        max_attachments: raw.max_attachments,
        max_attachment_mb: raw.max_attachment_mb,
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketState as S;
    use TicketStep as T;

    fn at(state: TicketState) -> TicketStatus {
        TicketStatus { state, visit_owed: false }
    }

    #[test]
    fn a_ticket_walks_from_order_to_rating() {
        assert_eq!(next_state(at(S::Ordered), T::Accept, None), Ok(S::Accepted));
        assert_eq!(next_state(at(S::Accepted), T::Reply, None), Ok(S::Working));
        assert_eq!(next_state(at(S::Working), T::Resolve, None), Ok(S::Resolved));
        assert_eq!(next_state(at(S::Resolved), T::Rate, Some(5)), Ok(S::Rated));
        assert_eq!(next_state(at(S::Resolved), T::Rate, Some(3)), Ok(S::Rated));
    }

    #[test]
    fn an_unsatisfied_rating_reopens_it_and_a_visit_comes_before_resolving_again() {
        assert_eq!(next_state(at(S::Resolved), T::Rate, Some(2)), Ok(S::Reopened));
        let owed = TicketStatus { state: S::Reopened, visit_owed: true };
        assert!(next_state(owed, T::Resolve, None).unwrap_err().contains("回访"));
        assert_eq!(next_state(owed, T::Visit, None), Ok(S::Reopened));
        assert_eq!(next_state(at(S::Reopened), T::Resolve, None), Ok(S::Resolved));
        assert!(next_state(at(S::Reopened), T::Visit, None).is_err());
        assert!(next_state(at(S::Resolved), T::Rate, Some(0)).is_err());
        assert!(next_state(at(S::Resolved), T::Rate, Some(6)).is_err());
        assert!(next_state(at(S::Resolved), T::Rate, None).is_err());
    }

    #[test]
    fn steps_out_of_order_are_refused() {
        assert!(next_state(at(S::Ordered), T::Resolve, None).is_err());
        assert!(next_state(at(S::Accepted), T::Refuse, None).is_err());
        assert!(next_state(at(S::Refused), T::Accept, None).is_err());
        assert!(next_state(at(S::Rated), T::Comment, None).is_err());
        assert!(next_state(at(S::Rated), T::Rate, Some(5)).is_err());
        assert!(next_state(at(S::Resolved), T::Transfer, None).is_err());
        assert_eq!(next_state(at(S::Working), T::Transfer, None), Ok(S::Ordered));
        let err = next_state(at(S::Ordered), T::Rate, Some(5)).unwrap_err();
        assert!(err.contains("已点单") && err.contains("评价"), "{err}");
    }

    #[test]
    fn the_light_turns_blue_yellow_red_on_working_days() {
        let cal = crate::Plan::default_plan().working_calendar();
        let day = |s: &str| Date::parse(s).unwrap();
        let due = Some(day("2023-10-09"));
        assert_eq!(Light::of(&cal, day("2023-09-28"), due, true), Light::Green);
        // Sunday 8 October is a make-up working day, then the due Monday: one left.
        assert_eq!(Light::of(&cal, day("2023-10-07"), due, true), Light::Green);
        assert_eq!(Light::of(&cal, day("2023-10-08"), due, true), Light::Blue);
        assert_eq!(Light::of(&cal, day("2023-10-09"), due, true), Light::Yellow);
        assert_eq!(Light::of(&cal, day("2023-10-10"), due, true), Light::Red);
        assert_eq!(Light::of(&cal, day("2023-10-10"), due, false), Light::None);
        assert_eq!(Light::of(&cal, day("2023-10-10"), None, true), Light::None);
        // Over a weekend: Friday before a Monday due day has one working day left.
        assert_eq!(Light::of(&cal, day("2023-10-13"), Some(day("2023-10-16")), true), Light::Blue);
    }

    fn ticket(state: TicketState, dates: [Option<&str>; 3], rating: Option<u8>) -> Ticket {
        let [accepted_on, due_on, resolved_on] = dates.map(|d| d.map(|d| Date::parse(d).unwrap()));
        Ticket {
            id: 1,
            number: "T".into(),
            item: "policy".into(),
            uscc: "X".into(),
            enterprise_name: "X".into(),
            zone: "etdz".into(),
            department: "economy".into(),
            state,
            answers: BTreeMap::new(),
            channel: Channel::Online,
            ordered_at: 0,
            ordered_by: "x".into(),
            accepted_on,
            due_on,
            resolved_on,
            rating,
            visit_owed: false,
            escalated_at: None,
            version: 1,
        }
    }

    #[test]
    fn a_tally_counts_on_time_overdue_handling_days_and_satisfaction() {
        let cal = crate::Plan::default_plan().working_calendar();
        let today = Date::parse("2023-10-16").unwrap();
        let tickets = [
            // Accepted 28 September, resolved 9 October on its due day: 3 working days, on time, 5.
            ticket(S::Rated, [Some("2023-09-28"), Some("2023-10-09"), Some("2023-10-09")], Some(5)),
            // Resolved a day late (1 + 3 = 4 working days), rated 3: rated but not satisfied.
            ticket(S::Rated, [Some("2023-09-28"), Some("2023-10-09"), Some("2023-10-10")], Some(3)),
            // Open past its due day: overdue; open before it: neither.
            ticket(S::Working, [Some("2023-10-09"), Some("2023-10-12"), None], None),
            ticket(S::Accepted, [Some("2023-10-13"), Some("2023-10-18"), None], None),
            ticket(S::Refused, [None, None, None], None),
            ticket(S::Ordered, [None, None, None], None),
            // Sent back after a rating of 2: it counts as rated and open.
            ticket(S::Reopened, [Some("2023-10-09"), Some("2023-10-20"), None], Some(2)),
        ];
        let t = tally(&tickets, &cal, today);
        assert_eq!((t.received, t.accepted, t.refused, t.resolved), (7, 5, 1, 2));
        assert_eq!((t.on_time, t.overdue), (1, 2));
        assert_eq!(t.handling_days, Some(3.5));
        assert_eq!((t.rated, t.satisfied), (3, 1));
        assert_eq!((t.on_time_pct, t.satisfaction_pct), (Some(50.0), Some(33.3)));
        assert_eq!(tally([], &cal, today), TicketTally::default());
    }

    #[test]
    fn ticket_numbers_read_as_the_day_and_its_sequence() {
        let d = Date::new(2023, 9, 28).unwrap();
        assert_eq!(ticket_number("GJ", d, 42), "GJ20230928-0042");
        assert_eq!(ticket_number("GJ", d, 12_345), "GJ20230928-12345");
        assert_eq!(ticket_id(d, 42), 2_023_092_800_042);
        assert!(ticket_id(d, DAY_SEQ_MAX) < ticket_id(d.succ(), 1));
    }

    #[test]
    fn forms_are_checked_field_by_field() {
        let plan = crate::Plan::default_plan();
        let item = plan.services.items.iter().find(|i| i.fields.iter().any(|f| f.kind == FieldKind::Number)).unwrap();
        let mut answers: BTreeMap<String, String> = BTreeMap::new();
        answers.insert("nonsense".into(), "x".into());
        let errors = item.check_form(&answers).unwrap_err();
        assert!(errors.iter().any(|e| e.field == "nonsense"));
        for f in item.fields.iter().filter(|f| f.required) {
            assert!(errors.iter().any(|e| e.field == f.label && e.reason.contains("必填")), "{}", f.label);
        }
        let number = item.fields.iter().find(|f| f.kind == FieldKind::Number).unwrap();
        let mut answers: BTreeMap<String, String> = item
            .fields
            .iter()
            .map(|f| {
                let v = match f.kind {
                    FieldKind::Number => "1,200.50".to_string(),
                    FieldKind::Integer => "3".into(),
                    FieldKind::Date => "2023/9/28".into(),
                    FieldKind::Choice => f.options[0].clone(),
                    _ => " 说明 ".into(),
                };
                (f.code.clone(), v)
            })
            .collect();
        let kept = item.check_form(&answers).unwrap();
        assert_eq!(kept[&number.code], "1200.5");
        assert!(kept.values().all(|v| v.trim() == v));
        answers.insert(number.code.clone(), "-3".into());
        let errors = item.check_form(&answers).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, number.label);
    }
}
