//! Server functions of the Users page: admins list, add and change accounts through the same rules
//! as the REST people API (`people::accounts`).

use leptos::prelude::*;

use crate::{
    paging::{Page, Paging},
    people::{Person, PersonId},
    ui_error::UiError,
};

/// The most accounts the Users page lists.
pub const LIST_LIMIT: i64 = Paging::MAX_LIMIT;

#[server(endpoint = "list_people")]
pub async fn list_people() -> Result<Page<Person>, UiError> {
    use crate::{auth::viewer::require_admin, state::AppState};

    require_admin().await?;
    Ok(crate::people::store::list(&AppState::from_context().store, Paging::first(LIST_LIMIT)).await?)
}

/// `is_admin` is a checkbox: present ("on") when ticked.
#[server(endpoint = "add_person")]
pub async fn add_person(
    username: String,
    name: String,
    password: String,
    is_admin: Option<String>,
) -> Result<Person, UiError> {
    use crate::{
        audit::record::Actor,
        auth::viewer::require_admin,
        people::accounts::{self, NewAccount},
        state::AppState,
    };

    let admin = require_admin().await?;
    let account =
        NewAccount { username: &username, name: Some(&name), password: &password, is_admin: is_admin.is_some() };
    Ok(accounts::add(&AppState::from_context().store, &Actor::session(&admin), account).await?)
}

#[server(endpoint = "set_role")]
pub async fn set_role(id: PersonId, is_admin: bool) -> Result<Person, UiError> {
    use crate::{
        audit::record::Actor,
        auth::{session::SessionKey, viewer::require_admin},
        people::accounts::{self, Changes},
        state::AppState,
    };

    let admin = require_admin().await?;
    let changes = Changes { is_admin: Some(is_admin), ..Changes::default() };
    let state = AppState::from_context();
    let own = SessionKey::from_headers(&crate::auth::viewer::request_headers().await?, state.cookies);
    Ok(accounts::change(&state.store, &Actor::session(&admin), id, changes, own.as_ref()).await?)
}

#[server(endpoint = "reset_password")]
pub async fn reset_password(id: PersonId, password: String) -> Result<Person, UiError> {
    use crate::{
        audit::record::Actor,
        auth::{session::SessionKey, viewer::require_admin},
        people::accounts::{self, Changes},
        state::AppState,
    };

    let admin = require_admin().await?;
    let changes = Changes { password: Some(&password), ..Changes::default() };
    let state = AppState::from_context();
    let own = SessionKey::from_headers(&crate::auth::viewer::request_headers().await?, state.cookies);
    Ok(accounts::change(&state.store, &Actor::session(&admin), id, changes, own.as_ref()).await?)
}

/// Disables (or enables again) an account: a disabled person's sessions end at once, and their
/// tokens are refused.
#[server(endpoint = "set_disabled")]
pub async fn set_disabled(id: PersonId, disabled: bool) -> Result<Person, UiError> {
    use crate::{
        audit::record::Actor,
        auth::{session::SessionKey, viewer::require_admin},
        people::accounts::{self, Changes},
        state::AppState,
    };

    let admin = require_admin().await?;
    let changes = Changes { disabled: Some(disabled), ..Changes::default() };
    let state = AppState::from_context();
    let own = SessionKey::from_headers(&crate::auth::viewer::request_headers().await?, state.cookies);
    Ok(accounts::change(&state.store, &Actor::session(&admin), id, changes, own.as_ref()).await?)
}

/// Removes an account with its sessions and tokens.
#[server(endpoint = "delete_person")]
pub async fn delete_person(id: PersonId) -> Result<(), UiError> {
    use crate::{audit::record::Actor, auth::viewer::require_admin, people::accounts, state::AppState};

    let admin = require_admin().await?;
    Ok(accounts::delete(&AppState::from_context().store, &Actor::session(&admin), id).await?)
}

#[cfg(feature = "ssr")]
impl From<crate::people::accounts::AccountError> for UiError {
    fn from(error: crate::people::accounts::AccountError) -> Self {
        use crate::people::accounts::AccountError;
        match error {
            AccountError::Store(error) => error.into(),
            AccountError::Throttled(seconds) => UiError::Throttled { seconds },
            AccountError::Busy => UiError::Unavailable,
            other => UiError::Refused(other.to_string()),
        }
    }
}
