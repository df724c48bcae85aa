//! The workspace's settings for access tokens: whether they are enabled, whether members (not only
//! admins) may generate and use them, and the longest lifetime a new token may have.

pub mod page;
pub mod server_fns;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

use crate::tokens::Lifetime;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceSettings {
    /// Off: no token authenticates and the token routes answer 404; tokens are kept.
    pub access_tokens_enabled: bool,
    /// Off (the default): only admins generate and use tokens.
    pub allow_members_to_generate_tokens: bool,
    /// The longest lifetime of a new token in days; -1 (the default) is unlimited and allows
    /// tokens that never expire.
    #[cfg_attr(feature = "ssr", schema(value_type = i64, example = -1))]
    pub max_token_lifetime_days: MaxLifetime,
}

impl Default for WorkspaceSettings {
    /// The product's defaults: tokens on, admins only, no maximum.
    fn default() -> Self {
        WorkspaceSettings {
            access_tokens_enabled: true,
            allow_members_to_generate_tokens: false,
            max_token_lifetime_days: MaxLifetime::Unlimited,
        }
    }
}

impl WorkspaceSettings {
    /// Whether `is_admin` (or a member) may generate tokens, and use the ones they hold.
    pub fn tokens_allowed_for(&self, is_admin: bool) -> bool {
        self.access_tokens_enabled && (is_admin || self.allow_members_to_generate_tokens)
    }
}

/// A change to some of the settings: `None` keeps a setting as it is.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsChanges {
    pub access_tokens_enabled: Option<bool>,
    pub allow_members_to_generate_tokens: Option<bool>,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<i64>))]
    pub max_token_lifetime_days: Option<MaxLifetime>,
}

/// The longest lifetime of a new token, in days; `-1` on the wire means unlimited, which is also
/// the only setting that allows tokens that never expire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub enum MaxLifetime {
    Unlimited,
    Days(i64),
}

impl MaxLifetime {
    pub fn parse(days: i64) -> Result<Self, String> {
        match days {
            -1 => Ok(MaxLifetime::Unlimited),
            1..=Lifetime::MAX_DAYS => Ok(MaxLifetime::Days(days)),
            _ => Err(format!(
                "The maximum token lifetime is a number of days from 1 to {}, or -1 for unlimited.",
                Lifetime::MAX_DAYS
            )),
        }
    }

    /// Checks a new token's lifetime against this maximum.
    pub fn allows(&self, lifetime: Lifetime) -> Result<(), String> {
        match (self, lifetime) {
            (MaxLifetime::Unlimited, _) => Ok(()),
            (MaxLifetime::Days(days), Lifetime::Never) => Err(format!(
                "This workspace does not allow tokens that never expire: the longest lifetime is {}.",
                plural_days(*days)
            )),
            (MaxLifetime::Days(days), Lifetime::Seconds(seconds)) if seconds > days * Lifetime::SECONDS_PER_DAY => {
                Err(format!("The lifetime is longer than this workspace allows: at most {}.", plural_days(*days)))
            }
            _ => Ok(()),
        }
    }
}

fn plural_days(days: i64) -> String {
    if days == 1 { "1 day".into() } else { format!("{days} days") }
}

impl TryFrom<i64> for MaxLifetime {
    type Error = String;
    fn try_from(days: i64) -> Result<Self, String> {
        MaxLifetime::parse(days)
    }
}

impl From<MaxLifetime> for i64 {
    fn from(max: MaxLifetime) -> i64 {
        match max {
            MaxLifetime::Unlimited => -1,
            MaxLifetime::Days(days) => days,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_maximum_is_minus_one_or_a_positive_number_of_days() {
        assert_eq!(MaxLifetime::parse(-1), Ok(MaxLifetime::Unlimited));
        assert_eq!(MaxLifetime::parse(30), Ok(MaxLifetime::Days(30)));
        for bad in [0, -2, Lifetime::MAX_DAYS + 1] {
            assert!(MaxLifetime::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn never_expiring_tokens_need_an_unlimited_maximum() {
        assert!(MaxLifetime::Unlimited.allows(Lifetime::Never).is_ok());
        let month = MaxLifetime::Days(30);
        assert!(month.allows(Lifetime::Never).unwrap_err().contains("never expire"));
        assert!(month.allows(Lifetime::Seconds(30 * 86_400)).is_ok());
        assert!(month.allows(Lifetime::Seconds(30 * 86_400 + 1)).unwrap_err().contains("at most 30 days"));
    }

    #[test]
    fn members_use_tokens_only_when_allowed_and_nobody_when_disabled() {
        let mut settings = WorkspaceSettings::default();
        assert!(settings.tokens_allowed_for(true));
        assert!(!settings.tokens_allowed_for(false));
        settings.allow_members_to_generate_tokens = true;
        assert!(settings.tokens_allowed_for(false));
        settings.access_tokens_enabled = false;
        assert!(!settings.tokens_allowed_for(true));
    }
}
