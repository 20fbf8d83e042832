//! Suppliers.

use crate::db::{Db, Optional, params};

use crate::error::{Result, StoreError};
use crate::types::{Criticality, Supplier, SupplierFields};
use crate::{Store, enum_col, json_col, resolve_id, to_json, ts_col};

pub(crate) const SELECT_SUPPLIER: &str = "SELECT id, name, country, sector, services, contacts, \
     criticality, created_by, created_at, updated_by, updated_at FROM suppliers";

pub(crate) fn supplier_row(row: &crate::db::Row<'_>) -> crate::db::Result<Supplier> {
    Ok(Supplier {
        id: row.get::<_, String>(0)?.into(),
        name: row.get(1)?,
        country: row.get(2)?,
        sector: row.get(3)?,
        services: json_col(row, 4)?,
        contacts: json_col(row, 5)?,
        criticality: enum_col(row, 6, (TABLE, "criticality"), Criticality::from_id)?,
        created_by: row.get(7)?,
        created_at: ts_col(row, 8, (TABLE, "created_at"))?,
        updated_by: row.get(9)?,
        updated_at: ts_col(row, 10, (TABLE, "updated_at"))?,
    })
}

const TABLE: &str = "suppliers";

/// Inserts a supplier row as it is (ids and timestamps kept): a new supplier, or one
/// imported from another database.
pub(crate) fn insert_supplier(conn: &Db, s: &Supplier) -> Result<()> {
    conn.execute(
        "INSERT INTO suppliers (id, name, name_key, country, sector, services, contacts, \
         criticality, created_by, created_at, updated_by, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            s.id.as_str(),
            s.name,
            name_key(&s.name),
            s.country,
            s.sector,
            to_json("services", &s.services)?,
            to_json("contacts", &s.contacts)?,
            s.criticality.id(),
            s.created_by,
            s.created_at.as_str(),
            s.updated_by,
            s.updated_at.as_str(),
        ],
    )?;
    Ok(())
}

/// The id of the supplier whose name key is `key`, if any.
pub(crate) fn id_by_name_key(conn: &Db, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT id FROM suppliers WHERE name_key = ?1",
            params![key],
            |r| r.get(0),
        )
        .optional()?)
}

/// The key that makes supplier names unique: lowercase, no accents, single spaces.
pub(crate) fn name_key(name: &str) -> String {
    vigie_model::fold_for_search(name)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn clean(fields: &SupplierFields) -> Result<SupplierFields> {
    let name = fields.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(StoreError::Invalid("a supplier needs a name".into()));
    }
    let opt = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let services = fields
        .services
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    Ok(SupplierFields {
        name,
        country: opt(&fields.country),
        sector: opt(&fields.sector),
        services,
        contacts: fields.contacts.clone(),
        criticality: fields.criticality,
    })
}

pub(crate) fn get_by_id(conn: &Db, id: &str) -> Result<Option<Supplier>> {
    Ok(conn
        .query_row(
            &format!("{SELECT_SUPPLIER} WHERE id = ?1"),
            params![id],
            supplier_row,
        )
        .optional()?)
}

fn check_unique(conn: &Db, key: &str, name: &str, except: Option<&str>) -> Result<()> {
    match id_by_name_key(conn, key)? {
        Some(id) if Some(id.as_str()) != except => Err(StoreError::DuplicateSupplier {
            name: name.to_string(),
            existing_id: id,
        }),
        _ => Ok(()),
    }
}

impl Store {
    /// Adds a supplier. Its name must be unique ignoring case, accents and spacing
    /// ([`StoreError::DuplicateSupplier`]).
    pub fn add_supplier(&self, fields: &SupplierFields) -> Result<Supplier> {
        let fields = clean(fields)?;
        let key = name_key(&fields.name);
        self.write(|tx| {
            check_unique(tx.conn, &key, &fields.name, None)?;
            let supplier = Supplier {
                id: crate::new_id().into(),
                name: fields.name.clone(),
                country: fields.country.clone(),
                sector: fields.sector.clone(),
                services: fields.services.clone(),
                contacts: fields.contacts.clone(),
                criticality: fields.criticality,
                created_by: tx.who.to_string(),
                created_at: tx.now.clone(),
                updated_by: tx.who.to_string(),
                updated_at: tx.now.clone(),
            };
            insert_supplier(tx.conn, &supplier)?;
            let new = to_json("supplier", &supplier)?;
            tx.audit("create", "supplier", &supplier.id, None, None, Some(&new))?;
            Ok(supplier)
        })
    }

    /// Replaces the editable fields of the supplier whose id is `id` (exact).
    pub fn update_supplier(&self, id: &str, fields: &SupplierFields) -> Result<Supplier> {
        let fields = clean(fields)?;
        let key = name_key(&fields.name);
        self.write(|tx| {
            let old = get_by_id(tx.conn, id)?.ok_or_else(|| StoreError::NotFound {
                kind: "supplier",
                key: id.to_string(),
            })?;
            check_unique(tx.conn, &key, &fields.name, Some(id))?;
            let supplier = Supplier {
                name: fields.name.clone(),
                country: fields.country.clone(),
                sector: fields.sector.clone(),
                services: fields.services.clone(),
                contacts: fields.contacts.clone(),
                criticality: fields.criticality,
                updated_by: tx.who.to_string(),
                updated_at: tx.now.clone(),
                ..old.clone()
            };
            tx.conn.execute(
                "UPDATE suppliers SET name = ?2, name_key = ?3, country = ?4, sector = ?5, \
                 services = ?6, contacts = ?7, criticality = ?8, updated_by = ?9, \
                 updated_at = ?10 WHERE id = ?1",
                params![
                    supplier.id.as_str(),
                    supplier.name,
                    key,
                    supplier.country,
                    supplier.sector,
                    to_json("services", &supplier.services)?,
                    to_json("contacts", &supplier.contacts)?,
                    supplier.criticality.id(),
                    supplier.updated_by,
                    supplier.updated_at.as_str(),
                ],
            )?;
            let old_json = to_json("supplier", &old)?;
            let new_json = to_json("supplier", &supplier)?;
            tx.audit(
                "update",
                "supplier",
                &supplier.id,
                None,
                Some(&old_json),
                Some(&new_json),
            )?;
            Ok(supplier)
        })
    }

    /// Every supplier, by name.
    pub fn list_suppliers(&self) -> Result<Vec<Supplier>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!("{SELECT_SUPPLIER} ORDER BY name_key"))?;
            let rows = stmt.query_map(params![], supplier_row)?;
            Ok(rows.collect::<crate::db::Result<Vec<_>>>()?)
        })
    }

    /// The supplier whose id is `key`, else whose name is `key` (ignoring case, accents and
    /// spacing), else whose id starts or ends with `key` (at least [`crate::MIN_ID_PREFIX`]
    /// characters; several matches give [`StoreError::Ambiguous`]).
    pub fn supplier(&self, key: &str) -> Result<Supplier> {
        self.read(|conn| {
            if let Some(s) = get_by_id(conn, key.trim())? {
                return Ok(s);
            }
            let by_name = conn
                .query_row(
                    &format!("{SELECT_SUPPLIER} WHERE name_key = ?1"),
                    params![name_key(key)],
                    supplier_row,
                )
                .optional()?;
            if let Some(s) = by_name {
                return Ok(s);
            }
            let id = resolve_id(conn, "suppliers", "id", "supplier", key).map_err(|e| match e {
                StoreError::PrefixTooShort { kind, key, .. } => StoreError::NotFound { kind, key },
                e => e,
            })?;
            get_by_id(conn, &id)?.ok_or_else(|| StoreError::NotFound {
                kind: "supplier",
                key: key.to_string(),
            })
        })
    }
}
