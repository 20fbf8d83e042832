//! `vigie supplier add|list|show`.

use vigie_app::{AssessmentFilter, short_id};
use vigie_model::{Contact, Criticality, SupplierFields, visible};

use super::{assessment, session, text};
use crate::cli::{Cli, SupplierCmd};
use crate::cmd_store::out::outln;
use crate::{CmdResult, paths};

pub fn run(cli: &Cli, cmd: &SupplierCmd) -> CmdResult {
    let lang = paths::language(cli);
    match cmd {
        SupplierCmd::Add {
            name,
            country,
            sector,
            services,
            contacts,
            criticality,
        } => {
            let contacts = contacts
                .iter()
                .map(|c| vigie_app::contacts::parse_contact(c).map_err(|e| e.to_string()))
                .collect::<Result<Vec<_>, _>>()
                .unwrap_or_else(|e| session::usage_error(format!("--contact: {e}")));
            let fields = SupplierFields {
                name: name.clone(),
                country: country.clone(),
                sector: sector.clone(),
                services: services.clone(),
                contacts,
                criticality: Criticality::from(*criticality),
            };
            let database = session::open_database(cli)?;
            let supplier = database.add_supplier(&fields)?;
            outln!(
                "added supplier {} (id {})",
                visible(&supplier.name),
                visible(&supplier.id)
            );
            Ok(())
        }
        SupplierCmd::List => {
            let database = session::open_database(cli)?;
            let suppliers = database.suppliers()?;
            if suppliers.is_empty() {
                outln!("no suppliers yet: add one with `vigie supplier add NAME`");
                return Ok(());
            }
            outln!(
                "{:<8}  {:<30}  {:<11}  {:<8}  {:<16}  SERVICES",
                "ID",
                "NAME",
                "CRITICALITY",
                "COUNTRY",
                "SECTOR"
            );
            for s in suppliers {
                outln!(
                    "{:<8}  {}  {}  {}  {}  {}",
                    visible(short_id(&s.id)),
                    text::cell(&s.name, 30),
                    text::cell(text::criticality(s.criticality, lang), 11),
                    text::cell(s.country.as_deref().unwrap_or("-"), 8),
                    text::cell(s.sector.as_deref().unwrap_or("-"), 16),
                    text::clip(&s.services.join(", "), 30)
                );
            }
            Ok(())
        }
        SupplierCmd::Show { supplier } => {
            let database = session::open_database(cli)?;
            let s = database.supplier(supplier)?;
            outln!("{}", text::clip(&s.name, usize::MAX));
            outln!("  id:          {}", visible(&s.id));
            outln!("  criticality: {}", text::criticality(s.criticality, lang));
            outln!(
                "  country:     {}",
                visible(s.country.as_deref().unwrap_or("-"))
            );
            outln!(
                "  sector:      {}",
                visible(s.sector.as_deref().unwrap_or("-"))
            );
            if s.services.is_empty() {
                outln!("  services:    -");
            } else {
                outln!("  services:    {}", visible(&s.services.join(", ")));
            }
            if s.contacts.is_empty() {
                outln!("  contacts:    -");
            }
            for (i, c) in s.contacts.iter().enumerate() {
                let label = if i == 0 { "contacts:" } else { "" };
                outln!("  {label:<12} {}", contact_line(c));
            }
            outln!(
                "  created:     {} by {}",
                text::when(&s.created_at),
                visible(&s.created_by)
            );
            if s.updated_at != s.created_at {
                outln!(
                    "  updated:     {} by {}",
                    text::when(&s.updated_at),
                    visible(&s.updated_by)
                );
            }
            let filter = AssessmentFilter {
                supplier_id: Some(s.id.clone()),
                ..AssessmentFilter::page(u32::MAX, 0)
            };
            let rows = database.assessments(&filter)?;
            outln!();
            if rows.is_empty() {
                outln!(
                    "no assessments yet: start one with `vigie assessment new --supplier {} --plugin ID`",
                    visible(short_id(&s.id))
                );
            } else {
                outln!("assessments ({}):", rows.len());
                assessment::print_table(&rows, lang);
            }
            Ok(())
        }
    }
}

/// One contact on one line, control characters visible.
fn contact_line(c: &Contact) -> String {
    let mut parts = vec![c.name.clone()];
    parts.extend(c.role.iter().cloned());
    parts.extend(c.email.iter().map(|e| format!("<{e}>")));
    parts.extend(c.phone.iter().cloned());
    text::clip(&parts.join(", "), usize::MAX)
}
