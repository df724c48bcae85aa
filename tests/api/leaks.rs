//! Leaked-token reports: anyone holding a token's value revokes it, and learns nothing else.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{ADMIN_USERNAME, TestApp};

/// Reports `value` as a finder would: no credentials.
async fn report(app: &TestApp, value: &str) -> (StatusCode, Value) {
    let answer = app
        .rest
        .post(app.url("/v4/apiAccessTokens/revoke"))
        .json(&json!({ "tokenValue": value }))
        .send()
        .await
        .unwrap();
    (answer.status(), answer.json().await.unwrap())
}

/// Whether `value` still authenticates, waiting up to two seconds for it to stop.
async fn stops_working(app: &TestApp, value: &str) -> bool {
    for _ in 0..40 {
        if app.bearer(Method::GET, "/v4/people/current", value).send().await.unwrap().status()
            == StatusCode::UNAUTHORIZED
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

on_sqlite_and_postgres! {
    async fn a_reported_token_is_revoked_at_once_and_the_answer_says_nothing_else(app) {
        let (value, info) = app.admin_token(86_400).await;
        let (deleted, deleted_info) = app.admin_token(86_400).await;
        let gone = app.as_admin(Method::DELETE, &format!("/v4/apiAccessTokens/{}", deleted_info["tokenId"].as_str().unwrap())).send().await.unwrap();
        assert_eq!(gone.status(), StatusCode::NO_CONTENT);

        let live = report(&app, &value).await;
        assert_eq!(live, (StatusCode::ACCEPTED, json!({ "status": "received" })));
        assert!(stops_working(&app, &value).await, "the reported token is revoked");
        // A deleted token, a value with a bad checksum, and no token at all: the same answer.
        let mistyped = format!("{}x", &value[..value.len() - 1]);
        for other in [deleted.as_str(), mistyped.as_str(), "not a token", ""] {
            assert_eq!(report(&app, other).await, live, "{other:?}");
        }

        let events: Value = app.as_admin(Method::GET, "/v4/workspaces/current/auditEvents?kind=token.reported_leaked").send().await.unwrap().json().await.unwrap();
        let events = events["data"].as_array().unwrap();
        assert_eq!(events.len(), 1, "only the live token: {events:?}");
        assert_eq!(events[0]["subjectTokenId"], info["tokenId"]);
        assert_eq!(events[0]["subjectUsername"], ADMIN_USERNAME);
        assert_eq!(events[0]["via"], "none", "nobody signed in reported it");
        let listed: Value = app.as_admin(Method::GET, "/v4/apiAccessTokens").send().await.unwrap().json().await.unwrap();
        assert_eq!(listed["count"], 0, "{listed}");
    }

    async fn reports_are_limited_per_address_and_need_a_value(app) {
        for _ in 0..10 {
            assert_eq!(report(&app, "atk_not-a-live-one").await.0, StatusCode::ACCEPTED);
        }
        let refused = app.rest.post(app.url("/v4/apiAccessTokens/revoke")).json(&json!({ "tokenValue": "atk_x" })).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.headers()["retry-after"], "60");

        let other = TestApp::spawn(crate::support::Backend::Sqlite).await;
        let unreadable = other.rest.post(other.url("/v4/apiAccessTokens/revoke")).json(&json!({ "value": "atk_x" })).send().await.unwrap();
        assert_eq!(unreadable.status(), StatusCode::BAD_REQUEST);
    }
}
