//! Limits that hold under concurrency: password guessing per username and per client, the
//! length of credentials, and a password change throttled like signing in.

use reqwest::{Method, StatusCode};

use crate::support::{ADMIN_PASSWORD, ADMIN_USERNAME, TestApp};

/// `GET /v4/people/current` with a username and password, from `client` (an `X-Forwarded-For`
/// address, which counts only behind a trusted proxy).
async fn attempt(app: &TestApp, username: &str, password: &str, client: Option<&str>) -> reqwest::Response {
    let mut request = app.basic(Method::GET, "/v4/people/current", username, password);
    if let Some(client) = client {
        request = request.header("x-forwarded-for", client);
    }
    request.send().await.unwrap()
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"].to_str().unwrap().parse().unwrap()
}

on_sqlite_and_postgres! {
    async fn two_hundred_wrong_passwords_at_once_hash_at_most_five_and_the_right_one_then_works(app) {
        let before = app.state.login_throttle.verifications();
        let guesses = (0..200).map(|n| {
            let app = &app;
            async move { attempt(app, ADMIN_USERNAME, &format!("guess number {n}"), None).await.status() }
        });
        let statuses = futures::future::join_all(guesses).await;
        let hashed = app.state.login_throttle.verifications() - before;
        assert!(hashed <= 5, "{hashed} passwords were hashed");
        assert!(statuses.iter().all(|status| *status == StatusCode::UNAUTHORIZED || *status == StatusCode::TOO_MANY_REQUESTS));
        assert!(statuses.iter().filter(|status| **status == StatusCode::TOO_MANY_REQUESTS).count() >= 195);

        // The right password waits out the backoff like any other, then works.
        let refused = attempt(&app, ADMIN_USERNAME, ADMIN_PASSWORD, None).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        tokio::time::sleep(std::time::Duration::from_secs(retry_after(&refused))).await;
        assert_eq!(attempt(&app, ADMIN_USERNAME, ADMIN_PASSWORD, None).await.status(), StatusCode::OK);
    }

    async fn a_client_hanging_up_mid_check_still_has_its_failure_counted(app) {
        for n in 0..5 {
            let before = app.state.login_throttle.verifications();
            let guess = format!("hang up after guess {n}");
            let request = app.basic(Method::GET, "/v4/people/current", ADMIN_USERNAME, &guess).send();
            let in_flight = tokio::spawn(request);
            while app.state.login_throttle.verifications() == before {
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
            in_flight.abort();
        }
        // The five hashes went on without their clients and counted five failures: even the
        // right password now waits.
        assert_eq!(attempt(&app, ADMIN_USERNAME, ADMIN_PASSWORD, None).await.status(), StatusCode::TOO_MANY_REQUESTS);
    }

    async fn a_burst_of_right_passwords_queues_instead_of_failing(app) {
        let requests = (0..20).map(|_| attempt(&app, ADMIN_USERNAME, ADMIN_PASSWORD, None));
        let statuses: Vec<StatusCode> = futures::future::join_all(requests).await.iter().map(|r| r.status()).collect();
        assert!(statuses.iter().all(|status| *status == StatusCode::OK), "{statuses:?}");
    }

    async fn overlong_credentials_are_refused_before_anything_is_hashed(app) {
        let before = app.state.login_throttle.verifications();
        let huge = "x".repeat(300 * 1024);
        let response = app.rest.get(app.url("/v4/people/current"))
            .header("authorization", format!("Basic {huge}")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let long_password = attempt(&app, ADMIN_USERNAME, &"p".repeat(2_000), None).await;
        assert_eq!(long_password.status(), StatusCode::UNAUTHORIZED);
        let not_a_username = attempt(&app, "no such user, with spaces", "whatever-password", None).await;
        assert_eq!(not_a_username.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(app.state.login_throttle.verifications(), before, "nothing was hashed");
    }

    async fn every_body_is_limited_to_64_kib_and_refused_with_413(app) {
        let big = "x".repeat(100 * 1024);
        let json_body = serde_json::json!({ "lifetimeSeconds": 60, "description": big }).to_string();
        let announced = app.as_admin(Method::POST, "/v4/apiAccessTokens")
            .header("content-type", "application/json").body(json_body.clone()).send().await.unwrap();
        assert_eq!(announced.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(crate::support::exception_name(announced).await, "PayloadTooLarge");
        // Streamed, without a length: cut off while it is read.
        let chunks = futures::stream::iter(json_body.into_bytes().chunks(4096).map(|chunk| Ok::<_, std::io::Error>(chunk.to_vec())).collect::<Vec<_>>());
        let streamed = app.as_admin(Method::POST, "/v4/apiAccessTokens")
            .header("content-type", "application/json").body(reqwest::Body::wrap_stream(chunks)).send().await.unwrap();
        assert_eq!(streamed.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(crate::support::exception_name(streamed).await, "PayloadTooLarge");
        let rotate = app.as_admin(Method::POST, "/v4/apiAccessTokens/00000000-0000-4000-8000-000000000000/rotate")
            .header("content-type", "application/json").body(big.clone()).send().await.unwrap();
        assert_eq!(rotate.status(), StatusCode::PAYLOAD_TOO_LARGE);

        // Server functions and the forms posted without JavaScript too.
        let sign_in = app.server_fn("sign_in", &[("username", ADMIN_USERNAME), ("password", &big)]).await;
        assert_eq!(sign_in.status(), StatusCode::PAYLOAD_TOO_LARGE);
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let form = app.page_form("/preferences/access-tokens", &[("intent", "generate"), ("lifetime_days", "30"), ("description", &big)]).await;
        assert_eq!(form.status(), StatusCode::PAYLOAD_TOO_LARGE);
        // Streamed without a length, to a server function and to a page's form: 413 as well, not
        // "the arguments could not be read".
        let form_body = format!("intent=generate&lifetime_days=30&description={big}");
        let streamed = |path: &str| {
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> = form_body.as_bytes().chunks(4096).map(|chunk| Ok(chunk.to_vec())).collect();
            app.browser.post(app.url(path)).header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "text/html").body(reqwest::Body::wrap_stream(futures::stream::iter(chunks))).send()
        };
        assert_eq!(streamed("/api/generate_token").await.unwrap().status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(streamed("/preferences/access-tokens").await.unwrap().status(), StatusCode::PAYLOAD_TOO_LARGE);
        let listed: serde_json::Value = app.as_admin(Method::GET, "/v4/apiAccessTokens").send().await.unwrap().json().await.unwrap();
        assert_eq!(listed["count"], 0, "nothing was stored");
        assert_eq!(app.rest.get(app.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);
    }

    async fn a_cap_on_active_tokens_holds_under_concurrent_creations(app) {
        let settings = app.settings(serde_json::json!({ "maxActiveTokensPerPerson": 3 })).await;
        assert_eq!(settings["maxActiveTokensPerPerson"], 3);
        let (value, _) = app.admin_token(86_400).await;
        // A hundred at once: without the lock PostgreSQL let a fourth through in two runs of three.
        let creations = (0..100).map(|_| {
            app.bearer(Method::POST, "/v4/apiAccessTokens", &value).json(&serde_json::json!({ "lifetimeSeconds": 3600 })).send()
        });
        let statuses: Vec<StatusCode> = futures::future::join_all(creations).await.into_iter().map(|r| r.unwrap().status()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 2, "3 in all with the first: {statuses:?}");
        assert!(statuses.iter().all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT), "{statuses:?}");
        let refused = app.bearer(Method::POST, "/v4/apiAccessTokens", &value).json(&serde_json::json!({ "lifetimeSeconds": 3600 })).send().await.unwrap();
        assert!(refused.json::<serde_json::Value>().await.unwrap()["exception"]["message"].as_str().unwrap().contains("at most 3 active tokens"));
        let listed: serde_json::Value = app.as_admin(Method::GET, "/v4/apiAccessTokens").send().await.unwrap().json().await.unwrap();
        assert_eq!(listed["count"], 3);

        // Rotation replaces one: allowed at the cap. The page says why it refuses.
        let id = listed["data"][0]["tokenId"].as_str().unwrap().to_owned();
        let rotated = app.as_admin(Method::POST, &format!("/v4/apiAccessTokens/{id}/rotate")).json(&serde_json::json!({ "graceSeconds": 60 })).send().await.unwrap();
        assert_eq!(rotated.status(), StatusCode::CREATED);
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let page = app.server_fn("generate_token", &[("lifetime_days", "30"), ("description", "")]).await;
        assert_eq!(page.status(), StatusCode::BAD_REQUEST);
        assert!(page.text().await.unwrap().contains("at most 3 active tokens"));

        // Out of range is refused; -1 lifts it.
        for bad in [0, -2, 10_001] {
            let response = app.as_admin(Method::PATCH, "/v4/workspaces/current/settings").json(&serde_json::json!({ "maxActiveTokensPerPerson": bad })).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        }
        app.settings(serde_json::json!({ "maxActiveTokensPerPerson": -1 })).await;
        let lifted = app.bearer(Method::POST, "/v4/apiAccessTokens", &value).json(&serde_json::json!({ "lifetimeSeconds": 3600 })).send().await.unwrap();
        assert_eq!(lifted.status(), StatusCode::CREATED);
    }

    async fn tokens_expired_by_a_lowered_maximum_lifetime_do_not_count_against_the_cap(app) {
        app.settings(serde_json::json!({ "maxActiveTokensPerPerson": 2 })).await;
        for _ in 0..2 {
            app.admin_token(30 * 86_400).await;
        }
        let create = || app.as_admin(Method::POST, "/v4/apiAccessTokens").json(&serde_json::json!({ "lifetimeSeconds": 3600 })).send();
        assert_eq!(create().await.unwrap().status(), StatusCode::CONFLICT);
        // Both are ten days old; the maximum becomes seven days: they are expired, as lists show.
        app.execute("UPDATE access_tokens SET created_at = created_at - 10 * 86400 * 1000").await;
        app.settings(serde_json::json!({ "maxTokenLifetimeDays": 7 })).await;
        assert_eq!(create().await.unwrap().status(), StatusCode::CREATED);
        assert_eq!(create().await.unwrap().status(), StatusCode::CREATED);
        assert_eq!(create().await.unwrap().status(), StatusCode::CONFLICT);
    }

    async fn descriptions_and_names_refuse_invisible_format_characters(app) {
        for sneaky in ["Deploy\u{202E}nimda", "ci\u{200B}", "\u{FEFF}bot", "tag\u{E0041}"] {
            let token = app.as_admin(Method::POST, "/v4/apiAccessTokens")
                .json(&serde_json::json!({ "lifetimeSeconds": 60, "description": sneaky })).send().await.unwrap();
            assert_eq!(token.status(), StatusCode::BAD_REQUEST, "{sneaky:?}");
            let person = app.as_admin(Method::POST, "/v4/people")
                .json(&serde_json::json!({ "username": "eve", "name": sneaky, "password": "eve-password-1" })).send().await.unwrap();
            assert_eq!(person.status(), StatusCode::BAD_REQUEST, "{sneaky:?}");
            assert!(person.json::<serde_json::Value>().await.unwrap()["exception"]["message"].as_str().unwrap().contains("format characters"));
        }
        let listed: serde_json::Value = app.as_admin(Method::GET, "/v4/apiAccessTokens").send().await.unwrap().json().await.unwrap();
        assert_eq!(listed["count"], 0);
        let people: serde_json::Value = app.as_admin(Method::GET, "/v4/people").send().await.unwrap().json().await.unwrap();
        assert_eq!(people["count"], 1);
        // Text in any script, and emoji, is fine.
        let fine = app.as_admin(Method::POST, "/v4/apiAccessTokens")
            .json(&serde_json::json!({ "lifetimeSeconds": 60, "description": "דיפלוי 部署 🚀" })).send().await.unwrap();
        assert_eq!(fine.status(), StatusCode::CREATED);
    }

    async fn changing_ones_password_is_throttled_like_signing_in(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        for n in 0..5 {
            let wrong = app.server_fn("change_password", &[("current", &format!("wrong {n}")), ("new", "a-new-password-1"), ("confirm", "a-new-password-1")]).await;
            assert_eq!(wrong.status(), StatusCode::BAD_REQUEST, "attempt {n}");
        }
        let throttled = app.server_fn("change_password", &[("current", ADMIN_PASSWORD), ("new", "a-new-password-1"), ("confirm", "a-new-password-1")]).await;
        assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
        // Unchanged.
        assert_eq!(attempt(&app, ADMIN_USERNAME, "a-new-password-1", None).await.status(), StatusCode::TOO_MANY_REQUESTS);
    }
}

/// Behind a trusted proxy, the address it forwards is the client's; without that setting, the
/// header is the client's own word and ignored (every request here comes from 127.0.0.1).
async fn one_client_spraying_many_usernames_is_throttled(trusted: bool) {
    let app =
        TestApp::spawn_configured(crate::support::Backend::Sqlite, |settings| settings.trust_proxy_headers = trusted)
            .await;
    for n in 0..20 {
        let response = attempt(&app, &format!("user{n}"), "Winter2026!", Some("203.0.113.7")).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    let sprayer = attempt(&app, "user-next", "Winter2026!", Some("203.0.113.7")).await;
    assert_eq!(sprayer.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&sprayer) >= 1);
    let someone_else = attempt(&app, ADMIN_USERNAME, ADMIN_PASSWORD, Some("198.51.100.1")).await;
    let expected = if trusted { StatusCode::OK } else { StatusCode::TOO_MANY_REQUESTS };
    assert_eq!(someone_else.status(), expected, "another client (trusted proxy: {trusted})");
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_is_counted_on_its_own() {
    one_client_spraying_many_usernames_is_throttled(true).await;
}

#[tokio::test]
async fn without_a_trusted_proxy_the_forwarded_header_changes_nothing() {
    one_client_spraying_many_usernames_is_throttled(false).await;
}
