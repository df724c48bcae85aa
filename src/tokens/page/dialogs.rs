//! The page's dialogs: Generate New Token, the one-time My Token, Rotate Token and Delete Token.
//!
//! Each is a form posted to the page (`tokens::form_posts`), whose answer is the page with the
//! outcome: My Token open with the new value, or Generate New Token open again with what was typed
//! and what was wrong. The `enhance` island opens them as modal dialogs, fills the row's token into
//! Rotate and Delete, copies, and forgets the value once My Token closes.

use leptos::prelude::*;

use super::listing::Row;
use crate::{
    tokens::{MaxLifetime, NewToken, server_fns::TokenPolicy},
    ui_error::UiError,
};
/// What was typed into the Generate New Token form.
#[derive(Clone, Debug)]
pub(super) struct Typed {
    pub lifetime_days: String,
    pub description: String,
    /// `api` or `read_api`.
    pub access: String,
    pub admin: bool,
}

impl Default for Typed {
    /// A new form: a month, read and write (`api` alone, whoever generates it).
    fn default() -> Self {
        Typed { lifetime_days: "30".into(), description: String::new(), access: "api".into(), admin: false }
    }
}

#[component]
pub(super) fn GenerateDialog(
    policy: TokenPolicy,
    /// A refused form: what was typed and why it was refused, shown again, open.
    typed: Option<(Typed, UiError)>,
) -> AnyView {
    let open_now = typed.is_some();
    let (typed, error) = match typed {
        Some((typed, error)) => (typed, Some(error)),
        None => (Typed::default(), None),
    };
    let for_field = |field: &str| error.as_ref().and_then(|error| error.for_field(field));
    let other_error =
        error.as_ref().filter(|error| !matches!(error, UiError::Invalid { .. })).map(|error| error.to_string());
    let rule = match policy.max_lifetime {
        MaxLifetime::Unlimited => "Whole days; -1 for a token that never expires.".to_owned(),
        MaxLifetime::Days(days) => format!("Whole days, from 1 to {days} (this workspace's maximum)."),
    };
    let Typed { lifetime_days, description, access, admin } = typed;
    let read_only = access == "read_api";
    // Only admins may give a token the admin scope, so only they are offered it.
    let admin_choice = policy.is_admin.then(|| {
        view! {
            <label class="choice">
                <input type="checkbox" name="admin" checked=admin/>
                <span>
                    <strong>"Admin"</strong>" "<code>"admin"</code><br/>
                    <span class="hint">"Also admin-only endpoints: people, workspace settings and every member's tokens."</span>
                </span>
            </label>
        }
    });
    view! {
        <dialog id="generate-dialog" class="dialog" aria-labelledby="generate-heading" open=open_now>
            <h2 id="generate-heading">"Generate New Token"</h2>
            <form method="post" class="form">
                <input type="hidden" name="intent" value="generate"/>
                <label for="token-lifetime">"Lifetime (days)"</label>
                <input id="token-lifetime" name="lifetime_days" inputmode="numeric" value=lifetime_days required aria-describedby="token-lifetime-rule token-lifetime-error"/>
                <p id="token-lifetime-rule" class="hint">{rule}</p>
                <p id="token-lifetime-error" class="error" role="alert">{for_field("lifetime")}</p>
                <label for="token-description">"Description (optional)"</label>
                <input id="token-description" name="description" value=description maxlength="255" autocomplete="off" aria-describedby="token-description-error"/>
                <p id="token-description-error" class="error" role="alert">{for_field("description")}</p>
                <fieldset class="choices" aria-describedby="token-scopes-error">
                    <legend>"Access"</legend>
                    <label class="choice">
                        <input type="radio" name="access" value="api" checked=!read_only/>
                        <span>
                            <strong>"Read and write"</strong>" "<code>"api"</code><br/>
                            <span class="hint">"Everything you can do through the API."</span>
                        </span>
                    </label>
                    <label class="choice">
                        <input type="radio" name="access" value="read_api" checked=read_only/>
                        <span>
                            <strong>"Read-only"</strong>" "<code>"read_api"</code><br/>
                            <span class="hint">"GET requests only: it cannot change or delete anything."</span>
                        </span>
                    </label>
                    {admin_choice}
                    <p id="token-scopes-error" class="error" role="alert">{for_field("scopes")}</p>
                </fieldset>
                <p class="error" role="alert">{other_error}</p>
                <div class="dialog-buttons">
                    <button type="button" commandfor="generate-dialog" command="close">"Cancel"</button>
                    <button type="submit" class="primary">"Generate"</button>
                </div>
            </form>
        </dialog>
    }
    .into_any()
}

/// Shows a new token's value once: rendered open, with the value, in the answer to the form that
/// made it. Closing it forgets the value (the island clears it): it cannot be shown again.
#[component]
pub(super) fn MyTokenDialog(shown: Option<NewToken>) -> AnyView {
    let open_now = shown.is_some();
    let value = shown.map(|token| token.token_value).unwrap_or_default();
    view! {
        // Focus goes back to "Generate New Token" once it closes (the island, by `data-opener`).
        <dialog id="my-token-dialog" class="dialog" aria-labelledby="my-token-heading" open=open_now data-opener="generate-button">
            <h2 id="my-token-heading">"My Token"</h2>
            <p class="warning">
                "Copy the token now and store it somewhere safe. For your security it cannot be shown again "
                "once you close this dialog."
            </p>
            <label for="my-token-value">"Token"</label>
            <input id="my-token-value" class="token-value" readonly value=value/>
            <p class="success" role="status"></p>
            // Without a script nothing can write to the clipboard: the button is hidden, and this says how.
            <p class="hint without-script">"Select the token and copy it (Ctrl+C, or ⌘C on a Mac)."</p>
            <div class="dialog-buttons">
                <button type="button" class="primary needs-script" data-copy="my-token-value">"Copy Token to clipboard"</button>
                <button type="button" commandfor="my-token-dialog" command="close">"Close"</button>
            </div>
        </dialog>
    }
    .into_any()
}

/// Asks to confirm deleting a token. Rendered open for `?delete=<token id>` (the row menu's link
/// followed without a script); otherwise the island fills in the row's token and opens it.
#[component]
pub(super) fn DeleteDialog(
    to_delete: Option<Row>,
    /// The URL of the list on screen, which the URL goes back to once the dialog closes.
    list: String,
) -> AnyView {
    let open_now = to_delete.is_some();
    let label = to_delete.as_ref().map(label).unwrap_or_default();
    let token_id = to_delete.map(|row| row.info.token_id.to_string()).unwrap_or_default();
    view! {
        <dialog id="delete-dialog" class="dialog" aria-labelledby="delete-heading" open=open_now data-list=list>
            <h2 id="delete-heading">"Delete Token"</h2>
            <p>"Delete the token "<strong data-slot="label">{label}</strong>"?"</p>
            <p class="warning">"Deleting a token cannot be undone. Any API usage that references this token stops working."</p>
            <form method="post">
                <input type="hidden" name="intent" value="delete"/>
                <input type="hidden" name="token_id" value=token_id/>
                <div class="dialog-buttons">
                    <button type="button" commandfor="delete-dialog" command="close">"Cancel"</button>
                    <button type="submit" class="danger">"Delete Token"</button>
                </div>
            </form>
        </dialog>
    }
    .into_any()
}

/// Confirms rotating a token, and asks when the old one should stop working. Opened as
/// [`DeleteDialog`] is.
#[component]
pub(super) fn RotateDialog(
    to_rotate: Option<Row>,
    /// The URL of the list on screen.
    list: String,
) -> AnyView {
    let open_now = to_rotate.is_some();
    let label = to_rotate.as_ref().map(label).unwrap_or_default();
    let token_id = to_rotate.map(|row| row.info.token_id.to_string()).unwrap_or_default();
    let choice = |seconds: &'static str, title: &'static str, hint: &'static str| {
        view! {
            <label class="choice">
                <input type="radio" name="grace_seconds" value=seconds checked=seconds == "0"/>
                <span><strong>{title}</strong><br/><span class="hint">{hint}</span></span>
            </label>
        }
    };
    view! {
        <dialog id="rotate-dialog" class="dialog" aria-labelledby="rotate-heading" open=open_now data-list=list>
            <h2 id="rotate-heading">"Rotate Token"</h2>
            <p>"Replace the token "<strong data-slot="label">{label}</strong>" with a new one: a new value, with the same description "
               "and scopes, and the same lifetime counted from now."</p>
            <form method="post" class="form">
                <input type="hidden" name="intent" value="rotate"/>
                <input type="hidden" name="token_id" value=token_id/>
                <fieldset class="choices">
                    <legend>"When should the old token stop working?"</legend>
                    {choice("0", "Now", "Whatever still uses it fails until it has the new value.")}
                    {choice("3600", "At the new token's first use, or in an hour at the latest", "Time for a pipeline to switch over without a failed run.")}
                    {choice("86400", "At the new token's first use, or in a day at the latest", "For clients that are only updated now and then.")}
                </fieldset>
                <p class="hint">"The new token's value is shown once, next."</p>
                <div class="dialog-buttons">
                    <button type="button" commandfor="rotate-dialog" command="close">"Cancel"</button>
                    <button type="submit" class="primary">"Rotate Token"</button>
                </div>
            </form>
        </dialog>
    }
    .into_any()
}

/// The row's token as the confirmation names it (see [`super::label`]).
fn label(row: &Row) -> String {
    let owner = row.owner.as_ref().map(|owner| owner.name.as_str());
    super::label(&row.info.description, &row.info.token_id.to_string(), owner)
}
