//! The workspace's people: accounts with a username, a display name, a password and a role.
//!
//! The types here are shared by the page and the server; the rules for what a valid username,
//! name or password is live in their constructors, so nothing downstream checks again.

pub mod page;
pub mod server_fns;

#[cfg(feature = "ssr")]
pub mod accounts;
#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod store;

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Identifies a person in URLs and in the database. Knowing it grants nothing.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, sqlx::Type), sqlx(transparent))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonId(pub i64);

impl fmt::Display for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A member of the workspace, as the page and the REST API show them.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    #[cfg_attr(feature = "ssr", schema(value_type = i64))]
    pub id: PersonId,
    pub username: String,
    pub name: String,
    pub is_admin: bool,
    /// A disabled person cannot sign in, has no session, and their tokens are refused, until an
    /// admin enables them again.
    pub disabled: bool,
    #[serde(with = "crate::timestamp::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Person {
    pub fn role(&self) -> Role {
        if self.is_admin { Role::Admin } else { Role::Member }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Admin,
    Member,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Admin => "Admin",
            Role::Member => "Member",
        })
    }
}

/// A username: 1 to 64 ASCII letters, digits and `. _ - @ +`, so that e-mail addresses work.
/// Unique in the workspace regardless of case; the case it was written with is kept for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub const MAX_LEN: usize = 64;
    /// The characters of a username, as a regular expression's character class.
    pub const CHARACTERS: &str = "A-Za-z0-9._@+-";

    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("Enter a username.".into());
        }
        if trimmed.len() > Self::MAX_LEN {
            return Err(format!("A username has at most {} characters.", Self::MAX_LEN));
        }
        if let Some(bad) =
            trimmed.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | '+')))
        {
            return Err(format!("A username may contain letters, digits and . _ - @ + only, not {bad:?}."));
        }
        Ok(Username(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name people see: trimmed, 1 to 100 characters; the username when left empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(format!("A name has at most {} characters.", Self::MAX_CHARS));
        }
        if trimmed.chars().any(crate::text::is_hidden) {
            return Err(
                "A name cannot contain control characters or invisible format characters (such as U+202E).".into()
            );
        }
        if trimmed.is_empty() {
            return Err("Enter a name.".into());
        }
        Ok(DisplayName(trimmed.to_owned()))
    }

    /// `raw`, or the username when `raw` is blank.
    pub fn parse_or(raw: Option<&str>, username: &Username) -> Result<Self, String> {
        match raw.map(str::trim) {
            Some(name) if !name.is_empty() => Self::parse(name),
            _ => Self::parse(username.as_str()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: at least 8 and at most 256 characters (NIST SP 800-63B: length, no composition
/// rules). Its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(format!("A password has at least {} characters.", Self::MIN_CHARS));
        }
        if chars > Self::MAX_CHARS {
            return Err(format!("A password has at most {} characters.", Self::MAX_CHARS));
        }
        Ok(NewPassword(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_username_is_trimmed_and_keeps_its_case() {
        assert_eq!(Username::parse("  Alice.Smith@example.com ").unwrap().as_str(), "Alice.Smith@example.com");
    }

    #[test]
    fn a_username_refuses_spaces_empty_and_long_values() {
        assert!(Username::parse("").is_err());
        assert!(Username::parse("   ").is_err());
        assert!(Username::parse("alice smith").unwrap_err().contains("' '"));
        assert!(Username::parse(&"a".repeat(65)).is_err());
        assert!(Username::parse(&"a".repeat(64)).is_ok());
        assert!(Username::parse("zoë").is_err());
    }

    #[test]
    fn a_blank_display_name_falls_back_to_the_username() {
        let username = Username::parse("bob").unwrap();
        assert_eq!(DisplayName::parse_or(Some("  "), &username).unwrap().as_str(), "bob");
        assert_eq!(DisplayName::parse_or(None, &username).unwrap().as_str(), "bob");
        assert_eq!(DisplayName::parse_or(Some(" Bob B. "), &username).unwrap().as_str(), "Bob B.");
        assert!(DisplayName::parse(&"é".repeat(101)).is_err());
        assert!(DisplayName::parse("a\u{0}b").is_err());
        assert!(DisplayName::parse("Ada\u{200B}").is_err());
    }

    #[test]
    fn a_password_has_eight_to_256_characters() {
        assert!(NewPassword::parse("1234567").is_err());
        assert!(NewPassword::parse("12345678").is_ok());
        assert!(NewPassword::parse(&"ü".repeat(256)).is_ok());
        assert!(NewPassword::parse(&"x".repeat(257)).is_err());
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let password = NewPassword::parse("hunter2hunter2").unwrap();
        assert!(!format!("{password:?}").contains("hunter2"));
    }
}
