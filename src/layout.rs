//! What frames every page: the header with the site's name and the user menu.

use leptos::{prelude::*, server_fn::ServerFn};

use crate::{
    auth::{server_fns::SignOut, viewer::Session},
    people::Person,
};

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
/// it (Esc, a click elsewhere) with or without JavaScript, and gives focus back to the button. The
/// island closes it when an entry is chosen (the page is swapped, not reloaded) and keeps
/// `aria-expanded` in step for browsers that do not tell assistive technology by themselves. At
/// phone width the name is hidden from sight but still names the button.
#[component]
fn UserMenu(person: Person) -> impl IntoView {
    view! {
        <nav class="user-menu" aria-label="User menu">
            <button type="button" class="user-menu-button" popovertarget="user-menu-list" style="anchor-name: --user-menu">
                <span class="avatar" aria-hidden="true">{initials(&person.name)}</span>
                <span class="user-name">{person.name.clone()}</span>
            </button>
            <ul id="user-menu-list" class="menu" popover style="position-anchor: --user-menu">
                <li><a href="/preferences">"Preferences"</a></li>
                <li><a href="/preferences/access-tokens">"Access Tokens"</a></li>
                {person.is_admin.then(|| view! {
                    <li><a href="/users">"Users"</a></li>
                    <li><a href="/workspace/settings">"Workspace Settings"</a></li>
                    <li><a href="/audit">"Audit Log"</a></li>
                })}
                <li>
                    // The server function answers a form with a redirect to the sign-in page.
                    <form method="post" action=SignOut::url()>
                        <button type="submit" class="menu-item">"Sign out"</button>
                    </form>
                </li>
            </ul>
        </nav>
    }
}

fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|word| word.chars().next()).take(2).flat_map(char::to_uppercase).collect()
}
