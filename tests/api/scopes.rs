//! Least privilege: a token does only what its scopes allow of what its owner may, whatever route
//! it calls, and cannot hand on more than it has.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use access_tokens::store::{Store, with_pool};

use crate::support::{ADMIN_PASSWORD, ADMIN_USERNAME, Backend, FreshDatabase, TestApp, challenge};

const DAY: i64 = 86_400;

/// Admin-only operations; every other operation is anyone's. An operation in neither list (a new
/// route) fails the matrix below until someone says which it is.
const ADMIN_ONLY: [&str; 11] = [
    "listWebhooks",
    "addWebhook",
    "removeWebhook",
    "listWebhookDeliveries",
    "listPeople",
    "addPerson",
    "updatePerson",
    "deletePerson",
    "listWorkspaceAccessTokens",
    "updateWorkspaceSettings",
    "listAuditEvents",
];
/// Operations that need no credentials at all.
const OPEN_TO_ANYONE: [&str; 1] = ["reportLeakedAccessToken"];

const FOR_EVERYONE: [&str; 11] = [
    "listOwnAuditEvents",
    "getCurrentPerson",
    "getPerson",
    "listAccessTokens",
    "createAccessToken",
    "getAccessToken",
    "getCurrentAccessToken",
    "deleteAccessToken",
    "rotateAccessToken",
    "getWorkspaceSettings",
    "getOpenApiSpec",
];

/// Every set of scopes a token can have.
const SCOPE_SETS: [&[&str]; 4] = [&["read_api"], &["api"], &["read_api", "admin"], &["api", "admin"]];

/// No token has this id: operations on it get as far as looking it up.
const UNKNOWN_TOKEN: &str = "00000000-0000-4000-8000-000000000000";

async fn admin_token_with(app: &TestApp, scopes: &[&str]) -> String {
    app.token_of(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": DAY, "scopes": scopes })).await.0
}

/// A 403 that names `scope` as the one missing, as RFC 6750 section 3.1 says.
async fn assert_insufficient_scope(response: reqwest::Response, scope: &str, what: &str) {
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "{what}");
    let challenge = challenge(&response);
    assert!(
        challenge.contains(r#"error="insufficient_scope""#) && challenge.contains(&format!(r#"scope="{scope}""#)),
        "{what}: {challenge}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["exception"]["name"], "AccessControlException", "{what}");
    assert!(body["exception"]["message"].as_str().unwrap().contains(&format!("{scope} scope")), "{what}: {body}");
    assert!(body["exception"]["details"].as_str().unwrap().starts_with("insufficient_scope"), "{what}: {body}");
}

on_sqlite_and_postgres! {
    async fn every_route_refuses_a_token_whose_scopes_do_not_cover_it(app) {
        let spec: Value = app.as_admin(Method::GET, "/v4/open-api-spec").send().await.unwrap().json().await.unwrap();
        let me: Value = app.as_admin(Method::GET, "/v4/people/current").send().await.unwrap().json().await.unwrap();
        let mut tokens = Vec::new();
        for scopes in SCOPE_SETS {
            tokens.push((scopes, admin_token_with(&app, scopes).await));
        }
        let mut checked = 0;
        for (path, item) in spec["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let id = operation["operationId"].as_str().unwrap();
                if OPEN_TO_ANYONE.contains(&id) {
                    assert_eq!(operation["security"], json!([{}]), "{id} needs no credentials");
                    continue;
                }
                let admin_only = ADMIN_ONLY.contains(&id);
                assert!(admin_only || FOR_EVERYONE.contains(&id), "say whether {id} is admin-only in tests/api/scopes.rs");
                let writes = method != "get";
                // The document states the same needs.
                let least: Vec<&str> =
                    [if writes { "api" } else { "read_api" }].into_iter().chain(admin_only.then_some("admin")).collect();
                assert_eq!(operation["security"][0]["bearerToken"], json!(least), "{method} {path}");
                assert_eq!(operation["security"].as_array().unwrap().last().unwrap(), &json!({ "basicCredentials": [] }));

                let url = path.replace("{tokenId}", UNKNOWN_TOKEN).replace("{id}", &me["id"].to_string());
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                for (scopes, value) in &tokens {
                    let mut request = app.bearer(method.clone(), &url, value);
                    if writes {
                        request = request.json(&json!({}));
                    }
                    let response = request.send().await.unwrap();
                    let what = format!("{method} {path} with {scopes:?}");
                    let missing = if writes && !scopes.contains(&"api") {
                        Some("api")
                    } else if admin_only && !scopes.contains(&"admin") {
                        Some("admin")
                    } else {
                        None
                    };
                    match missing {
                        Some(scope) => assert_insufficient_scope(response, scope, &what).await,
                        None => {
                            assert_ne!(response.status(), StatusCode::FORBIDDEN, "{what}");
                            assert!(response.status() != StatusCode::UNAUTHORIZED, "{what}: the token still works");
                        }
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, (ADMIN_ONLY.len() + FOR_EVERYONE.len()) * SCOPE_SETS.len(), "every operation, every set");
        // Passwords are not scoped.
        let basic = app.as_admin(Method::PATCH, "/v4/workspaces/current/settings").json(&json!({})).send().await.unwrap();
        assert_eq!(basic.status(), StatusCode::OK);
    }

    async fn a_token_without_the_admin_scope_cannot_use_its_owners_admin_rights(app) {
        let member = app.add_person("mia", "mia-password-1", false).await;
        app.settings(json!({ "allowMembersToGenerateTokens": true })).await;
        let (_, mias) = app.token_of("mia", "mia-password-1", json!({ "lifetimeSeconds": DAY })).await;
        let token_path = format!("/v4/apiAccessTokens/{}", mias["tokenId"].as_str().unwrap());
        let person_path = format!("/v4/people/{}", member["id"]);

        let api_only = admin_token_with(&app, &["api"]).await;
        for (method, path) in [
            (Method::GET, token_path.clone()),
            (Method::DELETE, token_path.clone()),
            (Method::POST, format!("{token_path}/rotate")),
            (Method::GET, person_path.clone()),
        ] {
            let response = app.bearer(method.clone(), &path, &api_only).send().await.unwrap();
            assert_insufficient_scope(response, "admin", &format!("{method} {path}")).await;
        }
        // Its own things it may.
        let own = app.bearer(Method::GET, "/v4/apiAccessTokens", &api_only).send().await.unwrap();
        assert_eq!(own.status(), StatusCode::OK);

        // Read-only admin: reads anyone's, changes nothing.
        let read_admin = admin_token_with(&app, &["read_api", "admin"]).await;
        let read = app.bearer(Method::GET, &token_path, &read_admin).send().await.unwrap();
        assert_eq!(read.status(), StatusCode::OK);
        let delete = app.bearer(Method::DELETE, &token_path, &read_admin).send().await.unwrap();
        assert_insufficient_scope(delete, "api", "DELETE with read_api admin").await;

        let full = admin_token_with(&app, &["api", "admin"]).await;
        let deleted = app.bearer(Method::DELETE, &token_path, &full).send().await.unwrap();
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    }

    async fn tokens_get_the_rights_they_had_before_scopes_unless_scopes_are_named(app) {
        let (_, admins) = app.token_of(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": DAY })).await;
        assert_eq!(admins["scopes"], json!(["api", "admin"]));
        app.add_person("max", "max-password-1", false).await;
        app.settings(json!({ "allowMembersToGenerateTokens": true })).await;
        let (_, members) = app.token_of("max", "max-password-1", json!({ "lifetimeSeconds": DAY })).await;
        assert_eq!(members["scopes"], json!(["api"]));
        let (read_only, info) =
            app.token_of("max", "max-password-1", json!({ "lifetimeSeconds": DAY, "scopes": ["read_api"] })).await;
        assert_eq!(info["scopes"], json!(["read_api"]));
        // Everywhere the token's info appears.
        let listed: Value = app.basic(Method::GET, "/v4/apiAccessTokens", "max", "max-password-1").send().await.unwrap().json().await.unwrap();
        assert!(listed["data"].as_array().unwrap().iter().any(|token| token["scopes"] == json!(["read_api"])));
        let all: Value = app.as_admin(Method::GET, "/v4/workspaces/current/apiAccessTokens").send().await.unwrap().json().await.unwrap();
        assert!(all["data"].as_array().unwrap().iter().all(|token| token["scopes"].is_array()));

        let get = app.bearer(Method::GET, "/v4/people/current", &read_only).send().await.unwrap();
        assert_eq!(get.status(), StatusCode::OK);
        let delete = app.bearer(Method::DELETE, &format!("/v4/apiAccessTokens/{}", members["tokenId"].as_str().unwrap()), &read_only).send().await.unwrap();
        assert_insufficient_scope(delete, "api", "a read-only token deleting").await;
    }

    async fn a_demoted_admins_tokens_lose_the_admin_scope_for_good(app) {
        let ada = app.add_person("ada", "ada-password-1", true).await;
        let (value, info) = app.token_of("ada", "ada-password-1", json!({ "lifetimeSeconds": DAY })).await;
        assert_eq!(info["scopes"], json!(["api", "admin"]));
        let person = format!("/v4/people/{}", ada["id"]);
        app.as_admin(Method::PATCH, &person).json(&json!({ "isAdmin": false })).send().await.unwrap();
        app.as_admin(Method::PATCH, &person).json(&json!({ "isAdmin": true })).send().await.unwrap();
        let shown: Value = app.bearer(Method::GET, &format!("/v4/apiAccessTokens/{}", info["tokenId"].as_str().unwrap()), &value).send().await.unwrap().json().await.unwrap();
        assert_eq!(shown["scopes"], json!(["api"]));
        let admin_only = app.bearer(Method::GET, "/v4/people", &value).send().await.unwrap();
        assert_insufficient_scope(admin_only, "admin", "re-promoted, the old token stays without admin").await;
    }

    async fn unknown_empty_or_unallowed_scopes_are_refused_and_create_nothing(app) {
        app.add_person("ned", "ned-password-1", false).await;
        app.settings(json!({ "allowMembersToGenerateTokens": true })).await;
        for (username, password, scopes, says) in [
            (ADMIN_USERNAME, ADMIN_PASSWORD, json!(["write"]), r#""write" is not a scope"#),
            (ADMIN_USERNAME, ADMIN_PASSWORD, json!([]), "at least one scope"),
            (ADMIN_USERNAME, ADMIN_PASSWORD, json!(["admin"]), "only adds to read_api or api"),
            ("ned", "ned-password-1", json!(["api", "admin"]), "Only workspace admins can give a token the admin scope"),
        ] {
            let response = app.create_token_as(username, password, json!({ "lifetimeSeconds": DAY, "scopes": scopes })).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{scopes}");
            let body: Value = response.json().await.unwrap();
            assert!(body["exception"]["message"].as_str().unwrap().contains(says), "{body}");
        }
        let listed: Value = app.as_admin(Method::GET, "/v4/workspaces/current/apiAccessTokens").send().await.unwrap().json().await.unwrap();
        assert_eq!(listed["count"], 0);
    }

    async fn a_token_cannot_create_a_token_with_more_scopes_or_a_later_expiry_than_its_own(app) {
        let api_only = admin_token_with(&app, &["api"]).await;
        let escalate = app.bearer(Method::POST, "/v4/apiAccessTokens", &api_only)
            .json(&json!({ "lifetimeSeconds": 3600, "scopes": ["api", "admin"] })).send().await.unwrap();
        assert_insufficient_scope(escalate, "admin", "escalating to admin").await;
        // Named no scopes: what it has, not the owner's default.
        let child = app.bearer(Method::POST, "/v4/apiAccessTokens", &api_only).json(&json!({ "lifetimeSeconds": 3600 })).send().await.unwrap();
        assert_eq!(child.status(), StatusCode::CREATED);
        assert_eq!(child.json::<Value>().await.unwrap()["tokenInfo"]["scopes"], json!(["api"]));
        let narrower = app.bearer(Method::POST, "/v4/apiAccessTokens", &api_only)
            .json(&json!({ "lifetimeSeconds": 3600, "scopes": ["read_api"] })).send().await.unwrap();
        assert_eq!(narrower.status(), StatusCode::CREATED);

        // The parent lives a day.
        for (lifetime, says) in [(-1, "cannot create one that never expires"), (2 * DAY, "cannot create one that outlives it")] {
            let refused = app.bearer(Method::POST, "/v4/apiAccessTokens", &api_only)
                .json(&json!({ "lifetimeSeconds": lifetime })).send().await.unwrap();
            assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{lifetime}");
            assert!(refused.json::<Value>().await.unwrap()["exception"]["message"].as_str().unwrap().contains(says));
        }
        // A never-expiring parent may create a never-expiring child.
        let forever = app.token_of(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": -1 })).await.0;
        let child = app.bearer(Method::POST, "/v4/apiAccessTokens", &forever).json(&json!({ "lifetimeSeconds": -1 })).send().await.unwrap();
        assert_eq!(child.status(), StatusCode::CREATED);
    }

    async fn the_page_generates_read_only_tokens_with_and_without_javascript(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let generated = app.server_fn("generate_token", &[("lifetime_days", "30"), ("description", "dashboard"), ("access", "read_api")]).await;
        assert_eq!(generated.status(), StatusCode::OK);
        let generated: Value = generated.json().await.unwrap();
        assert_eq!(generated["tokenInfo"]["scopes"], json!(["read_api"]));
        let admin = app.server_fn("generate_token", &[("lifetime_days", "30"), ("description", ""), ("access", "api"), ("admin", "on")]).await;
        assert_eq!(admin.json::<Value>().await.unwrap()["tokenInfo"]["scopes"], json!(["api", "admin"]));
        let nonsense = app.server_fn("generate_token", &[("lifetime_days", "30"), ("description", ""), ("access", "everything")]).await;
        assert_eq!(nonsense.status(), StatusCode::BAD_REQUEST);

        // Without JavaScript: the form posts to the page, which answers with the value.
        let answer = app.page_form("/preferences/access-tokens", &[("intent", "generate"), ("lifetime_days", "30"), ("description", "no script"), ("access", "read_api")]).await;
        assert_eq!(answer.status(), StatusCode::OK);
        let html = answer.text().await.unwrap();
        let value = crate::support::token_value_in(&html);
        let write = app.bearer(Method::POST, "/v4/apiAccessTokens", &value).json(&json!({ "lifetimeSeconds": 60 })).send().await.unwrap();
        assert_insufficient_scope(write, "api", "a read-only token from the no-script form").await;
        let listed = app.browser.get(app.url("/preferences/access-tokens")).send().await.unwrap().text().await.unwrap();
        assert!(listed.contains(r#"<code class="scope">read_api</code>"#), "the table shows scopes");

        // Members are not offered the admin scope, and cannot post it either.
        app.add_person("pat", "pat-password-1", false).await;
        app.settings(json!({ "allowMembersToGenerateTokens": true })).await;
        let member = app.another_browser();
        member.sign_in("pat", "pat-password-1").await;
        let page = member.page("/preferences/access-tokens").await;
        assert!(page.contains(r#"name="access" value="read_api""#) && !page.contains(r#"name="admin""#), "{page}");
        let page = app.browser.get(app.url("/preferences/access-tokens")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(r#"name="admin""#), "admins are offered it");
        let refused = member.server_fn("generate_token", &[("lifetime_days", "30"), ("description", ""), ("access", "api"), ("admin", "on")]).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        assert!(refused.text().await.unwrap().contains("Only workspace admins can give a token the admin scope"));
    }
}

/// The migration gives tokens made before scopes existed exactly the rights they had: `api`, and
/// `admin` too for an admin's.
async fn migrated_tokens_keep_their_rights(backend: Backend) {
    let database = FreshDatabase::new(backend).await;
    let store = Store::connect(&database.url).await.unwrap();
    let mut before_scopes = match &store {
        Store::Sqlite(_) => sqlx::migrate!("migrations/sqlite"),
        Store::Postgres(_) => sqlx::migrate!("migrations/postgres"),
    };
    before_scopes.migrations =
        before_scopes.migrations.iter().filter(|m| m.version <= 2).cloned().collect::<Vec<_>>().into();
    with_pool!(&store, pool => async {
        before_scopes.run(pool).await.unwrap();
        sqlx::query("INSERT INTO users (username, name, password_hash, is_admin, created_at) VALUES ('a', 'A', 'x', TRUE, 0), ('m', 'M', 'x', FALSE, 0)")
            .execute(pool).await.unwrap();
        sqlx::query("INSERT INTO access_tokens (token_id, owner_id, digest, created_at) \
                     SELECT username, id, CAST(username AS BYTEA), 0 FROM users"
            .replace("BYTEA", if matches!(store, Store::Sqlite(_)) { "BLOB" } else { "BYTEA" }).as_str())
            .execute(pool).await.unwrap();
    }.await);
    store.migrate().await.unwrap();
    let scopes: Vec<(String, String)> = with_pool!(&store, pool =>
        sqlx::query_as("SELECT token_id, scopes FROM access_tokens ORDER BY token_id").fetch_all(pool).await)
    .unwrap();
    assert_eq!(scopes, [("a".to_owned(), "api admin".to_owned()), ("m".to_owned(), "api".to_owned())]);
    store.close().await;
}

#[tokio::test]
async fn migrated_tokens_keep_their_rights_on_sqlite() {
    migrated_tokens_keep_their_rights(Backend::Sqlite).await;
}

#[tokio::test]
async fn migrated_tokens_keep_their_rights_on_postgres() {
    migrated_tokens_keep_their_rights(Backend::Postgres).await;
}
