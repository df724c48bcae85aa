//! Spawns the real application on a random port against a fresh database, SQLite or PostgreSQL,
//! and talks HTTP to it.

use access_tokens::{config::Settings, people::accounts::FirstAdmin, startup, state::AppState};
use leptos::config::LeptosOptions;
use reqwest::{Client, RequestBuilder, Response, StatusCode, redirect::Policy};
use serde_json::Value;
use sqlx::{Connection, Executor, PgConnection};

pub const ADMIN_USERNAME: &str = "admin";
pub const ADMIN_PASSWORD: &str = "first-admin-password";
/// How long a verified token is reused.
pub const CACHE_TTL: std::time::Duration = access_tokens::tokens::cache::TTL;

/// A response that takes longer is a hang: fail the test that waits for it and say which request,
/// rather than stall the whole run until CI gives up.
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    /// The database it serves from (a second instance may share it: [`TestApp::sharing`]).
    pub database_url: String,
    pub state: AppState,
    /// No redirects followed, cookies kept: one browser.
    pub browser: Client,
    /// What a REST client sees: no cookies, no redirects.
    pub rest: Client,
    _dir: tempfile::TempDir,
    _database: Option<PostgresDatabase>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(
            backend,
            FirstAdmin::Given { username: ADMIN_USERNAME.into(), password: ADMIN_PASSWORD.into() },
        )
        .await
    }

    pub async fn spawn_with(backend: Backend, first_admin: FirstAdmin) -> Self {
        Self::spawn_configured(backend, |settings| settings.first_admin = first_admin).await
    }

    /// An app whose settings `configure` changes from the tests' defaults.
    pub async fn spawn_configured(backend: Backend, configure: impl FnOnce(&mut Settings)) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let database = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(PostgresDatabase::create().await),
        };
        let database_url = match &database {
            None => format!("sqlite:{}", dir.path().join("nested/dir/test.db").display()),
            Some(database) => database.url(),
        };
        let mut settings = Settings {
            database_url: database_url.clone(),
            leptos_options: LeptosOptions::builder().output_name("access-tokens").site_root("target/site").build(),
            first_admin: FirstAdmin::Given { username: ADMIN_USERNAME.into(), password: ADMIN_PASSWORD.into() },
            trust_proxy_headers: false,
            metrics_addr: None,
            secure_cookies: false,
        };
        configure(&mut settings);
        let (base, state) = Self::serve(settings).await;
        TestApp {
            base,
            database_url,
            state,
            browser: Client::builder()
                .redirect(Policy::none())
                .cookie_store(true)
                .timeout(REQUEST_TIMEOUT)
                .build()
                .unwrap(),
            rest: Client::builder().redirect(Policy::none()).timeout(REQUEST_TIMEOUT).build().unwrap(),
            _dir: dir,
            _database: database,
        }
    }

    /// A second instance of the application on this one's database, as several instances share
    /// one PostgreSQL. It lives as long as this one does (this one owns the database).
    pub async fn sharing(&self) -> SecondInstance {
        let settings = Settings {
            database_url: self.database_url.clone(),
            leptos_options: LeptosOptions::builder().output_name("access-tokens").site_root("target/site").build(),
            first_admin: FirstAdmin::Given { username: ADMIN_USERNAME.into(), password: ADMIN_PASSWORD.into() },
            trust_proxy_headers: false,
            metrics_addr: None,
            secure_cookies: false,
        };
        let (base, state) = Self::serve(settings).await;
        SecondInstance { base, state, rest: Client::builder().timeout(REQUEST_TIMEOUT).build().unwrap() }
    }

    async fn serve(settings: Settings) -> (String, AppState) {
        let (router, state) = startup::build(settings).await.expect("the application starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let router = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, router).await.expect("the server runs")
        });
        (base, state)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A REST request with HTTP Basic credentials.
    pub fn basic(&self, method: reqwest::Method, path: &str, username: &str, password: &str) -> RequestBuilder {
        self.rest.request(method, self.url(path)).basic_auth(username, Some(password))
    }

    pub fn as_admin(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.basic(method, path, ADMIN_USERNAME, ADMIN_PASSWORD)
    }

    /// Adds an account through the REST API as the first admin and returns its JSON.
    pub async fn add_person(&self, username: &str, password: &str, is_admin: bool) -> Value {
        let response = self
            .as_admin(reqwest::Method::POST, "/v4/people")
            .json(&serde_json::json!({ "username": username, "name": format!("{username} Example"), "password": password, "isAdmin": is_admin }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.unwrap()
    }

    /// Calls a server function the way the hydrated page does (form-encoded arguments, JSON answer).
    pub async fn server_fn(&self, name: &str, form: &[(&str, &str)]) -> Response {
        self.browser.post(self.url(&format!("/api/{name}"))).form(form).send().await.unwrap()
    }

    /// A page's form posted as a browser without JavaScript posts it.
    pub async fn page_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.browser.post(self.url(path)).header("accept", "text/html").form(form).send().await.unwrap()
    }

    /// A REST request with a bearer token.
    pub fn bearer(&self, method: reqwest::Method, path: &str, token: &str) -> RequestBuilder {
        self.rest.request(method, self.url(path)).bearer_auth(token)
    }

    /// Creates a token with `username`'s password and returns the whole 201 answer.
    pub async fn create_token_as(&self, username: &str, password: &str, body: Value) -> Response {
        self.basic(reqwest::Method::POST, "/v4/apiAccessTokens", username, password).json(&body).send().await.unwrap()
    }

    /// An admin's token with the given lifetime: `(tokenValue, tokenInfo)`.
    pub async fn admin_token(&self, lifetime_seconds: i64) -> (String, Value) {
        let response = self
            .create_token_as(ADMIN_USERNAME, ADMIN_PASSWORD, serde_json::json!({ "lifetimeSeconds": lifetime_seconds }))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        (body["tokenValue"].as_str().unwrap().to_owned(), body["tokenInfo"].clone())
    }

    /// A token of `username`'s with the given body (`lifetimeSeconds`, `scopes`...): `(tokenValue, tokenInfo)`.
    pub async fn token_of(&self, username: &str, password: &str, body: Value) -> (String, Value) {
        let response = self.create_token_as(username, password, body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        (body["tokenValue"].as_str().unwrap().to_owned(), body["tokenInfo"].clone())
    }

    /// Runs a statement on the app's database, as an operator (or time) would.
    pub async fn execute(&self, sql: &str) {
        access_tokens::store::with_pool!(&self.state.store, pool => sqlx::query(sql).execute(pool).await.map(|_| ()))
            .expect("the statement runs");
    }

    /// Changes workspace settings as the first admin.
    pub async fn settings(&self, changes: Value) -> Value {
        let response = self
            .as_admin(reqwest::Method::PATCH, "/v4/workspaces/current/settings")
            .json(&changes)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    pub async fn sign_in(&self, username: &str, password: &str) -> Response {
        self.server_fn("sign_in", &[("username", username), ("password", password)]).await
    }

    /// Another browser, with cookies of its own (someone else, or the same person elsewhere).
    pub fn another_browser(&self) -> Browser {
        Browser {
            base: self.base.clone(),
            client: Client::builder()
                .redirect(Policy::none())
                .cookie_store(true)
                .timeout(REQUEST_TIMEOUT)
                .build()
                .unwrap(),
        }
    }
}

/// A second instance of the application on a test app's database.
pub struct SecondInstance {
    pub base: String,
    pub state: AppState,
    pub rest: Client,
}

impl SecondInstance {
    /// The status of `GET /v4/people/current` with a bearer token.
    pub async fn bearer_status(&self, token: &str) -> StatusCode {
        self.rest.get(format!("{}/v4/people/current", self.base)).bearer_auth(token).send().await.unwrap().status()
    }
}

/// A browser of its own against the app: cookies kept, no redirects followed.
pub struct Browser {
    base: String,
    client: Client,
}

impl Browser {
    pub async fn server_fn(&self, name: &str, form: &[(&str, &str)]) -> Response {
        self.client.post(format!("{}/api/{name}", self.base)).form(form).send().await.unwrap()
    }

    pub async fn sign_in(&self, username: &str, password: &str) -> Response {
        self.server_fn("sign_in", &[("username", username), ("password", password)]).await
    }

    /// Posts a page's form as the browser does without JavaScript.
    pub async fn page_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client.post(format!("{}{path}", self.base)).header("accept", "text/html").form(form).send().await.unwrap()
    }

    /// A page's HTML.
    pub async fn page(&self, path: &str) -> String {
        self.client.get(format!("{}{path}", self.base)).send().await.unwrap().text().await.unwrap()
    }

    /// The status of a page: `200`, or `302` to the sign-in page when signed out.
    pub async fn page_status(&self, path: &str) -> StatusCode {
        self.client.get(format!("{}{path}", self.base)).send().await.unwrap().status()
    }
}

/// A new, empty database of either kind, gone with this value: for tests of the store itself.
pub struct FreshDatabase {
    pub url: String,
    _dir: tempfile::TempDir,
    _database: Option<PostgresDatabase>,
}

impl FreshDatabase {
    pub async fn new(backend: Backend) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let database = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(PostgresDatabase::create().await),
        };
        let url = match &database {
            None => format!("sqlite:{}", dir.path().join("fresh.db").display()),
            Some(database) => database.url(),
        };
        FreshDatabase { url, _dir: dir, _database: database }
    }
}

/// A new, empty database on the PostgreSQL server of `TEST_DATABASE_URL`, dropped with the test.
///
/// Dropping matters: each database takes about 8 MB, and a full run creates a hundred of them on
/// a throwaway cluster whose disk may be small.
struct PostgresDatabase {
    server: String,
    name: String,
}

impl PostgresDatabase {
    async fn create() -> Self {
        let server = std::env::var("TEST_DATABASE_URL").expect(
            "TEST_DATABASE_URL must name a PostgreSQL server for the PostgreSQL suite; scripts/test starts one",
        );
        let name = format!("access_tokens_test_{:016x}", rand_suffix());
        let mut connection = PgConnection::connect(&server).await.expect("PostgreSQL at TEST_DATABASE_URL answers");
        connection.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("CREATE DATABASE");
        connection.close().await.ok();
        PostgresDatabase { server, name }
    }

    fn url(&self) -> String {
        with_database(&self.server, &self.name)
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime, which cannot block on a future: use a thread with
        // its own. FORCE ends the connections the server under test still holds.
        let (server, name) = (self.server.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(async {
                let mut connection = PgConnection::connect(&server).await?;
                connection.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await?;
                connection.close().await
            })?;
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        })
        .join();
        if let Ok(Err(error)) = dropped {
            eprintln!("could not drop the test database {}: {error}", self.name);
        }
    }
}

fn with_database(url: &str, database: &str) -> String {
    let (main, query) = match url.split_once('?') {
        Some((main, query)) => (main, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = main.find("://").map_or(0, |i| i + 3);
    let head = match main[authority_start..].find('/') {
        Some(slash) => &main[..authority_start + slash],
        None => main,
    };
    format!("{head}/{database}{query}")
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

/// The token value a page shows (the My Token dialog's field, in an answer to a posted form).
pub fn token_value_in(html: &str) -> String {
    html.split(r#"value=""#)
        .map(|rest| &rest[..rest.find('"').unwrap_or(0)])
        .find(|value| value.starts_with("atk_"))
        .expect("the page shows a token value")
        .to_owned()
}

/// The `WWW-Authenticate` challenge of a response, or `""`.
pub fn challenge(response: &Response) -> String {
    response
        .headers()
        .get(reqwest::header::WWW_AUTHENTICATE)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// The `{"exception": {"name": ...}}` of an error response.
pub async fn exception_name(response: Response) -> String {
    let body: Value = response.json().await.expect("a JSON error body");
    body["exception"]["name"].as_str().expect("exception.name").to_owned()
}

/// Declares each test twice: once on SQLite and once on PostgreSQL.
macro_rules! on_sqlite_and_postgres {
    ($( $(#[$meta:meta])* async fn $name:ident($app:ident) $body:block )*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            $( $(#[$meta])* #[tokio::test] async fn $name() {
                let $app = crate::support::TestApp::spawn(crate::support::Backend::Sqlite).await;
                $body
            } )*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            $( $(#[$meta])* #[tokio::test] async fn $name() {
                let $app = crate::support::TestApp::spawn(crate::support::Backend::Postgres).await;
                $body
            } )*
        }
    };
}

#[test]
fn with_database_replaces_only_the_database_name() {
    assert_eq!(with_database("postgres://u@h:1/postgres", "t"), "postgres://u@h:1/t");
    assert_eq!(with_database("postgres://u@h:1", "t"), "postgres://u@h:1/t");
    assert_eq!(with_database("postgres://u@h/x?sslmode=disable", "t"), "postgres://u@h/t?sslmode=disable");
}
