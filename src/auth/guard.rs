//! Sends signed-out visitors of a page for signed-in people to the sign-in page with a real
//! `302 Found`, before Leptos renders anything.
//!
//! The pages also check the session themselves (they must, for client-side navigation), but with
//! streaming SSR the status line has left by the time a `<Redirect/>` inside `<Suspense/>` runs, so
//! the server would answer `200` with a page that redirects only once JavaScript has loaded. This
//! layer makes the redirect work for curl, for crawlers and for browsers without JavaScript.

use axum::{
    extract::{Request, State},
    http::{Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::session;
use crate::{people::Person, state::AppState};

/// The pages that anybody may see.
const PUBLIC_PAGES: &[&str] = &["/signin"];

/// The person the guard found signed in, kept with the request so that the page's server functions
/// (run in-process while it renders) need not look the session up again; see [`super::viewer`],
/// which trusts it. So insert one only right after a session lookup found that person.
#[derive(Clone, Debug)]
pub struct SignedIn(pub(crate) Person);

pub async fn require_session_for_pages(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    // Server functions share these routes (leptos mounts them with the pages); they check the
    // session themselves and answer in their own terms.
    let public = PUBLIC_PAGES.contains(&path) || path.starts_with("/api/");
    if public || !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    match session::person(&state.store, request.headers(), state.cookies).await {
        Ok(Some(person)) => {
            request.extensions_mut().insert(SignedIn(person));
            next.run(request).await
        }
        Ok(None) => {
            let mut response = (StatusCode::FOUND, [(header::LOCATION, "/signin")]).into_response();
            // A stale cookie would otherwise come back with every request.
            if session::any_presented(request.headers())
                && let Ok(clear) = session::end(&state.store, request.headers()).await
            {
                for value in clear {
                    response.headers_mut().append(header::SET_COOKIE, value);
                }
            }
            response
        }
        // The page itself shows the outage to the person; a redirect would hide it.
        Err(_) => next.run(request).await,
    }
}
