//! The Access Tokens page (User menu > Preferences > Access Tokens): the viewer's tokens, the
//! "Generate New Token" dialog, the one-time "My Token" dialog with Copy Token to clipboard, and
//! "Delete Token" from a row's menu.

use leptos::{html::Dialog, prelude::*};
use leptos_meta::Title;

use super::{
    NewToken, Status, TokenInfo,
    server_fns::{DeleteToken, GenerateToken, TokenPage, TokenPolicy, load_token_policy, my_tokens},
};
use crate::{app::signed_in, timestamp, ui_error::UiError, workspace::MaxLifetime};

/// How many tokens the page lists at once.
const PAGE_SIZE: i64 = 100;

#[component]
pub fn AccessTokensPage() -> impl IntoView {
    // Data loading lives above the `<Suspense/>` that reads it (see `people::page::UsersPage`).
    let generate = ServerAction::<GenerateToken>::new();
    let delete = ServerAction::<DeleteToken>::new();
    let policy = Resource::new(|| (), |_| load_token_policy());
    let tokens = Resource::new(
        move || (generate.version().get(), delete.version().get()),
        |_| my_tokens(PAGE_SIZE, 0),
    );
    view! {
        <Title text="Access Tokens · Access Tokens"/>
        {signed_in(move |_| view! { <AccessTokens policy tokens generate delete/> })}
    }
}

#[component]
fn AccessTokens(
    policy: Resource<Result<TokenPolicy, UiError>>,
    tokens: Resource<Result<TokenPage<TokenInfo>, UiError>>,
    generate: ServerAction<GenerateToken>,
    delete: ServerAction<DeleteToken>,
) -> impl IntoView {
    let generate_dialog = NodeRef::<Dialog>::new();
    let delete_dialog = NodeRef::<Dialog>::new();
    // The token awaiting confirmation in the Delete Token dialog.
    let to_delete = RwSignal::new(None::<TokenInfo>);

    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumbs"><a href="/preferences">"Preferences"</a>" › Access Tokens"</nav>
        <div class="title-row">
            <h1>"Access Tokens"</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match policy.await {
                        Ok(policy) if policy.may_generate => view! {
                            <button type="button" class="primary" on:click=move |_| open(generate_dialog)>
                                "Generate New Token"
                            </button>
                        }.into_any(),
                        Ok(policy) => view! { <p class="notice" role="note">{why_not(&policy)}</p> }.into_any(),
                        Err(_) => ().into_any(),
                    }
                })}
            </Transition>
        </div>
        <p class="hint">
            "Access tokens authenticate REST clients and scripts: send one as "
            <code>"Authorization: Bearer <token>"</code>" with each request. A token belongs to you and "
            "cannot be modified or extended; generate a new one at any time."
        </p>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    Ok(page) if page.tokens.is_empty() => view! {
                        <p class="empty">"You have no access tokens yet. Generate one to call the REST API from scripts and tools."</p>
                    }.into_any(),
                    Ok(page) => view! { <TokenTable page to_delete delete_dialog/> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                policy.await.ok().map(|policy| view! { <GenerateDialog dialog=generate_dialog generate policy/> })
            })}
        </Transition>
        <MyTokenDialog generate/>
        <DeleteDialog dialog=delete_dialog to_delete delete/>
    }
}

fn why_not(policy: &TokenPolicy) -> &'static str {
    if !policy.enabled {
        "Access tokens are disabled in this workspace."
    } else {
        "Only workspace admins can generate access tokens in this workspace. Ask an admin to allow members to."
    }
}

#[component]
fn TokenTable(page: TokenPage<TokenInfo>, to_delete: RwSignal<Option<TokenInfo>>, delete_dialog: NodeRef<Dialog>) -> impl IntoView {
    let more = (page.count > page.tokens.len() as i64)
        .then(|| view! { <p class="hint">{format!("Showing the newest {} of {} tokens.", page.tokens.len(), page.count)}</p> });
    view! {
        <div class="table-scroll">
            <table class="data tokens">
                <thead>
                    <tr>
                        <th scope="col">"Token ID"</th>
                        <th scope="col">"Description"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Expires"</th>
                        <th scope="col">"Last Used"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {page.tokens.into_iter().map(|token| view! { <TokenRow token to_delete delete_dialog/> }).collect_view()}
                </tbody>
            </table>
        </div>
        {more}
    }
}

#[component]
fn TokenRow(token: TokenInfo, to_delete: RwSignal<Option<TokenInfo>>, delete_dialog: NodeRef<Dialog>) -> impl IntoView {
    let menu_open = RwSignal::new(false);
    let id = token.token_id.to_string();
    let menu_id = format!("token-menu-{id}");
    let status_class = match token.status {
        Status::Active => "status active",
        Status::Expired => "status expired",
    };
    let menu_label = format!("Actions for token {id}");
    let ask_to_delete = {
        let token = token.clone();
        move |_| {
            menu_open.set(false);
            to_delete.set(Some(token.clone()));
            open(delete_dialog);
        }
    };
    view! {
        <tr>
            <td><code class="token-id">{id.clone()}</code></td>
            <td>{token.description.clone()}</td>
            <td><span class=status_class>{token.status.to_string()}</span></td>
            <td>{time_cell(Some(token.created_at), "")}</td>
            <td>{time_cell(token.expired_at, "Never")}</td>
            <td>{time_cell(token.last_used, "Never")}</td>
            <td class="row-menu">
                <button
                    type="button"
                    class="icon"
                    aria-label=menu_label
                    aria-haspopup="true"
                    aria-expanded=move || menu_open.get().to_string()
                    aria-controls=menu_id.clone()
                    on:click=move |_| menu_open.update(|open| *open = !*open)
                >
                    "⋯"
                </button>
                <ul id=menu_id class="menu" hidden=move || !menu_open.get()>
                    <li><button type="button" class="menu-item danger" on:click=ask_to_delete>"Delete Token…"</button></li>
                </ul>
            </td>
        </tr>
    }
}

fn time_cell(at: Option<time::OffsetDateTime>, none: &'static str) -> impl IntoView {
    match at {
        Some(at) => {
            let exact = timestamp::format(at);
            let shown = format!("{} {:02}:{:02} UTC", at.date(), at.hour(), at.minute());
            view! { <time datetime=exact.clone() title=exact>{shown}</time> }.into_any()
        }
        None => view! { <span class="muted">{none}</span> }.into_any(),
    }
}

#[component]
fn GenerateDialog(dialog: NodeRef<Dialog>, generate: ServerAction<GenerateToken>, policy: TokenPolicy) -> impl IntoView {
    let error = move |field: &'static str| move || generate.value().get().and_then(Result::err).and_then(|error| error.for_field(field));
    let other_error = move || {
        generate.value().get().and_then(Result::err).filter(|error| !matches!(error, UiError::Invalid { .. })).map(|error| error.to_string())
    };
    let rule = match policy.max_lifetime {
        MaxLifetime::Unlimited => "Whole days; -1 for a token that never expires.".to_owned(),
        MaxLifetime::Days(days) => format!("Whole days, from 1 to {days} (this workspace's maximum)."),
    };
    // Close this dialog once a token is generated; the My Token dialog takes over.
    Effect::new(move |_| {
        if let Some(Ok(_)) = generate.value().get() {
            close(dialog);
        }
    });
    view! {
        <dialog node_ref=dialog class="dialog" aria-labelledby="generate-heading">
            <h2 id="generate-heading">"Generate New Token"</h2>
            <ActionForm action=generate attr:class="form">
                <label for="token-lifetime">"Lifetime (days)"</label>
                <input id="token-lifetime" name="lifetime_days" inputmode="numeric" value="30" required aria-describedby="token-lifetime-rule token-lifetime-error"/>
                <p id="token-lifetime-rule" class="hint">{rule}</p>
                <p id="token-lifetime-error" class="error" role="alert">{error("lifetime")}</p>
                <label for="token-description">"Description (optional)"</label>
                <input id="token-description" name="description" maxlength="255" autocomplete="off" aria-describedby="token-description-error"/>
                <p id="token-description-error" class="error" role="alert">{error("description")}</p>
                <p class="error" role="alert">{other_error}</p>
                <div class="dialog-buttons">
                    <button type="button" on:click=move |_| close(dialog)>"Cancel"</button>
                    <button type="submit" class="primary" disabled=move || generate.pending().get()>"Generate"</button>
                </div>
            </ActionForm>
        </dialog>
    }
}

/// Shows a new token's value once. Closing it forgets the value: it cannot be shown again.
#[component]
fn MyTokenDialog(generate: ServerAction<GenerateToken>) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
    let shown = RwSignal::new(None::<NewToken>);
    let copied = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(token)) = generate.value().get() {
            shown.set(Some(token));
            copied.set(false);
            open(dialog);
        }
    });
    let forget = move || {
        shown.set(None);
        // The action keeps its last value; clear it so the value lives nowhere on the page.
        generate.value().set(None);
    };
    let value = move || shown.with(|token| token.as_ref().map(|token| token.token_value.clone()).unwrap_or_default());
    let copy = move |_| {
        let text = value();
        copy_to_clipboard(text, copied);
    };
    view! {
        <dialog node_ref=dialog class="dialog" aria-labelledby="my-token-heading" on:close=move |_| forget()>
            <h2 id="my-token-heading">"My Token"</h2>
            <p class="warning">
                "Copy the token now and store it somewhere safe. For your security it cannot be shown again "
                "once you close this dialog."
            </p>
            <label for="my-token-value">"Token"</label>
            <input id="my-token-value" class="token-value" readonly prop:value=value on:focus=move |event| select_all(&event)/>
            <p class="success" role="status">{move || copied.get().then_some("Copied")}</p>
            <div class="dialog-buttons">
                <button type="button" class="primary" on:click=copy>"Copy Token to clipboard"</button>
                <button type="button" on:click=move |_| close(dialog)>"Close"</button>
            </div>
        </dialog>
    }
}

#[component]
fn DeleteDialog(dialog: NodeRef<Dialog>, to_delete: RwSignal<Option<TokenInfo>>, delete: ServerAction<DeleteToken>) -> impl IntoView {
    let error = move || delete.value().get().and_then(Result::err).map(|error| error.to_string());
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            close(dialog);
        }
    });
    let confirm = move |_| {
        if let Some(token) = to_delete.get_untracked() {
            delete.dispatch(DeleteToken { token_id: token.token_id.to_string() });
        }
    };
    let label = move || {
        to_delete.with(|token| {
            token.as_ref().map(|token| match token.description.as_str() {
                "" => token.token_id.to_string(),
                description => format!("{description} ({})", token.token_id),
            })
        })
    };
    view! {
        <dialog node_ref=dialog class="dialog" aria-labelledby="delete-heading">
            <h2 id="delete-heading">"Delete Token"</h2>
            <p>"Delete the token "<strong>{label}</strong>"?"</p>
            <p class="warning">"Deleting a token cannot be undone. Any API usage that references this token stops working."</p>
            <p class="error" role="alert">{error}</p>
            <div class="dialog-buttons">
                <button type="button" on:click=move |_| close(dialog)>"Cancel"</button>
                <button type="button" class="danger" on:click=confirm disabled=move || delete.pending().get()>"Delete Token"</button>
            </div>
        </dialog>
    }
}

/// Opens a modal dialog: the browser moves focus into it, makes the rest of the page inert, and
/// closes it on Esc, giving focus back to where it was.
fn open(dialog: NodeRef<Dialog>) {
    if let Some(dialog) = dialog.get_untracked() {
        if !dialog.open() {
            let _ = dialog.show_modal();
        }
    }
}

fn close(dialog: NodeRef<Dialog>) {
    if let Some(dialog) = dialog.get_untracked() {
        dialog.close();
    }
}

fn select_all(event: &leptos::ev::FocusEvent) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(input) = event.target().and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok()) {
        input.select();
    }
}

/// Writes `text` to the clipboard and shows "Copied" for a few seconds.
#[cfg(feature = "hydrate")]
fn copy_to_clipboard(text: String, copied: RwSignal<bool>) {
    let clipboard = window().navigator().clipboard();
    wasm_bindgen_futures::spawn_local(async move {
        if wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await.is_ok() {
            copied.set(true);
            gloo_timers::callback::Timeout::new(3_000, move || copied.set(false)).forget();
        }
    });
}

#[cfg(not(feature = "hydrate"))]
fn copy_to_clipboard(_text: String, _copied: RwSignal<bool>) {}
