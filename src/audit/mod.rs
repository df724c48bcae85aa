//! The audit trail: an append-only record of every security event (sign-ins, people, tokens,
//! settings), who did it and how they were signed in, from which address and user agent. Never a
//! token value, a password or a digest.
//!
//! - this module: what an event is, as the page and the REST API show it, and how a list of them is
//!   asked for;
//! - `record` (server): building an event where it happens, and writing it (retried while the
//!   database is down);
//! - `store` (server): the `audit_events` table: insert, list newest first, prune;
//! - `api` (server): `GET /v4/workspaces/current/auditEvents` (admins) and
//!   `GET /v4/people/current/auditEvents` (one's own);
//! - `page`: the Audit Log page, and the own events under Preferences.

pub mod page;
pub mod server_fns;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod record;
#[cfg(feature = "ssr")]
pub mod store;

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What happened. On the wire and in the database: the dotted name (`token.generated`).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    #[serde(rename = "sign_in.succeeded")]
    SignInSucceeded,
    #[serde(rename = "sign_in.failed")]
    SignInFailed,
    #[serde(rename = "sign_in.throttled")]
    SignInThrottled,
    #[serde(rename = "sign_out")]
    SignOut,
    #[serde(rename = "sign_out.elsewhere")]
    SignOutElsewhere,
    #[serde(rename = "password.changed")]
    PasswordChanged,
    #[serde(rename = "password.reset")]
    PasswordReset,
    #[serde(rename = "person.added")]
    PersonAdded,
    #[serde(rename = "person.renamed")]
    PersonRenamed,
    #[serde(rename = "person.role_changed")]
    PersonRoleChanged,
    #[serde(rename = "person.disabled")]
    PersonDisabled,
    #[serde(rename = "person.enabled")]
    PersonEnabled,
    #[serde(rename = "person.deleted")]
    PersonDeleted,
    #[serde(rename = "token.generated")]
    TokenGenerated,
    #[serde(rename = "token.rotated")]
    TokenRotated,
    #[serde(rename = "token.deleted")]
    TokenDeleted,
    /// Revoked because someone reported its value as leaked (`POST /v4/apiAccessTokens/revoke`).
    #[serde(rename = "token.reported_leaked")]
    TokenReportedLeaked,
    /// Revoked for going unused longer than the workspace allows (`tokens::sweep`).
    #[serde(rename = "token.revoked_unused")]
    TokenRevokedUnused,
    #[serde(rename = "settings.changed")]
    SettingsChanged,
    #[serde(rename = "webhook.added")]
    WebhookAdded,
    #[serde(rename = "webhook.removed")]
    WebhookRemoved,
}

impl EventKind {
    pub const ALL: [EventKind; 21] = [
        EventKind::SignInSucceeded,
        EventKind::SignInFailed,
        EventKind::SignInThrottled,
        EventKind::SignOut,
        EventKind::SignOutElsewhere,
        EventKind::PasswordChanged,
        EventKind::PasswordReset,
        EventKind::PersonAdded,
        EventKind::PersonRenamed,
        EventKind::PersonRoleChanged,
        EventKind::PersonDisabled,
        EventKind::PersonEnabled,
        EventKind::PersonDeleted,
        EventKind::TokenGenerated,
        EventKind::TokenRotated,
        EventKind::TokenDeleted,
        EventKind::TokenReportedLeaked,
        EventKind::TokenRevokedUnused,
        EventKind::SettingsChanged,
        EventKind::WebhookAdded,
        EventKind::WebhookRemoved,
    ];

    /// The dotted name, as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::SignInSucceeded => "sign_in.succeeded",
            EventKind::SignInFailed => "sign_in.failed",
            EventKind::SignInThrottled => "sign_in.throttled",
            EventKind::SignOut => "sign_out",
            EventKind::SignOutElsewhere => "sign_out.elsewhere",
            EventKind::PasswordChanged => "password.changed",
            EventKind::PasswordReset => "password.reset",
            EventKind::PersonAdded => "person.added",
            EventKind::PersonRenamed => "person.renamed",
            EventKind::PersonRoleChanged => "person.role_changed",
            EventKind::PersonDisabled => "person.disabled",
            EventKind::PersonEnabled => "person.enabled",
            EventKind::PersonDeleted => "person.deleted",
            EventKind::TokenGenerated => "token.generated",
            EventKind::TokenRotated => "token.rotated",
            EventKind::TokenDeleted => "token.deleted",
            EventKind::TokenReportedLeaked => "token.reported_leaked",
            EventKind::TokenRevokedUnused => "token.revoked_unused",
            EventKind::SettingsChanged => "settings.changed",
            EventKind::WebhookAdded => "webhook.added",
            EventKind::WebhookRemoved => "webhook.removed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        EventKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// How the page names it.
    pub fn label(self) -> &'static str {
        match self {
            EventKind::SignInSucceeded => "Signed in",
            EventKind::SignInFailed => "Sign-in failed",
            EventKind::SignInThrottled => "Sign-in throttled",
            EventKind::SignOut => "Signed out",
            EventKind::SignOutElsewhere => "Signed out everywhere else",
            EventKind::PasswordChanged => "Password changed",
            EventKind::PasswordReset => "Password reset",
            EventKind::PersonAdded => "Person added",
            EventKind::PersonRenamed => "Person renamed",
            EventKind::PersonRoleChanged => "Role changed",
            EventKind::PersonDisabled => "Person disabled",
            EventKind::PersonEnabled => "Person enabled",
            EventKind::PersonDeleted => "Person deleted",
            EventKind::TokenGenerated => "Token generated",
            EventKind::TokenRotated => "Token rotated",
            EventKind::TokenDeleted => "Token deleted",
            EventKind::TokenReportedLeaked => "Token reported leaked",
            EventKind::TokenRevokedUnused => "Token revoked: unused too long",
            EventKind::SettingsChanged => "Settings changed",
            EventKind::WebhookAdded => "Webhook added",
            EventKind::WebhookRemoved => "Webhook removed",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the actor was signed in when they acted.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// A username and password: the sign-in form, or HTTP Basic.
    Password,
    /// A browser session.
    Session,
    /// A bearer access token (`viaTokenId` names it).
    Token,
    /// The server's command line (`access-tokens user ...`).
    Console,
    /// Nobody was signed in (a failed sign-in).
    None,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Password => "password",
            Via::Session => "session",
            Via::Token => "token",
            Via::Console => "console",
            Via::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Via::Password, Via::Session, Via::Token, Via::Console, Via::None].into_iter().find(|via| via.as_str() == text)
    }
}

/// One event, as the Audit Log page and the REST API show it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    /// Identifies the event.
    pub id: i64,
    #[serde(with = "crate::timestamp::rfc3339")]
    pub at: OffsetDateTime,
    pub kind: EventKind,
    /// Who acted, if anybody was signed in; their username then (people may be renamed or deleted).
    pub actor_id: Option<i64>,
    pub actor_username: Option<String>,
    pub via: Via,
    /// The access token the actor used, when `via` is `token`.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = Uuid))]
    pub via_token_id: Option<String>,
    /// The person acted on (a sign-in's account, a person changed, a token's owner).
    pub subject_person_id: Option<i64>,
    pub subject_username: Option<String>,
    /// The token acted on.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = Uuid))]
    pub subject_token_id: Option<String>,
    /// What else there is to say: a role's old and new value, a setting's, a token's scopes and
    /// expiry, why a sign-in failed. An object; never a secret.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub details: serde_json::Value,
    /// The client's address, as `TRUST_PROXY_HEADERS` allows it to be known.
    pub client_ip: Option<String>,
    /// The client's `User-Agent` (at most 256 characters; invisible characters replaced).
    pub user_agent: Option<String>,
}

/// One page of events, newest first; `nextCursor` asks for the next (older) page, `null` at the end.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    pub data: Vec<AuditEvent>,
    pub next_cursor: Option<String>,
}

/// Where a page of events starts: after the event at `at` with `id` (newest first, so older ones).
/// Opaque to clients: `<millis>.<id>`, each up to 18 digits ([`Cursor::PATTERN`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub at_millis: i64,
    pub id: i64,
}

impl Cursor {
    /// What a cursor looks like, as the OpenAPI document says: whatever matches it is read.
    pub const PATTERN: &str = r"^[0-9]{1,18}\.[0-9]{1,18}$";

    pub fn parse(text: &str) -> Option<Self> {
        let number = |digits: &str| {
            let plain = (1..=18).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
            plain.then(|| digits.parse::<i64>().ok()).flatten()
        };
        let (at, id) = text.split_once('.')?;
        Some(Cursor { at_millis: number(at)?, id: number(id)? })
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.at_millis, self.id)
    }
}

/// Which events to list: all filters are optional, and combine.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Events where this person acted or was acted on.
    pub person: Option<i64>,
    pub kind: Option<EventKind>,
    /// From this time on (inclusive).
    #[serde(with = "crate::timestamp::rfc3339_option")]
    pub since: Option<OffsetDateTime>,
    /// Before this time (exclusive).
    #[serde(with = "crate::timestamp::rfc3339_option")]
    pub until: Option<OffsetDateTime>,
}

/// In one's own activity, what another person did to one's account shows who did it, but not from
/// which address or browser: that is theirs. (Attempts to sign in as oneself keep theirs.)
pub fn keep_others_origin_private(events: &mut [AuditEvent], viewer: i64) {
    for event in events.iter_mut().filter(|event| event.actor_id.is_some_and(|actor| actor != viewer)) {
        event.client_ip = None;
        event.user_agent = None;
    }
}

/// The most events a page holds, and the default.
pub const MAX_LIMIT: i64 = 1000;
pub const DEFAULT_LIMIT: i64 = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_one_name_each_on_the_wire_and_in_the_database() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        assert_eq!(EventKind::parse("token.stolen"), None);
    }

    #[test]
    fn a_cursor_reads_back_what_it_wrote() {
        let cursor = Cursor { at_millis: 1_700_000_000_123, id: 42 };
        assert_eq!(Cursor::parse(&cursor.to_string()), Some(cursor));
        assert_eq!(Cursor::parse("42"), None);
        assert_eq!(Cursor::parse("a.b"), None);
        for unlike_ours in ["", ".", "-5.3", "+5.3", "5.", "1234567890123456789.1"] {
            assert_eq!(Cursor::parse(unlike_ours), None, "{unlike_ours}");
        }
        let pattern = regex::Regex::new(Cursor::PATTERN).unwrap();
        assert!(pattern.is_match(&cursor.to_string()) && !pattern.is_match("-5.3"));
    }
}
