//! The rules of the token feature, in one place for the REST API and the page's server functions:
//! who may generate, list, read and delete which token, and what a new token may look like.
//!
//! Each rule takes only what it needs (the store, and the log of uses not yet written for what
//! shows Last Used), so it can be tried without a whole app.

use time::OffsetDateTime;

use super::{
    Description, EndReason, Lifetime, NewToken, Scope, Scopes, TokenDetails, TokenId, TokenInfo, TokenKey,
    WorkspaceToken,
    store::{self, NewRow},
    usage::UsageLog,
    value::TokenValue,
};
use crate::{
    audit::{
        EventKind,
        record::{Actor, Event, record},
    },
    auth::layer::{AdminRights, Caller, Credential},
    paging::{Seek, Slice},
    people::PersonId,
    store::{Store, StoreError},
    timestamp,
    workspace::{WorkspaceSettings, store as settings_store},
};

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The workspace has access tokens turned off; the REST routes answer as if they did not exist.
    #[error("Access tokens are disabled in this workspace.")]
    Disabled,
    #[error("Only workspace admins can generate access tokens in this workspace; an admin can allow members to.")]
    NotAllowed,
    /// A lifetime, description, scope or token that breaks a rule; `field` names it for the page.
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    /// The calling token lacks a scope this needs (never a password or a session: they are not
    /// scoped).
    #[error("{message}")]
    MissingScope { scope: Scope, message: String },
    /// The calling token was rotated: in its grace period it still authenticates, but it creates
    /// and rotates no token (its holder could otherwise outlast the rotation, or undo it).
    #[error(
        "This token was rotated and works only until its grace period ends: it cannot create or rotate tokens. Use the token that replaced it."
    )]
    RotatedCaller,
    /// The token's state does not allow it: it expired, or was rotated already.
    #[error("{0}")]
    Conflict(String),
    /// The owner already holds as many active tokens as the workspace allows.
    #[error(
        "This workspace allows one person at most {0} active tokens, and you already hold that many. Delete one (or let one expire) first."
    )]
    CapReached(i64),
    /// No such token, or one the caller may not see: the same answer, so ids cannot be probed.
    #[error("No such access token.")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The most a rotation may leave a replaced token working: a day.
pub const MAX_GRACE_SECONDS: i64 = 24 * 60 * 60;

async fn enabled_settings(store: &Store) -> Result<WorkspaceSettings, TokenError> {
    let settings = settings_store::get(store).await?;
    if settings.access_tokens_enabled { Ok(settings) } else { Err(TokenError::Disabled) }
}

/// Generates a token for the caller (nobody generates a token for someone else). `scopes`: what
/// the creator asked for; `None` gives the rights every token had before scopes existed.
///
/// A token that creates a token hands on no more than it has: no scope it lacks, no later expiry.
/// `alert_new_ip`: its owner hears of its first use from a new address.
pub async fn generate(
    store: &Store,
    caller: &Caller,
    lifetime: Lifetime,
    description: Description,
    scopes: Option<Scopes>,
    alert_new_ip: bool,
) -> Result<NewToken, TokenError> {
    let owner = &caller.person;
    let settings = enabled_settings(store).await?;
    if !settings.tokens_allowed_for(owner.is_admin) {
        return Err(TokenError::NotAllowed);
    }
    refuse_rotated_caller(caller)?;
    let scopes = match scopes {
        Some(scopes) if scopes.admin() && !owner.is_admin => {
            return Err(invalid("scopes", "Only workspace admins can give a token the admin scope."));
        }
        Some(scopes) => {
            if let Some(missing) = caller.scopes().and_then(|parent| parent.missing_from(scopes)) {
                return Err(TokenError::MissingScope {
                    scope: missing,
                    message: format!("This token lacks the {missing} scope, so a token it creates cannot have it."),
                });
            }
            scopes
        }
        None => {
            let default = Scopes::default_for(owner.is_admin);
            match caller.scopes() {
                // Every token that may create one (it writes) has `api`, so this intersection
                // exists; were it empty, the answer is no rather than some other set.
                Some(parent) => default.intersect(parent).ok_or_else(|| TokenError::MissingScope {
                    scope: Scope::Api,
                    message: "This token lacks the api scope, so it cannot create tokens.".into(),
                })?,
                None => default,
            }
        }
    };
    settings.max_token_lifetime_days.allows(lifetime).map_err(|message| invalid("lifetime", message))?;
    // To the millisecond, as the store keeps it: the answer shows what a later read shows.
    let created_at = crate::clock::now();
    let expires_at = lifetime.expiry(created_at);
    if let Credential::Token { expires_at: Some(parent_expiry), .. } = caller.via {
        match expires_at {
            None => {
                return Err(invalid(
                    "lifetime",
                    format!(
                        "A token that expires cannot create one that never expires: this one expires at {}.",
                        timestamp::format(parent_expiry)
                    ),
                ));
            }
            Some(at) if at > parent_expiry => {
                return Err(invalid(
                    "lifetime",
                    format!(
                        "A token cannot create one that outlives it: this one expires at {}, so the lifetime \
                         can be at most {} seconds.",
                        timestamp::format(parent_expiry),
                        (parent_expiry - created_at).whole_seconds().max(1)
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    let value = TokenValue::generate();
    let cap = settings.max_active_tokens_per_person;
    let info = store::insert(
        store,
        NewRow {
            token_id: TokenId(uuid::Uuid::new_v4()),
            owner_id: owner.id,
            digest: &value.digest(),
            description: description.as_str(),
            created_at,
            expires_at,
            scopes,
            replaces: None,
            owner_username: &owner.username,
            alert_new_ip,
        },
        cap,
        settings.max_token_lifetime_days,
    )
    .await?
    .ok_or_else(|| TokenError::CapReached(i64::from(cap)))?;
    tracing::info!(token_id = %info.token_id, owner = %owner.username, ?scopes, "generated an access token");
    let event = Event::new(EventKind::TokenGenerated, &Actor::of(caller))
        .on(owner)
        .token(info.token_id)
        .detail("description", &info.description)
        .detail("scopes", info.scopes)
        .detail("expiresAt", info.expired_at.map(timestamp::format));
    record(store, event).await;
    Ok(NewToken { token_value: value.expose().to_owned(), token_info: info })
}

/// Replaces a token with a new one: a new value and id, the same description and scopes, and the
/// same lifetime counted from now (within the workspace's maximum, and, when a token asks, not
/// past that token's own expiry). The old token stops working at once, or with `grace_seconds`
/// (at most [`MAX_GRACE_SECONDS`]) when the new one is first used or the grace ends, whichever
/// comes first.
pub async fn rotate(
    store: &Store,
    caller: &Caller,
    token_id: TokenId,
    grace_seconds: i64,
) -> Result<NewToken, TokenError> {
    debug_assert!((0..=MAX_GRACE_SECONDS).contains(&grace_seconds));
    let settings = enabled_settings(store).await?;
    refuse_rotated_caller(caller)?;
    let old = store::for_rotation(store, token_id).await?.ok_or(TokenError::NotFound)?;
    may_act_on(caller, old.owner_id, "rotating")?;
    if old.owner_id == caller.person.id && !settings.tokens_allowed_for(caller.person.is_admin) {
        return Err(TokenError::NotAllowed);
    }
    if old.replaced {
        return Err(TokenError::Conflict("This token was already rotated: rotate the token that replaced it.".into()));
    }
    let now = crate::clock::now();
    let max = settings.max_token_lifetime_days;
    if let Some(expired_at) = max.effective_expiry(old.created_at, old.expires_at).filter(|at| *at <= now) {
        return Err(TokenError::Conflict(format!(
            "This token expired at {}; an expired token cannot be rotated. Generate a new one.",
            timestamp::format(expired_at)
        )));
    }
    let length = match old.expires_at {
        None => Lifetime::Never,
        Some(at) => Lifetime::Seconds((at - old.created_at).whole_seconds().max(1)),
    };
    let mut expires_at = max.cap(length).expiry(now);
    if let Credential::Token { scopes: parent, expires_at: parent_expiry, .. } = caller.via {
        if let Some(missing) = parent.missing_from(old.scopes) {
            return Err(TokenError::MissingScope {
                scope: missing,
                message: format!("This token lacks the {missing} scope, so it cannot rotate a token that has it."),
            });
        }
        expires_at = earliest(expires_at, parent_expiry);
    }
    let grace_ends_at = (grace_seconds > 0).then(|| now + time::Duration::seconds(grace_seconds));
    let value = TokenValue::generate();
    let owner_username = owner_name(store, caller, old.owner_id).await;
    let row = NewRow {
        alert_new_ip: old.alert_new_ip,
        token_id: TokenId(uuid::Uuid::new_v4()),
        owner_id: old.owner_id,
        owner_username: &owner_username,
        digest: &value.digest(),
        description: &old.description,
        created_at: now,
        expires_at,
        scopes: old.scopes,
        replaces: Some(token_id),
    };
    let info = store::rotate(store, row, grace_ends_at, (caller.person.id, &caller.person.username))
        .await?
        .ok_or_else(|| TokenError::Conflict("This token was rotated or deleted meanwhile.".into()))?;
    tracing::info!(%token_id, new_token_id = %info.token_id, by = %caller.person.username, grace_seconds, "rotated an access token");
    let event = Event::new(EventKind::TokenRotated, &Actor::of(caller))
        .on_id(old.owner_id, owner_username.clone())
        .token(token_id)
        .detail("newTokenId", info.token_id)
        .detail("graceSeconds", grace_seconds)
        .detail("expiresAt", info.expired_at.map(timestamp::format));
    record(store, event).await;
    Ok(NewToken { token_value: value.expose().to_owned(), token_info: info })
}

fn refuse_rotated_caller(caller: &Caller) -> Result<(), TokenError> {
    match caller.via {
        Credential::Token { rotated: true, .. } => Err(TokenError::RotatedCaller),
        _ => Ok(()),
    }
}

fn earliest(a: Option<OffsetDateTime>, b: Option<OffsetDateTime>) -> Option<OffsetDateTime> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn invalid(field: &'static str, message: impl Into<String>) -> TokenError {
    TokenError::Invalid { field, message: message.into() }
}

/// Whether the caller may act on a token of `owner_id`'s: their own, or anyone's with admin
/// rights. Others' tokens do not exist for a member.
fn may_act_on(caller: &Caller, owner_id: PersonId, acting: &str) -> Result<(), TokenError> {
    if owner_id == caller.person.id {
        return Ok(());
    }
    match caller.admin_rights() {
        AdminRights::Granted => Ok(()),
        AdminRights::NotInScope => Err(TokenError::MissingScope {
            scope: Scope::Admin,
            message: format!("This token lacks the admin scope, which {acting} another member's token needs."),
        }),
        AdminRights::NotAdmin => Err(TokenError::NotFound),
    }
}

/// The caller's own tokens, newest first. Members may list (and delete) theirs even while they may
/// not generate new ones.
pub async fn list_own(
    store: &Store,
    usage: &UsageLog,
    owner: PersonId,
    seek: &Seek<TokenKey>,
) -> Result<Slice<TokenInfo, TokenKey>, TokenError> {
    let settings = enabled_settings(store).await?;
    let mut page = store::list_by_owner(store, owner, seek, settings.max_token_lifetime_days).await?;
    page.data.iter_mut().for_each(|token| usage.overlay(token));
    Ok(page)
}

/// Every token in the workspace, with its owner. The caller must be an admin (checked by the caller
/// of this function, which knows how to say no in its own terms).
pub async fn list_workspace(
    store: &Store,
    usage: &UsageLog,
    seek: &Seek<TokenKey>,
) -> Result<Slice<WorkspaceToken, TokenKey>, TokenError> {
    let settings = enabled_settings(store).await?;
    let mut page = store::list_all(store, seek, settings.max_token_lifetime_days).await?;
    page.data.iter_mut().for_each(|token| usage.overlay(&mut token.info));
    Ok(page)
}

/// The tokens that no longer work (revoked, expired, or their owner's account disabled), newest
/// first: one person's, or everyone's (an admin's view, which the caller checks).
pub async fn list_inactive(
    store: &Store,
    owner: Option<PersonId>,
    seek: &Seek<TokenKey>,
) -> Result<Slice<WorkspaceToken, TokenKey>, TokenError> {
    let settings = enabled_settings(store).await?;
    Ok(store::list_inactive(store, owner, seek, settings.max_token_lifetime_days).await?)
}

/// One token with where and how much it was used, for its owner or an admin (with a token, its
/// `admin` scope): to anyone else it does not exist.
pub async fn details(
    store: &Store,
    usage: &UsageLog,
    caller: &Caller,
    token_id: TokenId,
) -> Result<(TokenDetails, PersonId), TokenError> {
    let settings = enabled_settings(store).await?;
    let (mut info, owner_id) =
        store::get(store, token_id, settings.max_token_lifetime_days).await?.ok_or(TokenError::NotFound)?;
    may_act_on(caller, owner_id, "reading")?;
    usage.overlay(&mut info);
    let usage = usage.usage(store, token_id, crate::clock::now()).await?;
    Ok((TokenDetails { info, usage }, owner_id))
}

/// Turns the alert of new addresses on or off for a token of the caller's, or anyone's for an admin.
pub async fn set_alert_new_ip(store: &Store, caller: &Caller, token_id: TokenId, on: bool) -> Result<(), TokenError> {
    let settings = enabled_settings(store).await?;
    let (_, owner_id) =
        store::get(store, token_id, settings.max_token_lifetime_days).await?.ok_or(TokenError::NotFound)?;
    may_act_on(caller, owner_id, "changing")?;
    if !store::set_alert_new_ip(store, token_id, on).await? {
        return Err(TokenError::NotFound);
    }
    Ok(())
}

/// Deletes a token of the caller's, or anyone's for an admin. It stops working at once.
pub async fn delete(store: &Store, caller: &Caller, token_id: TokenId) -> Result<(), TokenError> {
    let settings = enabled_settings(store).await?;
    let (_, owner_id) =
        store::get(store, token_id, settings.max_token_lifetime_days).await?.ok_or(TokenError::NotFound)?;
    may_act_on(caller, owner_id, "deleting")?;
    let reason = if owner_id == caller.person.id { EndReason::DeletedByOwner } else { EndReason::DeletedByAdmin };
    let revocation = store::Revocation {
        at: OffsetDateTime::now_utc(),
        by: Some((caller.person.id, &caller.person.username)),
        reason,
    };
    if store::revoke(store, token_id, revocation).await? {
        tracing::info!(%token_id, by = %caller.person.username, "deleted an access token");
        let event = Event::new(EventKind::TokenDeleted, &Actor::of(caller))
            .on_id(owner_id, owner_name(store, caller, owner_id).await)
            .token(token_id);
        record(store, event).await;
    }
    Ok(())
}

/// Revokes the token whose value someone reported as leaked, if it is one: it stops working at
/// once, and the audit trail says why. Anything else (a malformed value, an unknown or deleted
/// token) changes nothing; the caller answers the same either way, so a report reveals nothing.
pub async fn revoke_reported(store: &Store, value: &str) -> Result<(), StoreError> {
    let Ok(value) = TokenValue::parse(value.trim()) else { return Ok(()) };
    let Some(found) = store::find_by_digest(store, &value.digest()).await? else { return Ok(()) };
    let revocation = store::Revocation { at: OffsetDateTime::now_utc(), by: None, reason: EndReason::ReportedLeaked };
    if store::revoke(store, found.token_id, revocation).await? {
        tracing::warn!(token_id = %found.token_id, owner = %found.owner.username, "revoked an access token reported as leaked");
        let event = Event::new(EventKind::TokenReportedLeaked, &Actor::nobody())
            .on_id(found.owner.id, found.owner.username.clone())
            .token(found.token_id);
        record(store, event).await;
    }
    Ok(())
}

/// The username of a token's owner, for an event: the caller's own, or looked up (an admin acting
/// on someone's token); empty if the owner is gone.
async fn owner_name(store: &Store, caller: &Caller, owner_id: PersonId) -> String {
    if owner_id == caller.person.id {
        return caller.person.username.clone();
    }
    crate::people::store::find(store, owner_id).await.ok().flatten().map(|person| person.username).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        people::{DisplayName, Person, Username, store as people_store},
        tokens::MaxLifetime,
        workspace::SettingsChanges,
    };

    /// A fresh SQLite store in a temporary directory (kept alive with it) and one person in it.
    async fn store_with(username: &str, is_admin: bool) -> (Store, Person, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite:{}", dir.path().join("rules.db").display())).await.unwrap();
        store.migrate().await.unwrap();
        let username = Username::parse(username).unwrap();
        let name = DisplayName::parse_or(None, &username).unwrap();
        let person = people_store::create(&store, &username, &name, "not a real hash", is_admin).await.unwrap();
        (store, person, dir)
    }

    fn month() -> Lifetime {
        Lifetime::Seconds(30 * Lifetime::SECONDS_PER_DAY)
    }

    #[tokio::test]
    async fn members_generate_tokens_only_where_the_workspace_allows_it() {
        let (store, member, _dir) = store_with("member", false).await;
        let member = Caller::session(member);
        let refused = generate(&store, &member, month(), Description::default(), None, false).await;
        assert!(matches!(refused, Err(TokenError::NotAllowed)), "{refused:?}");
        settings_store::update(
            &store,
            &SettingsChanges { allow_members_to_generate_tokens: Some(true), ..Default::default() },
        )
        .await
        .unwrap();
        let token = generate(&store, &member, month(), Description::default(), None, false).await.unwrap();
        assert_eq!(token.token_info.scopes, Scopes::API);
        let listed = list_own(&store, &UsageLog::default(), member.person.id, &Seek::first(10)).await.unwrap();
        assert_eq!(listed.data, vec![token.token_info]);
    }

    #[tokio::test]
    async fn a_lifetime_over_the_workspace_maximum_is_refused_by_field() {
        let (store, admin, _dir) = store_with("admin", true).await;
        let week = SettingsChanges { max_token_lifetime_days: Some(MaxLifetime::Days(7)), ..Default::default() };
        settings_store::update(&store, &week).await.unwrap();
        let admin = Caller::session(admin);
        let refused = generate(&store, &admin, month(), Description::default(), None, false).await;
        assert!(matches!(refused, Err(TokenError::Invalid { field: "lifetime", .. })), "{refused:?}");
        assert_eq!(list_own(&store, &UsageLog::default(), admin.person.id, &Seek::first(10)).await.unwrap().count, 0);
    }
}
