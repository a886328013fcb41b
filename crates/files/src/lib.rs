//! Office files in and out: CSV (UTF-8 with or without BOM, GB18030/GBK) and XLSX tables read
//! into typed rows with errors that name the file, row, column and value; XLSX templates and
//! exports written back.

mod attachment;
mod cells;
mod docx;
mod enterprises;
mod error;
mod facts;
mod innovation;
mod leads;
mod limits;
mod photo;
mod projects;
mod table;
mod tags;
mod xlsx;

pub use attachment::check_attachment;
pub use docx::{Report, ReportTable, Section, report_sheets, write_docx};
pub use enterprises::EnterpriseColumns;
pub use error::{FileError, RowError, RowErrors};
pub use facts::{FactColumns, FactLine};
pub use innovation::InnovationColumns;
pub use leads::LeadColumns;
pub use limits::{Limits, shorten};
pub use photo::{MAX_PHOTO_BYTES, Photo, check_photo};
pub use projects::{ProjectFile, ProjectFileKind};
pub use table::{Cell, Table};
pub use tags::TagColumns;
pub use xlsx::{Sheet, SheetColumn, SheetWriter, WorkbookWriter, XCell, template, write_csv, write_xlsx};
