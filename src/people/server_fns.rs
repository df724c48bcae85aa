//! Server functions of the Users page: admins list, add and change accounts through the same rules
//! as the REST people API (`people::accounts`).

use leptos::prelude::*;

use crate::{people::Person, ui_error::UiError};

/// The most accounts the Users page lists.
pub const LIST_LIMIT: i64 = 1000;

#[server(endpoint = "list_people")]
pub async fn list_people() -> Result<(Vec<Person>, i64), UiError> {
    crate::auth::require_admin().await?;
    Ok(crate::people::store::list(&crate::auth::app_state().store, LIST_LIMIT, 0).await?)
}

/// `is_admin` is a checkbox: present ("on") when ticked.
#[server(endpoint = "add_person")]
pub async fn add_person(
    username: String,
    name: String,
    password: String,
    is_admin: Option<String>,
) -> Result<Person, UiError> {
    use crate::people::accounts::{self, NewAccount};

    crate::auth::require_admin().await?;
    let account =
        NewAccount { username: &username, name: Some(&name), password: &password, is_admin: is_admin.is_some() };
    accounts::add(&crate::auth::app_state().store, account).await.map_err(UiError::from)
}

#[server(endpoint = "set_role")]
pub async fn set_role(id: i64, is_admin: bool) -> Result<Person, UiError> {
    use crate::people::accounts::{self, Changes};

    crate::auth::require_admin().await?;
    let changes = Changes { is_admin: Some(is_admin), ..Changes::default() };
    accounts::change(&crate::auth::app_state().store, id, changes).await.map_err(UiError::from)
}

#[server(endpoint = "reset_password")]
pub async fn reset_password(id: i64, password: String) -> Result<Person, UiError> {
    use crate::people::accounts::{self, Changes};

    crate::auth::require_admin().await?;
    let changes = Changes { password: Some(&password), ..Changes::default() };
    accounts::change(&crate::auth::app_state().store, id, changes).await.map_err(UiError::from)
}

#[cfg(feature = "ssr")]
impl From<crate::people::accounts::AccountError> for UiError {
    fn from(error: crate::people::accounts::AccountError) -> Self {
        use crate::people::accounts::AccountError;
        match error {
            AccountError::Store(error) => error.into(),
            other => UiError::Refused(other.to_string()),
        }
    }
}
