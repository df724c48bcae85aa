//! The error that server functions return to the page: a message for people, or the server-function
//! machinery's own failure (network, decoding).

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum UiError {
    /// A rule said no; the message is written for the person at the page.
    #[error("{0}")]
    Refused(String),
    /// One field of a form is wrong; the page shows the message next to it.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// A sign-in was refused; which of the username and password was wrong is not said.
    #[error("The username or password is incorrect.")]
    WrongCredentials,
    /// Too many failed sign-ins for one username; the next attempt is accepted after this wait.
    #[error("Too many failed attempts. Try again in {seconds} seconds.")]
    Throttled { seconds: u64 },
    /// The person is not signed in (any more).
    #[error("Please sign in again.")]
    SignedOut,
    #[error("Only workspace admins can do that.")]
    Forbidden,
    #[error("The service is unavailable right now. Nothing was changed; please try again.")]
    Unavailable,
    #[error("Something went wrong on the server.")]
    Internal,
    #[error("The request failed: {0}")]
    Transport(ServerFnErrorErr),
}

impl UiError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        UiError::Invalid { field: field.to_owned(), message: message.into() }
    }

    /// The message for `field`, if this error is about it.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            UiError::Invalid { field, message } if field == name => Some(message.clone()),
            _ => None,
        }
    }
}

#[cfg(feature = "ssr")]
impl UiError {
    /// The HTTP status of a server function's answer with this error.
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            UiError::Refused(_) | UiError::Invalid { .. } | UiError::WrongCredentials => StatusCode::BAD_REQUEST,
            UiError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            UiError::SignedOut => StatusCode::UNAUTHORIZED,
            UiError::Forbidden => StatusCode::FORBIDDEN,
            UiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            // Arguments the server could not read (a form with fields missing or of the wrong
            // kind) are the client's mistake, not the server's.
            UiError::Transport(
                ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) | ServerFnErrorErr::Deserialization(_),
            ) => StatusCode::BAD_REQUEST,
            UiError::Internal | UiError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl FromServerFnError for UiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        UiError::Transport(value)
    }
}

#[cfg(feature = "ssr")]
impl From<crate::store::StoreError> for UiError {
    fn from(error: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
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
