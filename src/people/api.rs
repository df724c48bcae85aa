//! REST: `/v4/people`. Everyone may read themselves (`/people/current`); everything else is for
//! workspace admins.

use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    audit::record::Actor,
    auth::layer::{Admin, Caller},
    error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody},
    openapi::{fields, patterns},
    paging::{Page, Paging},
    people::{
        DisplayName, NewPassword, Person, PersonId, Username,
        accounts::{self, AccountError, Changes, NewAccount},
        store,
    },
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, add)).routes(routes!(current)).routes(routes!(one, change, remove))
}

/// The authenticated caller.
#[utoipa::path(get, operation_id = "getCurrentPerson", path = "/people/current", tag = "People",
    security(("bearerToken" = ["read_api"])),
    responses((status = 200, body = Person)))]
async fn current(caller: Caller) -> Json<Person> {
    Json(caller.person)
}

/// Everyone in the workspace (workspace admins).
#[utoipa::path(get, operation_id = "listPeople", path = "/people", tag = "People", params(Paging),
    security(("bearerToken" = ["read_api", "admin"])),
    responses(
    (status = 200, body = Page<Person>),
    (status = 403, description = "The caller is not a workspace admin", body = ErrorBody),
))]
async fn list(
    State(state): State<AppState>,
    _: Admin,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<Page<Person>>, ApiError> {
    Ok(Json(store::list(&state.store, paging).await?))
}

/// One person: the caller, or anyone for workspace admins (with a token: its `admin` scope).
#[utoipa::path(get, operation_id = "getPerson", path = "/people/{id}", tag = "People", params(("id" = i64, Path)),
    security(("bearerToken" = ["read_api"])),
    responses(
    (status = 200, body = Person),
    (status = 403, description = "Another person, and the caller is not a workspace admin", body = ErrorBody),
    (status = 404, description = "No such person", body = ErrorBody),
))]
async fn one(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<PersonId>,
) -> Result<Json<Person>, ApiError> {
    if caller.person.id != id {
        caller.require_admin()?;
    }
    let person = store::find(&state.store, id).await?.ok_or_else(no_such_person)?;
    Ok(Json(person))
}

/// Who to add.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewPersonRequest {
    #[schema(schema_with = username)]
    username: String,
    #[serde(default)]
    #[schema(schema_with = optional_name)]
    name: Option<String>,
    #[schema(schema_with = password)]
    password: String,
    /// A workspace admin (default: a member).
    #[serde(default)]
    is_admin: bool,
}

/// What to change; a field left out (or `null`) stays as it is.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PersonChanges {
    #[schema(schema_with = new_name)]
    name: Option<String>,
    /// Admin or member; the workspace keeps at least one admin.
    is_admin: Option<bool>,
    #[schema(schema_with = new_password)]
    password: Option<String>,
    /// Disabled: the person cannot sign in, their sessions end at once, and their tokens are
    /// refused until they are enabled again. The workspace keeps an enabled admin.
    disabled: Option<bool>,
}

fn username() -> utoipa::openapi::Schema {
    fields::text(
        patterns::trimmed_word(Username::CHARACTERS, 1, Username::MAX_LEN),
        "1 to 64 letters, digits and `. _ - @ +` (so e-mail addresses work), trimmed; unique in any case.",
        false,
    )
}

const NAME: &str = "The name people see: one line, trimmed, at most 100 characters, no control characters.";

fn optional_name() -> utoipa::openapi::Schema {
    fields::text(patterns::trimmed_line(0, DisplayName::MAX_CHARS), &format!("{NAME} Blank: the username."), true)
}

fn new_name() -> utoipa::openapi::Schema {
    fields::text(patterns::trimmed_line(1, DisplayName::MAX_CHARS), NAME, true)
}

const PASSWORD: &str = "8 to 256 characters; no other rule (NIST SP 800-63B).";

fn password() -> utoipa::openapi::Schema {
    fields::sized_text(NewPassword::MIN_CHARS, NewPassword::MAX_CHARS, PASSWORD, false)
}

fn new_password() -> utoipa::openapi::Schema {
    fields::sized_text(NewPassword::MIN_CHARS, NewPassword::MAX_CHARS, &format!("A new password: {PASSWORD}"), true)
}

/// Adds a person to the workspace (workspace admins).
#[utoipa::path(post, operation_id = "addPerson", path = "/people", tag = "People", request_body = NewPersonRequest,
    security(("bearerToken" = ["api", "admin"])),
    responses(
    (status = 201, body = Person),
    (status = 400, description = "A username, name or password that breaks a rule", body = ErrorBody),
    (status = 403, description = "The caller is not a workspace admin", body = ErrorBody),
    (status = 409, description = "The username is taken", body = ErrorBody),
))]
async fn add(
    State(state): State<AppState>,
    Admin(caller): Admin,
    ApiJson(body): ApiJson<NewPersonRequest>,
) -> Result<(StatusCode, Json<Person>), ApiError> {
    let account = NewAccount {
        username: &body.username,
        name: body.name.as_deref(),
        password: &body.password,
        is_admin: body.is_admin,
    };
    let person = accounts::add(&state.store, &Actor::of(&caller), account).await?;
    Ok((StatusCode::CREATED, Json(person)))
}

/// Changes a person's name or role, resets their password, or disables or enables them
/// (workspace admins). A password reset ends the person's browser sessions; their access tokens
/// keep working. Disabling ends their sessions and refuses their tokens until enabled again.
#[utoipa::path(patch, operation_id = "updatePerson", path = "/people/{id}", tag = "People", params(("id" = i64, Path)), request_body = PersonChanges,
    security(("bearerToken" = ["api", "admin"])),
    responses(
        (status = 200, body = Person),
        (status = 400, description = "A name or password that breaks a rule", body = ErrorBody),
        (status = 403, description = "The caller is not a workspace admin", body = ErrorBody),
        (status = 404, description = "No such person", body = ErrorBody),
        (status = 409, description = "The last enabled admin cannot become a member or be disabled", body = ErrorBody),
    ))]
async fn change(
    State(state): State<AppState>,
    Admin(caller): Admin,
    ApiPath(id): ApiPath<PersonId>,
    ApiJson(body): ApiJson<PersonChanges>,
) -> Result<Json<Person>, ApiError> {
    let changes = Changes {
        name: body.name.as_deref(),
        is_admin: body.is_admin,
        password: body.password.as_deref(),
        disabled: body.disabled,
    };
    // A REST caller has no browser session to keep.
    Ok(Json(accounts::change(&state.store, &Actor::of(&caller), id, changes, None).await?))
}

/// Removes a person from the workspace with their sessions and access tokens (workspace admins).
/// This cannot be undone. The workspace keeps an enabled admin.
#[utoipa::path(delete, operation_id = "deletePerson", path = "/people/{id}", tag = "People", params(("id" = i64, Path)),
    security(("bearerToken" = ["api", "admin"])),
    responses(
        (status = 204, description = "Deleted, with their tokens"),
        (status = 403, description = "The caller is not a workspace admin", body = ErrorBody),
        (status = 404, description = "No such person", body = ErrorBody),
        (status = 409, description = "The last enabled admin cannot be deleted", body = ErrorBody),
    ))]
async fn remove(
    State(state): State<AppState>,
    Admin(caller): Admin,
    ApiPath(id): ApiPath<PersonId>,
) -> Result<StatusCode, ApiError> {
    accounts::delete(&state.store, &Actor::of(&caller), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn no_such_person() -> ApiError {
    ApiError::NotFound("No such person.".into())
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Invalid(message) => ApiError::Validation(message),
            AccountError::UsernameTaken(_) | AccountError::LastAdmin => ApiError::Conflict(error.to_string()),
            AccountError::NotFound => no_such_person(),
            AccountError::Throttled(seconds) => ApiError::Throttled(seconds),
            AccountError::Busy => ApiError::Unavailable,
            AccountError::Store(error) => error.into(),
        }
    }
}
