//! REST: `/v4/people`. Everyone may read themselves (`/people/current`); everything else is for
//! workspace admins.

use axum::{
    Json, Router,
    http::StatusCode,
    routing::get,
};
use serde::Deserialize;

use crate::{
    auth::layer::Caller,
    error::{ApiError, ApiJson, ApiPath, ApiQuery},
    paging::{Page, Paging},
    people::{
        Person,
        accounts::{self, AccountError, Changes, NewAccount},
        store,
    },
    startup::AppState,
};
use axum::extract::State;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/people", get(list).post(add))
        .route("/people/current", get(current))
        .route("/people/{id}", get(one).patch(change))
}

async fn current(caller: Caller) -> Json<Person> {
    Json(caller.person)
}

async fn list(State(state): State<AppState>, caller: Caller, ApiQuery(paging): ApiQuery<Paging>) -> Result<Json<Page<Person>>, ApiError> {
    caller.require_admin()?;
    let (limit, offset) = paging.checked()?;
    let (data, count) = store::list(&state.store, limit, offset).await?;
    Ok(Json(Page { data, count }))
}

async fn one(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<i64>) -> Result<Json<Person>, ApiError> {
    if caller.person.id != id {
        caller.require_admin()?;
    }
    let person = store::find(&state.store, id).await?.ok_or_else(no_such_person)?;
    Ok(Json(person))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewPersonBody {
    username: String,
    #[serde(default)]
    name: Option<String>,
    password: String,
    #[serde(default)]
    is_admin: bool,
}

async fn add(State(state): State<AppState>, caller: Caller, ApiJson(body): ApiJson<NewPersonBody>) -> Result<(StatusCode, Json<Person>), ApiError> {
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

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ChangesBody {
    name: Option<String>,
    is_admin: Option<bool>,
    password: Option<String>,
}

async fn change(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
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
