//! Forms post to their page's own URL, and the answer is that page, rendered with the outcome.
//!
//! The pages are server HTML (only a small behaviour island runs in the browser, see
//! [`crate::enhance`]), so a form's outcome ("Saved.", a refusal next to its field, the new row)
//! has to be rendered by the server. One request does it, with or without JavaScript: the browser
//! posts the form natively, or the island's navigator posts it with `fetch` and swaps in the page
//! it gets back. Each form names what it does with a hidden `intent` field; the page's table of
//! intents ([`Intents`]) says which server function runs it, with the rules the server function
//! has when called on its own. The page then reads the outcome with [`posted`].
//!
//! A form whose server function redirects (signing in) answers with that redirect instead
//! (post/redirect/get). The Access Tokens page has its own handler, `tokens::form_posts`, whose
//! answers keep the list's place and may show a token's value once.

use leptos::{prelude::*, server_fn::ServerFn};

use crate::ui_error::UiError;

/// A form posted to the page being rendered: what was typed, and what came of it.
#[derive(Clone, Debug)]
pub struct Posted<S: ServerFn> {
    pub input: S,
    pub result: Result<S::Output, UiError>,
}

/// The outcome of the form posted to this page, when it ran the server function `S`.
pub fn posted<S>() -> Option<Posted<S>>
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    use_context::<Posted<S>>()
}

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use std::{future::Future, pin::Pin, sync::Arc};

    use axum::{
        body::{Body, Bytes},
        extract::{FromRequest, Request, State},
        http::{HeaderValue, StatusCode, header, request::Parts},
        response::{IntoResponse, Redirect, Response},
        routing::{MethodRouter, post},
    };
    use leptos::{prelude::*, server_fn::ServerFn};
    use leptos_axum::ResponseOptions;
    use serde::{Deserialize, de::DeserializeOwned};

    use super::Posted;
    use crate::{
        app::shell,
        auth::{guard::SignedIn, session},
        state::AppState,
        ui_error::UiError,
    };

    /// Which server function runs the form a page was posted with `intent`.
    pub type Intents = fn(intent: &str) -> Option<Runner>;

    /// Runs one kind of form (see [`run`]).
    pub type Runner = fn(body: Bytes) -> Pin<Box<dyn Future<Output = Option<Ran>> + Send>>;

    /// A form that ran: the answer's status, and the outcome to put in the page's context.
    pub struct Ran {
        status: StatusCode,
        provide: Arc<dyn Fn() + Send + Sync>,
    }

    /// Reads the form as the server function `S` reads its arguments (fields it does not know,
    /// such as `intent`, are ignored) and runs it. `None`: the form does not have its fields.
    pub fn run<S>(body: Bytes) -> Pin<Box<dyn Future<Output = Option<Ran>> + Send>>
    where
        S: ServerFn<Error = UiError> + DeserializeOwned + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
    {
        Box::pin(async move {
            // As server functions read a form (leptos' `PostUrl` encoding).
            let input: S = serde_qs::Config::new(5, false).deserialize_bytes(&body).ok()?;
            let result = input.clone().run_body().await;
            let status = match &result {
                Ok(_) => StatusCode::OK,
                Err(error) => error.status(),
            };
            let posted = Posted { input, result };
            Some(Ran { status, provide: Arc::new(move || provide_context(posted.clone())) })
        })
    }

    #[derive(Deserialize)]
    struct Intent {
        #[serde(default)]
        intent: String,
    }

    /// The route for forms posted to a page for signed-in people.
    pub fn page(intents: Intents) -> MethodRouter<AppState> {
        post(move |State(state): State<AppState>, request: Request| handle(state, intents, false, request))
    }

    /// The route for forms posted to a page that needs no session (signing in).
    pub fn public_page(intents: Intents) -> MethodRouter<AppState> {
        post(move |State(state): State<AppState>, request: Request| handle(state, intents, true, request))
    }

    async fn handle(state: AppState, intents: Intents, public: bool, request: Request) -> Response {
        let (mut parts, body) = request.into_parts();
        // As the page guard does for a GET: the server functions find the viewer here.
        if let Err(refused) = find_viewer(&state, &mut parts, public).await {
            return refused;
        }
        let body = match Bytes::from_request(Request::from_parts(parts.clone(), body), &state).await {
            Ok(body) => body,
            Err(rejection) => return rejection.into_response(),
        };
        let runner = serde_qs::Config::new(5, false)
            .deserialize_bytes::<Intent>(&body)
            .ok()
            .and_then(|Intent { intent }| intents(&intent));
        let Some(runner) = runner else {
            return (StatusCode::BAD_REQUEST, "Unknown form.").into_response();
        };

        // The server function runs as it would when called on its own: with the request's parts,
        // the state, and response options it can set cookies and a redirect on.
        let options = ResponseOptions::default();
        let owner = Owner::new();
        let ran = owner
            .with(|| {
                provide_context(parts.clone());
                provide_context(state.clone());
                provide_context(options.clone());
                ScopedFuture::new(runner(body))
            })
            .await;
        drop(owner);
        let Some(ran) = ran else {
            return (StatusCode::BAD_REQUEST, "The form could not be read.").into_response();
        };
        let set = std::mem::take(&mut options.0.write().unwrap_or_else(std::sync::PoisonError::into_inner).headers);
        if let Some(location) = set.get(header::LOCATION).cloned() {
            // Post/redirect/get: a form posted anew on reload would, say, sign in again.
            let mut response = StatusCode::SEE_OTHER.into_response();
            for (name, value) in &set {
                response.headers_mut().append(name, value.clone());
            }
            response.headers_mut().insert(header::LOCATION, location);
            return response;
        }

        // The page as the form left things: who is signed in may have changed (an admin who made
        // themselves a member sees the page as a member).
        if let Err(refused) = find_viewer(&state, &mut parts, public).await {
            return refused;
        }
        let render = leptos_axum::render_app_async_with_context(
            {
                let state = state.clone();
                let provide = ran.provide.clone();
                move || {
                    provide_context(state.clone());
                    provide();
                }
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        );
        let mut response = render(Request::from_parts(parts, Body::empty())).await;
        set_status(&mut response, ran.status);
        let headers = response.headers_mut();
        for (name, value) in &set {
            headers.append(name, value.clone());
        }
        // The answer to a form, not a page to keep: a reload must not show a stale outcome.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }

    /// Puts the signed-in person in the request's extensions, for the server functions and the
    /// page; without one, a page that is not public answers with the sign-in page.
    async fn find_viewer(state: &AppState, parts: &mut Parts, public: bool) -> Result<(), Response> {
        parts.extensions.remove::<SignedIn>();
        match session::person(&state.store, &parts.headers, state.cookies).await {
            Ok(Some(viewer)) => {
                parts.extensions.insert(SignedIn(viewer));
                Ok(())
            }
            Ok(None) if public => Ok(()),
            Ok(None) => Err(Redirect::to("/signin").into_response()),
            Err(error) => Err(bare(UiError::from(error))),
        }
    }

    /// The form's status on its page's answer, unless the page itself redirected or failed.
    pub fn set_status(response: &mut Response, status: StatusCode) {
        let rendered = response.status();
        if !(rendered.is_redirection() || rendered.is_server_error()) {
            *response.status_mut() = status;
        }
    }

    /// A bare answer, for when the page itself cannot be rendered.
    pub fn bare(error: UiError) -> Response {
        (error.status(), error.to_string()).into_response()
    }
}
