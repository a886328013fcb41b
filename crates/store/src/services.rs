//! Service tickets (M7): numbered per day from a counter row, moved with the version they were
//! read at, their history and their files.

use std::collections::BTreeMap;

use domain::calendar::Date;
use domain::inbox::Notice;
use domain::services::{
    Channel, DAY_SEQ_MAX, Ticket, TicketEvent, TicketFile, TicketState, TicketStep, ticket_id, ticket_number,
};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::audit::AuditRecord;
use crate::{Result, Store, StoreError, stored};

const COLUMNS: &str = "t.id, t.number, t.item, t.uscc, COALESCE(e.name, t.uscc), t.zone, t.department, t.state, t.answers, \
    t.channel, t.ordered_at, t.ordered_by, t.accepted_on, t.due_on, t.resolved_on, t.rating, t.visit_owed, t.escalated_at, t.version";
const FROM: &str = "FROM tickets t LEFT JOIN enterprises e ON e.uscc = t.uscc";

fn date(r: &AnyRow, i: usize) -> Result<Option<Date>> {
    r.get::<Option<String>, _>(i)
        .map(|d| Date::parse(&d).ok_or_else(|| StoreError::Corrupt(format!("ticket date '{}'", domain::shorten(&d)))))
        .transpose()
}

/// A file's description from the row's first six columns: n, file_name, content_type, size,
/// author, at.
fn file_of(r: &AnyRow) -> TicketFile {
    TicketFile { n: r.get(0), file_name: r.get(1), content_type: r.get(2), size: r.get(3), author: r.get(4), at: r.get(5) }
}

/// A stored ticket state.
fn state_of(text: &str) -> Result<TicketState> {
    stored(text, |s| TicketState::parse(s).ok_or_else(|| format!("ticket state '{}'", domain::shorten(s))))
}

fn ticket_of(r: &AnyRow) -> Result<Ticket> {
    let answers: String = r.get(8);
    Ok(Ticket {
        id: r.get(0),
        number: r.get(1),
        item: r.get(2),
        uscc: r.get(3),
        enterprise_name: r.get(4),
        zone: r.get(5),
        department: r.get(6),
        state: state_of(r.get(7))?,
        answers: serde_json::from_str(&answers).map_err(|e| StoreError::Corrupt(format!("ticket answers: {e}")))?,
        channel: stored(r.get(9), |s| Channel::parse(s).ok_or_else(|| format!("ticket channel '{}'", domain::shorten(s))))?,
        ordered_at: r.get(10),
        ordered_by: r.get(11),
        accepted_on: date(r, 12)?,
        due_on: date(r, 13)?,
        resolved_on: date(r, 14)?,
        rating: r.get::<Option<i64>, _>(15).map(|v| v.clamp(0, 5) as u8),
        visit_owed: r.get::<i64, _>(16) != 0,
        escalated_at: r.get(17),
        version: r.get(18),
    })
}

/// A request as ordered.
#[derive(Debug, Clone)]
pub struct NewTicket<'a> {
    pub item: &'a str,
    pub uscc: &'a str,
    pub zone: &'a str,
    pub department: &'a str,
    pub answers: &'a BTreeMap<String, String>,
    pub channel: Channel,
    pub day: Date,
    /// When it was ordered (seconds since the epoch), by the application's clock.
    pub at: i64,
    pub prefix: &'a str,
    pub actor: &'a str,
    pub actor_name: &'a str,
    pub note: &'a str,
}

/// A file to keep with a ticket, checked by the caller.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// What a step changes on the ticket; `None` leaves a column as it is.
#[derive(Debug, Clone, Default)]
pub struct TicketChange {
    pub state: Option<TicketState>,
    pub department: Option<String>,
    /// Some(None) clears the clock (a transfer starts it again at the next acceptance).
    pub accepted_on: Option<Option<Date>>,
    pub due_on: Option<Option<Date>>,
    pub resolved_on: Option<Option<Date>>,
    pub rating: Option<u8>,
    pub visit_owed: Option<bool>,
}

/// The history line a step leaves.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// When (seconds since the epoch), by the application's clock.
    pub at: i64,
    pub actor: &'a str,
    pub actor_name: &'a str,
    pub step: TicketStep,
    pub text: &'a str,
    pub rating: Option<u8>,
}

/// Which tickets a list holds: those an actor may see, optionally narrowed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TicketFilter {
    /// None: every department's.
    pub department: Option<String>,
    /// None: every zone's.
    pub zones: Option<Vec<String>>,
    pub uscc: Option<String>,
    /// Empty: any state.
    pub states: Vec<TicketState>,
    pub item: Option<String>,
    /// Ordered on these days (China time), first and last included.
    pub ordered: Option<(Date, Date)>,
    pub limit: i64,
}

/// The next line number of a ticket's history or files, under the ticket's row lock.
async fn next_n(tx: &mut Transaction<'static, Any>, table: &str, id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COALESCE(MAX(n), 0) + 1 FROM {table} WHERE ticket_id = $1")))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?)
}

async fn add_event(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    state: TicketState,
    department: &str,
    e: &NewEvent<'_>,
) -> Result<()> {
    let n = next_n(tx, "ticket_events", id).await?;
    sqlx::query(
        "INSERT INTO ticket_events (ticket_id, n, at, actor, actor_name, step, state, department, text, rating) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(n)
    .bind(e.at)
    .bind(e.actor)
    .bind(e.actor_name)
    .bind(e.step.code())
    .bind(state.code())
    .bind(department)
    .bind(e.text)
    .bind(e.rating.map(i64::from))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn add_files(tx: &mut Transaction<'static, Any>, id: i64, files: &[NewFile], author: &str, at: i64) -> Result<()> {
    let mut n = next_n(tx, "ticket_files", id).await?;
    for f in files {
        sqlx::query(
            "INSERT INTO ticket_files (ticket_id, n, file_name, content_type, size, bytes, author, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(n)
        .bind(&f.file_name)
        .bind(&f.content_type)
        .bind(f.bytes.len() as i64)
        .bind(f.bytes.as_slice())
        .bind(author)
        .bind(at)
        .execute(&mut **tx)
        .await?;
        n += 1;
    }
    Ok(())
}

impl Store {
    /// Opens a ticket with the next number of its day, its first history line and its files, in
    /// one transaction. The day's counter row is updated in place: on PostgreSQL its row lock
    /// makes concurrent orders on any node take turns, on SQLite the write lock does.
    /// `notices` is called with the new ticket for the notices to send with it.
    pub async fn open_ticket(
        &self,
        t: &NewTicket<'_>,
        files: &[NewFile],
        mut audit: AuditRecord,
        notices: impl Fn(&Ticket) -> Vec<Notice>,
    ) -> Result<Ticket> {
        let mut tx = self.begin_write().await?;
        let day = i64::from(t.day.year) * 10_000 + i64::from(t.day.month) * 100 + i64::from(t.day.day);
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO ticket_days (day, last) VALUES ($1, 1) ON CONFLICT (day) DO UPDATE SET last = ticket_days.last + 1 RETURNING last",
        )
        .bind(day)
        .fetch_one(&mut *tx)
        .await?;
        if seq > DAY_SEQ_MAX {
            return Err(StoreError::Invalid(format!("今日工单已达{DAY_SEQ_MAX}件上限 / the day's tickets are full")));
        }
        let (id, number) = (ticket_id(t.day, seq), ticket_number(t.prefix, t.day, seq));
        let answers = serde_json::to_string(t.answers).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO tickets (id, number, item, uscc, zone, department, state, answers, channel, ordered_at, ordered_by, \
             visit_owed, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, 1)",
        )
        .bind(id)
        .bind(&number)
        .bind(t.item)
        .bind(t.uscc)
        .bind(t.zone)
        .bind(t.department)
        .bind(TicketState::Ordered.code())
        .bind(answers)
        .bind(t.channel.code())
        .bind(t.at)
        .bind(t.actor)
        .execute(&mut *tx)
        .await?;
        let event =
            NewEvent { at: t.at, actor: t.actor, actor_name: t.actor_name, step: TicketStep::Order, text: t.note, rating: None };
        add_event(&mut tx, id, TicketState::Ordered, t.department, &event).await?;
        add_files(&mut tx, id, files, t.actor, t.at).await?;
        audit.entity_id = number.clone();
        let ticket = self.ticket_in(&mut tx, &number).await?.ok_or_else(|| StoreError::Corrupt("ticket not written".into()))?;
        crate::inbox::notify(&mut tx, &notices(&ticket), t.at).await?;
        self.commit_audited(tx, &audit).await?;
        Ok(ticket)
    }

    async fn ticket_in(&self, tx: &mut Transaction<'static, Any>, number: &str) -> Result<Option<Ticket>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} {FROM} WHERE t.number = $1")))
            .bind(number)
            .fetch_optional(&mut **tx)
            .await?;
        row.as_ref().map(ticket_of).transpose()
    }

    pub async fn ticket(&self, number: &str) -> Result<Option<Ticket>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} {FROM} WHERE t.number = $1")))
            .bind(number)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(ticket_of).transpose()
    }

    /// Tickets of a filter, oldest first (the order a queue is worked in).
    pub async fn tickets(&self, f: &TicketFilter) -> Result<Vec<Ticket>> {
        // $1 and $2: the ids of the days ordered on (a ticket's id is its day and sequence).
        let (first, last) = match f.ordered {
            Some((from, to)) => (ticket_id(from, 0), ticket_id(to, DAY_SEQ_MAX)),
            None => (0, i64::MAX),
        };
        let mut cond = String::from("WHERE t.id BETWEEN $1 AND $2");
        let mut binds: Vec<String> = Vec::new();
        let bind = |v: String, binds: &mut Vec<String>| {
            binds.push(v);
            format!("${}", binds.len() + 2)
        };
        if let Some(d) = &f.department {
            cond += &format!(" AND t.department = {}", bind(d.clone(), &mut binds));
        }
        if let Some(u) = &f.uscc {
            cond += &format!(" AND t.uscc = {}", bind(u.clone(), &mut binds));
        }
        if let Some(i) = &f.item {
            cond += &format!(" AND t.item = {}", bind(i.clone(), &mut binds));
        }
        if let Some(zones) = &f.zones {
            if zones.is_empty() {
                return Ok(Vec::new());
            }
            let list: Vec<String> = zones.iter().map(|z| bind(z.clone(), &mut binds)).collect();
            cond += &format!(" AND t.zone IN ({})", list.join(", "));
        }
        if !f.states.is_empty() {
            let list: Vec<String> = f.states.iter().map(|s| bind(s.code().to_string(), &mut binds)).collect();
            cond += &format!(" AND t.state IN ({})", list.join(", "));
        }
        let sql = format!("SELECT {COLUMNS} {FROM} {cond} ORDER BY t.id LIMIT {}", f.limit.max(1));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(first).bind(last);
        for b in binds {
            q = q.bind(b);
        }
        q.fetch_all(&self.pool).await?.iter().map(ticket_of).collect()
    }

    pub async fn ticket_events(&self, id: i64) -> Result<Vec<TicketEvent>> {
        let rows = sqlx::query(
            "SELECT n, at, actor, actor_name, step, state, department, text, rating FROM ticket_events WHERE ticket_id = $1 ORDER BY n",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TicketEvent {
                    n: r.get(0),
                    at: r.get(1),
                    actor: r.get(2),
                    actor_name: r.get(3),
                    step: stored(r.get(4), |s| {
                        TicketStep::parse(s).ok_or_else(|| format!("ticket step '{}'", domain::shorten(s)))
                    })?,
                    state: state_of(r.get(5))?,
                    department: r.get(6),
                    text: r.get(7),
                    rating: r.get::<Option<i64>, _>(8).map(|v| v.clamp(0, 5) as u8),
                })
            })
            .collect()
    }

    pub async fn ticket_files(&self, id: i64) -> Result<Vec<TicketFile>> {
        let rows =
            sqlx::query("SELECT n, file_name, content_type, size, author, at FROM ticket_files WHERE ticket_id = $1 ORDER BY n")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.iter().map(file_of).collect())
    }

    /// One file's name, type and bytes.
    pub async fn ticket_file(&self, id: i64, n: i64) -> Result<Option<(TicketFile, Vec<u8>)>> {
        let row = sqlx::query(
            "SELECT n, file_name, content_type, size, author, at, bytes FROM ticket_files WHERE ticket_id = $1 AND n = $2",
        )
        .bind(id)
        .bind(n)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| (file_of(&r), r.get(6))))
    }

    /// Takes a step on a ticket read at `version`: refused (nothing written) when anyone changed
    /// it since, so of two people acting at once only the first succeeds.
    pub async fn ticket_step(
        &self,
        ticket: &Ticket,
        change: &TicketChange,
        event: &NewEvent<'_>,
        files: &[NewFile],
        audit: &AuditRecord,
        notices: impl Fn(&Ticket) -> Vec<Notice>,
    ) -> Result<Ticket> {
        let mut tx = self.begin_write().await?;
        let mut sets = vec!["version = version + 1".to_string()];
        let mut binds: Vec<Option<String>> = Vec::new();
        let mut set = |column: &str, value: Option<String>, sets: &mut Vec<String>| {
            binds.push(value);
            sets.push(format!("{column} = ${}", binds.len() + 2));
        };
        if let Some(s) = change.state {
            set("state", Some(s.code().into()), &mut sets);
        }
        if let Some(d) = &change.department {
            set("department", Some(d.clone()), &mut sets);
        }
        for (column, value) in
            [("accepted_on", change.accepted_on), ("due_on", change.due_on), ("resolved_on", change.resolved_on)]
        {
            if let Some(v) = value {
                set(column, v.map(|d| d.to_string()), &mut sets);
            }
        }
        let sql = format!("UPDATE tickets SET {} WHERE id = $1 AND version = $2", sets.join(", "));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ticket.id).bind(ticket.version);
        for b in binds {
            q = q.bind(b);
        }
        if q.execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::Invalid(format!(
                "工单 {} 已被他人处理,请刷新后再操作 / the ticket changed meanwhile, reload it",
                ticket.number
            )));
        }
        // Integer columns apart: the text binds above would not compare as integers on PostgreSQL.
        if let Some(r) = change.rating {
            sqlx::query("UPDATE tickets SET rating = $2 WHERE id = $1")
                .bind(ticket.id)
                .bind(i64::from(r))
                .execute(&mut *tx)
                .await?;
        }
        if let Some(v) = change.visit_owed {
            sqlx::query("UPDATE tickets SET visit_owed = $2 WHERE id = $1")
                .bind(ticket.id)
                .bind(i64::from(v))
                .execute(&mut *tx)
                .await?;
        }
        let state = change.state.unwrap_or(ticket.state);
        let department = change.department.as_deref().unwrap_or(&ticket.department);
        add_event(&mut tx, ticket.id, state, department, event).await?;
        add_files(&mut tx, ticket.id, files, event.actor, event.at).await?;
        let after =
            self.ticket_in(&mut tx, &ticket.number).await?.ok_or_else(|| StoreError::Corrupt("ticket vanished".into()))?;
        crate::inbox::notify(&mut tx, &notices(&after), event.at).await?;
        self.commit_audited(tx, audit).await?;
        Ok(after)
    }

    /// Marks open tickets due before `today` as escalated (督办), each once, with a history line
    /// and an audit entry; several nodes may run it at once. The version stays: escalating is
    /// not a change that should refuse the step a department is taking meanwhile. Returns those
    /// it marked.
    pub async fn escalate_overdue(
        &self,
        today: Date,
        at: i64,
        actor: &str,
        actor_name: &str,
        notices: impl Fn(&Ticket) -> Vec<Notice>,
    ) -> Result<Vec<Ticket>> {
        let open: Vec<String> = [TicketState::Accepted, TicketState::Working, TicketState::Reopened]
            .iter()
            .map(|s| format!("'{}'", s.code()))
            .collect();
        let due: Vec<Ticket> = {
            let sql = format!(
                "SELECT {COLUMNS} {FROM} WHERE t.escalated_at IS NULL AND t.due_on < $1 AND t.state IN ({})",
                open.join(", ")
            );
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(today.to_string()).fetch_all(&self.pool).await?;
            rows.iter().map(ticket_of).collect::<Result<_>>()?
        };
        let mut marked = Vec::new();
        for t in due {
            let mut tx = self.begin_write().await?;
            let done = sqlx::query("UPDATE tickets SET escalated_at = $2 WHERE id = $1 AND escalated_at IS NULL")
                .bind(t.id)
                .bind(at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if done == 0 {
                continue;
            }
            let text =
                format!("超过办理时限(应于 {} 前办结),督办 / overdue", t.due_on.map(|d| d.to_string()).unwrap_or_default());
            let event = NewEvent { at, actor, actor_name, step: TicketStep::Escalate, text: &text, rating: None };
            add_event(&mut tx, t.id, t.state, &t.department, &event).await?;
            crate::inbox::notify(&mut tx, &notices(&t), at).await?;
            let audit = AuditRecord::new(actor, "ticket.escalate", "ticket", &t.number)
                .after(serde_json::json!({ "due_on": t.due_on.map(|d| d.to_string()), "department": t.department }).to_string());
            self.commit_audited(tx, &audit).await?;
            marked.push(t);
        }
        Ok(marked)
    }

    /// Per department and open state: the tickets, and those due before `today`.
    pub async fn ticket_queues(&self, today: Date) -> Result<Vec<(String, TicketState, u64, u64)>> {
        let open: Vec<String> = TicketState::ALL.iter().filter(|s| s.open()).map(|s| format!("'{}'", s.code())).collect();
        let sql = format!(
            "SELECT department, state, COUNT(*), SUM(CASE WHEN due_on < $1 THEN 1 ELSE 0 END) FROM tickets \
             WHERE state IN ({}) GROUP BY department, state ORDER BY department, state",
            open.join(", ")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(today.to_string()).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let (open, overdue): (i64, Option<i64>) = (r.get(2), r.get(3));
                Ok((r.get(0), state_of(r.get(1))?, open as u64, overdue.unwrap_or(0) as u64))
            })
            .collect()
    }
}
