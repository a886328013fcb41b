//! The in-app inbox: notices that something needs a user, addressed to the accounts of a role
//! (and scope) at the moment it happens, each kept once per account under its key.

use serde::Serialize;

use crate::authz::Role;

coded_enum!(
    /// What a notice is about.
    #[serde(rename_all = "snake_case")]
    NoticeKind {
        Ticket = "ticket", "服务工单";
        Escalation = "escalation", "督办";
        Returned = "returned", "退回";
        Submitted = "submitted", "待审核";
        Deadline = "deadline", "临近截止";
    }
);

/// Who a notice goes to: every enabled account of a role, of a role with a scope, or one login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipients {
    Role(Role),
    Scoped(Role, String),
    Login(String),
}

/// A notice to send. The key makes it once per account: the same key sent again (by another
/// node, or the next sweep) adds nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub key: String,
    pub kind: NoticeKind,
    pub title: String,
    /// Where it leads: a page of the site.
    pub link: String,
    pub to: Vec<Recipients>,
}

/// A notice as an account's inbox holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    pub key: String,
    pub kind: NoticeKind,
    pub title: String,
    pub link: String,
    /// Seconds since the epoch.
    pub at: i64,
    pub read: bool,
}
