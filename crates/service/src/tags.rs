//! Enterprise designations (M5): who holds what from when to when, set, ended and imported by
//! the department that keeps each designation, read with the enterprise.

use std::collections::HashMap;
use std::path::Path;

use domain::authz::{Action, Target};
use domain::calendar::Date;
use domain::tags::{EnterpriseTag, TagDef};
use files::{RowErrors, Table, TagColumns};
use serde::Serialize;

use crate::import::{DENIED_SHOWN, ImportSummary, Progress, file_name, forbidden_rows, parse_rows, row_error};
use crate::{App, Caller, Result, ServiceError};

/// A designation of an enterprise as its page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TagView {
    pub tag: String,
    pub name: String,
    pub group: String,
    /// The department that keeps it (its name).
    pub department: String,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub note: String,
    /// Held today.
    pub current: bool,
    /// The caller may end or remove it.
    pub editable: bool,
}

impl App {
    fn tag_def(&self, code: &str) -> Result<&TagDef> {
        self.plan
            .resolve_tag(code)
            .ok_or_else(|| ServiceError::BadRequest(format!("未知标签“{}” / unknown designation", domain::shorten(code))))
    }

    /// Whether the caller keeps the designation (its department, or the coordinator).
    fn may_write_tag(&self, caller: &Caller, def: &TagDef) -> Result<()> {
        self.authorize(caller, Action::WriteTags, Target::Department(&def.department))
    }

    /// The designations the caller may set (for forms).
    pub fn writable_tags(&self, caller: &Caller) -> Vec<TagDef> {
        self.plan.tags.iter().filter(|d| self.may_write_tag(caller, d).is_ok()).cloned().collect()
    }

    /// An enterprise's designations, current first, if the caller may see the enterprise.
    pub async fn enterprise_tags(&self, caller: &Caller, uscc: &str) -> Result<Vec<TagView>> {
        let e = self.store.enterprise(uscc).await?.ok_or_else(|| {
            ServiceError::NotFound(format!("没有统一社会信用代码为 {} 的企业 / no such enterprise", domain::shorten(uscc)))
        })?;
        self.authorize(caller, Action::ReadEnterprise, Target::Enterprise { uscc: &e.uscc, zone: &e.zone })?;
        let today = self.clock.today();
        let mut out: Vec<TagView> = self
            .store
            .enterprise_tags(Some(&e.uscc))
            .await?
            .into_iter()
            .map(|t| {
                let def = self.plan.resolve_tag(&t.tag);
                TagView {
                    name: def.map_or(t.tag.clone(), |d| d.name.clone()),
                    group: def.map_or(String::new(), |d| d.group.clone()),
                    department: def
                        .and_then(|d| self.plan.departments.iter().find(|x| x.code == d.department))
                        .map_or(String::new(), |d| d.name.clone()),
                    current: t.valid_on(today),
                    editable: def.is_some_and(|d| self.may_write_tag(caller, d).is_ok()),
                    tag: t.tag,
                    valid_from: t.valid_from,
                    valid_to: t.valid_to,
                    note: t.note,
                }
            })
            .collect();
        out.sort_by(|a, b| b.current.cmp(&a.current).then(b.valid_from.cmp(&a.valid_from)));
        Ok(out)
    }

    /// Sets (or, with the same first day, changes) a period of a designation of an enterprise.
    pub async fn set_enterprise_tag(&self, caller: &Caller, tag: EnterpriseTag) -> Result<()> {
        let def = self.tag_def(&tag.tag)?.clone();
        self.may_write_tag(caller, &def)?;
        let e = self.store.enterprise(&tag.uscc).await?.ok_or_else(|| {
            ServiceError::NotFound(format!("没有统一社会信用代码为 {} 的企业 / no such enterprise", domain::shorten(&tag.uscc)))
        })?;
        tag.check().map_err(ServiceError::BadRequest)?;
        if tag.note.chars().count() > 200 {
            return Err(ServiceError::BadRequest("备注超过200字 / the note is longer than 200 characters".into()));
        }
        let tag = EnterpriseTag { uscc: e.uscc.clone(), tag: def.code.clone(), ..tag };
        let audit = caller.audit("enterprise_tag.set", "enterprise", &e.uscc).after(
            serde_json::json!({ "tag": def.code, "from": tag.valid_from, "to": tag.valid_to, "note": tag.note }).to_string(),
        );
        Ok(self.store.save_tags(std::slice::from_ref(&tag), &audit).await?)
    }

    /// Removes a period of a designation entered by mistake (an ended one is ended, not removed).
    pub async fn remove_enterprise_tag(&self, caller: &Caller, uscc: &str, tag: &str, valid_from: Date) -> Result<()> {
        let def = self.tag_def(tag)?.clone();
        self.may_write_tag(caller, &def)?;
        let audit = caller
            .audit("enterprise_tag.remove", "enterprise", uscc)
            .before(serde_json::json!({ "tag": def.code, "from": valid_from }).to_string());
        Ok(self.store.delete_tag(uscc, &def.code, valid_from, &audit).await?)
    }

    /// Imports a designations file, all or nothing: every row's enterprise registered, its
    /// designation one the caller keeps, its period in order, no period twice.
    pub async fn import_tags(&self, caller: &Caller, path: &Path, progress: Progress<'_>) -> Result<ImportSummary> {
        self.require_some(caller, Action::WriteTags)?;
        let registered = self.store.enterprise_keys().await?;
        let mut table = Table::open_with(path, &self.limits)?;
        let columns = TagColumns::map(&mut table)?;
        let file = table.file.clone();
        let mut errors = RowErrors::new(self.limits.max_errors);
        let mut denied = RowErrors::new(DENIED_SHOWN);
        let mut seen: HashMap<(String, String, Date), usize> = HashMap::new();
        let mut tags = Vec::new();
        let parsed = parse_rows(&mut table, &mut errors, |row, cells| columns.parse(&self.plan, &file, row, cells));
        for (row, tag) in parsed {
            let def = self.plan.resolve_tag(&tag.tag).expect("the reader resolved it");
            if let Err(e) = self.may_write_tag(caller, def) {
                denied.push(row_error(&file, row, "标签", &def.name, e.to_string()));
                continue;
            }
            if registered.get(&tag.uscc).is_none() {
                errors.push(row_error(
                    &file,
                    row,
                    "统一社会信用代码",
                    &tag.uscc,
                    "企业名录中没有此企业 / not in the registry".into(),
                ));
            }
            if let Some(first) = seen.insert((tag.uscc.clone(), tag.tag.clone(), tag.valid_from), row) {
                errors.push(row_error(
                    &file,
                    row,
                    "起始日期",
                    &tag.valid_from.to_string(),
                    format!("与第{first}行重复 / duplicates row {first}"),
                ));
            }
            tags.push(tag);
        }
        if !denied.is_empty() {
            return Err(forbidden_rows(&denied));
        }
        if !errors.is_empty() {
            errors.sort();
            return Err(ServiceError::Rows(errors));
        }
        let audit = caller
            .audit("import.tags", "enterprise_tags", &file_name(path))
            .after(serde_json::json!({ "rows": tags.len() }).to_string());
        self.store.save_tags(&tags, &audit).await?;
        Ok(self.imported("tags", ImportSummary::of_file(tags.len(), &table, progress)))
    }
}
