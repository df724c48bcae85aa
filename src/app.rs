//! The HTML shell and the routes: which page answers which path.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Redirect, Route, Router, Routes},
    hooks::use_location,
    path,
};

use crate::{
    audit::page::{ActivityPage, AuditLogPage},
    auth::{
        page::{PreferencesPage, SignInPage},
        viewer::{Session, signed_in},
    },
    enhance::Enhance,
    layout::Header,
    notifications::{NotificationsBanner, load_notifications},
    people::page::UsersPage,
    tokens::{
        expiring::{ExpiringNotice, IdleNotice},
        page::{AccessTokensPage, details::TokenDetailsPage},
        server_fns::{expiring_soon, idle_soon},
    },
    workspace::page::WorkspaceSettingsPage,
};

/// The page: server HTML, with the scripts of its one island ([`Enhance`]). Nothing else hydrates,
/// so no page's data travels twice (as HTML and again as data to hydrate from).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The page's policy names this render's nonce, which the hydration scripts carry.
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        let reload = std::env::var_os("LEPTOS_WATCH").is_some().then_some(options.reload_port);
        let policy = crate::security_headers::content_security_policy(&nonce.to_string(), reload);
        if let Ok(value) = axum::http::HeaderValue::from_str(&policy) {
            response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
    let (stylesheet, options) = hashed_names(options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" id="leptos" href=stylesheet/>
                <AutoReload options=options.clone()/>
                // Islands: the page's resources are not serialized for hydration (this must come
                // before any is read).
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The stylesheet's URL, and the options whose output name gives the hydration scripts' files: by
/// the names that carry their hash where the site was built (see `static_files`), cached for good.
fn hashed_names(options: LeptosOptions) -> (String, LeptosOptions) {
    let stylesheet = format!("{}.css", options.output_name);
    #[cfg(feature = "ssr")]
    if let Some(state) = use_context::<crate::state::AppState>() {
        let mut options = options;
        if let Some(bundle) = state.static_files.bundle_name() {
            options.output_name = bundle.into();
        }
        return (state.static_files.href(&stylesheet), options);
    }
    (format!("/pkg/{stylesheet}"), options)
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    Session::provide();

    view! {
        <Title text="Access Tokens"/>
        <Router>
            <Header/>
            <main class="page">
                <ExpiringTokens/>
                <Routes fallback=|| view! { <NotFound/> }>
                    // Async: the server renders each page whole once its data is in, so that it
                    // works without JavaScript (streamed fragments need a script to be put in place).
                    // The data comes from the app's own database, so the wait is short.
                    <Route path=path!("/") view=Home ssr=SsrMode::Async/>
                    <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/preferences") view=PreferencesPage ssr=SsrMode::Async/>
                    <Route path=path!("/preferences/access-tokens") view=AccessTokensPage ssr=SsrMode::Async/>
                    <Route path=path!("/preferences/access-tokens/:id") view=TokenDetailsPage ssr=SsrMode::Async/>
                    <Route path=path!("/users") view=UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/workspace/settings") view=WorkspaceSettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/audit") view=AuditLogPage ssr=SsrMode::Async/>
                    <Route path=path!("/preferences/activity") view=ActivityPage ssr=SsrMode::Async/>
                </Routes>
            </main>
            // Outside <header> and <main>, which the island's navigator swaps: it lives as long as
            // the document does.
            <Enhance/>
        </Router>
    }
}

/// The warning of the viewer's tokens that expire within a week, on every page.
#[component]
fn ExpiringTokens() -> impl IntoView {
    let soon = Resource::new(|| (), |_| expiring_soon());
    let idle = Resource::new(|| (), |_| idle_soon());
    let notifications = Resource::new(|| (), |_| load_notifications());
    let location = use_location();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let back = format!("{}{}", location.pathname.get_untracked(), location.search.get_untracked());
                let unread = notifications.await.ok().map(|unread| view! { <NotificationsBanner unread/> });
                let idle = idle.await.ok().flatten().map(|soon| view! { <IdleNotice soon/> });
                let soon = soon.await.ok().flatten().map(|soon| view! { <ExpiringNotice soon back/> });
                view! { {unread}{idle}{soon} }
            })}
        </Transition>
    }
}

/// The start page is the Access Tokens page: what people come here for (the header's title links here).
#[component]
fn Home() -> impl IntoView {
    signed_in(|_| view! { <Redirect path="/preferences/access-tokens"/> })
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text="Not found · Access Tokens"/>
        <h1>"Page not found"</h1>
        <p><a href="/">"Go to the start page"</a></p>
    }
}
