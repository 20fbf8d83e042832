//! Typed ids of the stored entities: a supplier's id cannot be passed where an assessment's is
//! expected. Ids are UUIDv7 strings, kept as text.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

/// Defines an id newtype over `String`, serialised as the bare string.
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                $name(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_string())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        // An id is read wherever a `&str` key is taken (store look-ups accept ids, prefixes
        // and names alike), so it derefs to its text.
        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.0
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }
    };
}

id_type! {
    /// A supplier's id.
    SupplierId
}

id_type! {
    /// An assessment's id.
    AssessmentId
}

id_type! {
    /// A piece of evidence's id.
    EvidenceId
}

id_type! {
    /// An action item's id.
    ActionItemId
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_serialises_as_its_bare_text() {
        let id = SupplierId::from("0190-abc");
        assert_eq!(
            serde_json::to_string(&id).ok().as_deref(),
            Some("\"0190-abc\"")
        );
        let back: Result<SupplierId, _> = serde_json::from_str("\"0190-abc\"");
        assert_eq!(back.ok(), Some(id));
    }
}
