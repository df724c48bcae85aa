//! Server functions for signing in and out and for one's own password. They work as plain form
//! posts too, so signing in needs no JavaScript.

use leptos::prelude::*;

use crate::{people::Person, ui_error::UiError};

/// The signed-in person, or `None`.
#[server(endpoint = "current_person")]
pub async fn current_person() -> Result<Option<Person>, UiError> {
    crate::auth::viewer().await
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(username: String, password: String) -> Result<(), UiError> {
    use crate::auth::{app_state, check_password, request_headers, session};

    let state = app_state();
    let person = check_password(&state, username.trim(), &password).await?;
    let cookie = session::start(&state.store, person.id, &request_headers().await?).await?;
    expect_context::<leptos_axum::ResponseOptions>().insert_header(axum::http::header::SET_COOKIE, cookie);
    leptos_axum::redirect("/");
    Ok(())
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), UiError> {
    use crate::auth::{app_state, request_headers, session};

    let cookie = session::end(&app_state().store, &request_headers().await?).await?;
    expect_context::<leptos_axum::ResponseOptions>().insert_header(axum::http::header::SET_COOKIE, cookie);
    leptos_axum::redirect("/signin");
    Ok(())
}

/// Changes the signed-in person's password. Their other browser sessions end; their access tokens
/// keep working (changing a password does not affect tokens).
#[server(endpoint = "change_password")]
pub async fn change_password(current: String, new: String, confirm: String) -> Result<(), UiError> {
    use crate::{
        auth::{app_state, request_headers, require_viewer, session},
        people::accounts,
    };

    let person = require_viewer().await?;
    if new != confirm {
        return Err(UiError::Refused("The new passwords do not match.".into()));
    }
    let state = app_state();
    accounts::change_own_password(&state.store, person.id, &current, &new).await.map_err(UiError::from)?;
    session::end_others(&state.store, person.id, &request_headers().await?).await?;
    Ok(())
}
