//! The Users page: admins list the workspace's accounts, add people, change roles, reset
//! passwords, and disable or delete accounts. Each form posts to the page (`form_posts`), which
//! answers with the page showing the outcome.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    auth::viewer::admins_only,
    form_posts::posted,
    paging::Page,
    people::{
        NewPassword, Person, Username,
        server_fns::{AddPerson, DeletePerson, LIST_LIMIT, ResetPassword, SetDisabled, SetRole, list_people},
    },
    timestamp,
    ui_error::UiError,
};

#[component]
pub fn UsersPage() -> impl IntoView {
    // Data loading lives here, above the `<Suspense/>` that reads it: a resource created inside a
    // suspended child is created again on every server-side re-check and the response never ends.
    // A posted form has run before the page renders, so the list shows its change.
    let people = Resource::new(|| (), |_| list_people());
    view! {
        <Title text="Users · Access Tokens"/>
        {admins_only("Users", "Only workspace admins manage users.", move |viewer| {
            view! { <Users viewer people/> }
        })}
    }
}

#[component]
fn Users(viewer: Person, people: Resource<Result<Page<Person>, UiError>>) -> impl IntoView {
    let refused = [
        posted::<SetRole>().and_then(|posted| posted.result.err()),
        posted::<SetDisabled>().and_then(|posted| posted.result.err()),
        posted::<DeletePerson>().and_then(|posted| posted.result.err()),
    ]
    .into_iter()
    .flatten()
    .next()
    .map(|error| error.to_string());
    let reset_outcome = posted::<ResetPassword>().map(|posted| match posted.result {
        Ok(person) => {
            view! { <p class="success" role="status">{format!("The password of {} was reset.", person.username)}</p> }
                .into_any()
        }
        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
    });
    let viewer_id = viewer.id;

    view! {
        <h1>"Users"</h1>
        <AddPersonForm/>
        <section class="card" aria-labelledby="people-heading">
            <h2 id="people-heading">"People in this workspace"</h2>
            <p class="error" role="alert">{refused}</p>
            {reset_outcome}
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match people.await {
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                        Ok(Page { data: people, count }) => {
                            let more = (count > LIST_LIMIT)
                                .then(|| view! { <p class="hint">{format!("Showing the first {LIST_LIMIT} of {count}.")}</p> });
                            view! {
                                <div class="table-scroll">
                                    <table class="data">
                                        <thead>
                                            <tr>
                                                <th scope="col">"Username"</th>
                                                <th scope="col">"Name"</th>
                                                <th scope="col">"Role"</th>
                                                <th scope="col">"Status"</th>
                                                <th scope="col">"Created"</th>
                                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {people.into_iter().map(|person| {
                                                let is_viewer = person.id == viewer_id;
                                                view! { <PersonRow person is_viewer/> }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                {more}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn PersonRow(person: Person, is_viewer: bool) -> impl IntoView {
    let (toggle_label, make_admin) = if person.is_admin { ("Make member", false) } else { ("Make admin", true) };
    let (disable_label, disable) = if person.disabled { ("Enable", false) } else { ("Disable", true) };
    let disable_aria_label = format!("{disable_label}: {}", person.username);
    let status = if person.disabled { "Disabled" } else { "Active" };
    let delete_warning = format!(
        "Delete {} with their access tokens? This cannot be undone. To shut an account off for now, disable it instead.",
        person.username
    );
    let reset_id = format!("reset-{}", person.id);
    let toggle_aria_label = format!("{toggle_label}: {}", person.username);
    let reset_label = format!("New password for {}", person.username);
    view! {
        <tr>
            <td>{person.username.clone()}{is_viewer.then_some(" (you)")}</td>
            <td>{person.name.clone()}</td>
            <td>{person.role().to_string()}</td>
            <td><span class=if person.disabled { "status expired" } else { "status active" }>{status}</span></td>
            <td><time datetime=timestamp::format(person.created_at)>{person.created_at.date().to_string()}</time></td>
            <td class="actions">
                <form method="post" action="/users" class="inline">
                    <input type="hidden" name="intent" value="set_role"/>
                    <input type="hidden" name="id" value=person.id.0/>
                    <input type="hidden" name="is_admin" value=make_admin.to_string()/>
                    <button type="submit" aria-label=toggle_aria_label>{toggle_label}</button>
                </form>
                <details class="reset">
                    <summary>"Reset password"</summary>
                    <form method="post" action="/users" class="inline">
                        <input type="hidden" name="intent" value="reset_password"/>
                        <input type="hidden" name="id" value=person.id.0/>
                        <label for=reset_id.clone()>{reset_label}</label>
                        <input id=reset_id name="password" type="password" autocomplete="new-password" minlength=NewPassword::MIN_CHARS required/>
                        <button type="submit">"Reset"</button>
                    </form>
                </details>
                // Disabling ends the person's sessions at once and refuses their tokens; enabling
                // gives both back (sessions have to be started anew).
                <form method="post" action="/users" class="inline">
                    <input type="hidden" name="intent" value="set_disabled"/>
                    <input type="hidden" name="id" value=person.id.0/>
                    <input type="hidden" name="disabled" value=disable.to_string()/>
                    <button type="submit" aria-label=disable_aria_label>{disable_label}</button>
                </form>
                <details class="reset">
                    <summary>"Delete…"</summary>
                    <form method="post" action="/users" class="inline">
                        <input type="hidden" name="intent" value="delete"/>
                        <input type="hidden" name="id" value=person.id.0/>
                        <p class="warning">{delete_warning}</p>
                        <button type="submit" class="danger">"Delete user"</button>
                    </form>
                </details>
            </td>
        </tr>
    }
}

#[component]
fn AddPersonForm() -> impl IntoView {
    // A refusal keeps what was typed, but the password.
    let (outcome, typed) = match posted::<AddPerson>() {
        None => (None, None),
        Some(posted) => match posted.result {
            Ok(person) => (
                Some(view! { <p class="success" role="status">{format!("Added {}.", person.username)}</p> }.into_any()),
                None,
            ),
            Err(error) => {
                (Some(view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any()), Some(posted.input))
            }
        },
    };
    let username = typed.as_ref().map(|typed| typed.username.clone());
    let name = typed.as_ref().map(|typed| typed.name.clone());
    let is_admin = typed.is_some_and(|typed| typed.is_admin.is_some());
    view! {
        <section class="card" aria-labelledby="add-person-heading">
            <h2 id="add-person-heading">"Add a person"</h2>
            <form method="post" action="/users" class="form grid">
                <input type="hidden" name="intent" value="add"/>
                <label for="new-username">"Username"</label>
                <input id="new-username" name="username" value=username autocomplete="off" maxlength=Username::MAX_LEN required/>
                <label for="new-name">"Name"</label>
                <input id="new-name" name="name" value=name autocomplete="off" placeholder="Defaults to the username"/>
                <label for="new-person-password">"Password"</label>
                <input id="new-person-password" name="password" type="password" autocomplete="new-password" minlength=NewPassword::MIN_CHARS required/>
                <label class="checkbox"><input type="checkbox" name="is_admin" checked=is_admin/>" Workspace admin"</label>
                {outcome}
                <button type="submit" class="primary">"Add person"</button>
            </form>
        </section>
    }
}

/// The forms of the Users page, by their `intent`.
#[cfg(feature = "ssr")]
pub fn intents(intent: &str) -> Option<crate::form_posts::Runner> {
    use crate::form_posts::run;
    match intent {
        "add" => Some(run::<AddPerson>),
        "set_role" => Some(run::<SetRole>),
        "reset_password" => Some(run::<ResetPassword>),
        "set_disabled" => Some(run::<SetDisabled>),
        "delete" => Some(run::<DeletePerson>),
        _ => None,
    }
}
