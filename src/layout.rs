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

/// The user menu: a button that opens a list of links. Esc closes it and gives focus back to the
/// button; choosing an entry closes it.
#[component]
fn UserMenu(person: Person) -> impl IntoView {
    let session = Session::get();
    let open = RwSignal::new(false);
    let button = NodeRef::<leptos::html::Button>::new();
    let close = move || open.set(false);
    let on_keydown = move |event: leptos::ev::KeyboardEvent| {
        if event.key() == "Escape" && open.get_untracked() {
            open.set(false);
            if let Some(button) = button.get_untracked() {
                let _ = button.focus();
            }
        }
    };
    view! {
        <nav class="user-menu" aria-label="User menu" on:keydown=on_keydown>
            <button
                type="button"
                class="user-menu-button"
                node_ref=button
                aria-haspopup="true"
                aria-expanded=move || open.get().to_string()
                aria-controls="user-menu-list"
                on:click=move |_| open.update(|open| *open = !*open)
            >
                <span class="avatar" aria-hidden="true">{initials(&person.name)}</span>
                <span class="user-name">{person.name.clone()}</span>
            </button>
            <ul id="user-menu-list" class="menu" hidden=move || !open.get()>
                <li><a href="/preferences" on:click=move |_| close()>"Preferences"</a></li>
                <li><a href="/preferences/access-tokens" on:click=move |_| close()>"Access Tokens"</a></li>
                {person.is_admin.then(|| view! {
                    <li><a href="/users" on:click=move |_| close()>"Users"</a></li>
                    <li><a href="/workspace/settings" on:click=move |_| close()>"Workspace Settings"</a></li>
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
