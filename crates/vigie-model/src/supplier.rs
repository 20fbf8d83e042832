//! Suppliers, and the closed sets of values the records of an assessment use.

use serde::{Deserialize, Serialize};

use crate::{SupplierId, Timestamp};

/// Defines a closed set of ids stored as text, with `id()`, `from_id()`, `ALL` and `Display`.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $id:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The id stored in the database and used on the command line.
            pub fn id(self) -> &'static str {
                match self {
                    $($name::$variant => $id),+
                }
            }

            /// The value whose id is `id`.
            pub fn from_id(id: &str) -> Option<Self> {
                match id {
                    $($id => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.id())
            }
        }
    };
}
pub(crate) use text_enum;

text_enum! {
    /// How much the client depends on a supplier.
    Criticality {
        /// Easily replaced, no access to sensitive data or systems.
        Low = "low",
        /// Some dependency or access.
        Medium = "medium",
        /// Hard to replace, or access to sensitive data or systems.
        High = "high",
        /// An outage or breach at the supplier stops or endangers the client.
        Critical = "critical",
    }
}

impl Criticality {
    /// The word for a person: French when `french`, else English (the id).
    pub fn label(self, french: bool) -> &'static str {
        match (self, french) {
            (Criticality::Low, true) => "faible",
            (Criticality::Medium, true) => "moyenne",
            (Criticality::High, true) => "élevée",
            (Criticality::Critical, true) => "critique",
            (c, false) => c.id(),
        }
    }
}

/// A person to talk to at a supplier.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl Contact {
    /// The contact on one line: its non-empty parts joined by `, ` ("Name, role, email,
    /// phone").
    pub fn line(&self) -> String {
        [
            Some(&self.name),
            self.role.as_ref(),
            self.email.as_ref(),
            self.phone.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// The editable fields of a supplier (to add one, or to change one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierFields {
    /// Unique ignoring case, accents and spacing.
    pub name: String,
    pub country: Option<String>,
    pub sector: Option<String>,
    /// The services the supplier provides to the client.
    pub services: Vec<String>,
    pub contacts: Vec<Contact>,
    pub criticality: Criticality,
}

impl SupplierFields {
    /// A supplier with only a name and a criticality.
    pub fn new(name: impl Into<String>, criticality: Criticality) -> Self {
        SupplierFields {
            name: name.into(),
            country: None,
            sector: None,
            services: Vec::new(),
            contacts: Vec::new(),
            criticality,
        }
    }
}

/// A supplier as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supplier {
    /// UUIDv7.
    pub id: SupplierId,
    pub name: String,
    pub country: Option<String>,
    pub sector: Option<String>,
    pub services: Vec<String>,
    pub contacts: Vec<Contact>,
    pub criticality: Criticality,
    pub created_by: String,
    pub created_at: Timestamp,
    pub updated_by: String,
    pub updated_at: Timestamp,
}

impl Supplier {
    /// The editable fields, to change and store again.
    pub fn fields(&self) -> SupplierFields {
        SupplierFields {
            name: self.name.clone(),
            country: self.country.clone(),
            sector: self.sector.clone(),
            services: self.services.clone(),
            contacts: self.contacts.clone(),
            criticality: self.criticality,
        }
    }
}
