//! The HTML shell, the router and the header with the user menu.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Redirect, Route, Router, Routes},
    path,
};

use crate::{
    auth::{
        page::{PreferencesPage, SignInPage},
        server_fns::{SignIn, SignOut, current_person},
    },
    people::{Person, page::UsersPage},
    tokens::page::AccessTokensPage,
    ui_error::UiError,
    workspace::page::WorkspaceSettingsPage,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    document(options, true)
}

/// The page without its scripts: the answer to a form posted without JavaScript, whose outcome
/// exists only on the server. Hydrating it would render the page without that outcome (and, for a
/// new token, blank out the value shown once), so it stays static HTML; its links and dialogs
/// work without scripts.
pub fn static_shell(options: LeptosOptions) -> impl IntoView {
    document(options, false)
}

fn document(options: LeptosOptions, hydrate: bool) -> impl IntoView {
    let scripts = hydrate.then(|| {
        view! {
            <AutoReload options=options.clone()/>
            <HydrationScripts options/>
        }
    });
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                {scripts}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Who is signed in, shared by every page. The actions that change it are here too, so that the
/// person is fetched again whenever one of them completes.
#[derive(Clone, Copy)]
pub struct Session {
    pub sign_in: ServerAction<SignIn>,
    pub sign_out: ServerAction<SignOut>,
    pub person: Resource<Result<Option<Person>, UiError>>,
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let sign_in = ServerAction::<SignIn>::new();
    let sign_out = ServerAction::<SignOut>::new();
    // Blocking: the server waits for it before streaming, so a page for signed-in people can
    // answer with a real redirect instead of a flash of the wrong page.
    let person =
        Resource::new_blocking(move || (sign_in.version().get(), sign_out.version().get()), |_| current_person());
    provide_context(Session { sign_in, sign_out, person });

    view! {
        <Stylesheet id="leptos" href="/pkg/access-tokens.css"/>
        <Title text="Access Tokens"/>
        <Router>
            <Header/>
            <main class="page">
                <Routes fallback=|| view! { <NotFound/> }>
                    // Async: the server renders each page whole once its data is in, so that it
                    // works without JavaScript (streamed fragments need a script to be put in place).
                    // The data comes from the app's own database, so the wait is short.
                    <Route path=path!("/") view=Home ssr=SsrMode::Async/>
                    <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/preferences") view=PreferencesPage ssr=SsrMode::Async/>
                    <Route path=path!("/preferences/access-tokens") view=AccessTokensPage ssr=SsrMode::Async/>
                    <Route path=path!("/users") view=UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/workspace/settings") view=WorkspaceSettingsPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

/// Renders `page` for the signed-in person, and sends everyone else to the sign-in page.
pub fn signed_in<V: IntoView + 'static>(page: impl Fn(Person) -> V + Clone + Send + Sync + 'static) -> impl IntoView {
    let session = expect_context::<Session>();
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

#[component]
fn Home() -> impl IntoView {
    signed_in(|_| view! { <Redirect path="/preferences"/> })
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

#[component]
fn Header() -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <header class="site-header">
            <a class="brand" href="/">"Access Tokens"</a>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match session.person.await {
                        Ok(Some(person)) => view! { <UserMenu person/> }.into_any(),
                        _ => ().into_any(),
                    }
                })}
            </Transition>
        </header>
    }
}

/// The user menu: a button that opens a list of links. Esc closes it and gives focus back to the
/// button; choosing an entry closes it.
#[component]
fn UserMenu(person: Person) -> impl IntoView {
    let session = expect_context::<Session>();
    let open = RwSignal::new(false);
    let button = NodeRef::<leptos::html::Button>::new();
    let close = move || open.set(false);
    let on_keydown = move |event: leptos::ev::KeyboardEvent| {
        if event.key() == "Escape" && open.get_untracked() {
            open.set(false);
            if let Some(button) = button.get_untracked() {
                let _ = button.focus();
            }
        }
    };
    view! {
        <nav class="user-menu" aria-label="User menu" on:keydown=on_keydown>
            <button
                type="button"
                class="user-menu-button"
                node_ref=button
                aria-haspopup="true"
                aria-expanded=move || open.get().to_string()
                aria-controls="user-menu-list"
                on:click=move |_| open.update(|open| *open = !*open)
            >
                <span class="avatar" aria-hidden="true">{initials(&person.name)}</span>
                <span class="user-name">{person.name.clone()}</span>
            </button>
            <ul id="user-menu-list" class="menu" hidden=move || !open.get()>
                <li><a href="/preferences" on:click=move |_| close()>"Preferences"</a></li>
                <li><a href="/preferences/access-tokens" on:click=move |_| close()>"Access Tokens"</a></li>
                {person.is_admin.then(|| view! {
                    <li><a href="/users" on:click=move |_| close()>"Users"</a></li>
                    <li><a href="/workspace/settings" on:click=move |_| close()>"Workspace Settings"</a></li>
                })}
                <li>
                    <ActionForm action=session.sign_out>
                        <button type="submit" class="menu-item">"Sign out"</button>
                    </ActionForm>
                </li>
            </ul>
        </nav>
    }
}

fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|word| word.chars().next()).take(2).flat_map(char::to_uppercase).collect()
}
