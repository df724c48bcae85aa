//! API access tokens: what a token is, as the page and the REST API show it, and the rules for a new
//! one (lifetime, description). The value itself, its digest and the database live in the
//! server-only modules.

pub mod expiring;
pub mod page;
pub mod server_fns;

pub mod scopes;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod cache;
#[cfg(feature = "ssr")]
pub mod form_posts;
#[cfg(feature = "ssr")]
pub mod leaks;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod sweep;
#[cfg(feature = "ssr")]
pub mod usage;
#[cfg(feature = "ssr")]
pub mod value;

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use self::scopes::{Scope, Scopes};
use crate::{json::WholeNumber, people::PersonId};

/// Identifies a token in lists, URLs and logs. It is not the token: knowing it grants nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TokenId(pub uuid::Uuid);

impl TokenId {
    pub fn parse(text: &str) -> Option<Self> {
        uuid::Uuid::try_parse(text.trim()).ok().map(TokenId)
    }
}

impl fmt::Display for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// Where a token stands in a newest-first list: its creation time (milliseconds), then its id, as
/// the lists are ordered and indexed. A page starts after or before one ([`crate::paging::Seek`]).
/// Clients see it as an opaque cursor, `<millis>.<token id>` ([`TokenKey::PATTERN`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct TokenKey {
    pub created_at_millis: i64,
    pub token_id: TokenId,
}

impl TokenKey {
    /// What a cursor looks like, as the OpenAPI document says: whatever matches it is read.
    pub const PATTERN: &str = r"^[0-9]{1,18}\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

    pub fn parse(text: &str) -> Option<Self> {
        let (millis, id) = text.split_once('.')?;
        let digits = (1..=18).contains(&millis.len()) && millis.bytes().all(|b| b.is_ascii_digit());
        // Only the form this server writes: lower-case and hyphenated, nothing around it.
        let canonical =
            id.len() == 36 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || b == b'-');
        if !digits || !canonical {
            return None;
        }
        let token_id = uuid::Uuid::try_parse(id).ok().map(TokenId)?;
        Some(TokenKey { created_at_millis: millis.parse().ok()?, token_id })
    }
}

impl fmt::Display for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.created_at_millis, self.token_id)
    }
}

impl From<TokenKey> for String {
    fn from(key: TokenKey) -> Self {
        key.to_string()
    }
}

impl TryFrom<String> for TokenKey {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        TokenKey::parse(&text).ok_or_else(|| "not a token cursor".to_owned())
    }
}

/// `Active` until the token's expiry time, then `Expired`; `Revoked` once it was deleted, rotated
/// or reported leaked (only the inactive lists show those).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Active,
    Expired,
    Revoked,
}

impl Status {
    pub fn at(expired_at: Option<OffsetDateTime>, now: OffsetDateTime) -> Self {
        match expired_at {
            Some(at) if at <= now => Status::Expired,
            _ => Status::Active,
        }
    }
}

impl Status {
    /// The badge's classes on the pages.
    pub fn css_class(self) -> &'static str {
        match self {
            Status::Active => "status active",
            Status::Expired => "status expired",
            Status::Revoked => "status revoked",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Active => "Active",
            Status::Expired => "Expired",
            Status::Revoked => "Revoked",
        })
    }
}

/// Why a token no longer works.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// Its lifetime, or the workspace's maximum, ran out.
    Expired,
    DeletedByOwner,
    DeletedByAdmin,
    /// Replaced by rotation (at once, or when its grace period ended).
    Rotated,
    /// Someone reported its value as leaked (`POST /v4/apiAccessTokens/revoke`).
    ReportedLeaked,
    /// Unused for longer than the workspace allows (`revokeUnusedAfterDays`).
    Inactivity,
    /// Its owner's account is disabled: it works again if they are enabled.
    OwnerDisabled,
}

impl EndReason {
    pub const ALL: [EndReason; 7] = [
        EndReason::Expired,
        EndReason::DeletedByOwner,
        EndReason::DeletedByAdmin,
        EndReason::Rotated,
        EndReason::ReportedLeaked,
        EndReason::Inactivity,
        EndReason::OwnerDisabled,
    ];

    /// As stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Expired => "expired",
            EndReason::DeletedByOwner => "deleted_by_owner",
            EndReason::DeletedByAdmin => "deleted_by_admin",
            EndReason::Rotated => "rotated",
            EndReason::ReportedLeaked => "reported_leaked",
            EndReason::Inactivity => "inactivity",
            EndReason::OwnerDisabled => "owner_disabled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.as_str() == text)
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            EndReason::Expired => "Expired",
            EndReason::DeletedByOwner => "Deleted by its owner",
            EndReason::DeletedByAdmin => "Deleted by an admin",
            EndReason::Rotated => "Rotated",
            EndReason::ReportedLeaked => "Reported leaked",
            EndReason::Inactivity => "Unused for too long",
            EndReason::OwnerDisabled => "Owner's account disabled",
        }
    }
}

/// When a token stopped working, why, and who ended it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ended {
    /// `null` where it is not known (an owner's account disabled).
    #[serde(with = "crate::timestamp::rfc3339_option")]
    pub at: Option<OffsetDateTime>,
    pub reason: EndReason,
    /// Who ended it (their username then); `null` when nobody signed in did: an expiry, a report,
    /// the end of a rotation's grace period.
    pub by: Option<String>,
}

/// A token as its owner sees it (the `tokenInfo` of `API.md`).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// Identifies the token; it is not the token.
    #[cfg_attr(feature = "ssr", schema(value_type = String, format = Uuid))]
    pub token_id: TokenId,
    /// Empty when none was given.
    pub description: String,
    #[serde(with = "crate::timestamp::rfc3339")]
    pub created_at: OffsetDateTime,
    /// `null`: never expires. When the workspace's maximum lifetime is lowered below a token's
    /// age, this is when the maximum ended it (raising the maximum again gives it back).
    #[serde(with = "crate::timestamp::rfc3339_option")]
    pub expired_at: Option<OffsetDateTime>,
    /// `null`: never used.
    #[serde(with = "crate::timestamp::rfc3339_option")]
    pub last_used: Option<OffsetDateTime>,
    /// As of when the server answered; the page recomputes it as time passes.
    pub status: Status,
    /// What the token may do of what its owner may: `read_api` (read-only), `api` (everything
    /// but admin-only endpoints), and `admin` (admin-only endpoints, within the other two).
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<Scope>))]
    pub scopes: Scopes,
    /// The token this one replaced, when it was made by rotating that one; else `null`.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = Uuid))]
    pub replaces: Option<TokenId>,
    /// Set while this token, rotated with a grace period, still works: the token that replaced it.
    /// It stops working at the replacement's first use, or at `graceEndsAt`, whichever is first.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>, format = Uuid))]
    pub replaced_by: Option<TokenId>,
    /// When a token rotated with a grace period stops working at the latest; else `null`.
    #[serde(with = "crate::timestamp::rfc3339_option")]
    pub grace_ends_at: Option<OffsetDateTime>,
    /// Its owner and the webhooks hear of its first use from an address outside its last 5
    /// (`token.used_from_new_ip`). Set when it is generated; a rotation keeps it.
    #[serde(default)]
    pub alert_on_new_ip: bool,
    /// Why it no longer works: set for an expired token, and in the inactive lists
    /// (`status=inactive`) for a revoked one or one whose owner's account is disabled; `null` for a
    /// token that works.
    #[serde(default)]
    pub ended: Option<Ended>,
}

/// A client a token was used from, as its last use from there showed it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecentClient {
    /// The client's IP address (behind a trusted proxy, the one it forwarded).
    pub ip: String,
    /// Its `User-Agent` header, cut at 256 characters; empty when it sent none.
    pub user_agent: String,
    #[serde(with = "crate::timestamp::rfc3339")]
    pub last_seen: OffsetDateTime,
}

/// How many requests a token authenticated on one day (UTC).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DailyUses {
    /// The day, `YYYY-MM-DD` (UTC).
    #[cfg_attr(feature = "ssr", schema(format = Date))]
    pub date: String,
    pub uses: i64,
}

/// A token with where and how much it was used: what `GET /v4/apiAccessTokens/{tokenId}` answers.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenDetails {
    #[serde(flatten)]
    pub info: TokenInfo,
    #[serde(flatten)]
    pub usage: TokenUsage,
}

/// Where and how much a token was used. Exact for the uses this instance served; another instance's
/// show within `tokens::usage::FLUSH_INTERVAL` (10 seconds).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenUsage {
    /// The last 5 distinct client addresses it was used from, most recent first.
    pub recent_clients: Vec<RecentClient>,
    /// Its uses on each of the last 30 days (UTC), oldest first, today last; days without a use
    /// count 0.
    pub daily_uses: Vec<DailyUses>,
}

/// Who holds a token, in the admins' view of the whole workspace.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    #[cfg_attr(feature = "ssr", schema(value_type = i64))]
    pub id: PersonId,
    pub username: String,
    pub name: String,
}

/// A token in the admins' view of the workspace: its info and its owner.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceToken {
    #[serde(flatten)]
    pub info: TokenInfo,
    pub owner: Owner,
}

/// A token just generated: the only time its value exists outside its owner's hands.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewToken {
    /// The token, shown this once: send it as `Authorization: Bearer <tokenValue>`.
    pub token_value: String,
    pub token_info: TokenInfo,
}

impl fmt::Debug for NewToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewToken").field("token_value", &"<redacted>").field("token_info", &self.token_info).finish()
    }
}

/// How long a new token lives: a number of seconds (the page asks for days), or forever.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifetime {
    Never,
    Seconds(i64),
}

impl Lifetime {
    pub const SECONDS_PER_DAY: i64 = 24 * 60 * 60;
    /// A hundred years: longer than any sensible expiry, short enough that no date overflows.
    pub const MAX_DAYS: i64 = 36_500;

    /// From the REST API's `lifetimeSeconds`: `-1`, or 1 second up to [`Self::MAX_DAYS`].
    pub fn from_seconds(seconds: i64) -> Result<Self, String> {
        match seconds {
            -1 => Ok(Lifetime::Never),
            1.. if seconds <= Self::MAX_DAYS * Self::SECONDS_PER_DAY => Ok(Lifetime::Seconds(seconds)),
            1.. => Err(format!(
                "lifetimeSeconds is at most {} ({} days); use -1 for a token that never expires.",
                Self::MAX_DAYS * Self::SECONDS_PER_DAY,
                Self::MAX_DAYS
            )),
            _ => {
                Err("lifetimeSeconds must be a positive number of seconds, or -1 for a token that never expires."
                    .into())
            }
        }
    }

    /// From the page's Lifetime field: a whole number of days, or `-1`.
    pub fn from_days_field(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("Enter the token's lifetime in days.".into());
        }
        let days: i64 =
            text.parse().map_err(|_| format!("The lifetime is a whole number of days (or -1), not {text:?}."))?;
        match days {
            -1 => Ok(Lifetime::Never),
            1..=Self::MAX_DAYS => Ok(Lifetime::Seconds(days * Self::SECONDS_PER_DAY)),
            0 | ..-1 => Err("The lifetime is at least 1 day (or -1 for a token that never expires).".into()),
            _ => Err(format!("The lifetime is at most {} days.", Self::MAX_DAYS)),
        }
    }

    /// When a token created at `created_at` expires.
    pub fn expiry(self, created_at: OffsetDateTime) -> Option<OffsetDateTime> {
        match self {
            Lifetime::Never => None,
            Lifetime::Seconds(seconds) => Some(created_at + time::Duration::seconds(seconds)),
        }
    }
}

/// The longest lifetime of a new token, in days; `-1` on the wire means unlimited, which is also
/// the only setting that allows tokens that never expire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WholeNumber", into = "i64")]
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

    /// When a token created at `created_at` to expire at `expires_at` stops working under this
    /// maximum: a lowered maximum applies to existing tokens when they are used (as GitHub's does).
    pub fn effective_expiry(
        self,
        created_at: OffsetDateTime,
        expires_at: Option<OffsetDateTime>,
    ) -> Option<OffsetDateTime> {
        match self {
            MaxLifetime::Unlimited => expires_at,
            MaxLifetime::Days(days) => {
                let limit = created_at + time::Duration::days(days);
                Some(expires_at.map_or(limit, |at| at.min(limit)))
            }
        }
    }

    /// The longest lifetime this maximum allows, capping `lifetime`.
    pub fn cap(self, lifetime: Lifetime) -> Lifetime {
        match (self, lifetime) {
            (MaxLifetime::Unlimited, lifetime) => lifetime,
            (MaxLifetime::Days(days), Lifetime::Never) => Lifetime::Seconds(days * Lifetime::SECONDS_PER_DAY),
            (MaxLifetime::Days(days), Lifetime::Seconds(seconds)) => {
                Lifetime::Seconds(seconds.min(days * Lifetime::SECONDS_PER_DAY))
            }
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

impl TryFrom<WholeNumber> for MaxLifetime {
    type Error = String;
    fn try_from(days: WholeNumber) -> Result<Self, String> {
        MaxLifetime::parse(days.0)
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

/// How many active tokens one person may hold: no limit (the product's default: its documents say
/// one may hold any number), or 1 to [`TokenCap::MAX`]. `-1` on the wire means no limit.
/// Tokens in a rotation's grace period do not count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WholeNumber", into = "i64")]
pub enum TokenCap {
    Unlimited,
    At(i64),
}

impl TokenCap {
    pub const MAX: i64 = 10_000;

    pub fn parse(count: i64) -> Result<Self, String> {
        match count {
            -1 => Ok(TokenCap::Unlimited),
            1..=Self::MAX => Ok(TokenCap::At(count)),
            _ => Err(format!(
                "The most active tokens per person is a number from 1 to {}, or -1 for no limit.",
                Self::MAX
            )),
        }
    }
}

impl TryFrom<WholeNumber> for TokenCap {
    type Error = String;
    fn try_from(count: WholeNumber) -> Result<Self, String> {
        TokenCap::parse(count.0)
    }
}

impl From<TokenCap> for i64 {
    fn from(cap: TokenCap) -> i64 {
        match cap {
            TokenCap::Unlimited => -1,
            TokenCap::At(count) => count,
        }
    }
}

/// What the owner wrote about a token: trimmed, at most 255 characters, one line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Description(String);

impl Description {
    pub const MAX_CHARS: usize = 255;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let chars = trimmed.chars().count();
        if chars > Self::MAX_CHARS {
            return Err(format!("The description has at most {} characters; this one has {chars}.", Self::MAX_CHARS));
        }
        if trimmed.chars().any(crate::text::is_hidden) {
            return Err(
                "The description is one line of text, without control characters or invisible format characters \
                 (such as U+202E)."
                    .into(),
            );
        }
        Ok(Description(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_cursor_reads_back_only_as_this_server_writes_it() {
        let key = TokenKey {
            created_at_millis: 1_780_000_000_123,
            token_id: TokenId::parse("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9").unwrap(),
        };
        let text = key.to_string();
        assert_eq!(text, "1780000000123.0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9");
        assert_eq!(TokenKey::parse(&text), Some(key));
        let pattern = regex::Regex::new(TokenKey::PATTERN).unwrap();
        assert!(pattern.is_match(&text));
        for bad in [
            "",
            ".",
            "1780000000123",
            "1780000000123.",
            "-1.0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
            "1780000000123.0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9",
            "1780000000123.0f1e2d3c4b5a497886 95a4b3c2d1e0f9",
            " 1780000000123.0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
            "1234567890123456789.0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
        ] {
            assert_eq!(TokenKey::parse(bad), None, "{bad:?}");
            assert!(!pattern.is_match(bad), "{bad:?}");
        }
    }

    #[test]
    fn lifetime_seconds_are_positive_or_minus_one() {
        assert_eq!(Lifetime::from_seconds(1), Ok(Lifetime::Seconds(1)));
        assert_eq!(Lifetime::from_seconds(-1), Ok(Lifetime::Never));
        for bad in [0, -2, i64::MIN, Lifetime::MAX_DAYS * Lifetime::SECONDS_PER_DAY + 1, i64::MAX] {
            assert!(Lifetime::from_seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_page_asks_for_whole_days() {
        assert_eq!(Lifetime::from_days_field(" 30 "), Ok(Lifetime::Seconds(30 * 86_400)));
        assert_eq!(Lifetime::from_days_field("-1"), Ok(Lifetime::Never));
        assert!(Lifetime::from_days_field("0").unwrap_err().contains("at least 1 day"));
        assert!(Lifetime::from_days_field("-5").unwrap_err().contains("at least 1 day"));
        assert!(Lifetime::from_days_field("1.5").unwrap_err().contains("whole number"));
        assert!(Lifetime::from_days_field("ten").unwrap_err().contains("whole number"));
        assert!(Lifetime::from_days_field("").unwrap_err().contains("Enter"));
        assert!(Lifetime::from_days_field("99999999999999999999").is_err());
        assert!(Lifetime::from_days_field("36501").unwrap_err().contains("at most"));
    }

    #[test]
    fn a_token_expires_its_lifetime_after_creation() {
        let created = datetime!(2026-01-16 00:05:01.743 UTC);
        assert_eq!(Lifetime::Seconds(100).expiry(created), Some(datetime!(2026-01-16 00:06:41.743 UTC)));
        assert_eq!(Lifetime::Never.expiry(created), None);
    }

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
    fn a_lowered_maximum_ends_older_tokens_and_a_raised_one_gives_them_back() {
        let created = datetime!(2026-01-01 00:00 UTC);
        let in_a_year = Some(created + time::Duration::days(365));
        assert_eq!(
            MaxLifetime::Days(30).effective_expiry(created, in_a_year),
            Some(created + time::Duration::days(30))
        );
        assert_eq!(MaxLifetime::Days(30).effective_expiry(created, None), Some(created + time::Duration::days(30)));
        assert_eq!(MaxLifetime::Days(400).effective_expiry(created, in_a_year), in_a_year);
        assert_eq!(MaxLifetime::Unlimited.effective_expiry(created, None), None);
    }

    #[test]
    fn status_turns_expired_at_the_expiry_time() {
        let at = datetime!(2026-01-16 00:00 UTC);
        assert_eq!(Status::at(Some(at), at - time::Duration::milliseconds(1)), Status::Active);
        assert_eq!(Status::at(Some(at), at), Status::Expired);
        assert_eq!(Status::at(None, at + time::Duration::days(10_000)), Status::Active);
    }

    #[test]
    fn descriptions_are_trimmed_and_at_most_255_characters() {
        assert_eq!(Description::parse("  CI deploys ").unwrap().as_str(), "CI deploys");
        assert_eq!(Description::parse("").unwrap().as_str(), "");
        assert!(Description::parse(&"é".repeat(255)).is_ok(), "characters, not bytes");
        assert!(Description::parse(&"x".repeat(256)).unwrap_err().contains("at most 255"));
        assert!(Description::parse("two\nlines").is_err());
        assert!(Description::parse("Deploy\u{202E}nimda").unwrap_err().contains("format characters"));
    }
}
