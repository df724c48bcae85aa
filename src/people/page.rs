//! The Users page: admins list the workspace's accounts, add people, change roles, reset
//! passwords, and disable or delete accounts.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    auth::viewer::admins_only,
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
    let add = ServerAction::<AddPerson>::new();
    let set_role = ServerAction::<SetRole>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let set_disabled = ServerAction::<SetDisabled>::new();
    let delete = ServerAction::<DeletePerson>::new();
    let changes = PersonActions { set_role, reset, set_disabled, delete };
    let people = Resource::new(
        move || (add.version().get(), set_role.version().get(), set_disabled.version().get(), delete.version().get()),
        |_| list_people(),
    );
    view! {
        <Title text="Users · Access Tokens"/>
        {admins_only("Users", "Only workspace admins manage users.", move |viewer| {
            view! { <Users viewer people add changes/> }
        })}
    }
}

/// What an admin can do to an account from its row.
#[derive(Clone, Copy)]
struct PersonActions {
    set_role: ServerAction<SetRole>,
    reset: ServerAction<ResetPassword>,
    set_disabled: ServerAction<SetDisabled>,
    delete: ServerAction<DeletePerson>,
}

#[component]
fn Users(
    viewer: Person,
    people: Resource<Result<Page<Person>, UiError>>,
    add: ServerAction<AddPerson>,
    changes: PersonActions,
) -> impl IntoView {
    let PersonActions { set_role, reset, set_disabled, delete } = changes;
    let role_error = move || {
        [
            set_role.value().get().and_then(Result::err),
            set_disabled.value().get().and_then(Result::err),
            delete.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|error| error.to_string())
    };
    let reset_outcome = move || {
        reset.value().get().map(|result| match result {
            Ok(person) => view! { <p class="success" role="status">{format!("The password of {} was reset.", person.username)}</p> }.into_any(),
            Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
        })
    };
    let viewer_id = viewer.id;

    view! {
        <h1>"Users"</h1>
        <AddPersonForm add/>
        <section class="card" aria-labelledby="people-heading">
            <h2 id="people-heading">"People in this workspace"</h2>
            <p class="error" role="alert">{role_error}</p>
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
                                                view! { <PersonRow person is_viewer changes/> }
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
fn PersonRow(person: Person, is_viewer: bool, changes: PersonActions) -> impl IntoView {
    let PersonActions { set_role, reset, set_disabled, delete } = changes;
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
                <ActionForm action=set_role attr:class="inline">
                    <input type="hidden" name="id" value=person.id.0/>
                    <input type="hidden" name="is_admin" value=make_admin.to_string()/>
                    <button type="submit" aria-label=toggle_aria_label>{toggle_label}</button>
                </ActionForm>
                <details class="reset">
                    <summary>"Reset password"</summary>
                    <ActionForm action=reset attr:class="inline">
                        <input type="hidden" name="id" value=person.id.0/>
                        <label for=reset_id.clone()>{reset_label}</label>
                        <input id=reset_id name="password" type="password" autocomplete="new-password" minlength=NewPassword::MIN_CHARS required/>
                        <button type="submit">"Reset"</button>
                    </ActionForm>
                </details>
                // Disabling ends the person's sessions at once and refuses their tokens; enabling
                // gives both back (sessions have to be started anew).
                <ActionForm action=set_disabled attr:class="inline">
                    <input type="hidden" name="id" value=person.id.0/>
                    <input type="hidden" name="disabled" value=disable.to_string()/>
                    <button type="submit" aria-label=disable_aria_label>{disable_label}</button>
                </ActionForm>
                <details class="reset">
                    <summary>"Delete…"</summary>
                    <ActionForm action=delete attr:class="inline">
                        <input type="hidden" name="id" value=person.id.0/>
                        <p class="warning">{delete_warning}</p>
                        <button type="submit" class="danger">"Delete user"</button>
                    </ActionForm>
                </details>
            </td>
        </tr>
    }
}

#[component]
fn AddPersonForm(add: ServerAction<AddPerson>) -> impl IntoView {
    let outcome = move || {
        add.value().get().map(|result| match result {
            Ok(person) => {
                view! { <p class="success" role="status">{format!("Added {}.", person.username)}</p> }.into_any()
            }
            Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <section class="card" aria-labelledby="add-person-heading">
            <h2 id="add-person-heading">"Add a person"</h2>
            <ActionForm action=add attr:class="form grid">
                <label for="new-username">"Username"</label>
                <input id="new-username" name="username" autocomplete="off" maxlength=Username::MAX_LEN required/>
                <label for="new-name">"Name"</label>
                <input id="new-name" name="name" autocomplete="off" placeholder="Defaults to the username"/>
                <label for="new-person-password">"Password"</label>
                <input id="new-person-password" name="password" type="password" autocomplete="new-password" minlength=NewPassword::MIN_CHARS required/>
                <label class="checkbox"><input type="checkbox" name="is_admin"/>" Workspace admin"</label>
                {outcome}
                <button type="submit" class="primary" disabled=move || add.pending().get()>"Add person"</button>
            </ActionForm>
        </section>
    }
}
