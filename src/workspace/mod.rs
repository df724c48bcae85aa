//! The workspace's settings for access tokens: whether they are enabled, whether members (not only
//! admins) may generate and use them, and the longest lifetime a new token may have.

pub mod page;
pub mod server_fns;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

use crate::tokens::{MaxLifetime, TokenCap};

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
}

impl Default for WorkspaceSettings {
    /// The product's defaults: tokens on, admins only, no maximum.
    fn default() -> Self {
        WorkspaceSettings {
            access_tokens_enabled: true,
            allow_members_to_generate_tokens: false,
            max_token_lifetime_days: MaxLifetime::Unlimited,
            max_active_tokens_per_person: TokenCap::Unlimited,
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
