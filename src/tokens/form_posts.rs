//! The Access Tokens page's forms: they post to the page's own URL, and this handler answers, for
//! a browser posting natively and for the island's navigator alike (see `crate::form_posts`).
//!
//! A redirect cannot carry a new token's value: it is never stored, and must not travel in a URL
//! (history, logs). So a generated token is shown in the answer itself: the page, rendered with the
//! outcome in its context ([`PostedForm`]), and marked `no-store`. Only the island hydrates, so
//! the value is in the HTML once and nowhere else. A deletion redirects back (post/redirect/get).
//!
//! Same rules as the server functions ([`super::server_fns::ssr`]); CSRF is checked by
//! [`crate::auth::csrf`] before this runs.

use std::collections::HashMap;

use axum::{
    Form,
    body::Body,
    extract::{FromRequest, Query, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use leptos::prelude::provide_context;
use serde::Deserialize;

use super::{
    page::listing::{ListAt, PostedForm},
    server_fns::ssr,
};
use crate::{
    app::shell,
    auth::{guard::SignedIn, session},
    state::AppState,
    ui_error::UiError,
};

/// The fields of the page's forms; `intent` says which form it was.
#[derive(Debug, Deserialize)]
pub struct PagePost {
    intent: String,
    #[serde(default)]
    lifetime_days: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    token_id: String,
    #[serde(default)]
    access: String,
    /// The admin checkbox: present when ticked.
    #[serde(default)]
    admin: Option<String>,
    #[serde(default)]
    grace_seconds: String,
}

pub async fn handle(State(state): State<AppState>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    let viewer = match session::person(&state.store, &parts.headers, state.cookies).await {
        Ok(Some(viewer)) => viewer,
        Ok(None) => return Redirect::to("/signin").into_response(),
        Err(error) => return crate::form_posts::bare(UiError::from(error)),
    };
    let Ok(Form(post)) = Form::<PagePost>::from_request(Request::from_parts(parts.clone(), body), &state).await else {
        return (StatusCode::BAD_REQUEST, "The form could not be read.").into_response();
    };
    // Back to the list the form was posted from (its view and page), without `?delete=`.
    let back = {
        let query = Query::<HashMap<String, String>>::try_from_uri(&parts.uri).map(|query| query.0).unwrap_or_default();
        ListAt::from_query(|name| query.get(name).cloned()).href()
    };
    let posted = match post.intent.as_str() {
        "generate" => {
            let form = ssr::GenerateForm {
                lifetime_days: &post.lifetime_days,
                description: &post.description,
                access: &post.access,
                admin: post.admin.is_some(),
            };
            let result = ssr::generate(&state.store, viewer.clone(), form).await;
            PostedForm::Generated {
                lifetime_days: post.lifetime_days,
                description: post.description,
                access: post.access,
                admin: post.admin.is_some(),
                result,
            }
        }
        "rotate" => {
            PostedForm::Rotated(ssr::rotate(&state.store, viewer.clone(), &post.token_id, &post.grace_seconds).await)
        }
        "delete" => match ssr::delete(&state.store, viewer.clone(), &post.token_id).await {
            Ok(()) => return Redirect::to(&back).into_response(),
            Err(error) => PostedForm::DeleteRefused(error),
        },
        _ => return (StatusCode::BAD_REQUEST, "Unknown form.").into_response(),
    };
    let status = posted.status();
    // Rendered as the list it came from: a confirmation the URL still asked for stays closed.
    parts.uri = back.parse().expect("a path and query built from parsed values");
    // As the page guard does for a GET: the page's server functions find the viewer here.
    parts.extensions.insert(SignedIn(viewer));
    let render = leptos_axum::render_app_async_with_context(
        {
            let state = state.clone();
            move || {
                provide_context(state.clone());
                provide_context(posted.clone());
            }
        },
        {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        },
    );
    let mut response = render(Request::from_parts(parts, Body::empty())).await;
    crate::form_posts::set_status(&mut response, status);
    // The page it shows is the list, whatever the URL posted to asked for (`?rotate=`).
    if let Ok(list) = HeaderValue::from_str(&back) {
        response.headers_mut().insert(header::CONTENT_LOCATION, list);
    }
    // The answer may hold a token's value: no cache, no back-forward cache, may keep it.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

impl PostedForm {
    fn status(&self) -> StatusCode {
        match self {
            PostedForm::Generated { result: Ok(_), .. } | PostedForm::Rotated(Ok(_)) => StatusCode::OK,
            PostedForm::Generated { result: Err(error), .. }
            | PostedForm::Rotated(Err(error))
            | PostedForm::DeleteRefused(error) => error.status(),
        }
    }
}
