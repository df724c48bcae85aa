//! Token checks from memory (`tokens::cache`): a verification is reused for at most a second, so
//! revoking a token, disabling its owner or tightening the settings holds within a second on
//! every instance sharing the database, and at once on the instance where it happened.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{SecondInstance, TestApp};

/// Waits (at most 1.5 s: one second of cache, and slack for a loaded machine) until the second
/// instance refuses `token`; how long it took.
async fn refused_elsewhere(other: &SecondInstance, token: &str) -> Duration {
    let started = Instant::now();
    loop {
        match other.bearer_status(token).await {
            StatusCode::UNAUTHORIZED => return started.elapsed(),
            StatusCode::OK => {}
            status => panic!("{status}"),
        }
        assert!(started.elapsed() < Duration::from_millis(1500), "still accepted after {:?}", started.elapsed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn status_here(app: &TestApp, token: &str) -> StatusCode {
    app.bearer(Method::GET, "/v4/people/current", token).send().await.unwrap().status()
}

/// Both instances have verified `token` (and keep it).
async fn warm(app: &TestApp, other: &SecondInstance, token: &str) {
    assert_eq!(status_here(app, token).await, StatusCode::OK);
    assert_eq!(other.bearer_status(token).await, StatusCode::OK);
}

on_sqlite_and_postgres! {
    async fn revocations_hold_here_at_once_and_on_another_instance_within_a_second(app) {
        let other = app.sharing().await;
        app.settings(json!({ "allowMembersToGenerateTokens": true })).await;

        // Deleted.
        let (value, info) = app.admin_token(3600).await;
        warm(&app, &other, &value).await;
        let path = format!("/v4/apiAccessTokens/{}", info["tokenId"].as_str().unwrap());
        assert_eq!(app.as_admin(Method::DELETE, &path).send().await.unwrap().status(), StatusCode::NO_CONTENT);
        assert_eq!(status_here(&app, &value).await, StatusCode::UNAUTHORIZED, "deleted: at once here");
        refused_elsewhere(&other, &value).await;

        // Rotated, without a grace period.
        let (value, info) = app.admin_token(3600).await;
        warm(&app, &other, &value).await;
        let rotate = format!("/v4/apiAccessTokens/{}/rotate", info["tokenId"].as_str().unwrap());
        assert_eq!(app.as_admin(Method::POST, &rotate).send().await.unwrap().status(), StatusCode::CREATED);
        assert_eq!(status_here(&app, &value).await, StatusCode::UNAUTHORIZED, "rotated: at once here");
        refused_elsewhere(&other, &value).await;

        // Its owner disabled.
        let member = app.add_person("casey", "casey-password-1", false).await;
        let (value, _) = app.token_of("casey", "casey-password-1", json!({ "lifetimeSeconds": 3600 })).await;
        warm(&app, &other, &value).await;
        let person = format!("/v4/people/{}", member["id"]);
        app.as_admin(Method::PATCH, &person).json(&json!({ "disabled": true })).send().await.unwrap();
        assert_eq!(status_here(&app, &value).await, StatusCode::UNAUTHORIZED, "disabled: at once here");
        refused_elsewhere(&other, &value).await;

        // Expired by a lowered maximum lifetime: a settings change.
        let (value, _) = app.admin_token(30 * 86_400).await;
        warm(&app, &other, &value).await;
        app.execute("UPDATE access_tokens SET created_at = created_at - CAST(10 AS BIGINT) * 86400 * 1000").await;
        app.settings(json!({ "maxTokenLifetimeDays": 7 })).await;
        assert_eq!(status_here(&app, &value).await, StatusCode::UNAUTHORIZED, "expired by policy: at once here");
        refused_elsewhere(&other, &value).await;

        // Members' tokens turned off: a settings change too.
        app.settings(json!({ "maxTokenLifetimeDays": -1 })).await;
        app.as_admin(Method::PATCH, &person).json(&json!({ "disabled": false })).send().await.unwrap();
        let (value, _) = app.token_of("casey", "casey-password-1", json!({ "lifetimeSeconds": 3600 })).await;
        warm(&app, &other, &value).await;
        app.settings(json!({ "allowMembersToGenerateTokens": false })).await;
        assert_eq!(status_here(&app, &value).await, StatusCode::UNAUTHORIZED, "settings: at once here");
        refused_elsewhere(&other, &value).await;
    }

    async fn a_verified_token_is_reused_and_last_used_stays_exact(app) {
        let (value, info) = app.admin_token(3600).await;
        let name = || async {
            let me: Value = app.bearer(Method::GET, "/v4/people/current", &value).send().await.unwrap().json().await.unwrap();
            me["name"].as_str().unwrap().to_owned()
        };
        // Served from memory once verified: even with its row changed behind the app's back (as
        // another instance would), for up to a second. (Tests running alongside change things
        // too, which makes every verification in this process stale: so a few tries.)
        let mut cached = false;
        for attempt in 0..10 {
            let before = name().await;
            assert!(!app.state.token_cache.is_empty());
            app.execute(&format!("UPDATE users SET name = 'Renamed {attempt}' WHERE username = 'admin'")).await;
            if name().await == before {
                cached = true;
                break;
            }
        }
        assert!(cached, "a verified token was never reused");
        app.execute("UPDATE users SET name = 'Renamed Elsewhere' WHERE username = 'admin'").await;
        tokio::time::sleep(crate::support::CACHE_TTL + Duration::from_millis(100)).await;
        assert_eq!(name().await, "Renamed Elsewhere", "a second later, from the database");
        // Last Used is recorded at each use, cached or not.
        let path = format!("/v4/apiAccessTokens/{}", info["tokenId"].as_str().unwrap());
        let listed: Value = app.bearer(Method::GET, &path, &value).send().await.unwrap().json().await.unwrap();
        assert!(listed["lastUsed"].is_string(), "{listed}");
    }

    async fn unknown_tokens_do_not_fill_the_cache(app) {
        for _ in 0..50 {
            let guess = access_tokens::tokens::value::TokenValue::generate();
            assert_eq!(status_here(&app, guess.expose()).await, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(app.state.token_cache.len(), 0);
        let (value, _) = app.admin_token(1).await;
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(status_here(&app, &value).await, StatusCode::UNAUTHORIZED, "expired");
        assert_eq!(app.state.token_cache.len(), 0, "nor do refused ones");
    }
}
