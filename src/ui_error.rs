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

impl FromServerFnError for UiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        UiError::Transport(value)
    }
}
