//! The sign-in page and the Preferences page (one's account and password).

use leptos::prelude::*;
use leptos::server_fn::{ServerFn, error::ServerFnUrlError};
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_query_map};

use crate::{
    auth::{
        server_fns::{ChangePassword, SignIn, SignOutElsewhere},
        viewer::{Session, signed_in},
    },
    form_posts::posted,
    people::{NewPassword, Person},
    ui_error::UiError,
};

#[component]
pub fn SignInPage() -> impl IntoView {
    let session = Session::get();
    view! {
        <Title text="Sign in · Access Tokens"/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match session.person.await {
                    Ok(Some(_)) => view! { <Redirect path="/"/> }.into_any(),
                    _ => view! { <SignInForm/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignInForm() -> impl IntoView {
    // The form posts to this page (`form_posts`): a refusal comes back with the page, and the
    // username as typed. A form posted to the server function itself (`/api/sign_in`) comes back
    // with the refusal in the URL (`?__path=/api/sign_in&__err=...`, leptos's convention).
    let posted = posted::<SignIn>();
    let query = use_query_map();
    let refused_in_url = query.with_untracked(|query| {
        (query.get("__path").as_deref() == Some(SignIn::PATH))
            .then(|| query.get("__err"))
            .flatten()
            .and_then(|error| sign_in_refusal(ServerFnUrlError::<UiError>::decode_err(&error)))
    });
    let username = posted.as_ref().map(|posted| posted.input.username.clone()).unwrap_or_default();
    let error = posted.and_then(|posted| posted.result.err()).map(|error| error.to_string()).or(refused_in_url);
    view! {
        <section class="card narrow">
            <h1>"Sign in"</h1>
            <form method="post" action="/signin" class="form">
                <input type="hidden" name="intent" value="sign_in"/>
                <label for="signin-username">"Username"</label>
                <input id="signin-username" name="username" value=username autocomplete="username" required autofocus/>
                <label for="signin-password">"Password"</label>
                <input id="signin-password" name="password" type="password" autocomplete="current-password" required/>
                <p class="error" role="alert">{error}</p>
                <button type="submit" class="primary">"Sign in"</button>
            </form>
        </section>
    }
}

/// The message for a refusal read from the URL, if signing in can refuse that way.
///
/// Anyone can write that URL and send it around, so only the sign-in's own refusals are shown,
/// each in its fixed words: a link must not put its author's text ("your account is locked, call
/// ...") on this page.
fn sign_in_refusal(error: UiError) -> Option<String> {
    match error {
        UiError::WrongCredentials | UiError::Throttled { .. } | UiError::Unavailable | UiError::Internal => {
            Some(error.to_string())
        }
        _ => None,
    }
}

#[component]
pub fn PreferencesPage() -> impl IntoView {
    view! {
        <Title text="Preferences · Access Tokens"/>
        {signed_in(|person| view! { <Preferences person/> })}
    }
}

#[component]
fn Preferences(person: Person) -> impl IntoView {
    view! {
        <h1>"Preferences"</h1>
        <section class="card" aria-labelledby="account-heading">
            <h2 id="account-heading">"Account"</h2>
            <dl class="facts">
                <dt>"Username"</dt><dd>{person.username.clone()}</dd>
                <dt>"Name"</dt><dd>{person.name.clone()}</dd>
                <dt>"Role"</dt><dd>{person.role().to_string()}</dd>
            </dl>
        </section>
        <section class="card" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">"Access Tokens"</h2>
            <p>"Tokens let scripts and REST clients call the API as you. "<a href="/preferences/access-tokens">"Manage your access tokens"</a></p>
        </section>
        {person.is_admin.then(|| view! {
            <section class="card" aria-labelledby="admin-heading">
                <h2 id="admin-heading">"Workspace"</h2>
                <ul class="links">
                    <li><a href="/preferences/access-tokens?view=all">"All members' access tokens"</a></li>
                    <li><a href="/workspace/settings">"Workspace Settings"</a>": access tokens on or off, who may generate them, their longest lifetime"</li>
                    <li><a href="/users">"Users"</a></li>
                    <li><a href="/audit">"Audit Log"</a>": every sign-in and change, by whom and from where"</li>
                </ul>
            </section>
        })}
        <section class="card" aria-labelledby="activity-heading">
            <h2 id="activity-heading">"Activity"</h2>
            <p>"Your sign-ins, your changes, and what admins did to your account and tokens. "<a href="/preferences/activity">"Your activity"</a></p>
        </section>
        <PasswordForm/>
        <SessionsCard/>
    }
}

/// "Sign out everywhere": for a browser left signed in somewhere, or one that may have been.
#[component]
fn SessionsCard() -> impl IntoView {
    let outcome = posted::<SignOutElsewhere>().map(|posted| match posted.result {
        Ok(()) => view! { <p class="success" role="status">"Every other browser is signed out. This one stays signed in."</p> }.into_any(),
        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
    });
    view! {
        <section class="card" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Sessions"</h2>
            <p>"Signed in on a computer you no longer use, or one you are not sure of? End every session but this one. Your access tokens keep working: delete or rotate those on the Access Tokens page."</p>
            <form method="post" action="/preferences" class="form">
                <input type="hidden" name="intent" value="sign_out_elsewhere"/>
                {outcome}
                <button type="submit">"Sign out everywhere else"</button>
            </form>
        </section>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    // Passwords are not typed back into the form, refused or not.
    let outcome = posted::<ChangePassword>().map(|posted| match posted.result {
        Ok(()) => view! { <p class="success" role="status">"Your password has been changed. Your access tokens keep working."</p> }.into_any(),
        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
    });
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Password"</h2>
            <form method="post" action="/preferences" class="form">
                <input type="hidden" name="intent" value="change_password"/>
                <label for="current-password">"Current password"</label>
                <input id="current-password" name="current" type="password" autocomplete="current-password" required/>
                <label for="new-password">"New password"</label>
                <input
                    id="new-password"
                    name="new"
                    type="password"
                    autocomplete="new-password"
                    minlength=NewPassword::MIN_CHARS
                    maxlength=NewPassword::MAX_CHARS
                    required
                    aria-describedby="new-password-hint"
                />
                <p id="new-password-hint" class="hint">{format!("At least {} characters.", NewPassword::MIN_CHARS)}</p>
                <label for="confirm-password">"Confirm new password"</label>
                <input id="confirm-password" name="confirm" type="password" autocomplete="new-password" required/>
                {outcome}
                <button type="submit" class="primary">"Change password"</button>
            </form>
        </section>
    }
}

/// The forms of the sign-in page, by their `intent`.
#[cfg(feature = "ssr")]
pub fn sign_in_intents(intent: &str) -> Option<crate::form_posts::Runner> {
    match intent {
        "sign_in" => Some(crate::form_posts::run::<SignIn>),
        _ => None,
    }
}

/// The forms of the Preferences page, by their `intent`.
#[cfg(feature = "ssr")]
pub fn preferences_intents(intent: &str) -> Option<crate::form_posts::Runner> {
    match intent {
        "change_password" => Some(crate::form_posts::run::<ChangePassword>),
        "sign_out_elsewhere" => Some(crate::form_posts::run::<SignOutElsewhere>),
        _ => None,
    }
}
