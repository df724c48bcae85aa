//! The Access Tokens page (User menu > Preferences > Access Tokens): the viewer's tokens, the
//! "Generate New Token" dialog, the one-time "My Token" dialog with Copy Token to clipboard, and
//! "Rotate Token" and "Delete Token" from a row's menu.
//!
//! - [`listing`]: which list the URL asks for, and the listing (shared with the server's answer to
//!   the page's forms, `tokens::form_posts`);
//! - [`table`]: the tabs, the table and its rows, the pager;
//! - [`dialogs`]: Generate New Token, My Token, Rotate Token, Delete Token;
//! - [`details`]: a token's own page, where it was used and its history.
//!
//! The page is server HTML; what it does in the browser (opening the dialogs, copying, the ticking
//! clock) is the `enhance` island's, which finds its way by the ids and `data-` attributes here.

pub mod details;
mod dialogs;
pub mod listing;
mod table;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use self::{
    dialogs::{DeleteDialog, GenerateDialog, MyTokenDialog, RotateDialog, Typed},
    listing::{ListAt, Listing, PostedForm, Row, list},
    table::{EmptyState, StatusTabs, TokenTable, ViewTabs},
};
use super::server_fns::{TokenPolicy, load_token_policy};
use crate::{auth::viewer::signed_in, ui_error::UiError};

#[component]
pub fn AccessTokensPage() -> impl IntoView {
    // Data loading lives above the `<Suspense/>` that reads it (see `people::page::UsersPage`).
    let query = use_query_map();
    let at = query.with_untracked(|query| ListAt::from_query(|name| query.get(name)));
    let policy = Resource::new(|| (), |_| load_token_policy());
    let tokens = Resource::new(|| (), move |_| list(at));
    view! {
        <Title text="Access Tokens · Access Tokens"/>
        {signed_in(move |_| view! { <AccessTokens at policy tokens/> })}
    }
}

#[component]
fn AccessTokens(
    at: ListAt,
    policy: Resource<Result<TokenPolicy, UiError>>,
    tokens: Resource<Result<Listing, UiError>>,
) -> impl IntoView {
    // A posted form's outcome arrives with the page (`tokens::form_posts`): the dialog it
    // concerns is rendered open.
    let mut shown = None;
    let mut typed = None;
    let mut refused = None;
    match use_context::<PostedForm>() {
        Some(PostedForm::Generated { result: Ok(token), .. } | PostedForm::Rotated(Ok(token))) => shown = Some(token),
        Some(PostedForm::Generated { lifetime_days, description, access, admin, result: Err(error) }) => {
            typed = Some((Typed { lifetime_days, description, access, admin }, error));
        }
        Some(PostedForm::DeleteRefused(error) | PostedForm::Rotated(Err(error))) => refused = Some(error.to_string()),
        None => {}
    }
    // `?delete=<token id>` and `?rotate=<token id>`: the dialog, open for that token (the row
    // menu's links, followed before the page's script runs or without one).
    let query = use_query_map();
    let requested = move |dialog: &str| query.with_untracked(|query| query.get(dialog));
    let view = at.view;
    let inactive = at.inactive;

    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumbs"><a href="/preferences">"Preferences"</a>" › Access Tokens"</nav>
        <div class="title-row">
            <h1>"Access Tokens"</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match policy.await {
                        // The browser opens the dialog by itself (`command`); the page's script
                        // does where it cannot.
                        Ok(policy) if policy.may_generate => view! {
                            <button type="button" id="generate-button" class="primary" commandfor="generate-dialog" command="show-modal">
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
                policy.await.ok().filter(|policy| policy.is_admin).map(|_| view! { <ViewTabs view inactive/> })
            })}
        </Transition>
        <StatusTabs view inactive/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    Ok(listing) if listing.count == 0 && listing.rows.is_empty() => view! { <EmptyState view inactive/> }.into_any(),
                    Ok(listing) => {
                        // The row a `?delete=` or `?rotate=` link names, put up for confirmation.
                        let put_up = |dialog: &str| -> Option<Row> {
                            let id = requested(dialog)?;
                            listing.rows.iter().find(|row| row.info.token_id.to_string() == id).cloned()
                        };
                        // (Nothing is done with an inactive token.)
                        let to_delete = (!at.inactive).then(|| put_up("delete")).flatten();
                        let to_rotate = (!at.inactive).then(|| put_up("rotate")).flatten();
                        let list = at.href();
                        view! {
                            <TokenTable listing at list=list.clone()/>
                            <DeleteDialog to_delete list=list.clone()/>
                            <RotateDialog to_rotate list/>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || {
                let typed = typed.clone();
                Suspend::new(async move {
                    policy.await.ok().map(|policy| view! { <GenerateDialog policy typed/> })
                })
            }}
        </Transition>
        <MyTokenDialog shown/>
    }
}

/// A token as the Rotate and Delete confirmations name it: its description and id, and its owner
/// in the All members view. The server names the token a `?delete=` link asks about; the island
/// names the row's token from its cells, with this same function.
pub fn label(description: &str, token_id: &str, owner: Option<&str>) -> String {
    let name = match description {
        "" => token_id.to_owned(),
        description => format!("{description} ({token_id})"),
    };
    match owner {
        Some(owner) => format!("{name} of {owner}"),
        None => name,
    }
}

fn why_not(policy: &TokenPolicy) -> &'static str {
    if !policy.enabled {
        "Access tokens are disabled in this workspace."
    } else {
        "Only workspace admins can generate access tokens in this workspace. Ask an admin to allow members to."
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_confirmation_names_the_token_by_its_description_id_and_owner() {
        let id = "0b7c4c1e-2f1a-4d7e-9a51-5f0e8c1d2a3b";
        assert_eq!(label("", id, None), id);
        assert_eq!(label("CI deploys", id, None), format!("CI deploys ({id})"));
        assert_eq!(label("CI deploys", id, Some("Otto Owner")), format!("CI deploys ({id}) of Otto Owner"));
    }
}
