//! Server functions for signing in and out and for one's own password. They work as plain form
//! posts too, so signing in needs no JavaScript.

use leptos::prelude::*;

use crate::{people::Person, ui_error::UiError};

/// The signed-in person, or `None`.
#[server(endpoint = "current_person")]
pub async fn current_person() -> Result<Option<Person>, UiError> {
    crate::auth::viewer::viewer().await
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(username: String, password: String) -> Result<(), UiError> {
    use crate::{
        audit::{
            EventKind,
            record::{Actor, Event, record},
        },
        auth::{password, session, viewer::request_headers},
        state::AppState,
    };

    let state = AppState::from_context();
    let client = crate::client_ip::ClientIp::in_extensions(
        &leptos_axum::extract::<axum::http::request::Parts>().await.map_err(|_| UiError::Internal)?.extensions,
    );
    let checked = password::check(&state.store, &state.login_throttle, username.trim(), &password, client).await;
    let person = match checked {
        Ok(person) => person,
        Err(refusal) => {
            password::record_refusal(
                &state.store,
                &state.login_throttle,
                username.trim(),
                &refusal,
                password::Purpose::SignIn,
            )
            .await;
            return Err(refusal.into());
        }
    };
    let cookies = session::start(&state.store, person.id, &request_headers().await?, state.cookies).await?;
    let response = expect_context::<leptos_axum::ResponseOptions>();
    for cookie in cookies {
        response.append_header(axum::http::header::SET_COOKIE, cookie);
    }
    let event = Event::new(EventKind::SignInSucceeded, &Actor::password(&person)).on(&person);
    record(&state.store, event).await;
    leptos_axum::redirect("/");
    Ok(())
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), UiError> {
    use crate::{
        audit::{
            EventKind,
            record::{Actor, Event, record},
        },
        auth::{
            session,
            viewer::{request_headers, viewer},
        },
        state::AppState,
    };

    let state = AppState::from_context();
    let signed_in = viewer().await?;
    let cookies = session::end(&state.store, &request_headers().await?).await?;
    if let Some(person) = signed_in {
        record(&state.store, Event::new(EventKind::SignOut, &Actor::session(&person)).on(&person)).await;
    }
    let response = expect_context::<leptos_axum::ResponseOptions>();
    for cookie in cookies {
        response.append_header(axum::http::header::SET_COOKIE, cookie);
    }
    leptos_axum::redirect("/signin");
    Ok(())
}

/// "Sign out everywhere": ends the signed-in person's other browser sessions (this one stays).
#[server(endpoint = "sign_out_elsewhere")]
pub async fn sign_out_elsewhere() -> Result<(), UiError> {
    use crate::{
        audit::{
            EventKind,
            record::{Actor, Event, record},
        },
        auth::{
            session,
            viewer::{request_headers, require_viewer},
        },
        state::AppState,
    };

    let person = require_viewer().await?;
    let store = &AppState::from_context().store;
    let own = session::SessionKey::from_headers(&request_headers().await?, AppState::from_context().cookies);
    session::end_others(store, person.id, own.as_ref()).await?;
    record(store, Event::new(EventKind::SignOutElsewhere, &Actor::session(&person)).on(&person)).await;
    Ok(())
}

/// Changes the signed-in person's password. Their other browser sessions end; their access tokens
/// keep working (changing a password does not affect tokens).
#[server(endpoint = "change_password")]
pub async fn change_password(current: String, new: String, confirm: String) -> Result<(), UiError> {
    use crate::{
        auth::{
            session,
            viewer::{request_headers, require_viewer},
        },
        people::accounts,
        state::AppState,
    };

    let person = require_viewer().await?;
    if new != confirm {
        return Err(UiError::Refused("The new passwords do not match.".into()));
    }
    let state = AppState::from_context();
    let client = crate::client_ip::ClientIp::in_extensions(
        &leptos_axum::extract::<axum::http::request::Parts>().await.map_err(|_| UiError::Internal)?.extensions,
    );
    accounts::change_own_password(&state.store, &state.login_throttle, &person, &current, &new, client).await?;
    let own = session::SessionKey::from_headers(&request_headers().await?, state.cookies);
    session::end_others(&state.store, person.id, own.as_ref()).await?;
    Ok(())
}

#[cfg(feature = "ssr")]
impl From<super::password::PasswordCheckError> for UiError {
    fn from(error: super::password::PasswordCheckError) -> Self {
        use super::password::PasswordCheckError;
        match error {
            PasswordCheckError::Rejected { .. } => UiError::WrongCredentials,
            PasswordCheckError::Throttled(seconds) => UiError::Throttled { seconds },
            PasswordCheckError::Busy => UiError::Unavailable,
            PasswordCheckError::Disabled(_) => {
                UiError::Refused("This account is disabled; a workspace admin can enable it again.".into())
            }
            PasswordCheckError::Store(error) => error.into(),
        }
    }
}
