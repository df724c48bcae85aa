//! The Access Tokens page (User menu > Preferences > Access Tokens): the viewer's tokens, the
//! "Generate New Token" dialog, the one-time "My Token" dialog with Copy Token to clipboard, and
//! "Delete Token" from a row's menu.
//!
//! The table and the dialogs return `AnyView`: their view types nest so deeply that the optimised
//! wasm build (`wasm-release`) overflows the compiler's query depth otherwise.

use leptos::{
    ev,
    form::FromFormData,
    html::{Button, Dialog, Form},
    prelude::*,
};
use leptos_meta::Title;
use leptos_router::{
    NavigateOptions,
    hooks::{use_navigate, use_query_map},
};
use serde::{Deserialize, Serialize};

use super::{
    NewToken, Owner, Status, TokenInfo,
    server_fns::{DeleteToken, GenerateToken, TokenPolicy, load_token_policy, my_tokens, workspace_tokens},
};
use crate::{
    app::signed_in,
    clock::{Clock, Time},
    ui_error::UiError,
    workspace::MaxLifetime,
};

/// How many tokens the page lists at once; older ones are on the next pages.
const PAGE_SIZE: i64 = 100;

/// Whose tokens the page lists: the viewer's own, or (for admins) every member's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Mine,
    AllMembers,
}

impl Scope {
    /// The URL of this list at `page`.
    pub fn href(self, page: i64) -> String {
        let mut query: Vec<String> = Vec::new();
        if self == Scope::AllMembers {
            query.push("view=all".to_owned());
        }
        if page > 1 {
            query.push(format!("page={page}"));
        }
        match query.is_empty() {
            true => "/preferences/access-tokens".to_owned(),
            false => format!("/preferences/access-tokens?{}", query.join("&")),
        }
    }
}

/// The list a URL's `?view=all&page=N` points at, as the page and the forms posted without
/// JavaScript both read it: anything else is one's own tokens, page 1; page numbers are clamped,
/// so that the offset stays far from overflowing.
pub fn list_at(view: Option<&str>, page: Option<&str>) -> (Scope, i64) {
    const MAX_PAGE_NUMBER: i64 = 1_000_000_000;
    let scope = if view == Some("all") { Scope::AllMembers } else { Scope::Mine };
    let page = page.and_then(|page| page.parse::<i64>().ok()).unwrap_or(1).clamp(1, MAX_PAGE_NUMBER);
    (scope, page)
}

/// A row of the table: a token and, in the All members view, who holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Row {
    info: TokenInfo,
    owner: Option<Owner>,
}

/// One page of rows, where it starts, how many tokens there are in all, and when it was listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Listing {
    rows: Vec<Row>,
    offset: i64,
    count: i64,
    /// Statuses and relative times are computed against this until the browser's clock runs.
    #[serde(with = "crate::timestamp::rfc3339")]
    listed_at: time::OffsetDateTime,
}

/// A form of this page posted without JavaScript, and what came of it: the server renders the
/// page with it in context (see `tokens::form_posts`). Only the server has it, which is why that
/// answer is sent without scripts: hydrating it would render the page without the outcome.
#[derive(Clone, Debug)]
pub enum PostedForm {
    Generated { lifetime_days: String, description: String, result: Result<NewToken, UiError> },
    DeleteRefused(UiError),
}

async fn list(scope: Scope, page: i64) -> Result<Listing, UiError> {
    let offset = (page - 1) * PAGE_SIZE;
    let (rows, count) = match scope {
        Scope::Mine => {
            let page = my_tokens(PAGE_SIZE, offset).await?;
            (page.tokens.into_iter().map(|info| Row { info, owner: None }).collect(), page.count)
        }
        Scope::AllMembers => {
            let page = workspace_tokens(PAGE_SIZE, offset).await?;
            (
                page.tokens.into_iter().map(|token| Row { info: token.info, owner: Some(token.owner) }).collect(),
                page.count,
            )
        }
    };
    Ok(Listing { rows, offset, count, listed_at: crate::clock::now() })
}

#[component]
pub fn AccessTokensPage() -> impl IntoView {
    // Data loading lives above the `<Suspense/>` that reads it (see `people::page::UsersPage`).
    let query = use_query_map();
    let at =
        Memo::new(move |_| query.with(|query| list_at(query.get("view").as_deref(), query.get("page").as_deref())));
    let scope = Memo::new(move |_| at.get().0);
    let page = Memo::new(move |_| at.get().1);
    let generate = ServerAction::<GenerateToken>::new();
    let delete = ServerAction::<DeleteToken>::new();
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
        move || (scope.get(), page.get(), generate.version().get(), delete.version().get(), refresh.get()),
        |(scope, page, ..)| list(scope, page),
    );
    Clock::provide();
    view! {
        <Title text="Access Tokens · Access Tokens"/>
        {signed_in(move |_| view! { <AccessTokens scope page policy tokens generate delete/> })}
    }
}

#[component]
fn AccessTokens(
    scope: Memo<Scope>,
    page: Memo<i64>,
    policy: Resource<Result<TokenPolicy, UiError>>,
    tokens: Resource<Result<Listing, UiError>>,
    generate: ServerAction<GenerateToken>,
    delete: ServerAction<DeleteToken>,
) -> impl IntoView {
    let generate_dialog = NodeRef::<Dialog>::new();
    let my_token_dialog = NodeRef::<Dialog>::new();
    let delete_dialog = NodeRef::<Dialog>::new();
    let generate_button = NodeRef::<Button>::new();
    // The token awaiting confirmation in the Delete Token dialog.
    let to_delete = RwSignal::new(None::<Row>);
    // The new token's value, while the My Token dialog shows it.
    let shown = RwSignal::new(None::<NewToken>);

    // Without JavaScript, a posted form's outcome arrives with the page; the dialog it concerns
    // is rendered open.
    let mut typed = None;
    let mut delete_refused = None;
    match use_context::<PostedForm>() {
        Some(PostedForm::Generated { result: Ok(token), .. }) => shown.set(Some(token)),
        Some(PostedForm::Generated { lifetime_days, description, result: Err(error) }) => {
            generate.value().set(Some(Err(error)));
            typed = Some((lifetime_days, description));
        }
        Some(PostedForm::DeleteRefused(error)) => delete_refused = Some(error.to_string()),
        None => {}
    }
    let my_token_open = shown.with_untracked(Option::is_some);
    // `?delete=<token id>`: the Delete Token dialog, open for that token (the row menu's link).
    let query = use_query_map();
    let delete_requested = move || query.with_untracked(|query| query.get("delete"));

    // One dialog hands over to the other: close Generate first, so that focus has gone back to
    // the "Generate New Token" button when My Token opens, and returns there when it closes.
    Effect::new(move |_| {
        if let Some(Ok(token)) = generate.value().get() {
            close(generate_dialog);
            shown.set(Some(token));
            open(my_token_dialog);
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
                                    open(generate_dialog);
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
        {delete_refused.map(|message| view! { <p class="error" role="alert">{message}</p> })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                policy.await.ok().filter(|policy| policy.is_admin).map(|_| view! { <ScopeTabs scope/> })
            })}
        </Transition>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    Ok(listing) if listing.count == 0 => view! { <EmptyState scope=scope.get_untracked()/> }.into_any(),
                    Ok(listing) => {
                        let requested = delete_requested()
                            .and_then(|id| listing.rows.iter().find(|row| row.info.token_id.to_string() == id).cloned());
                        let open_now = requested.is_some();
                        if requested.is_some() {
                            to_delete.set(requested);
                        }
                        let list = scope.get_untracked().href(page.get_untracked());
                        view! {
                            <TokenTable listing scope=scope.get_untracked() list=list.clone() to_delete delete_dialog/>
                            <DeleteDialog dialog=delete_dialog to_delete delete open_now list/>
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
        <MyTokenDialog dialog=my_token_dialog shown generate generate_button open_now=my_token_open/>
    }
}

fn why_not(policy: &TokenPolicy) -> &'static str {
    if !policy.enabled {
        "Access tokens are disabled in this workspace."
    } else {
        "Only workspace admins can generate access tokens in this workspace. Ask an admin to allow members to."
    }
}

/// "My tokens" and "All members", for admins.
#[component]
fn ScopeTabs(scope: Memo<Scope>) -> impl IntoView {
    let tab = move |this: Scope, label: &'static str| {
        view! {
            <a href=this.href(1) aria-current=move || (scope.get() == this).then_some("page")>{label}</a>
        }
    };
    view! {
        <nav class="tabs" aria-label="Whose tokens">
            {tab(Scope::Mine, "My tokens")}
            {tab(Scope::AllMembers, "All members")}
        </nav>
    }
}

#[component]
fn EmptyState(scope: Scope) -> impl IntoView {
    let text = match scope {
        Scope::Mine => {
            "You have no access tokens yet. Generate one to call the REST API from scripts and tools: \
                        it stands in for your password, with a lifetime you choose, and you can delete it at any time."
        }
        Scope::AllMembers => "No member of this workspace holds an access token.",
    };
    view! { <p class="empty">{text}</p> }
}

#[component]
fn TokenTable(
    listing: Listing,
    scope: Scope,
    /// The URL of this list, which links from it keep.
    list: String,
    to_delete: RwSignal<Option<Row>>,
    delete_dialog: NodeRef<Dialog>,
) -> AnyView {
    let with_owner = scope == Scope::AllMembers;
    let pager = pager(scope, &listing);
    let listed_at = listing.listed_at;
    let caption = match scope {
        Scope::Mine => "Your access tokens, newest first",
        Scope::AllMembers => "Every member's access tokens, newest first",
    };
    view! {
        <div class="table-scroll">
            <table class="data tokens">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Token ID"</th>
                        {with_owner.then(|| view! { <th scope="col">"Owner"</th> })}
                        <th scope="col">"Description"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Expires"</th>
                        <th scope="col">"Last Used"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {listing.rows.into_iter().map(|row| view! { <TokenRow row listed_at list=list.clone() to_delete delete_dialog/> }).collect_view()}
                </tbody>
            </table>
        </div>
        {pager}
    }
    .into_any()
}

/// "Tokens 101–200 of 10,000", with links to the newer and older pages.
fn pager(scope: Scope, listing: &Listing) -> impl IntoView + use<> {
    let page = listing.offset / PAGE_SIZE + 1;
    let first = listing.offset + 1;
    let last = listing.offset + listing.rows.len() as i64;
    // Past the end (a stale link, tokens deleted meanwhile): "Newer" leads to the last page.
    let last_page = ((listing.count + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let newer_page = if listing.rows.is_empty() { last_page.min(page - 1) } else { page - 1 };
    let newer = (page > 1).then(|| view! { <a href=scope.href(newer_page) rel="prev">"← Newer"</a> });
    let older = (last < listing.count).then(|| view! { <a href=scope.href(page + 1) rel="next">"Older →"</a> });
    let range = if listing.rows.is_empty() {
        format!("No tokens on this page; there are {} in all.", thousands(listing.count))
    } else {
        format!("Tokens {}–{} of {}", thousands(first), thousands(last), thousands(listing.count))
    };
    (listing.count > PAGE_SIZE || page > 1).then(|| {
        view! {
            <nav class="pager" aria-label="Pages">
                {newer}
                <span>{range}</span>
                {older}
            </nav>
        }
    })
}

fn thousands(number: i64) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[component]
fn TokenRow(
    row: Row,
    listed_at: time::OffsetDateTime,
    list: String,
    to_delete: RwSignal<Option<Row>>,
    delete_dialog: NodeRef<Dialog>,
) -> AnyView {
    let clock = Clock::get();
    let menu = NodeRef::<leptos::html::Div>::new();
    let menu_button = NodeRef::<Button>::new();
    let token = &row.info;
    let id = token.token_id.to_string();
    let menu_id = format!("token-menu-{id}");
    // Places the menu under its button (CSS anchor positioning; elsewhere it is centred).
    let anchor = format!("--token-menu-{id}");
    let expired_at = token.expired_at;
    // Recomputed at each tick of the clock: a token turns Expired while the page is open.
    let status = move || Status::at(expired_at, clock.now_or(listed_at));
    let status_class = move || match status() {
        Status::Active => "status active",
        Status::Expired => "status expired",
    };
    let menu_label = format!("Actions for token {id}");
    let owner = row.owner.clone().map(|owner| {
        view! { <td class="owner" data-label="Owner"><span>{owner.name}<br/><span class="muted">{owner.username}</span></span></td> }
    });
    // Without JavaScript the link asks the server for the page with the dialog open.
    let delete_href = format!("{list}{}delete={id}", if list.contains('?') { '&' } else { '?' });
    let ask_to_delete = {
        let row = row.clone();
        move |event: ev::MouseEvent| {
            event.prevent_default();
            if let Some(menu) = menu.get_untracked() {
                let _ = menu.hide_popover();
            }
            // The dialog gives focus back to what had it when it opened: the row's menu button.
            if let Some(button) = menu_button.get_untracked() {
                let _ = button.focus();
            }
            to_delete.set(Some(row.clone()));
            open(delete_dialog);
        }
    };
    view! {
        <tr>
            // data-label: the column's name, shown beside each value where narrow screens stack
            // the cells of a row.
            <td data-label="Token ID"><code class="token-id">{id.clone()}</code></td>
            {owner}
            <td class="description" data-label="Description">{token.description.clone()}</td>
            <td data-label="Status"><span class=status_class>{move || status().to_string()}</span></td>
            <td data-label="Created">{time_cell(Some(token.created_at), listed_at, "")}</td>
            <td data-label="Expires">{time_cell(token.expired_at, listed_at, "Never")}</td>
            <td data-label="Last Used">{time_cell(token.last_used, listed_at, "Never")}</td>
            <td class="row-menu">
                // A popover: the browser opens and closes it (Esc, a click elsewhere), with or
                // without JavaScript, and gives focus back to the button.
                <button
                    type="button"
                    class="icon"
                    node_ref=menu_button
                    aria-label=menu_label
                    popovertarget=menu_id.clone()
                    style=format!("anchor-name: {anchor}")
                >
                    "⋯"
                </button>
                <div id=menu_id class="menu" popover node_ref=menu style=format!("position-anchor: {anchor}")>
                    <a class="menu-item danger" href=delete_href on:click=ask_to_delete>"Delete Token…"</a>
                </div>
            </td>
        </tr>
    }
    .into_any()
}

fn time_cell(at: Option<time::OffsetDateTime>, rendered_at: time::OffsetDateTime, none: &'static str) -> impl IntoView {
    match at {
        Some(at) => view! { <Time at rendered_at/> }.into_any(),
        None => view! { <span class="muted">{none}</span> }.into_any(),
    }
}

#[component]
fn GenerateDialog(
    dialog: NodeRef<Dialog>,
    generate: ServerAction<GenerateToken>,
    policy: TokenPolicy,
    /// What was typed into a form posted without JavaScript and refused: shown again, open.
    typed: Option<(String, String)>,
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
    let (lifetime_days, description) = typed.unwrap_or_else(|| ("30".to_owned(), String::new()));
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
fn MyTokenDialog(
    dialog: NodeRef<Dialog>,
    shown: RwSignal<Option<NewToken>>,
    generate: ServerAction<GenerateToken>,
    generate_button: NodeRef<Button>,
    /// Rendered open: the answer to a form posted without JavaScript.
    open_now: bool,
) -> AnyView {
    let copied = RwSignal::new(false);
    let forget = move || {
        shown.set(None);
        copied.set(false);
        // The action keeps its last value; clear it so the value lives nowhere on the page.
        generate.value().set(None);
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
            <div class="dialog-buttons">
                <button type="button" class="primary" on:click=copy>"Copy Token to clipboard"</button>
                <button type="button" commandfor="my-token-dialog" command="close" on:click=move |event| close_from(&event, dialog)>"Close"</button>
            </div>
        </dialog>
    }
    .into_any()
}

#[component]
fn DeleteDialog(
    dialog: NodeRef<Dialog>,
    to_delete: RwSignal<Option<Row>>,
    delete: ServerAction<DeleteToken>,
    /// Rendered open: `?delete=<token id>`, the row menu's link without JavaScript.
    open_now: bool,
    /// The URL of the list on screen.
    list: String,
) -> AnyView {
    // Once the dialog opened by `?delete=` closes, the URL says so too: the question is not asked
    // again when the list is fetched anew, nor does a form posted from the page carry it.
    let navigate = use_navigate();
    let query = use_query_map();
    let forget_request = move |_| {
        if query.with_untracked(|query| query.get("delete").is_some()) {
            navigate(&list, NavigateOptions { replace: true, scroll: false, ..Default::default() });
        }
    };
    let error = move || delete.value().get().and_then(Result::err).map(|error| error.to_string());
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            close(dialog);
        }
    });
    let token_id =
        move || to_delete.with(|row| row.as_ref().map(|row| row.info.token_id.to_string()).unwrap_or_default());
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        if let Some(row) = to_delete.get_untracked() {
            delete.dispatch(DeleteToken { token_id: row.info.token_id.to_string() });
        }
    };
    let label = move || {
        to_delete.with(|row| {
            row.as_ref().map(|row| {
                let token = &row.info;
                let name = match token.description.as_str() {
                    "" => token.token_id.to_string(),
                    description => format!("{description} ({})", token.token_id),
                };
                match &row.owner {
                    Some(owner) => format!("{name} of {}", owner.name),
                    None => name,
                }
            })
        })
    };
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

/// Opens a modal dialog: the browser moves focus into it, makes the rest of the page inert, and
/// closes it on Esc, giving focus back to where it was.
fn open(dialog: NodeRef<Dialog>) {
    if let Some(dialog) = dialog.get_untracked() {
        if !dialog.open() {
            let _ = dialog.show_modal();
        }
    }
}

/// A Close or Cancel button's click, which also carries `command="close"` for browsers without
/// JavaScript: done here, and the command prevented, so the dialog is not closed twice.
fn close_from(event: &ev::MouseEvent, dialog: NodeRef<Dialog>) {
    event.prevent_default();
    close(dialog);
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
