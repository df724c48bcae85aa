//! What frames every page: the header with the site's name and the user menu.

use leptos::prelude::*;

use crate::{auth::viewer::Session, people::Person};

#[component]
pub fn Header() -> impl IntoView {
    let session = Session::get();
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

/// The user menu: a button that opens a list of links, as a popover. The browser opens and closes
/// it (Esc, a click elsewhere) with or without JavaScript, and gives focus back to the button;
/// choosing an entry closes it. At phone width the name is hidden from sight but still names the
/// button.
#[component]
fn UserMenu(person: Person) -> impl IntoView {
    let session = Session::get();
    let menu = NodeRef::<leptos::html::Ul>::new();
    // Chromium tells assistive technology whether a popover is open by itself; other browsers
    // learn it from `aria-expanded`, which needs a script to follow the popover, so the server
    // renders none (`None` until the page is hydrated: effects run only in the browser).
    let expanded = RwSignal::new(None::<bool>);
    Effect::new(move |_| expanded.set(Some(false)));
    let follow = move |_| {
        if let Some(menu) = menu.get_untracked() {
            expanded.set(Some(menu.matches(":popover-open").unwrap_or(false)));
        }
    };
    // Entries navigate without reloading the page: the menu closes itself.
    let close = move |_| {
        if let Some(menu) = menu.get_untracked() {
            let _ = menu.hide_popover();
        }
    };
    view! {
        <nav class="user-menu" aria-label="User menu">
            <button
                type="button"
                class="user-menu-button"
                popovertarget="user-menu-list"
                aria-expanded=move || expanded.get().map(|open| open.to_string())
                style="anchor-name: --user-menu"
            >
                <span class="avatar" aria-hidden="true">{initials(&person.name)}</span>
                <span class="user-name">{person.name.clone()}</span>
            </button>
            <ul id="user-menu-list" class="menu" popover node_ref=menu on:toggle=follow style="position-anchor: --user-menu">
                <li><a href="/preferences" on:click=close>"Preferences"</a></li>
                <li><a href="/preferences/access-tokens" on:click=close>"Access Tokens"</a></li>
                {person.is_admin.then(|| view! {
                    <li><a href="/users" on:click=close>"Users"</a></li>
                    <li><a href="/workspace/settings" on:click=close>"Workspace Settings"</a></li>
                    <li><a href="/audit" on:click=close>"Audit Log"</a></li>
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
