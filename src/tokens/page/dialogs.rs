//! The page's dialogs: Generate New Token, the one-time My Token, Rotate Token and Delete Token.

use leptos::{
    ev,
    form::FromFormData,
    html::{Button, Dialog, Form},
    prelude::*,
};
use leptos_router::{
    NavigateOptions,
    hooks::{use_navigate, use_query_map},
};

use super::listing::Row;
use crate::{
    tokens::{
        MaxLifetime, NewToken,
        server_fns::{DeleteToken, GenerateToken, RotateToken, TokenPolicy},
    },
    ui::{self, close_from, copy_to_clipboard, select_all},
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
    dialog: NodeRef<Dialog>,
    generate: ServerAction<GenerateToken>,
    policy: TokenPolicy,
    /// What was typed into a form posted without JavaScript and refused: shown again, open.
    typed: Option<Typed>,
) -> AnyView {
    let error = move |field: &'static str| {
        move || generate.value().get().and_then(Result::err).and_then(|error| error.for_field(field))
    };
    let other_error = move || {
        generate
            .value()
            .get()
            .and_then(Result::err)
            .filter(|error| !matches!(error, UiError::Invalid { .. }))
            .map(|error| error.to_string())
    };
    let rule = match policy.max_lifetime {
        MaxLifetime::Unlimited => "Whole days; -1 for a token that never expires.".to_owned(),
        MaxLifetime::Days(days) => format!("Whole days, from 1 to {days} (this workspace's maximum)."),
    };
    let open_now = typed.is_some();
    let Typed { lifetime_days, description, access, admin } = typed.unwrap_or_default();
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
    // A new token starts from a blank form; a refused one keeps what was typed.
    let form = NodeRef::<Form>::new();
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(form)) = (generate.value().get(), form.get_untracked()) {
            form.reset();
        }
    });
    // With JavaScript: a server function call, the page stays. Without: the browser posts the form
    // to this page's URL (see `tokens::form_posts`).
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        if let Ok(input) = GenerateToken::from_event(&event) {
            generate.dispatch(input);
        }
    };
    view! {
        <dialog id="generate-dialog" node_ref=dialog class="dialog" aria-labelledby="generate-heading" open=open_now>
            <h2 id="generate-heading">"Generate New Token"</h2>
            <form node_ref=form method="post" class="form" on:submit=submit>
                <input type="hidden" name="intent" value="generate"/>
                <label for="token-lifetime">"Lifetime (days)"</label>
                <input id="token-lifetime" name="lifetime_days" inputmode="numeric" value=lifetime_days required aria-describedby="token-lifetime-rule token-lifetime-error"/>
                <p id="token-lifetime-rule" class="hint">{rule}</p>
                <p id="token-lifetime-error" class="error" role="alert">{error("lifetime")}</p>
                <label for="token-description">"Description (optional)"</label>
                <input id="token-description" name="description" value=description maxlength="255" autocomplete="off" aria-describedby="token-description-error"/>
                <p id="token-description-error" class="error" role="alert">{error("description")}</p>
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
                    <p id="token-scopes-error" class="error" role="alert">{error("scopes")}</p>
                </fieldset>
                <p class="error" role="alert">{other_error}</p>
                <div class="dialog-buttons">
                    <button type="button" commandfor="generate-dialog" command="close" on:click=move |event| close_from(&event, dialog)>"Cancel"</button>
                    <button type="submit" class="primary" disabled=move || generate.pending().get()>"Generate"</button>
                </div>
            </form>
        </dialog>
    }
    .into_any()
}

/// Shows a new token's value once. Closing it forgets the value: it cannot be shown again.
#[component]
pub(super) fn MyTokenDialog(
    dialog: NodeRef<Dialog>,
    shown: RwSignal<Option<NewToken>>,
    generate: ServerAction<GenerateToken>,
    rotate: ServerAction<RotateToken>,
    generate_button: NodeRef<Button>,
    /// Rendered open: the answer to a form posted without JavaScript.
    open_now: bool,
) -> AnyView {
    let copied = RwSignal::new(false);
    let forget = move || {
        shown.set(None);
        copied.set(false);
        // The actions keep their last value; clear them so the value lives nowhere on the page.
        generate.value().set(None);
        rotate.value().set(None);
        if let Some(button) = generate_button.get_untracked() {
            let _ = button.focus();
        }
    };
    let value = move || shown.with(|token| token.as_ref().map(|token| token.token_value.clone()).unwrap_or_default());
    let copy = move |_| copy_to_clipboard(value(), copied);
    view! {
        <dialog id="my-token-dialog" node_ref=dialog class="dialog" aria-labelledby="my-token-heading" open=open_now on:close=move |_| forget()>
            <h2 id="my-token-heading">"My Token"</h2>
            <p class="warning">
                "Copy the token now and store it somewhere safe. For your security it cannot be shown again "
                "once you close this dialog."
            </p>
            <label for="my-token-value">"Token"</label>
            <input id="my-token-value" class="token-value" readonly value=value prop:value=value on:focus=move |event| select_all(&event)/>
            <p class="success" role="status">{move || copied.get().then_some("Copied")}</p>
            // Without a script nothing can write to the clipboard: the button is hidden, and this says how.
            <p class="hint without-script">"Select the token and copy it (Ctrl+C, or ⌘C on a Mac)."</p>
            <div class="dialog-buttons">
                <button type="button" class="primary needs-script" on:click=copy>"Copy Token to clipboard"</button>
                <button type="button" commandfor="my-token-dialog" command="close" on:click=move |event| close_from(&event, dialog)>"Close"</button>
            </div>
        </dialog>
    }
    .into_any()
}

#[component]
pub(super) fn DeleteDialog(
    dialog: NodeRef<Dialog>,
    to_delete: RwSignal<Option<Row>>,
    delete: ServerAction<DeleteToken>,
    /// Rendered open: `?delete=<token id>`, the row menu's link without JavaScript.
    open_now: bool,
    /// The URL of the list on screen.
    list: String,
) -> AnyView {
    let forget_request = forget_request("delete", list);
    let error = move || delete.value().get().and_then(Result::err).map(|error| error.to_string());
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            ui::close(dialog);
        }
    });
    let token_id = move || token_id(to_delete);
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        if let Some(row) = to_delete.get_untracked() {
            delete.dispatch(DeleteToken { token_id: row.info.token_id.to_string() });
        }
    };
    let label = move || to_delete.with(|row| row.as_ref().map(label));
    view! {
        <dialog id="delete-dialog" node_ref=dialog class="dialog" aria-labelledby="delete-heading" open=open_now on:close=forget_request>
            <h2 id="delete-heading">"Delete Token"</h2>
            <p>"Delete the token "<strong>{label}</strong>"?"</p>
            <p class="warning">"Deleting a token cannot be undone. Any API usage that references this token stops working."</p>
            <p class="error" role="alert">{error}</p>
            <form method="post" on:submit=submit>
                <input type="hidden" name="intent" value="delete"/>
                <input type="hidden" name="token_id" value=token_id/>
                <div class="dialog-buttons">
                    <button type="button" commandfor="delete-dialog" command="close" on:click=move |event| close_from(&event, dialog)>"Cancel"</button>
                    <button type="submit" class="danger" disabled=move || delete.pending().get()>"Delete Token"</button>
                </div>
            </form>
        </dialog>
    }
    .into_any()
}

/// Confirms rotating a token, and asks when the old one should stop working.
#[component]
pub(super) fn RotateDialog(
    dialog: NodeRef<Dialog>,
    to_rotate: RwSignal<Option<Row>>,
    rotate: ServerAction<RotateToken>,
    /// Rendered open: `?rotate=<token id>`, the row menu's link without JavaScript.
    open_now: bool,
    /// The URL of the list on screen.
    list: String,
) -> AnyView {
    let forget_request = forget_request("rotate", list);
    let error = move || rotate.value().get().and_then(Result::err).map(|error| error.to_string());
    let token_id = move || token_id(to_rotate);
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        if let Ok(input) = RotateToken::from_event(&event) {
            rotate.dispatch(input);
        }
    };
    let label = move || to_rotate.with(|row| row.as_ref().map(label));
    let choice = |seconds: &'static str, title: &'static str, hint: &'static str| {
        view! {
            <label class="choice">
                <input type="radio" name="grace_seconds" value=seconds checked=seconds == "0"/>
                <span><strong>{title}</strong><br/><span class="hint">{hint}</span></span>
            </label>
        }
    };
    view! {
        <dialog id="rotate-dialog" node_ref=dialog class="dialog" aria-labelledby="rotate-heading" open=open_now on:close=forget_request>
            <h2 id="rotate-heading">"Rotate Token"</h2>
            <p>"Replace the token "<strong>{label}</strong>" with a new one: a new value, with the same description "
               "and scopes, and the same lifetime counted from now."</p>
            <form method="post" class="form" on:submit=submit>
                <input type="hidden" name="intent" value="rotate"/>
                <input type="hidden" name="token_id" value=token_id/>
                <fieldset class="choices">
                    <legend>"When should the old token stop working?"</legend>
                    {choice("0", "Now", "Whatever still uses it fails until it has the new value.")}
                    {choice("3600", "At the new token's first use, or in an hour at the latest", "Time for a pipeline to switch over without a failed run.")}
                    {choice("86400", "At the new token's first use, or in a day at the latest", "For clients that are only updated now and then.")}
                </fieldset>
                <p class="hint">"The new token's value is shown once, next."</p>
                <p class="error" role="alert">{error}</p>
                <div class="dialog-buttons">
                    <button type="button" commandfor="rotate-dialog" command="close" on:click=move |event| close_from(&event, dialog)>"Cancel"</button>
                    <button type="submit" class="primary" disabled=move || rotate.pending().get()>"Rotate Token"</button>
                </div>
            </form>
        </dialog>
    }
    .into_any()
}

/// The id of the token a confirmation is about, for its form.
fn token_id(row: RwSignal<Option<Row>>) -> String {
    row.with(|row| row.as_ref().map(|row| row.info.token_id.to_string()).unwrap_or_default())
}

/// A token as a confirmation names it: its description and id, and its owner in the All members view.
fn label(row: &Row) -> String {
    let token = &row.info;
    let name = match token.description.as_str() {
        "" => token.token_id.to_string(),
        description => format!("{description} ({})", token.token_id),
    };
    match &row.owner {
        Some(owner) => format!("{name} of {}", owner.name),
        None => name,
    }
}

/// Once a dialog opened by `?<dialog>=` closes, the URL says so too: the question is not asked
/// again when the list is fetched anew, nor does a form posted from the page carry it.
fn forget_request(dialog: &'static str, list: String) -> impl Fn(ev::Event) + 'static {
    let navigate = use_navigate();
    let query = use_query_map();
    move |_| {
        if query.with_untracked(|query| query.get(dialog).is_some()) {
            navigate(&list, NavigateOptions { replace: true, scroll: false, ..Default::default() });
        }
    }
}
