//! Rotation: `POST /v4/apiAccessTokens/{tokenId}/rotate` replaces a token with a new value, and the
//! old one stops at once or after a grace period that ends at the new one's first use.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use time::{OffsetDateTime, format_description::well_known::Rfc3339};

use crate::support::{ADMIN_PASSWORD, ADMIN_USERNAME, TestApp, exception_name};

const DAY: i64 = 86_400;

async fn rotate(app: &TestApp, token_id: &str, body: Option<Value>) -> reqwest::Response {
    let mut request = app.as_admin(Method::POST, &format!("/v4/apiAccessTokens/{token_id}/rotate"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn works(app: &TestApp, value: &str) -> bool {
    let status = app.bearer(Method::GET, "/v4/people/current", value).send().await.unwrap().status();
    assert!(status == StatusCode::OK || status == StatusCode::UNAUTHORIZED, "{status}");
    status == StatusCode::OK
}

fn at(info: &Value, field: &str) -> OffsetDateTime {
    OffsetDateTime::parse(info[field].as_str().unwrap(), &Rfc3339).unwrap()
}

fn id(info: &Value) -> &str {
    info["tokenId"].as_str().unwrap()
}

on_sqlite_and_postgres! {
    async fn rotating_replaces_the_token_at_once_by_default(app) {
        let (old_value, old) = app.token_of(ADMIN_USERNAME, ADMIN_PASSWORD,
            json!({ "lifetimeSeconds": 7 * DAY, "description": "deploys", "scopes": ["read_api", "admin"] })).await;
        let response = rotate(&app, id(&old), None).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let rotated: Value = response.json().await.unwrap();
        let (new_value, new) = (rotated["tokenValue"].as_str().unwrap(), &rotated["tokenInfo"]);
        assert_ne!(id(new), id(&old));
        assert_ne!(new_value, old_value);
        assert_eq!(new["replaces"], old["tokenId"]);
        assert_eq!(new["description"], "deploys");
        assert_eq!(new["scopes"], json!(["read_api", "admin"]));
        // The same lifetime, counted from now.
        assert_eq!((at(new, "expiredAt") - at(new, "createdAt")).whole_seconds(), 7 * DAY);
        assert!(at(new, "createdAt") >= at(&old, "createdAt"));

        assert!(!works(&app, &old_value).await, "the old token is refused at once");
        assert!(works(&app, new_value).await);
        let gone = app.as_admin(Method::GET, &format!("/v4/apiAccessTokens/{}", id(&old))).send().await.unwrap();
        assert_eq!(gone.status(), StatusCode::NOT_FOUND);
        // A token is rotated once: the old one is gone.
        assert_eq!(rotate(&app, id(&old), None).await.status(), StatusCode::NOT_FOUND);
    }

    async fn with_a_grace_period_the_old_token_works_until_the_new_one_is_first_used(app) {
        let (old_value, old) = app.token_of(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": DAY })).await;
        let rotated: Value = rotate(&app, id(&old), Some(json!({ "graceSeconds": 3600 }))).await.json().await.unwrap();
        let new_value = rotated["tokenValue"].as_str().unwrap();
        assert!(works(&app, &old_value).await, "within the grace period");
        assert!(works(&app, &old_value).await, "and again");
        let info: Value = app.as_admin(Method::GET, &format!("/v4/apiAccessTokens/{}", id(&old))).send().await.unwrap().json().await.unwrap();
        assert_eq!(info["replacedBy"], rotated["tokenInfo"]["tokenId"]);
        assert!(info["graceEndsAt"].is_string());
        // A token in its grace period is not rotated again.
        let again = rotate(&app, id(&old), None).await;
        assert_eq!(again.status(), StatusCode::CONFLICT);

        assert!(works(&app, new_value).await, "the new token's first use");
        assert!(!works(&app, &old_value).await, "ends the old one's grace");
        assert!(works(&app, new_value).await);
    }

    async fn a_token_in_its_grace_period_creates_and_rotates_nothing(app) {
        let (old_value, old) = app.token_of(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": DAY })).await;
        let rotated: Value = rotate(&app, id(&old), Some(json!({ "graceSeconds": 3600 }))).await.json().await.unwrap();
        let create = app.bearer(Method::POST, "/v4/apiAccessTokens", &old_value).json(&json!({ "lifetimeSeconds": 60 })).send().await.unwrap();
        assert_eq!(create.status(), StatusCode::FORBIDDEN);
        assert!(create.json::<Value>().await.unwrap()["exception"]["message"].as_str().unwrap().contains("was rotated"));
        let undo = app.bearer(Method::POST, &format!("/v4/apiAccessTokens/{}/rotate", id(&rotated["tokenInfo"])), &old_value).send().await.unwrap();
        assert_eq!(undo.status(), StatusCode::FORBIDDEN, "the holder of the old value cannot take the new one over");
        assert!(works(&app, rotated["tokenValue"].as_str().unwrap()).await);
    }

    async fn rotating_the_replacement_at_once_also_ends_the_first_tokens_grace(app) {
        let (first_value, first) = app.token_of(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": DAY })).await;
        let second: Value = rotate(&app, id(&first), Some(json!({ "graceSeconds": 3600 }))).await.json().await.unwrap();
        let third: Value = rotate(&app, id(&second["tokenInfo"]), None).await.json().await.unwrap();
        assert!(!works(&app, &first_value).await, "the first token's grace ends with the second token");
        assert!(!works(&app, second["tokenValue"].as_str().unwrap()).await);
        assert!(works(&app, third["tokenValue"].as_str().unwrap()).await);
    }

    async fn with_a_grace_period_the_old_token_stops_when_the_grace_ends(app) {
        let (old_value, old) = app.token_of(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": DAY })).await;
        let rotated = rotate(&app, id(&old), Some(json!({ "graceSeconds": 1 }))).await;
        assert_eq!(rotated.status(), StatusCode::CREATED);
        assert!(works(&app, &old_value).await);
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let refused = app.bearer(Method::GET, "/v4/people/current", &old_value).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        assert!(refused.json::<Value>().await.unwrap()["exception"]["message"].as_str().unwrap().contains("grace period has ended"));
        let listed: Value = app.as_admin(Method::GET, "/v4/apiAccessTokens").send().await.unwrap().json().await.unwrap();
        assert_eq!(listed["count"], 1, "only the new token is listed");
    }

    async fn a_grace_period_is_zero_to_a_day(app) {
        let (_, old) = app.token_of(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": DAY })).await;
        for grace in [json!(-1), json!(86_401), json!("60"), json!(1.5)] {
            let response = rotate(&app, id(&old), Some(json!({ "graceSeconds": grace }))).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{grace}");
        }
        let unknown = rotate(&app, id(&old), Some(json!({ "grace": 60 }))).await;
        assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
        assert_eq!(rotate(&app, id(&old), Some(json!({ "graceSeconds": 86_400 }))).await.status(), StatusCode::CREATED);
    }

    async fn expired_deleted_and_unknown_tokens_cannot_be_rotated(app) {
        let (_, expiring) = app.token_of(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": 1 })).await;
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let expired = rotate(&app, id(&expiring), None).await;
        assert_eq!(expired.status(), StatusCode::CONFLICT);
        assert!(expired.json::<Value>().await.unwrap()["exception"]["message"].as_str().unwrap().contains("expired"));

        let (_, deleted) = app.token_of(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": DAY })).await;
        app.as_admin(Method::DELETE, &format!("/v4/apiAccessTokens/{}", id(&deleted))).send().await.unwrap();
        assert_eq!(rotate(&app, id(&deleted), None).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(rotate(&app, "not-a-token-id", None).await.status(), StatusCode::NOT_FOUND);
    }

    async fn a_token_may_rotate_itself_but_not_outlive_itself(app) {
        let (value, info) = app.token_of(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": DAY })).await;
        let response = app.bearer(Method::POST, &format!("/v4/apiAccessTokens/{}/rotate", id(&info)), &value)
            .json(&json!({ "graceSeconds": 60 })).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let rotated: Value = response.json().await.unwrap();
        assert!(at(&rotated["tokenInfo"], "expiredAt") <= at(&info, "expiredAt"), "no later than its own expiry");
        assert!(works(&app, rotated["tokenValue"].as_str().unwrap()).await);

        // A read-only token changes nothing, rotation included.
        let (read_only, read_info) = app.token_of(ADMIN_USERNAME, ADMIN_PASSWORD,
            json!({ "lifetimeSeconds": DAY, "scopes": ["read_api"] })).await;
        let refused = app.bearer(Method::POST, &format!("/v4/apiAccessTokens/{}/rotate", id(&read_info)), &read_only).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    }

    async fn members_rotate_their_own_tokens_and_admins_anyones(app) {
        app.add_person("rita", "rita-password-1", false).await;
        app.add_person("sam", "sam-password-1", false).await;
        app.settings(json!({ "allowMembersToGenerateTokens": true })).await;
        let (_, ritas) = app.token_of("rita", "rita-password-1", json!({ "lifetimeSeconds": DAY })).await;
        let path = format!("/v4/apiAccessTokens/{}/rotate", id(&ritas));
        let by_sam = app.basic(Method::POST, &path, "sam", "sam-password-1").send().await.unwrap();
        assert_eq!(by_sam.status(), StatusCode::NOT_FOUND);
        assert_eq!(exception_name(by_sam).await, "RouteNotFoundException");
        let by_rita = app.basic(Method::POST, &path, "rita", "rita-password-1").send().await.unwrap();
        assert_eq!(by_rita.status(), StatusCode::CREATED);
        let new: Value = by_rita.json().await.unwrap();
        let by_admin = rotate(&app, id(&new["tokenInfo"]), None).await;
        assert_eq!(by_admin.status(), StatusCode::CREATED);
        // Still Rita's.
        let listed: Value = app.basic(Method::GET, "/v4/apiAccessTokens", "rita", "rita-password-1").send().await.unwrap().json().await.unwrap();
        assert_eq!(listed["count"], 1);
    }

    async fn a_rotated_token_keeps_within_todays_workspace_maximum(app) {
        let (_, info) = app.token_of(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": 30 * DAY })).await;
        app.settings(json!({ "maxTokenLifetimeDays": 7 })).await;
        let rotated: Value = rotate(&app, id(&info), None).await.json().await.unwrap();
        let new = &rotated["tokenInfo"];
        assert_eq!((at(new, "expiredAt") - at(new, "createdAt")).whole_seconds(), 7 * DAY);
    }

    async fn the_page_rotates_a_token_with_and_without_javascript(app) {
        let (old_value, old) = app.token_of(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": DAY, "description": "from the page" })).await;
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let rotated = app.server_fn("rotate_token", &[("token_id", id(&old)), ("grace_seconds", "3600")]).await;
        assert_eq!(rotated.status(), StatusCode::OK);
        let rotated: Value = rotated.json().await.unwrap();
        assert_eq!(rotated["tokenInfo"]["replaces"], old["tokenId"]);
        assert!(works(&app, &old_value).await, "in its grace period");

        let bad_grace = app.server_fn("rotate_token", &[("token_id", id(&rotated["tokenInfo"])), ("grace_seconds", "99999")]).await;
        assert_eq!(bad_grace.status(), StatusCode::BAD_REQUEST);

        // Without JavaScript: the row menu's link opens the dialog; its form answers with the value.
        let new_id = id(&rotated["tokenInfo"]).to_owned();
        let asked = app.browser.get(app.url(&format!("/preferences/access-tokens?rotate={new_id}"))).send().await.unwrap().text().await.unwrap();
        assert!(asked.contains(r#"id="rotate-dialog""#) && asked.contains("When should the old token stop working?"), "{asked}");
        let answer = app.page_form("/preferences/access-tokens", &[("intent", "rotate"), ("token_id", &new_id), ("grace_seconds", "0")]).await;
        assert_eq!(answer.status(), StatusCode::OK);
        let html = answer.text().await.unwrap();
        let value = crate::support::token_value_in(&html);
        assert!(works(&app, &value).await);
        let previous = rotated["tokenValue"].as_str().unwrap();
        assert!(!works(&app, previous).await, "rotated at once");
    }
}
