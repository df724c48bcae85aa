//! Bad input, everywhere: each case answered with a clear 4xx, nothing stored, and the server
//! still healthy afterwards.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{ADMIN_PASSWORD, ADMIN_USERNAME};

/// How a case is sent.
enum Send {
    /// A JSON body (raw text, so that it can be anything).
    Json(Method, &'static str, String),
    /// A body that is not even UTF-8.
    Bytes(&'static str, Vec<u8>),
    /// A query string on a GET.
    Query(&'static str, String),
    /// A server function's form, as the hydrated page sends it.
    ServerFn(&'static str, Vec<(&'static str, String)>),
    /// A form posted to the Access Tokens page without JavaScript.
    PageForm(Vec<(&'static str, String)>),
}

const BAD: StatusCode = StatusCode::BAD_REQUEST;
const NOT_FOUND: StatusCode = StatusCode::NOT_FOUND;
const TOO_LARGE: StatusCode = StatusCode::PAYLOAD_TOO_LARGE;

/// Each case: what it is, the status it must get, and how it is sent.
fn cases() -> Vec<(&'static str, StatusCode, Send)> {
    use Send::*;
    let tokens = "/v4/apiAccessTokens";
    let people = "/v4/people";
    let settings = "/v4/workspaces/current/settings";
    let huge = "9".repeat(400);
    let long = "x".repeat(300);
    let mut cases = vec![
        // Creating a token.
        ("no body fields", BAD, Json(Method::POST, tokens, "{}".into())),
        ("not JSON", BAD, Json(Method::POST, tokens, "lifetimeSeconds=60".into())),
        ("a JSON array", BAD, Json(Method::POST, tokens, "[60]".into())),
        ("null", BAD, Json(Method::POST, tokens, "null".into())),
        ("lifetime as text", BAD, Json(Method::POST, tokens, r#"{"lifetimeSeconds": "60"}"#.into())),
        ("lifetime zero", BAD, Json(Method::POST, tokens, r#"{"lifetimeSeconds": 0}"#.into())),
        ("lifetime -2", BAD, Json(Method::POST, tokens, r#"{"lifetimeSeconds": -2}"#.into())),
        ("lifetime a fraction", BAD, Json(Method::POST, tokens, r#"{"lifetimeSeconds": 1.5}"#.into())),
        ("lifetime huge", BAD, Json(Method::POST, tokens, format!(r#"{{"lifetimeSeconds": {huge}}}"#))),
        ("lifetime i64::MAX", BAD, Json(Method::POST, tokens, r#"{"lifetimeSeconds": 9223372036854775807}"#.into())),
        ("lifetime NaN-ish", BAD, Json(Method::POST, tokens, r#"{"lifetimeSeconds": 1e400}"#.into())),
        ("lifetime boolean", BAD, Json(Method::POST, tokens, r#"{"lifetimeSeconds": true}"#.into())),
        ("an unknown field", BAD, Json(Method::POST, tokens, r#"{"lifetimeSeconds": 60, "owner": 1}"#.into())),
        (
            "description too long",
            BAD,
            Json(Method::POST, tokens, format!(r#"{{"lifetimeSeconds": 60, "description": "{}"}}"#, "d".repeat(256))),
        ),
        (
            "description a number",
            BAD,
            Json(Method::POST, tokens, r#"{"lifetimeSeconds": 60, "description": 7}"#.into()),
        ),
        (
            "description with a null byte",
            BAD,
            Json(Method::POST, tokens, r#"{"lifetimeSeconds": 60, "description": "a\u0000b"}"#.into()),
        ),
        (
            "description with a newline",
            BAD,
            Json(Method::POST, tokens, r#"{"lifetimeSeconds": 60, "description": "a\nb"}"#.into()),
        ),
        (
            "description with U+202E",
            BAD,
            Json(Method::POST, tokens, r#"{"lifetimeSeconds": 60, "description": "a\u202Eb"}"#.into()),
        ),
        (
            "description with a zero-width space",
            BAD,
            Json(Method::POST, tokens, r#"{"lifetimeSeconds": 60, "description": "a\u200Bb"}"#.into()),
        ),
        (
            "a lone surrogate",
            BAD,
            Json(Method::POST, tokens, r#"{"lifetimeSeconds": 60, "description": "\uD800"}"#.into()),
        ),
        ("invalid UTF-8", BAD, Bytes(tokens, b"{\"lifetimeSeconds\": 60, \"description\": \"\xff\"}".to_vec())),
        ("scopes empty", BAD, Json(Method::POST, tokens, r#"{"lifetimeSeconds": 60, "scopes": []}"#.into())),
        ("scopes unknown", BAD, Json(Method::POST, tokens, r#"{"lifetimeSeconds": 60, "scopes": ["root"]}"#.into())),
        (
            "scopes admin alone",
            BAD,
            Json(Method::POST, tokens, r#"{"lifetimeSeconds": 60, "scopes": ["admin"]}"#.into()),
        ),
        ("scopes a string", BAD, Json(Method::POST, tokens, r#"{"lifetimeSeconds": 60, "scopes": "api"}"#.into())),
        ("scopes with a null", BAD, Json(Method::POST, tokens, r#"{"lifetimeSeconds": 60, "scopes": [null]}"#.into())),
        ("deeply nested JSON", BAD, Json(Method::POST, tokens, format!("{}{}", "[".repeat(5000), "]".repeat(5000)))),
        // Rotating.
        (
            "grace negative",
            BAD,
            Json(
                Method::POST,
                "/v4/apiAccessTokens/00000000-0000-4000-8000-000000000000/rotate",
                r#"{"graceSeconds": -1}"#.into(),
            ),
        ),
        (
            "grace over a day",
            BAD,
            Json(
                Method::POST,
                "/v4/apiAccessTokens/00000000-0000-4000-8000-000000000000/rotate",
                r#"{"graceSeconds": 86401}"#.into(),
            ),
        ),
        (
            "grace as text",
            BAD,
            Json(
                Method::POST,
                "/v4/apiAccessTokens/00000000-0000-4000-8000-000000000000/rotate",
                r#"{"graceSeconds": "1"}"#.into(),
            ),
        ),
        ("rotate an id that is no UUID", NOT_FOUND, Json(Method::POST, "/v4/apiAccessTokens/%00/rotate", "{}".into())),
        (
            "delete an id that is no UUID",
            NOT_FOUND,
            Json(Method::DELETE, "/v4/apiAccessTokens/..%2F..%2Fetc", String::new()),
        ),
        // Paging.
        ("negative offset", BAD, Query(tokens, "offset=-1".into())),
        ("zero limit", BAD, Query(tokens, "limit=0".into())),
        ("limit too large", BAD, Query(tokens, "limit=100000".into())),
        ("limit as text", BAD, Query(tokens, "limit=ten".into())),
        ("huge offset", BAD, Query(tokens, format!("offset={huge}"))),
        ("offset a fraction", BAD, Query(people, "offset=1.5".into())),
        ("cursor not one of ours", BAD, Query(tokens, "cursor=abc".into())),
        ("cursor in capitals", BAD, Query(tokens, "cursor=1.0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9".into())),
        ("cursor on people", BAD, Query(people, "cursor=1.0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9".into())),
        ("negative limit on people", BAD, Query(people, "limit=-5".into())),
        ("workspace list bad limit", BAD, Query("/v4/workspaces/current/apiAccessTokens", "limit=%00".into())),
        // People.
        ("person without a password", BAD, Json(Method::POST, people, r#"{"username": "p1"}"#.into())),
        (
            "username with a space",
            BAD,
            Json(Method::POST, people, r#"{"username": "p 1", "password": "p1-password-1"}"#.into()),
        ),
        (
            "username too long",
            BAD,
            Json(Method::POST, people, format!(r#"{{"username": "{}", "password": "p1-password-1"}}"#, "u".repeat(65))),
        ),
        (
            "username non-ASCII",
            BAD,
            Json(Method::POST, people, r#"{"username": "zoë", "password": "p1-password-1"}"#.into()),
        ),
        (
            "username empty",
            BAD,
            Json(Method::POST, people, r#"{"username": "  ", "password": "p1-password-1"}"#.into()),
        ),
        ("password too short", BAD, Json(Method::POST, people, r#"{"username": "p1", "password": "short"}"#.into())),
        (
            "password too long",
            BAD,
            Json(Method::POST, people, format!(r#"{{"username": "p1", "password": "{}"}}"#, "p".repeat(257))),
        ),
        (
            "name with a null byte",
            BAD,
            Json(Method::POST, people, r#"{"username": "p1", "name": "a\u0000", "password": "p1-password-1"}"#.into()),
        ),
        (
            "name with U+2066",
            BAD,
            Json(Method::POST, people, r#"{"username": "p1", "name": "a\u2066b", "password": "p1-password-1"}"#.into()),
        ),
        (
            "name too long",
            BAD,
            Json(
                Method::POST,
                people,
                format!(r#"{{"username": "p1", "name": "{}", "password": "p1-password-1"}}"#, "n".repeat(101)),
            ),
        ),
        (
            "isAdmin as text",
            BAD,
            Json(Method::POST, people, r#"{"username": "p1", "password": "p1-password-1", "isAdmin": "yes"}"#.into()),
        ),
        ("patch with an unknown field", BAD, Json(Method::PATCH, "/v4/people/1", r#"{"role": "admin"}"#.into())),
        ("patch a blank name", BAD, Json(Method::PATCH, "/v4/people/1", r#"{"name": "   "}"#.into())),
        ("patch disabled as text", BAD, Json(Method::PATCH, "/v4/people/1", r#"{"disabled": "true"}"#.into())),
        ("patch a person id that is no number", NOT_FOUND, Json(Method::PATCH, "/v4/people/abc", "{}".into())),
        (
            "patch a person id out of range",
            NOT_FOUND,
            Json(Method::PATCH, &*Box::leak(format!("/v4/people/{huge}").into_boxed_str()), "{}".into()),
        ),
        // Settings.
        ("max lifetime zero", BAD, Json(Method::PATCH, settings, r#"{"maxTokenLifetimeDays": 0}"#.into())),
        ("max lifetime huge", BAD, Json(Method::PATCH, settings, format!(r#"{{"maxTokenLifetimeDays": {huge}}}"#))),
        ("cap zero", BAD, Json(Method::PATCH, settings, r#"{"maxActiveTokensPerPerson": 0}"#.into())),
        ("enabled as a number", BAD, Json(Method::PATCH, settings, r#"{"accessTokensEnabled": 1}"#.into())),
        ("an unknown setting", BAD, Json(Method::PATCH, settings, r#"{"everyoneIsAdmin": true}"#.into())),
        // The page's server functions and its form without JavaScript.
        (
            "page: lifetime text",
            BAD,
            ServerFn("generate_token", vec![("lifetime_days", "ten".into()), ("description", String::new())]),
        ),
        (
            "page: lifetime huge",
            BAD,
            ServerFn("generate_token", vec![("lifetime_days", huge.clone()), ("description", String::new())]),
        ),
        (
            "page: description with U+202E",
            BAD,
            ServerFn("generate_token", vec![("lifetime_days", "30".into()), ("description", "a\u{202E}b".into())]),
        ),
        (
            "page: unknown access",
            BAD,
            ServerFn(
                "generate_token",
                vec![("lifetime_days", "30".into()), ("description", String::new()), ("access", "root".into())],
            ),
        ),
        ("page: missing fields", BAD, ServerFn("generate_token", vec![])),
        ("page: delete a bad id", BAD, ServerFn("delete_token", vec![("token_id", long.clone())])),
        (
            "page: rotate with a bad grace",
            BAD,
            ServerFn(
                "rotate_token",
                vec![("token_id", "00000000-0000-4000-8000-000000000000".into()), ("grace_seconds", "-5".into())],
            ),
        ),
        (
            "page: settings with text",
            BAD,
            ServerFn("update_workspace_settings", vec![("max_token_lifetime_days", "forever".into())]),
        ),
        (
            "page: role for a missing id",
            BAD,
            ServerFn("set_role", vec![("id", "x".into()), ("is_admin", "true".into())]),
        ),
        ("form: unknown intent", BAD, PageForm(vec![("intent", "explode".into())])),
        (
            "form: generate with a null byte",
            BAD,
            PageForm(vec![
                ("intent", "generate".into()),
                ("lifetime_days", "30".into()),
                ("description", "a\0b".into()),
            ]),
        ),
        (
            "form: generate with lifetime 0",
            BAD,
            PageForm(vec![
                ("intent", "generate".into()),
                ("lifetime_days", "0".into()),
                ("description", String::new()),
            ]),
        ),
        (
            "form: rotate a bad id",
            BAD,
            PageForm(vec![("intent", "rotate".into()), ("token_id", "nope".into()), ("grace_seconds", "0".into())]),
        ),
    ];
    cases.push((
        "a body over 64 KiB",
        TOO_LARGE,
        Json(Method::POST, tokens, format!(r#"{{"lifetimeSeconds": 60, "description": "{}"}}"#, "x".repeat(70_000))),
    ));
    cases
}

on_sqlite_and_postgres! {
    async fn every_bad_input_gets_a_clear_4xx_and_stores_nothing(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let cases = cases();
        assert!(cases.len() >= 60, "{} cases", cases.len());
        for (what, expected, send) in cases {
            let response = match send {
                Send::Json(method, path, body) => app.as_admin(method, path).header("content-type", "application/json").body(body).send().await.unwrap(),
                Send::Bytes(path, body) => app.as_admin(Method::POST, path).header("content-type", "application/json").body(body).send().await.unwrap(),
                Send::Query(path, query) => app.as_admin(Method::GET, &format!("{path}?{query}")).send().await.unwrap(),
                Send::ServerFn(name, form) => {
                    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    app.server_fn(name, &form).await
                }
                Send::PageForm(form) => {
                    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    app.page_form("/preferences/access-tokens", &form).await
                }
            };
            let status = response.status();
            assert_eq!(status, expected, "{what}");
            let text = response.text().await.unwrap();
            assert!(!text.trim().is_empty(), "{what}: a 4xx says why");
            if let Ok(body) = serde_json::from_str::<Value>(&text) && body.get("exception").is_some() {
                assert!(!body["exception"]["message"].as_str().unwrap_or_default().is_empty(), "{what}: {body}");
            }
        }
        let tokens: Value = app.as_admin(Method::GET, "/v4/workspaces/current/apiAccessTokens").send().await.unwrap().json().await.unwrap();
        assert_eq!(tokens["count"], 0, "no token was stored");
        let people: Value = app.as_admin(Method::GET, "/v4/people").send().await.unwrap().json().await.unwrap();
        assert_eq!(people["count"], 1, "no person was stored");
        let settings: Value = app.as_admin(Method::GET, "/v4/workspaces/current/settings").send().await.unwrap().json().await.unwrap();
        assert_eq!(settings, json!({ "accessTokensEnabled": true, "allowMembersToGenerateTokens": false, "maxTokenLifetimeDays": -1, "maxActiveTokensPerPerson": -1, "auditRetentionDays": 365, "revokeUnusedAfterDays": -1 }));
        assert_eq!(app.rest.get(app.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);
    }
}
