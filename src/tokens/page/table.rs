//! The tokens as a table: the My tokens / All members tabs, the rows with their menu, the pager,
//! and what shows when there is no token at all.

use leptos::prelude::*;

use super::listing::{ListAt, Listing, PAGE_SIZE, Place, Row, View};
use crate::{
    tokens::{Status, expiring},
    ui::{thousands, time_or},
};

/// "My tokens" and "All members", for admins.
#[component]
pub(super) fn ViewTabs(view: View, inactive: bool) -> impl IntoView {
    let tab = move |this: View, label: &'static str| {
        let href = ListAt { view: this, inactive, place: Place::First }.href();
        view! {
            <a href=href aria-current=(view == this).then_some("page")>{label}</a>
        }
    };
    view! {
        <nav class="tabs" aria-label="Whose tokens">
            {tab(View::Mine, "My tokens")}
            {tab(View::AllMembers, "All members")}
        </nav>
    }
}

/// The working tokens, or those that no longer work (revoked, expired, owner disabled).
#[component]
pub(super) fn StatusTabs(view: View, inactive: bool) -> impl IntoView {
    view! {
        <nav class="tabs status-tabs" aria-label="Which tokens">
            <a href=ListAt::first(view).href() aria-current=(!inactive).then_some("page")>"Tokens"</a>
            <a href=ListAt::first_inactive(view).href() aria-current=inactive.then_some("page")>"Inactive"</a>
        </nav>
    }
}

#[component]
pub(super) fn EmptyState(view: View, inactive: bool) -> impl IntoView {
    let text = match (view, inactive) {
        (View::Mine, true) => "None of your tokens has been revoked or has expired.",
        (View::AllMembers, true) => "No member's token has been revoked or has expired.",
        (View::Mine, false) => {
            "You have no access tokens yet. Generate one to call the REST API from scripts and tools: \
             it stands in for your password, with a lifetime you choose, and you can delete it at any time."
        }
        (View::AllMembers, false) => "No member of this workspace holds an access token.",
    };
    view! { <p class="empty">{text}</p> }
}

#[component]
pub(super) fn TokenTable(
    listing: Listing,
    at: ListAt,
    /// The URL of this list, which links from it keep.
    list: String,
) -> AnyView {
    if at.inactive {
        return view! { <InactiveTable listing view=at.view/> }.into_any();
    }
    let view = at.view;
    let with_owner = view == View::AllMembers;
    let pager = pager(at, &listing);
    let listed_at = listing.listed_at;
    let caption = match view {
        View::Mine => "Your access tokens, newest first",
        View::AllMembers => "Every member's access tokens, newest first",
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
                        <th scope="col">"Scopes"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Expires"</th>
                        <th scope="col">"Last Used"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {listing
                        .rows
                        .into_iter()
                        .map(|row| view! { <TokenRow row listed_at list=list.clone()/> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        {pager}
    }
    .into_any()
}

/// The tokens that no longer work: when each ended, why, and by whom. Nothing is done with them
/// any more, so no menu; a token that still exists (expired, its owner disabled) links to its page.
#[component]
fn InactiveTable(listing: Listing, view: View) -> impl IntoView {
    let with_owner = view == View::AllMembers;
    let pager = pager(ListAt::first_inactive(view), &listing);
    let listed_at = listing.listed_at;
    let caption = match view {
        View::Mine => "Your tokens that no longer work, newest first",
        View::AllMembers => "Every member's tokens that no longer work, newest first",
    };
    let rows = listing
        .rows
        .into_iter()
        .map(|row| {
            let token = row.info;
            let id = token.token_id.to_string();
            let ended = token.ended.clone();
            // A revoked token's record has no page: the token is gone.
            let id_cell = match token.status {
                Status::Revoked => view! { <code class="token-id" title=id.clone()>{id.clone()}</code> }.into_any(),
                _ => view! {
                    <a class="token-link" href=super::details::href(&id)><code class="token-id" title=id.clone()>{id.clone()}</code></a>
                }
                .into_any(),
            };
            let owner = row.owner.map(|owner| view! { <OwnerCell owner/> });
            view! {
                <tr>
                    <td data-label="Token ID"><span class="token-id-cell">{id_cell}</span></td>
                    {owner}
                    <td class="description" data-label="Description">{token.description.clone()}</td>
                    <td data-label="Status"><span class=token.status.css_class()>{token.status.to_string()}</span></td>
                    <td data-label="Created">{time_or(Some(token.created_at), listed_at, "")}</td>
                    <td data-label="Ended">{time_or(ended.as_ref().and_then(|ended| ended.at), listed_at, "—")}</td>
                    <td class="reason" data-label="Why">{ended.as_ref().map(|ended| ended.reason.label())}</td>
                    <td data-label="By">{match ended.and_then(|ended| ended.by) {
                        Some(by) => by.into_any(),
                        None => view! { <span class="muted">"—"</span> }.into_any(),
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data tokens inactive">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Token ID"</th>
                        {with_owner.then(|| view! { <th scope="col">"Owner"</th> })}
                        <th scope="col">"Description"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Ended"</th>
                        <th scope="col">"Why"</th>
                        <th scope="col">"By"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="hint">"Revoked tokens never work again, and their values cannot be recovered. Their records are kept for the workspace's audit retention period."</p>
        {pager}
    }
}

/// "Tokens 101–200 of 10,000", with links to the newer and older pages.
fn pager(list: ListAt, listing: &Listing) -> impl IntoView + use<> {
    let ListAt { view, inactive, .. } = list;
    let shown = listing.rows.len() as i64;
    let href = |place| ListAt { view, inactive, place }.href();
    let newer = listing.newer.map(|key| {
        let at = listing.at.map(|at| (at - PAGE_SIZE).max(1));
        view! { <a href=href(Place::Before { key, at }) rel="prev">"← Newer"</a> }
    });
    let older = listing.older.map(|key| {
        let at = listing.at.map(|at| at + shown);
        view! { <a href=href(Place::After { key, at }) rel="next">"Older →"</a> }
    });
    let range = match listing.at {
        _ if shown == 0 => format!("No tokens on this page; there are {} in all.", thousands(listing.count)),
        Some(at) => format!("Tokens {}–{} of {}", thousands(at), thousands(at + shown - 1), thousands(listing.count)),
        None => format!("{} of {} tokens", thousands(shown), thousands(listing.count)),
    };
    // Past the end (a stale link, tokens deleted meanwhile): back to the newest.
    let newest =
        (shown == 0).then(|| view! { <a href=ListAt { view, inactive, place: Place::First }.href()>"← Newest"</a> });
    let paged = listing.newer.is_some() || listing.older.is_some() || shown == 0;
    paged.then(|| {
        view! {
            <nav class="pager" aria-label="Pages">
                {newest}
                {newer}
                <span>{range}</span>
                {older}
            </nav>
        }
    })
}

/// A row, with its menu: View Details (the token's own page), and Rotate Token… and Delete Token…,
/// links to the page with that dialog open,
/// which the island opens in place, about the token it reads from the row's cells (`owner`,
/// `description`, `token-id`).
#[component]
fn TokenRow(row: Row, listed_at: time::OffsetDateTime, list: String) -> AnyView {
    let token = &row.info;
    let id = token.token_id.to_string();
    let menu_id = format!("token-menu-{id}");
    // Places the menu under its button (CSS anchor positioning; elsewhere it is centred).
    let anchor = format!("--token-menu-{id}");
    // As of the listing; the island recomputes it from the Expires cell as its clock ticks.
    let status = Status::at(token.expired_at, listed_at);
    // Expiring within the week: says so (the island takes it away once it has expired). A token
    // being replaced says when it stops instead.
    let expiring = (status == Status::Active && token.replaced_by.is_none())
        .then(|| expiring::badge(token.expired_at, listed_at))
        .flatten()
        .map(|badge| view! { <span class="badge expiring">{badge}</span> });
    let status_class = status.css_class();
    let menu_label = format!("Actions for token {id}");
    let owner = row.owner.clone().map(|owner| view! { <OwnerCell owner/> });
    let href = |dialog: &str| format!("{list}{}{dialog}={id}", if list.contains('?') { '&' } else { '?' });
    // A token already rotated, or expired, cannot be rotated.
    let rotatable = token.replaced_by.is_none() && status == Status::Active;
    let rotate_item = rotatable
        .then(|| view! { <a class="menu-item" href=href("rotate") data-dialog="rotate-dialog">"Rotate Token…"</a> });
    let scopes = token.scopes.iter().map(|scope| view! { <code class="scope">{scope.name()}</code> }).collect_view();
    let scopes_label = token.scopes.describe();
    // A token rotated with a grace period: still working, but not for long.
    let replaced = token.grace_ends_at.map(|ends| {
        view! { <span class="replaced">"Replaced: works until the new token's first use, at most until "{time_or(Some(ends), listed_at, "")}</span> }
    });
    view! {
        <tr>
            // data-label on cells: the column's name, shown beside each value where narrow
            // screens stack the cells of a row.
            <td data-label="Token ID"><TokenId id=id.clone()/></td>
            {owner}
            <td class="description" data-label="Description">{token.description.clone()}</td>
            <td data-label="Scopes"><span class="scopes" title=scopes_label>{scopes}</span></td>
            <td data-label="Status"><span class=status_class>{status.to_string()}</span>{replaced}</td>
            <td data-label="Created">{time_or(Some(token.created_at), listed_at, "")}</td>
            <td data-label="Expires">{time_or(token.expired_at, listed_at, "Never")}{expiring}</td>
            <td data-label="Last Used">{time_or(token.last_used, listed_at, "Never")}</td>
            <td class="row-menu">
                // A popover: the browser opens and closes it (Esc, a click elsewhere), with or
                // without JavaScript, and gives focus back to the button.
                <button
                    type="button"
                    class="icon"
                    aria-label=menu_label
                    popovertarget=menu_id.clone()
                    style=format!("anchor-name: {anchor}")
                >
                    "⋯"
                </button>
                <div id=menu_id class="menu" popover style=format!("position-anchor: {anchor}")>
                    <a class="menu-item" href=super::details::href(&id)>"View Details"</a>
                    {rotate_item}
                    <a class="menu-item danger" href=href("delete") data-dialog="delete-dialog">"Delete Token…"</a>
                </div>
            </td>
        </tr>
    }
    .into_any()
}

/// Who holds a token, in the All members view: their name, and their username under it (the
/// island names the token's owner from the first line).
#[component]
fn OwnerCell(owner: crate::tokens::Owner) -> impl IntoView {
    view! { <td class="owner" data-label="Owner"><span>{owner.name}<br/><span class="muted">{owner.username}</span></span></td> }
}

/// A token's id on one line, a link to its own page: shortened where the table is narrow (the whole
/// id is in the text, for copying and for screen readers, and on hover), with a button that copies it (the island's: it
/// shows the check mark and says "Copied" for a few seconds).
#[component]
fn TokenId(id: String) -> impl IntoView {
    let label = format!("Copy token ID {id}");
    view! {
        <span class="token-id-cell">
            // The id leads to the token's own page (where it was used, its history).
            <a class="token-link" href=super::details::href(&id)><code class="token-id" title=id.clone()>{id.clone()}</code></a>
            // Only a script can copy: hidden (its place kept) until the island runs.
            <button type="button" class="icon copy needs-script" aria-label=label>
                <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round">
                    <g class="copy-icon">
                        <rect x="5.5" y="5.5" width="8.5" height="8.5" rx="1.5"/>
                        <path d="M10.5 5.5V3.5a1.5 1.5 0 0 0-1.5-1.5H3.5A1.5 1.5 0 0 0 2 3.5V9a1.5 1.5 0 0 0 1.5 1.5h2"/>
                    </g>
                    <path class="copied-icon" d="M3 8.5l3 3 7-7"/>
                </svg>
            </button>
            <span class="visually-hidden" role="status"></span>
        </span>
    }
}
