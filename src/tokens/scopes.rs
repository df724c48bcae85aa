//! What a token may do of what its owner may: its scopes.
//!
//! - `read_api`: read-only, any `GET` its owner may make;
//! - `api`: everything its owner may do through the API except admin-only endpoints (and so all
//!   that `read_api` allows);
//! - `admin`: the admin-only endpoints, within `read_api` or `api`; only an admin's token has it.
//!
//! A token never does more than its owner may: the scopes narrow the owner's rights, they grant
//! none. Basic credentials and browser sessions are not scoped.

use std::fmt;

use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Read-only: any `GET` the owner may make.
    ReadApi,
    /// Everything the owner may do, except admin-only endpoints.
    Api,
    /// Admin-only endpoints, within `read_api` or `api`.
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::ReadApi, Scope::Api, Scope::Admin];

    pub fn name(self) -> &'static str {
        match self {
            Scope::ReadApi => "read_api",
            Scope::Api => "api",
            Scope::Admin => "admin",
        }
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A token's scopes: a valid set, so never empty and never `admin` alone.
/// (In OpenAPI schemas, fields of this type say `value_type = Vec<Scope>`.)
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<Scope>", into = "Vec<Scope>")]
pub struct Scopes(u8);

impl Scopes {
    pub const READ_ONLY: Scopes = Scopes(1 << Scope::ReadApi as u8);
    pub const API: Scopes = Scopes(1 << Scope::Api as u8);
    pub const API_AND_ADMIN: Scopes = Scopes(1 << Scope::Api as u8 | 1 << Scope::Admin as u8);

    /// What a token gets when its creator names no scopes: the rights every token had before
    /// scopes existed, so that older clients behave as they did.
    pub fn default_for(is_admin: bool) -> Self {
        if is_admin { Self::API_AND_ADMIN } else { Self::API }
    }

    pub fn from_scopes(scopes: impl IntoIterator<Item = Scope>) -> Result<Self, String> {
        let set = Scopes(scopes.into_iter().fold(0, |bits, scope| bits | scope.bit()));
        if set.0 == 0 {
            return Err("Give a token at least one scope: read_api (read-only), api, or either with admin.".into());
        }
        if !set.reads() {
            return Err("The admin scope only adds to read_api or api: ask for [\"api\", \"admin\"] or \
                        [\"read_api\", \"admin\"]."
                .into());
        }
        Ok(set)
    }

    /// From names as a client sends them (`["read_api"]`), with a message that says what is wrong.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Self, String> {
        let scopes = names
            .iter()
            .map(|name| {
                let name = name.as_ref();
                Scope::ALL.into_iter().find(|scope| scope.name() == name).ok_or_else(|| {
                    format!("{name:?} is not a scope; the scopes are read_api (read-only), api and admin.")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_scopes(scopes)
    }

    /// From the database's space-separated form.
    pub fn from_column(text: &str) -> Option<Self> {
        Self::parse(&text.split_whitespace().collect::<Vec<_>>()).ok()
    }

    /// The database's space-separated form, also the `scope` of an RFC 6750 challenge.
    pub fn to_column(self) -> String {
        self.iter().map(Scope::name).collect::<Vec<_>>().join(" ")
    }

    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |scope| self.0 & scope.bit() != 0)
    }

    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    /// Whether the token may make `GET` requests: every valid set may.
    pub fn reads(self) -> bool {
        self.contains(Scope::ReadApi) || self.contains(Scope::Api)
    }

    /// Whether the token may change things (`POST`, `PATCH`, `DELETE`).
    pub fn writes(self) -> bool {
        self.contains(Scope::Api)
    }

    pub fn admin(self) -> bool {
        self.contains(Scope::Admin)
    }

    /// Whether these scopes give all that `needed` does (`api` gives what `read_api` does).
    pub fn grants(self, needed: Scope) -> bool {
        match needed {
            Scope::ReadApi => self.reads(),
            Scope::Api => self.writes(),
            Scope::Admin => self.admin(),
        }
    }

    /// The first scope of `other` that these scopes do not give: what a token with these scopes
    /// may not hand on to a token it creates.
    pub fn missing_from(self, other: Scopes) -> Option<Scope> {
        other.iter().find(|scope| !self.grants(*scope))
    }

    /// These scopes without `admin` (for a token whose owner is no admin).
    pub fn intersect(self, other: Scopes) -> Option<Scopes> {
        Self::from_scopes(self.iter().filter(|scope| other.grants(*scope))).ok()
    }

    /// For people: "read-only", "read and write", "read and write, admin".
    pub fn describe(self) -> &'static str {
        match (self.writes(), self.admin()) {
            (false, false) => "Read-only",
            (true, false) => "Read and write",
            (false, true) => "Read-only, admin",
            (true, true) => "Read and write, admin",
        }
    }
}

impl fmt::Debug for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl TryFrom<Vec<Scope>> for Scopes {
    type Error = String;
    fn try_from(scopes: Vec<Scope>) -> Result<Self, String> {
        Self::from_scopes(scopes)
    }
}

impl From<Scopes> for Vec<Scope> {
    fn from(scopes: Scopes) -> Self {
        scopes.iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_named_as_clients_send_them() {
        assert_eq!(Scopes::parse(&["read_api"]), Ok(Scopes::READ_ONLY));
        assert_eq!(Scopes::parse(&["admin", "api", "api"]), Ok(Scopes::API_AND_ADMIN));
        assert_eq!(serde_json::to_string(&Scopes::API_AND_ADMIN).unwrap(), r#"["api","admin"]"#);
        assert_eq!(serde_json::from_str::<Scopes>(r#"["read_api"]"#).unwrap(), Scopes::READ_ONLY);
    }

    #[test]
    fn an_empty_set_an_unknown_name_or_admin_alone_is_refused() {
        assert!(Scopes::parse::<&str>(&[]).unwrap_err().contains("at least one scope"));
        assert!(Scopes::parse(&["write"]).unwrap_err().contains("\"write\" is not a scope"));
        assert!(Scopes::parse(&["Api"]).is_err(), "names are exact");
        assert!(Scopes::parse(&["admin"]).unwrap_err().contains("only adds to read_api or api"));
        assert!(serde_json::from_str::<Scopes>("[]").is_err());
    }

    #[test]
    fn the_column_form_round_trips() {
        for names in [&["read_api"][..], &["api"], &["api", "admin"], &["read_api", "admin"]] {
            let scopes = Scopes::parse(names).unwrap();
            assert_eq!(Scopes::from_column(&scopes.to_column()), Some(scopes));
        }
        assert_eq!(Scopes::from_column("api admin"), Some(Scopes::API_AND_ADMIN));
        assert_eq!(Scopes::from_column("nonsense"), None);
    }

    #[test]
    fn api_gives_what_read_api_gives_and_admin_is_separate() {
        assert!(Scopes::API.grants(Scope::ReadApi));
        assert!(!Scopes::READ_ONLY.grants(Scope::Api));
        assert!(!Scopes::API.grants(Scope::Admin));
        assert_eq!(Scopes::API.missing_from(Scopes::READ_ONLY), None);
        assert_eq!(Scopes::READ_ONLY.missing_from(Scopes::API), Some(Scope::Api));
        assert_eq!(Scopes::API.missing_from(Scopes::API_AND_ADMIN), Some(Scope::Admin));
    }

    #[test]
    fn defaults_are_the_rights_tokens_had_before_scopes() {
        assert_eq!(Scopes::default_for(false), Scopes::API);
        assert_eq!(Scopes::default_for(true), Scopes::API_AND_ADMIN);
        assert_eq!(Scopes::API_AND_ADMIN.intersect(Scopes::API), Some(Scopes::API));
    }
}
