//! Who is asking: password sign-in, browser sessions, and the one authentication layer of the REST
//! API (HTTP Basic now; bearer access tokens extend it).

pub mod page;
pub mod server_fns;

#[cfg(feature = "ssr")]
pub mod csrf;
#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod layer;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod throttle;

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::{
        error::ApiError,
        people::{Person, store as people_store},
        startup::AppState,
        store::StoreError,
        ui_error::UiError,
    };

    use super::password;

    /// Why a username and password were not accepted.
    #[derive(Debug)]
    pub enum PasswordCheckError {
        /// Wrong username or password; which of the two is not said.
        Rejected,
        /// Too many failures for this username; retry after this many seconds.
        Throttled(u64),
        Store(StoreError),
    }

    /// Checks a username and password: the one path that both the sign-in page and HTTP Basic
    /// credentials take, with the same throttling and the same timing whether or not the user exists.
    pub async fn check_password(
        state: &AppState,
        username: &str,
        password: &str,
    ) -> Result<Person, PasswordCheckError> {
        state.login_throttle.check(username).map_err(PasswordCheckError::Throttled)?;
        let found = people_store::find_credentials(&state.store, username).await.map_err(PasswordCheckError::Store)?;
        let (person, hash) = match found {
            Some((person, hash)) => (Some(person), Some(hash)),
            None => (None, None),
        };
        if password::verify(password, hash).await {
            state.login_throttle.succeeded(username);
            Ok(person.expect("a verified password belongs to a person"))
        } else {
            state.login_throttle.failed(username);
            Err(PasswordCheckError::Rejected)
        }
    }

    impl From<PasswordCheckError> for ApiError {
        fn from(error: PasswordCheckError) -> Self {
            match error {
                PasswordCheckError::Rejected => ApiError::BadCredentials,
                PasswordCheckError::Throttled(seconds) => ApiError::Throttled(seconds),
                PasswordCheckError::Store(error) => error.into(),
            }
        }
    }

    impl From<PasswordCheckError> for UiError {
        fn from(error: PasswordCheckError) -> Self {
            match error {
                PasswordCheckError::Rejected => UiError::WrongCredentials,
                PasswordCheckError::Throttled(seconds) => UiError::Throttled { seconds },
                PasswordCheckError::Store(error) => error.into(),
            }
        }
    }

    impl From<StoreError> for UiError {
        fn from(error: StoreError) -> Self {
            match error {
                StoreError::Unavailable(cause) => {
                    tracing::warn!(error = %cause, "database unavailable");
                    UiError::Unavailable
                }
                StoreError::Conflict => UiError::Refused("That already exists.".into()),
                StoreError::Other(cause) => {
                    tracing::error!(error = %cause, "database error");
                    UiError::Internal
                }
            }
        }
    }

    /// Server functions: the application state the router provided as context.
    pub fn app_state() -> AppState {
        leptos::prelude::expect_context::<AppState>()
    }

    /// Server functions: the headers of the request being served.
    pub async fn request_headers() -> Result<axum::http::HeaderMap, UiError> {
        leptos_axum::extract::<axum::http::HeaderMap>().await.map_err(|_| UiError::Internal)
    }

    /// Server functions: the signed-in person, if any. While a page renders, the guard has already
    /// found them (one session lookup per page, not one per server function).
    pub async fn viewer() -> Result<Option<Person>, UiError> {
        let found = leptos::prelude::use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<super::guard::SignedIn>().map(|signed_in| signed_in.0.clone()));
        if let Some(person) = found {
            return Ok(Some(person));
        }
        let headers = request_headers().await?;
        Ok(super::session::person(&app_state().store, &headers).await?)
    }

    /// Server functions: the signed-in person, or [`UiError::SignedOut`].
    pub async fn require_viewer() -> Result<Person, UiError> {
        viewer().await?.ok_or(UiError::SignedOut)
    }

    /// Server functions: the signed-in admin, or an error saying why not.
    pub async fn require_admin() -> Result<Person, UiError> {
        let person = require_viewer().await?;
        if person.is_admin { Ok(person) } else { Err(UiError::Forbidden) }
    }
}
