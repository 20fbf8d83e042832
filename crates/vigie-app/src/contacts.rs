//! The one syntax of a supplier's contacts, typed on the command line or in the workbench:
//! `Name <email>`, or `Name, role, email, phone` where the parts after the name are told
//! apart by their look (an `@` is an email, six digits or more a phone, anything else the
//! role). Several contacts in one field are separated by `;`.

use vigie_store::Contact;

/// A contact that cannot be read, with the text as typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("contact `{input}`: {reason}")]
pub struct ContactError {
    pub input: String,
    pub reason: &'static str,
}

/// Reads one contact.
pub fn parse_contact(input: &str) -> Result<Contact, ContactError> {
    let input = input.trim();
    let fail = |reason| ContactError {
        input: input.to_string(),
        reason,
    };
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    if let Some((name, rest)) = input.split_once('<') {
        let email = rest
            .trim_end()
            .strip_suffix('>')
            .ok_or_else(|| fail("an email in angle brackets ends with `>`"))?;
        let name = opt(name).ok_or_else(|| fail("a contact needs a name"))?;
        return Ok(Contact {
            name,
            email: opt(email),
            ..Contact::default()
        });
    }
    let mut parts = input.split(',').map(str::trim);
    let name = parts
        .next()
        .and_then(opt)
        .ok_or_else(|| fail("a contact needs a name"))?;
    let mut contact = Contact {
        name,
        ..Contact::default()
    };
    for part in parts.filter(|p| !p.is_empty()) {
        let slot = if part.contains('@') {
            &mut contact.email
        } else if looks_like_phone(part) {
            &mut contact.phone
        } else {
            &mut contact.role
        };
        if slot.is_some() {
            return Err(fail(
                "expected \"Name <email>\" or \"Name, role, email, phone\" (one of each)",
            ));
        }
        *slot = Some(part.to_string());
    }
    Ok(contact)
}

/// Reads a field of contacts separated by `;` (empty parts are skipped).
pub fn parse_contacts(input: &str) -> Result<Vec<Contact>, ContactError> {
    input
        .split(';')
        .filter(|part| !part.trim().is_empty())
        .map(parse_contact)
        .collect()
}

/// One contact as [`parse_contact`] reads it back: `Name, role, email, phone`.
pub fn contact_line(contact: &Contact) -> String {
    let mut parts = vec![contact.name.clone()];
    parts.extend(contact.role.iter().cloned());
    parts.extend(contact.email.iter().cloned());
    parts.extend(contact.phone.iter().cloned());
    parts.join(", ")
}

/// Contacts as [`parse_contacts`] reads them back.
pub fn contacts_line(contacts: &[Contact]) -> String {
    contacts
        .iter()
        .map(contact_line)
        .collect::<Vec<_>>()
        .join("; ")
}

fn looks_like_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    digits >= 6
        && s.chars()
            .all(|c| c.is_ascii_digit() || " +-.()/".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_are_read() {
        let c = parse_contact("Amel Ben Ali <amel@example.tn>").unwrap();
        assert_eq!(
            (c.name.as_str(), c.email.as_deref()),
            ("Amel Ben Ali", Some("amel@example.tn"))
        );
        let c = parse_contact("Amel, RSSI, amel@example.tn, +216 71 000 000").unwrap();
        assert_eq!(c.role.as_deref(), Some("RSSI"));
        assert_eq!(c.email.as_deref(), Some("amel@example.tn"));
        assert_eq!(c.phone.as_deref(), Some("+216 71 000 000"));
        let c = parse_contact("Amel, amel@example.tn").unwrap();
        assert_eq!(
            (c.role, c.email.as_deref()),
            (None, Some("amel@example.tn"))
        );
        assert!(parse_contact(" <a@b.c>").is_err());
        assert!(parse_contact("A <a@b.c").is_err());
        assert!(parse_contact("A, RSSI, DPO").is_err());
    }

    /// The bug this module fixes: the workbench rebuilt contacts as `name <email>`, losing
    /// role and phone, and split `Name, role` in two.
    #[test]
    fn every_part_survives_a_round_trip() {
        let contacts = vec![
            Contact {
                name: "Amel Ben Ali".into(),
                role: Some("RSSI".into()),
                email: Some("amel@example.tn".into()),
                phone: Some("+216 71 000 000".into()),
            },
            Contact {
                name: "Karim".into(),
                role: Some("Directeur de site".into()),
                ..Contact::default()
            },
            Contact {
                name: "Support".into(),
                phone: Some("01 23 45 67 89".into()),
                ..Contact::default()
            },
        ];
        let line = contacts_line(&contacts);
        assert_eq!(parse_contacts(&line).unwrap(), contacts, "{line}");
        assert_eq!(parse_contacts("Karim, DPO").unwrap().len(), 1);
    }

    /// Any contact whose parts keep to their look survives display then reading.
    #[test]
    fn generated_contacts_round_trip() {
        let names = ["A", "Zoé Martin", "J.-P. N'Diaye", "Ops 24/7"];
        let roles = [None, Some("RSSI"), Some("Chef de projet"), Some("DPO")];
        let emails = [None, Some("x@y.fr"), Some("a.b+c@d.example")];
        let phones = [None, Some("+33 1 23 45 67 89"), Some("(216) 71-000-000")];
        for name in names {
            for role in roles {
                for email in emails {
                    for phone in phones {
                        let c = Contact {
                            name: name.into(),
                            role: role.map(Into::into),
                            email: email.map(Into::into),
                            phone: phone.map(Into::into),
                        };
                        let line = contact_line(&c);
                        assert_eq!(parse_contact(&line).as_ref(), Ok(&c), "{line}");
                    }
                }
            }
        }
    }
}
