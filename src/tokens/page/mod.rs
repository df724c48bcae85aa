//! The Access Tokens page (User menu > Preferences > Access Tokens): the viewer's tokens, the
//! "Generate New Token" dialog, the one-time "My Token" dialog with Copy Token to clipboard, and
//! "Rotate Token" and "Delete Token" from a row's menu.
//!
//! - [`listing`]: which list the URL asks for, and the listing (shared with the server's answer to
//!   forms posted without JavaScript);
//! - [`table`]: the tabs, the table and its rows, the pager;
//! - [`dialogs`]: Generate New Token, My Token, Rotate Token, Delete Token.
//!
//! The table and the dialogs return `AnyView`: their view types nest so deeply that the optimised
//! wasm build (`wasm-release`) overflows the compiler's query depth otherwise.

mod dialogs;
pub mod listing;
mod table;

use leptos::{
    ev,
    html::{Button, Dialog},
    prelude::*,
};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use self::{
    dialogs::{DeleteDialog, GenerateDialog, MyTokenDialog, RotateDialog, Typed},
    listing::{ListAt, Listing, PostedForm, Row, View, list},
    table::{EmptyState, TokenTable, ViewTabs},
};
use super::{
    NewToken,
    server_fns::{DeleteToken, GenerateToken, RotateToken, TokenPolicy, load_token_policy},
};
use crate::{auth::viewer::signed_in, clock::Clock, ui, ui_error::UiError};

#[component]
pub fn AccessTokensPage() -> impl IntoView {
    // Data loading lives above the `<Suspense/>` that reads it (see `people::page::UsersPage`).
    let query = use_query_map();
    let at = Memo::new(move |_| query.with(|query| ListAt::from_query(|name| query.get(name))));
    let view = Memo::new(move |_| at.get().view);
    let generate = ServerAction::<GenerateToken>::new();
    let delete = ServerAction::<DeleteToken>::new();
    let rotate = ServerAction::<RotateToken>::new();
    // Coming back to the tab lists the tokens again: Last Used may have changed meanwhile.
    let refresh = RwSignal::new(0_u32);
    let listener = window_event_listener(ev::visibilitychange, move |_| {
        if !document().hidden() {
            refresh.update(|count| *count += 1);
        }
    });
    on_cleanup(move || listener.remove());
    let policy = Resource::new(|| (), |_| load_token_policy());
    let tokens = Resource::new(
        move || {
            let changes = (generate.version().get(), delete.version().get(), rotate.version().get());
            (at.get(), changes, refresh.get())
        },
        |(at, ..)| list(at),
    );
    Clock::provide();
    view! {
        <Title text="Access Tokens · Access Tokens"/>
        {signed_in(move |_| view! { <AccessTokens view at policy tokens generate delete rotate/> })}
    }
}

#[component]
fn AccessTokens(
    view: Memo<View>,
    at: Memo<ListAt>,
    policy: Resource<Result<TokenPolicy, UiError>>,
    tokens: Resource<Result<Listing, UiError>>,
    generate: ServerAction<GenerateToken>,
    delete: ServerAction<DeleteToken>,
    rotate: ServerAction<RotateToken>,
) -> impl IntoView {
    let generate_dialog = NodeRef::<Dialog>::new();
    let my_token_dialog = NodeRef::<Dialog>::new();
    let delete_dialog = NodeRef::<Dialog>::new();
    let rotate_dialog = NodeRef::<Dialog>::new();
    let generate_button = NodeRef::<Button>::new();
    // The token awaiting confirmation in the Delete Token and Rotate Token dialogs.
    let to_delete = RwSignal::new(None::<Row>);
    let to_rotate = RwSignal::new(None::<Row>);
    // The new token's value, while the My Token dialog shows it.
    let shown = RwSignal::new(None::<NewToken>);

    // Without JavaScript, a posted form's outcome arrives with the page; the dialog it concerns
    // is rendered open.
    let mut typed = None;
    let mut refused = None;
    match use_context::<PostedForm>() {
        Some(PostedForm::Generated { result: Ok(token), .. } | PostedForm::Rotated(Ok(token))) => {
            shown.set(Some(token))
        }
        Some(PostedForm::Generated { lifetime_days, description, access, admin, result: Err(error) }) => {
            generate.value().set(Some(Err(error)));
            typed = Some(Typed { lifetime_days, description, access, admin });
        }
        Some(PostedForm::DeleteRefused(error) | PostedForm::Rotated(Err(error))) => refused = Some(error.to_string()),
        None => {}
    }
    let my_token_open = shown.with_untracked(Option::is_some);
    // `?delete=<token id>` and `?rotate=<token id>`: the dialog, open for that token (the row
    // menu's links without JavaScript).
    let query = use_query_map();
    let requested = move |dialog: &str| query.with_untracked(|query| query.get(dialog));

    // One dialog hands over to the other: close Generate first, so that focus has gone back to
    // the "Generate New Token" button when My Token opens, and returns there when it closes.
    Effect::new(move |_| {
        if let Some(Ok(token)) = generate.value().get() {
            ui::close(generate_dialog);
            shown.set(Some(token));
            ui::open(my_token_dialog);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(token)) = rotate.value().get() {
            ui::close(rotate_dialog);
            shown.set(Some(token));
            ui::open(my_token_dialog);
        }
    });

    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumbs"><a href="/preferences">"Preferences"</a>" › Access Tokens"</nav>
        <div class="title-row">
            <h1>"Access Tokens"</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match policy.await {
                        // `command`: without JavaScript the browser opens the dialog by itself. With
                        // it, the click is ours (prevented: the dialog must not be opened twice).
                        Ok(policy) if policy.may_generate => view! {
                            <button
                                type="button"
                                class="primary"
                                node_ref=generate_button
                                commandfor="generate-dialog"
                                command="show-modal"
                                on:click=move |event| {
                                    event.prevent_default();
                                    ui::open(generate_dialog);
                                }
                            >
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
        {refused.map(|message| view! { <p class="error" role="alert">{message}</p> })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                policy.await.ok().filter(|policy| policy.is_admin).map(|_| view! { <ViewTabs view/> })
            })}
        </Transition>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    Ok(listing) if listing.count == 0 && listing.rows.is_empty() => view! { <EmptyState view=view.get_untracked()/> }.into_any(),
                    Ok(listing) => {
                        // The row a `?delete=` or `?rotate=` link names, put up for confirmation.
                        let put_up = |dialog: &str, signal: RwSignal<Option<Row>>| {
                            let row = requested(dialog).and_then(|id| {
                                listing.rows.iter().find(|row| row.info.token_id.to_string() == id).cloned()
                            });
                            let found = row.is_some();
                            if found {
                                signal.set(row);
                            }
                            found
                        };
                        let delete_now = put_up("delete", to_delete);
                        let rotate_now = put_up("rotate", to_rotate);
                        let list = at.get_untracked().href();
                        let dialogs = RowDialogs { delete: delete_dialog, rotate: rotate_dialog, to_delete, to_rotate };
                        view! {
                            <TokenTable listing view=view.get_untracked() list=list.clone() dialogs/>
                            <DeleteDialog dialog=delete_dialog to_delete delete open_now=delete_now list=list.clone()/>
                            <RotateDialog dialog=rotate_dialog to_rotate rotate open_now=rotate_now list/>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || {
                let typed = typed.clone();
                Suspend::new(async move {
                    policy.await.ok().map(|policy| view! { <GenerateDialog dialog=generate_dialog generate policy typed/> })
                })
            }}
        </Transition>
        <MyTokenDialog dialog=my_token_dialog shown generate rotate generate_button open_now=my_token_open/>
    }
}

/// The dialogs a row's menu opens, and the row each is about.
#[derive(Clone, Copy)]
pub(super) struct RowDialogs {
    pub delete: NodeRef<Dialog>,
    pub rotate: NodeRef<Dialog>,
    pub to_delete: RwSignal<Option<Row>>,
    pub to_rotate: RwSignal<Option<Row>>,
}

fn why_not(policy: &TokenPolicy) -> &'static str {
    if !policy.enabled {
        "Access tokens are disabled in this workspace."
    } else {
        "Only workspace admins can generate access tokens in this workspace. Ask an admin to allow members to."
    }
}
