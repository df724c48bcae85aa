//! Who is looking at a page. Every page shares the signed-in person through [`Session`], and shows
//! itself only to signed-in people ([`signed_in`]) or admins ([`admins_only`]). On the server, a
//! server function learns who called it from [`ssr::require_viewer`] and [`ssr::require_admin`].

use leptos::prelude::*;
use leptos_router::components::Redirect;

use super::server_fns::current_person;
use crate::{people::Person, ui_error::UiError};

/// Who is signed in, shared by every page.
#[derive(Clone, Copy)]
pub struct Session {
    pub person: Resource<Result<Option<Person>, UiError>>,
}

impl Session {
    /// Provides the session to the calling component (the app) and everything under it.
    pub fn provide() -> Self {
        // Blocking: the server waits for it before streaming, so a page for signed-in people can
        // answer with a real redirect instead of a flash of the wrong page.
        let person = Resource::new_blocking(|| (), |_| current_person());
        let session = Session { person };
        provide_context(session);
        session
    }

    pub fn get() -> Self {
        expect_context()
    }
}

/// Renders `page` for the signed-in person, and sends everyone else to the sign-in page.
pub fn signed_in<V: IntoView + 'static>(page: impl Fn(Person) -> V + Clone + Send + Sync + 'static) -> impl IntoView {
    let session = Session::get();
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let page = page.clone();
                Suspend::new(async move {
                    match session.person.await {
                        Ok(Some(person)) => page(person).into_any(),
                        Ok(None) => view! { <Redirect path="/signin"/> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Renders `page` for signed-in admins; other people see the page's `heading` and `why` they
/// cannot use it.
pub fn admins_only<V: IntoView + 'static>(
    heading: &'static str,
    why: &'static str,
    page: impl Fn(Person) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView {
    signed_in(move |viewer| {
        if viewer.is_admin {
            page(viewer).into_any()
        } else {
            view! {
                <h1>{heading}</h1>
                <p class="notice">{why}</p>
            }
            .into_any()
        }
    })
}

#[cfg(feature = "ssr")]
pub use ssr::*;

/// Server functions ask here who called them.
#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::{auth::guard::SignedIn, people::Person, state::AppState, ui_error::UiError};

    /// The headers of the request being served.
    pub async fn request_headers() -> Result<axum::http::HeaderMap, UiError> {
        leptos_axum::extract::<axum::http::HeaderMap>().await.map_err(|_| UiError::Internal)
    }

    /// The signed-in person, if any. While a page renders, the page guard has already found them
    /// (one session lookup per page, not one per server function).
    pub async fn viewer() -> Result<Option<Person>, UiError> {
        let found = leptos::prelude::use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<SignedIn>().map(|signed_in| signed_in.0.clone()));
        if let Some(person) = found {
            return Ok(Some(person));
        }
        let headers = request_headers().await?;
        let state = AppState::from_context();
        Ok(crate::auth::session::person(&state.store, &headers, state.cookies).await?)
    }

    /// The signed-in person, or [`UiError::SignedOut`].
    pub async fn require_viewer() -> Result<Person, UiError> {
        viewer().await?.ok_or(UiError::SignedOut)
    }

    /// The signed-in admin, or an error saying why not.
    pub async fn require_admin() -> Result<Person, UiError> {
        let person = require_viewer().await?;
        if person.is_admin { Ok(person) } else { Err(UiError::Forbidden) }
    }
}
