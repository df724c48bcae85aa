//! REST: `/v4/people`. Everyone may read themselves (`/people/current`); everything else is for
//! workspace admins.

use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::layer::Caller,
    error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody},
    paging::{Page, Paging},
    people::{
        Person, PersonId,
        accounts::{self, AccountError, Changes, NewAccount},
        store,
    },
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, add)).routes(routes!(current)).routes(routes!(one, change))
}

/// The authenticated caller.
#[utoipa::path(get, path = "/people/current", tag = "People", responses((status = 200, body = Person)))]
async fn current(caller: Caller) -> Json<Person> {
    Json(caller.person)
}

/// Everyone in the workspace (workspace admins).
#[utoipa::path(get, path = "/people", tag = "People", params(Paging), responses(
    (status = 200, body = Page<Person>),
    (status = 403, description = "The caller is not a workspace admin", body = ErrorBody),
))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<Page<Person>>, ApiError> {
    caller.require_admin()?;
    Ok(Json(store::list(&state.store, paging).await?))
}

/// One person: the caller, or anyone for workspace admins.
#[utoipa::path(get, path = "/people/{id}", tag = "People", params(("id" = i64, Path)), responses(
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

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewPersonBody {
    username: String,
    #[serde(default)]
    name: Option<String>,
    password: String,
    #[serde(default)]
    is_admin: bool,
}

/// Adds a person to the workspace (workspace admins).
#[utoipa::path(post, path = "/people", tag = "People", request_body = NewPersonBody, responses(
    (status = 201, body = Person),
    (status = 400, description = "A username, name or password that breaks a rule", body = ErrorBody),
    (status = 403, description = "The caller is not a workspace admin", body = ErrorBody),
    (status = 409, description = "The username is taken", body = ErrorBody),
))]
async fn add(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewPersonBody>,
) -> Result<(StatusCode, Json<Person>), ApiError> {
    caller.require_admin()?;
    let account = NewAccount {
        username: &body.username,
        name: body.name.as_deref(),
        password: &body.password,
        is_admin: body.is_admin,
    };
    let person = accounts::add(&state.store, account).await?;
    Ok((StatusCode::CREATED, Json(person)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ChangesBody {
    name: Option<String>,
    is_admin: Option<bool>,
    password: Option<String>,
}

/// Changes a person's name or role, or resets their password (workspace admins). Access tokens are
/// not affected by a password change.
#[utoipa::path(patch, path = "/people/{id}", tag = "People", params(("id" = i64, Path)), request_body = ChangesBody, responses(
    (status = 200, body = Person),
    (status = 400, description = "A name or password that breaks a rule", body = ErrorBody),
    (status = 403, description = "The caller is not a workspace admin", body = ErrorBody),
    (status = 404, description = "No such person", body = ErrorBody),
    (status = 409, description = "The last admin cannot become a member", body = ErrorBody),
))]
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<PersonId>,
    ApiJson(body): ApiJson<ChangesBody>,
) -> Result<Json<Person>, ApiError> {
    caller.require_admin()?;
    let changes = Changes { name: body.name.as_deref(), is_admin: body.is_admin, password: body.password.as_deref() };
    Ok(Json(accounts::change(&state.store, id, changes).await?))
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
            AccountError::Store(error) => error.into(),
        }
    }
}
