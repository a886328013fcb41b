//! Who may do what, on which scope: one table that web, API and CLI all ask.
//!
//! Roles follow PRODUCT.md §1. A user's scope is the department, the zone (a zone user of `etdz`
//! also covers `linkong`) or the enterprise (USCC) the account belongs to.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Plan;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Coordinator,
    Department,
    Zone,
    Enterprise,
    Leader,
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [Role::Coordinator, Role::Department, Role::Zone, Role::Enterprise, Role::Leader, Role::Admin];

    pub fn code(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Department => "department",
            Role::Zone => "zone",
            Role::Enterprise => "enterprise",
            Role::Leader => "leader",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s.trim())
    }

    pub fn zh(self) -> &'static str {
        match self {
            Role::Coordinator => "统筹(经济发展局)",
            Role::Department => "部门",
            Role::Zone => "组团",
            Role::Enterprise => "企业",
            Role::Leader => "领导",
            Role::Admin => "系统管理员",
        }
    }

    /// Which kind of scope an account of this role carries.
    pub fn scope_kind(self) -> Option<&'static str> {
        match self {
            Role::Department => Some("department"),
            Role::Zone => Some("zone"),
            Role::Enterprise => Some("enterprise"),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What an action is done to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The plan, targets and region-wide aggregates (progress, cockpit).
    ReadAggregates,
    /// An enterprise's registry entry and its monthly facts.
    ReadEnterprise,
    /// Import or change registry entries.
    WriteEnterprise,
    /// Import or change monthly facts.
    WriteFacts,
    /// Add, disable and reset users.
    ManageUsers,
    /// Create and revoke API tokens.
    ManageTokens,
    /// Read and export the audit trail.
    ReadAudit,
    /// Approve, return and lock zones' monthly submissions; decide corrections.
    ReviewSubmissions,
    /// Submit a zone's month, or ask to correct a locked one: the zone's own act, not the
    /// reviewer's (writing facts is another matter).
    SubmitMonth,
    /// Build the demo region and its well-known accounts: only the operator who holds the
    /// database, never an account.
    LoadDemo,
    /// Write the month's progress note on a key task or safeguard the account's organisation
    /// carries.
    WriteTaskNote,
    /// See major projects, their reports, requirements, problems and the dispatch lights.
    ReadProjects,
    /// Add and edit projects of the library and their annual investment plans and requirements.
    WriteProjects,
    /// Report a project's month (investment, 形象进度, photos, problems) and submit it.
    ReportProjects,
    /// Mark the requirements and problems a department owns done or resolved.
    ResolveProjectItems,
    /// Add and move on investment-attraction leads (the 开放发展局's and the zones' own), and turn a
    /// signed one into a project.
    WriteLeads,
    /// Run the per-mu evaluation, publish it for objection, decide objections, set bonuses and
    /// penalties, and make it final.
    RunEvaluation,
    /// Raise an objection to an enterprise's published evaluation result (the enterprise, or its
    /// zone on its behalf).
    ObjectEvaluation,
    /// Set, end and import the designations an enterprise holds (链主, 高新技术企业 …): each by the
    /// department that keeps it.
    WriteTags,
    /// Enter the figures the region takes once a year from the statistics bureau (GDP).
    EnterFigures,
    /// Order a service for an enterprise (点单): the enterprise itself, or staff registering a
    /// request taken by phone or on a leader's visit.
    OrderService,
    /// See service tickets: an enterprise its own, a department its queue, a zone its
    /// enterprises'.
    ReadTickets,
    /// Accept, refuse, answer, transfer and resolve the tickets of the department's queue.
    WorkTickets,
    /// Rate a resolved ticket, or add a comment or a file to one: only the enterprise that
    /// ordered it.
    RateTicket,
    /// Enter a period's value of a headline KPI the organisation owns (the coordinator for any).
    ReportKpi,
    /// Read how the server runs (`/metrics`): requests, latencies, imports, queues, caches.
    ReadMetrics,
}

impl Action {
    pub const ALL: [Action; 26] = [
        Action::ReadAggregates,
        Action::ReadEnterprise,
        Action::WriteEnterprise,
        Action::WriteFacts,
        Action::ManageUsers,
        Action::ManageTokens,
        Action::ReadAudit,
        Action::ReviewSubmissions,
        Action::SubmitMonth,
        Action::LoadDemo,
        Action::WriteTaskNote,
        Action::ReadProjects,
        Action::WriteProjects,
        Action::ReportProjects,
        Action::ResolveProjectItems,
        Action::WriteLeads,
        Action::RunEvaluation,
        Action::ObjectEvaluation,
        Action::WriteTags,
        Action::EnterFigures,
        Action::OrderService,
        Action::ReadTickets,
        Action::WorkTickets,
        Action::RateTicket,
        Action::ReportKpi,
        Action::ReadMetrics,
    ];

    pub fn zh(self) -> &'static str {
        match self {
            Action::ReadAggregates => "查看全区汇总",
            Action::ReadEnterprise => "查看企业明细",
            Action::WriteEnterprise => "维护企业名录",
            Action::WriteFacts => "填报月度数据",
            Action::ManageUsers => "管理用户",
            Action::ManageTokens => "管理接口令牌",
            Action::ReadAudit => "查看审计日志",
            Action::ReviewSubmissions => "审核月度报送",
            Action::SubmitMonth => "提交本组团月度报送",
            Action::LoadDemo => "生成演示数据",
            Action::WriteTaskNote => "填写重点任务进展",
            Action::ReadProjects => "查看重大项目",
            Action::WriteProjects => "维护项目库",
            Action::ReportProjects => "填报项目月报",
            Action::ResolveProjectItems => "办结本部门要件和问题",
            Action::WriteLeads => "维护招商线索",
            Action::RunEvaluation => "组织亩产效益评价",
            Action::ObjectEvaluation => "对评价结果提出异议",
            Action::WriteTags => "认定企业称号与科创平台",
            Action::EnterFigures => "填报年度统计数",
            Action::OrderService => "企业点单",
            Action::ReadTickets => "查看服务工单",
            Action::WorkTickets => "办理服务工单",
            Action::RateTicket => "评价或补充服务工单",
            Action::ReportKpi => "填报本单位负责的主要目标",
            Action::ReadMetrics => "查看运行指标",
        }
    }
}

/// How far a role's permission for an action reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    Everything,
    /// A department's own business: the tasks it leads or co-operates on.
    OwnDepartment,
    OwnZone,
    OwnEnterprise,
    Nothing,
}

/// The table. Rows are roles, columns the actions in `Action::ALL` order.
const TABLE: [(Role, [Reach; 26]); 6] = {
    use Reach::{Everything as E, Nothing as N, OwnDepartment as OD, OwnEnterprise as OE, OwnZone as OZ};
    [
        //                  aggregates  enterprise  write ent.  facts  users  tokens  audit  review  submit  demo  task notes
        //                  read projects  write projects  report projects  resolve items  leads
        //                  run evaluation  object to evaluation  designations and platforms  yearly figures
        //                  order a service  read tickets  work tickets  rate a ticket  report a KPI  metrics
        (Role::Coordinator, [E, E, E, E, N, N, E, E, N, N, E, E, E, E, E, E, E, E, E, E, E, E, E, N, E, N]),
        (Role::Department, [E, E, N, N, N, N, N, N, N, N, OD, E, N, N, OD, OD, N, N, OD, N, E, OD, OD, N, OD, N]),
        (Role::Zone, [E, OZ, OZ, OZ, N, N, N, N, OZ, N, OZ, OZ, OZ, OZ, N, OZ, N, OZ, N, N, OZ, OZ, N, N, OZ, N]),
        (Role::Enterprise, [N, OE, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, OE, N, N, OE, OE, N, OE, N, N]),
        (Role::Leader, [E, E, N, N, N, N, N, N, N, N, N, E, N, N, N, N, N, N, N, N, N, E, N, N, N, N]),
        (Role::Admin, [N, N, N, N, E, E, E, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, E]),
    ]
};

pub fn reach(role: Role, action: Action) -> Reach {
    let row = TABLE.iter().find(|(r, _)| *r == role).map(|(_, row)| row).expect("every role has a row");
    row[Action::ALL.iter().position(|a| *a == action).expect("every action has a column")]
}

/// The account doing something, with its scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub login: String,
    pub name: String,
    pub role: Role,
    /// Department code, top-level zone code or USCC, per the role.
    pub scope: Option<String>,
    /// The command-line operator, who holds the database itself and so may do anything.
    #[serde(skip)]
    pub operator: bool,
}

/// What an action is done on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// Region-wide: aggregates, user lists, the audit trail.
    Region,
    /// One enterprise, in a zone (any level of the tree).
    Enterprise { uscc: &'a str, zone: &'a str },
    /// A zone's own business, such as its monthly submission.
    Zone(&'a str),
    /// A key task or safeguard: the departments that carry it, and whether the zones do.
    Task { departments: &'a [&'a str], zones: bool },
    /// Something a department owns: a project's requirement or problem.
    Department(&'a str),
    /// A service ticket: the enterprise it is for (in its zone) and the department that has it.
    Ticket { uscc: &'a str, zone: &'a str, department: &'a str },
}

/// Why an action was refused, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("无权{action}:{reason} / not allowed")]
pub struct Denied {
    pub action: &'static str,
    pub reason: String,
}

/// Which enterprises a list may show an actor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visible {
    All,
    /// Enterprises in these zones (a zone and its sub-zones).
    Zones(Vec<crate::ZoneCode>),
    Enterprise(String),
    None,
}

impl Actor {
    /// The built-in operator of the command line: whoever can open the database file or URL
    /// directly can do anything, so the CLI acts with full reach and says who ran it.
    pub fn operator(os_user: &str) -> Actor {
        Actor {
            login: format!("cli:{os_user}"),
            name: format!("命令行 {os_user}"),
            role: Role::Coordinator,
            scope: None,
            operator: true,
        }
    }

    pub fn authorize(&self, plan: &Plan, action: Action, target: Target) -> Result<(), Denied> {
        let deny = |reason: String| Err(Denied { action: action.zh(), reason });
        if self.operator {
            return Ok(());
        }
        match (reach(self.role, action), target) {
            (Reach::Everything, _) => Ok(()),
            (Reach::Nothing, _) => deny(format!("角色“{}”没有此权限", self.role.zh())),
            (Reach::OwnZone, Target::Enterprise { zone, .. } | Target::Zone(zone) | Target::Ticket { zone, .. }) => {
                if self.scope.as_deref() == Some(plan.top_zone(zone)) {
                    Ok(())
                } else {
                    deny("只能处理本组团的企业".into())
                }
            }
            (Reach::OwnEnterprise, Target::Enterprise { uscc, .. } | Target::Ticket { uscc, .. }) => {
                if self.scope.as_deref() == Some(uscc) { Ok(()) } else { deny("只能查看本企业的数据".into()) }
            }
            (Reach::OwnDepartment, Target::Task { departments, .. }) => {
                if self.scope.as_deref().is_some_and(|d| departments.contains(&d)) {
                    Ok(())
                } else {
                    deny("本部门不承担此项任务".into())
                }
            }
            (Reach::OwnDepartment, Target::Department(owner) | Target::Ticket { department: owner, .. }) => {
                if self.scope.as_deref() == Some(owner) { Ok(()) } else { deny("只能办理本部门负责的事项".into()) }
            }
            (Reach::OwnZone, Target::Task { zones, .. }) => {
                if zones && self.scope.is_some() {
                    Ok(())
                } else {
                    deny("此项任务不由组团承担".into())
                }
            }
            (Reach::OwnZone | Reach::OwnEnterprise | Reach::OwnDepartment, _) => deny("只能处理本单位范围内的数据".into()),
        }
    }

    /// The enterprises an action may touch, for filtering lists.
    pub fn visible(&self, plan: &Plan, action: Action) -> Visible {
        if self.operator {
            return Visible::All;
        }
        match reach(self.role, action) {
            Reach::Everything => Visible::All,
            Reach::Nothing => Visible::None,
            Reach::OwnZone => match &self.scope {
                Some(top) => {
                    Visible::Zones(plan.zones.iter().filter(|z| plan.top_zone(&z.code) == top).map(|z| z.code.clone()).collect())
                }
                None => Visible::None,
            },
            Reach::OwnEnterprise => self.scope.clone().map_or(Visible::None, Visible::Enterprise),
            // A department's reach is its tasks, not enterprises.
            Reach::OwnDepartment => Visible::None,
        }
    }

    pub fn may(&self, action: Action) -> bool {
        self.operator || reach(self.role, action) != Reach::Nothing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, scope: Option<&str>) -> Actor {
        Actor { login: "u".into(), name: "u".into(), role, scope: scope.map(String::from), operator: false }
    }

    #[test]
    fn zone_users_reach_their_zone_and_its_sub_zones_only() {
        let plan = Plan::default_plan();
        let etdz = actor(Role::Zone, Some("etdz"));
        let own = Target::Enterprise { uscc: "X", zone: "linkong" };
        let other = Target::Enterprise { uscc: "Y", zone: "yongxiu" };
        assert!(etdz.authorize(&plan, Action::WriteFacts, own).is_ok());
        assert!(etdz.authorize(&plan, Action::WriteFacts, other).is_err());
        assert!(etdz.authorize(&plan, Action::ReadAggregates, Target::Region).is_ok());
        assert_eq!(
            etdz.visible(&plan, Action::ReadEnterprise),
            Visible::Zones(vec![crate::ZoneCode::parse("etdz").unwrap(), crate::ZoneCode::parse("linkong").unwrap()])
        );
    }

    #[test]
    fn leaders_read_everything_and_write_nothing() {
        let plan = Plan::default_plan();
        let leader = actor(Role::Leader, None);
        let any = Target::Enterprise { uscc: "X", zone: "etdz" };
        assert!(leader.authorize(&plan, Action::ReadEnterprise, any).is_ok());
        for a in [Action::WriteEnterprise, Action::WriteFacts, Action::ManageUsers, Action::ManageTokens] {
            assert!(leader.authorize(&plan, a, any).is_err(), "{a:?}");
        }
    }

    #[test]
    fn an_enterprise_sees_only_itself() {
        let plan = Plan::default_plan();
        let e = actor(Role::Enterprise, Some("X"));
        assert!(e.authorize(&plan, Action::ReadEnterprise, Target::Enterprise { uscc: "X", zone: "etdz" }).is_ok());
        let err = e.authorize(&plan, Action::ReadEnterprise, Target::Enterprise { uscc: "Y", zone: "etdz" }).unwrap_err();
        assert!(err.to_string().contains("本企业"));
        assert!(e.authorize(&plan, Action::ReadAggregates, Target::Region).is_err());
        assert_eq!(e.visible(&plan, Action::ReadEnterprise), Visible::Enterprise("X".into()));
    }

    #[test]
    fn only_a_zone_submits_its_month_and_only_the_operator_loads_the_demo() {
        let plan = Plan::default_plan();
        let zone = actor(Role::Zone, Some("etdz"));
        assert!(zone.authorize(&plan, Action::SubmitMonth, Target::Zone("linkong")).is_ok());
        assert!(zone.authorize(&plan, Action::SubmitMonth, Target::Zone("yongxiu")).is_err());
        assert!(actor(Role::Coordinator, None).authorize(&plan, Action::SubmitMonth, Target::Zone("etdz")).is_err());
        for role in Role::ALL {
            assert!(actor(role, Some("etdz")).authorize(&plan, Action::LoadDemo, Target::Region).is_err(), "{role:?}");
        }
        assert!(Actor::operator("root").authorize(&plan, Action::LoadDemo, Target::Region).is_ok());
    }

    #[test]
    fn task_notes_are_written_by_the_organisations_that_carry_the_task() {
        let plan = Plan::default_plan();
        let task = Target::Task { departments: &["economy", "approval"], zones: true };
        let alone = Target::Task { departments: &["finance"], zones: false };
        let approval = actor(Role::Department, Some("approval"));
        assert!(approval.authorize(&plan, Action::WriteTaskNote, task).is_ok());
        assert!(approval.authorize(&plan, Action::WriteTaskNote, alone).is_err());
        let zone = actor(Role::Zone, Some("etdz"));
        assert!(zone.authorize(&plan, Action::WriteTaskNote, task).is_ok());
        assert!(zone.authorize(&plan, Action::WriteTaskNote, alone).is_err());
        assert!(actor(Role::Leader, None).authorize(&plan, Action::WriteTaskNote, task).is_err());
        assert!(actor(Role::Coordinator, None).authorize(&plan, Action::WriteTaskNote, alone).is_ok());
    }

    #[test]
    fn tickets_are_seen_by_their_enterprise_zone_and_department_and_rated_by_the_enterprise_alone() {
        let plan = Plan::default_plan();
        let ticket = Target::Ticket { uscc: "X", zone: "linkong", department: "finance" };
        let sees = |role, scope: Option<&str>, action| actor(role, scope).authorize(&plan, action, ticket).is_ok();
        assert!(sees(Role::Enterprise, Some("X"), Action::ReadTickets));
        assert!(!sees(Role::Enterprise, Some("Y"), Action::ReadTickets));
        assert!(sees(Role::Department, Some("finance"), Action::ReadTickets));
        assert!(!sees(Role::Department, Some("approval"), Action::ReadTickets));
        assert!(sees(Role::Zone, Some("etdz"), Action::ReadTickets));
        assert!(!sees(Role::Zone, Some("yongxiu"), Action::ReadTickets));
        assert!(sees(Role::Department, Some("finance"), Action::WorkTickets));
        assert!(!sees(Role::Department, Some("approval"), Action::WorkTickets));
        assert!(!sees(Role::Zone, Some("etdz"), Action::WorkTickets));
        assert!(!sees(Role::Leader, None, Action::WorkTickets));
        assert!(sees(Role::Enterprise, Some("X"), Action::RateTicket));
        for role in [Role::Coordinator, Role::Department, Role::Zone, Role::Leader] {
            assert!(!sees(role, Some("finance"), Action::RateTicket), "{role:?}");
        }
    }

    #[test]
    fn admins_run_accounts_not_data() {
        let plan = Plan::default_plan();
        let admin = actor(Role::Admin, None);
        assert!(admin.authorize(&plan, Action::ManageUsers, Target::Region).is_ok());
        assert!(admin.authorize(&plan, Action::ReadEnterprise, Target::Enterprise { uscc: "X", zone: "etdz" }).is_err());
        assert_eq!(admin.visible(&plan, Action::ReadEnterprise), Visible::None);
    }
}
