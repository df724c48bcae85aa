//! The workspace's settings for access tokens: whether they are enabled, whether members (not only
//! admins) may generate and use them, and the longest lifetime a new token may have.

pub mod page;
pub mod server_fns;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod settings;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

use crate::{
    json::WholeNumber,
    tokens::{MaxLifetime, TokenCap},
};

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
    #[cfg_attr(feature = "ssr", schema(schema_with = api::max_lifetime_days))]
    pub max_token_lifetime_days: MaxLifetime,
    /// The most active tokens one person may hold; -1 (the default): no limit.
    #[cfg_attr(feature = "ssr", schema(schema_with = api::token_cap))]
    pub max_active_tokens_per_person: TokenCap,
    /// How many days the audit trail keeps an event: 1 to 3650 (default 365).
    #[cfg_attr(feature = "ssr", schema(schema_with = api::retention_days))]
    pub audit_retention_days: RetentionDays,
    /// Tokens unused for this many days are revoked (8 to 3650), after warnings 7 days and 1 day
    /// before; -1 (the default): never.
    #[cfg_attr(feature = "ssr", schema(schema_with = api::idle_days))]
    pub revoke_unused_after_days: IdleLimit,
}

impl Default for WorkspaceSettings {
    /// The product's defaults: tokens on, admins only, no maximum.
    fn default() -> Self {
        WorkspaceSettings {
            access_tokens_enabled: true,
            allow_members_to_generate_tokens: false,
            max_token_lifetime_days: MaxLifetime::Unlimited,
            max_active_tokens_per_person: TokenCap::Unlimited,
            audit_retention_days: RetentionDays::DEFAULT,
            revoke_unused_after_days: IdleLimit::Never,
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
    #[cfg_attr(feature = "ssr", schema(schema_with = api::new_max_lifetime_days))]
    pub max_token_lifetime_days: Option<MaxLifetime>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = api::new_token_cap))]
    pub max_active_tokens_per_person: Option<TokenCap>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = api::new_retention_days))]
    pub audit_retention_days: Option<RetentionDays>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(schema_with = api::new_idle_days))]
    pub revoke_unused_after_days: Option<IdleLimit>,
}

/// How long a token may go unused before it is revoked: never, or 8 to [`IdleLimit::MAX`] days (at
/// least 8, so that both warnings, 7 days and 1 day before, come first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WholeNumber", into = "i64")]
pub enum IdleLimit {
    Never,
    Days(i64),
}

impl IdleLimit {
    pub const MIN: i64 = 8;
    pub const MAX: i64 = 3650;

    pub fn parse(days: i64) -> Result<Self, String> {
        match days {
            -1 => Ok(IdleLimit::Never),
            days if (Self::MIN..=Self::MAX).contains(&days) => Ok(IdleLimit::Days(days)),
            _ => Err(format!("Unused tokens are revoked after {} to {} days, or -1 for never.", Self::MIN, Self::MAX)),
        }
    }
}

impl TryFrom<WholeNumber> for IdleLimit {
    type Error = String;
    fn try_from(days: WholeNumber) -> Result<Self, String> {
        IdleLimit::parse(days.0)
    }
}

impl From<IdleLimit> for i64 {
    fn from(limit: IdleLimit) -> i64 {
        match limit {
            IdleLimit::Never => -1,
            IdleLimit::Days(days) => days,
        }
    }
}

/// How many days the audit trail keeps an event: 1 to [`RetentionDays::MAX`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WholeNumber", into = "i64")]
pub struct RetentionDays(i64);

impl RetentionDays {
    pub const MAX: i64 = 3650;
    pub const DEFAULT: RetentionDays = RetentionDays(365);

    pub fn parse(days: i64) -> Result<Self, String> {
        if (1..=Self::MAX).contains(&days) {
            Ok(RetentionDays(days))
        } else {
            Err(format!("The audit log keeps events for 1 to {} days.", Self::MAX))
        }
    }

    pub fn days(self) -> i64 {
        self.0
    }
}

impl TryFrom<WholeNumber> for RetentionDays {
    type Error = String;
    fn try_from(days: WholeNumber) -> Result<Self, String> {
        RetentionDays::parse(days.0)
    }
}

impl From<RetentionDays> for i64 {
    fn from(days: RetentionDays) -> i64 {
        days.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
