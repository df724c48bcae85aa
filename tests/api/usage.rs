//! Where and how much a token is used: its last client addresses with their user agents, and its
//! daily use counts, in its REST info, exact at once and the same after the batched write.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::{ADMIN_PASSWORD, ADMIN_USERNAME, Backend, TestApp};

const DAY: i64 = 86_400;

/// `GET /v4/people/current` with `token`, as a program that calls itself `user_agent`, from
/// `forwarded` where the app trusts a proxy's `X-Forwarded-For`.
async fn call(app: &TestApp, token: &str, user_agent: &str, forwarded: Option<&str>) {
    // Times are kept to the millisecond: each call in a later one, so "most recent" is one order.
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    let mut request = app.bearer(Method::GET, "/v4/people/current", token).header("user-agent", user_agent);
    if let Some(address) = forwarded {
        request = request.header("x-forwarded-for", address);
    }
    assert_eq!(request.send().await.unwrap().status(), StatusCode::OK);
}

/// The token's REST info, asked with the admin's password (which is no use of the token).
async fn info(app: &TestApp, token_id: &str) -> Value {
    let response = app.as_admin(Method::GET, &format!("/v4/apiAccessTokens/{token_id}")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn today() -> String {
    let today = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", today.year(), u8::from(today.month()), today.day())
}

/// The uses counted today, checking that the 30 days end today and none is missing.
fn uses_today(info: &Value) -> i64 {
    let days = info["dailyUses"].as_array().expect("dailyUses");
    assert_eq!(days.len(), 30, "{info}");
    assert_eq!(days[29]["date"], today().as_str(), "today last: {info}");
    assert!(days.windows(2).all(|pair| pair[0]["date"].as_str() < pair[1]["date"].as_str()), "oldest first");
    days[29]["uses"].as_i64().unwrap()
}

async fn stored_rows(app: &TestApp, table: &str) -> i64 {
    let sql = format!("SELECT count(*) FROM {table}");
    access_tokens::store::with_pool!(&app.state.store, pool => sqlx::query_scalar(&sql).fetch_one(pool).await).unwrap()
}

on_sqlite_and_postgres! {
    async fn a_tokens_info_says_where_it_was_used_from_and_how_often_at_once_and_after_the_write(app) {
        let (value, token) = app.admin_token(DAY).await;
        let id = token["tokenId"].as_str().unwrap();
        let fresh = info(&app, id).await;
        assert_eq!(fresh["recentClients"], serde_json::json!([]), "never used: {fresh}");
        assert_eq!(uses_today(&fresh), 0);

        for _ in 0..3 {
            call(&app, &value, "deploy-bot/2.1", None).await;
        }
        let seen = info(&app, id).await;
        assert_eq!(uses_today(&seen), 3, "{seen}");
        let clients = seen["recentClients"].as_array().unwrap();
        assert_eq!(clients.len(), 1, "{seen}");
        assert_eq!(clients[0]["ip"], "127.0.0.1");
        assert_eq!(clients[0]["userAgent"], "deploy-bot/2.1");
        assert_eq!(clients[0]["lastSeen"], seen["lastUsed"], "the last use was this client's");
        assert_eq!(stored_rows(&app, "token_daily_uses").await, 0, "no write per request");

        app.state.usage.flush(&app.state.store).await.unwrap();
        assert_eq!(stored_rows(&app, "token_daily_uses").await, 1);
        assert_eq!(stored_rows(&app, "token_clients").await, 1);
        assert_eq!(info(&app, id).await, seen, "written, and counted once");

        // A newer program from the same address replaces the user agent; counts add up.
        call(&app, &value, "deploy-bot/2.2", None).await;
        let later = info(&app, id).await;
        assert_eq!(uses_today(&later), 4);
        assert_eq!(later["recentClients"][0]["userAgent"], "deploy-bot/2.2");
        app.state.usage.flush(&app.state.store).await.unwrap();
        assert_eq!(info(&app, id).await, later);

        // Its own info, asked with the token, is a use too, and says the same.
        let current: Value = app.bearer(Method::GET, "/v4/apiAccessTokens/current", &value).send().await.unwrap().json().await.unwrap();
        assert_eq!(uses_today(&current), 5, "{current}");
        let clients = current["recentClients"].as_array().unwrap();
        assert_eq!(clients.len(), 1, "the same address: {current}");
        assert_eq!(clients[0]["userAgent"], "", "this request sent no user agent, and it is the last");
    }

    async fn a_token_deleted_before_its_uses_are_written_leaves_nothing_behind(app) {
        let (value, token) = app.admin_token(DAY).await;
        let (kept, _) = app.admin_token(DAY).await;
        call(&app, &value, "curl/8.5.0", None).await;
        call(&app, &kept, "curl/8.5.0", None).await;
        let gone = app.as_admin(Method::DELETE, &format!("/v4/apiAccessTokens/{}", token["tokenId"].as_str().unwrap())).send().await.unwrap();
        assert_eq!(gone.status(), StatusCode::NO_CONTENT);
        // The write goes through (the other token's uses are not held up by it) and skips it.
        assert_eq!(app.state.usage.flush(&app.state.store).await.unwrap(), 2);
        assert_eq!(app.state.usage.pending(), 0);
        assert_eq!(stored_rows(&app, "token_clients").await, 1);
        assert_eq!(stored_rows(&app, "token_daily_uses").await, 1);
    }

    async fn instances_sharing_the_database_add_their_counts_up(app) {
        let other = app.sharing().await;
        let (value, token) = app.admin_token(DAY).await;
        let id = token["tokenId"].as_str().unwrap();
        for _ in 0..2 {
            call(&app, &value, "here/1", None).await;
        }
        for _ in 0..3 {
            assert_eq!(other.bearer_status(&value).await, StatusCode::OK);
        }
        assert_eq!(uses_today(&info(&app, id).await), 2, "the other instance's uses are not written yet");
        other.state.usage.flush(&other.state.store).await.unwrap();
        app.state.usage.flush(&app.state.store).await.unwrap();
        let both = info(&app, id).await;
        assert_eq!(uses_today(&both), 5, "{both}");
        assert_eq!(both["recentClients"].as_array().unwrap().len(), 1, "one address: {both}");
    }

    async fn a_tokens_page_shows_where_it_was_used_how_often_and_its_history(app) {
        let (value, token) = app.token_of(ADMIN_USERNAME, ADMIN_PASSWORD, serde_json::json!({ "lifetimeSeconds": DAY, "description": "nightly <sync>" })).await;
        let id = token["tokenId"].as_str().unwrap();
        for _ in 0..3 {
            call(&app, &value, "sync-job/0.9 (linux)", None).await;
        }
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let list = app.browser.get(app.url("/preferences/access-tokens")).send().await.unwrap().text().await.unwrap();
        let page_path = format!("/preferences/access-tokens/{id}");
        assert!(list.contains(&format!("href=\"{page_path}\"")), "each row links to its token's page");

        let answer = app.browser.get(app.url(&page_path)).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        let html = answer.text().await.unwrap();
        assert!(html.contains("<h1>nightly &lt;sync&gt;</h1>"), "named by its description, escaped: {html}");
        assert!(html.contains("<code>127.0.0.1</code>"), "the address it was used from");
        assert!(html.contains("sync-job/0.9 (linux)"), "with the user agent");
        assert!(html.contains("3 uses in the last 30 days"), "the chart's summary");
        assert_eq!(html.matches("<rect").count(), 30, "a bar a day");
        assert!(html.contains(&format!("{}: 3 uses", today())), "today's bar says its count");
        assert!(html.contains("<span class=\"what\">Token generated</span>"), "its history: {html}");
        assert!(html.contains(&format!("by {ADMIN_USERNAME} (password)")), "who generated it, and how: {html}");
        assert!(!html.contains(&value), "never the value");

        // Rotated: the new token's page says where it came from.
        let rotated = app.as_admin(Method::POST, &format!("/v4/apiAccessTokens/{id}/rotate")).send().await.unwrap();
        assert_eq!(rotated.status(), StatusCode::CREATED);
        let rotated: Value = rotated.json().await.unwrap();
        let new_id = rotated["tokenInfo"]["tokenId"].as_str().unwrap();
        let html = app.browser.get(app.url(&format!("/preferences/access-tokens/{new_id}"))).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(&format!("Generated by rotating <a href=\"/preferences/access-tokens/{id}\">")), "{html}");
        assert!(html.contains("No request has been made with this token yet."));
        assert!(html.contains("Not used in the last 30 days."));
    }

    async fn a_tokens_page_is_its_owners_and_the_admins_and_nobody_elses(app) {
        app.add_person("member", "member-password", false).await;
        app.add_person("other", "other-password", false).await;
        app.settings(serde_json::json!({ "allowMembersToGenerateTokens": true })).await;
        let (_, token) = app.token_of("member", "member-password", serde_json::json!({ "lifetimeSeconds": DAY })).await;
        let path = format!("/preferences/access-tokens/{}", token["tokenId"].as_str().unwrap());

        let signed_out = app.browser.get(app.url(&path)).send().await.unwrap();
        assert_eq!(signed_out.status(), StatusCode::FOUND, "to the sign-in page");

        let other = app.another_browser();
        other.sign_in("other", "other-password").await;
        assert_eq!(other.page_status(&path).await, StatusCode::NOT_FOUND, "another member's token does not exist for them");
        assert!(!other.page(&path).await.contains(token["tokenId"].as_str().unwrap()), "nothing about it is shown");
        assert_eq!(other.page_status("/preferences/access-tokens/not-a-token").await, StatusCode::NOT_FOUND);

        let member = app.another_browser();
        member.sign_in("member", "member-password").await;
        assert_eq!(member.page_status(&path).await, StatusCode::OK);
        assert!(!member.page(&path).await.contains(">Owner</dt>"), "one's own token names no owner");

        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let html = app.browser.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(">Owner</dt>") && html.contains("member Example"), "an admin sees whose it is");
    }
}

/// Behind a trusted proxy, the forwarded addresses: the 5 most recently seen, most recent first,
/// in memory and in the database.
async fn the_last_five_addresses_are_kept(backend: Backend) {
    let app = TestApp::spawn_configured(backend, |settings| settings.trust_proxy_headers = true).await;
    let (value, token) = app.admin_token(DAY).await;
    let id = token["tokenId"].as_str().unwrap();
    for n in 1..=4 {
        call(&app, &value, &format!("agent/{n}"), Some(&format!("203.0.113.{n}"))).await;
    }
    // Written in two batches: the database prunes what memory already did.
    app.state.usage.flush(&app.state.store).await.unwrap();
    for n in 5..=7 {
        call(&app, &value, &format!("agent/{n}"), Some(&format!("203.0.113.{n}"))).await;
    }
    let addresses = |info: &Value| -> Vec<String> {
        info["recentClients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|client| client["ip"].as_str().unwrap().to_owned())
            .collect()
    };
    let expected = ["203.0.113.7", "203.0.113.6", "203.0.113.5", "203.0.113.4", "203.0.113.3"];
    let seen = info(&app, id).await;
    assert_eq!(addresses(&seen), expected, "{seen}");
    assert_eq!(seen["recentClients"][0]["userAgent"], "agent/7");
    app.state.usage.flush(&app.state.store).await.unwrap();
    assert_eq!(stored_rows(&app, "token_clients").await, 5);
    assert_eq!(addresses(&info(&app, id).await), expected);
    assert_eq!(uses_today(&info(&app, id).await), 7);
}

#[tokio::test]
async fn the_last_five_addresses_are_kept_on_sqlite() {
    the_last_five_addresses_are_kept(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_last_five_addresses_are_kept_on_postgres() {
    the_last_five_addresses_are_kept(Backend::Postgres).await;
}

/// A token that asks for it: the first use from an address outside its recent ones is told to
/// its owner (on their pages) and to the webhooks, once; its first address ever is not news.
async fn a_new_address_is_told_once(backend: Backend) {
    use crate::webhooks::{Receiver, add_webhook, deliver};
    let app = TestApp::spawn_configured(backend, |settings| settings.trust_proxy_headers = true).await;
    let (receiver, url) = Receiver::start(&[]).await;
    add_webhook(&app, &url, &["token.used_from_new_ip"]).await;
    let (watched_value, watched) = app
        .token_of(
            ADMIN_USERNAME,
            ADMIN_PASSWORD,
            serde_json::json!({ "lifetimeSeconds": DAY, "description": "deploy", "alertOnNewIp": true }),
        )
        .await;
    assert_eq!(watched["alertOnNewIp"], true);
    let (plain_value, plain) = app.admin_token(DAY).await;
    assert_eq!(plain["alertOnNewIp"], false, "off unless asked for");
    let flush = || async { app.state.usage.flush(&app.state.store).await.unwrap() };
    let alerts = || async {
        deliver(&app, time::OffsetDateTime::now_utc()).await;
        receiver.got().into_iter().map(|(_, body)| body).collect::<Vec<Value>>()
    };

    call(&app, &watched_value, "ci/1", Some("203.0.113.1")).await;
    flush().await;
    assert!(alerts().await.is_empty(), "its first address is where it was meant to be used");
    call(&app, &watched_value, "curl/8.5.0", Some("198.51.100.7")).await;
    call(&app, &watched_value, "curl/8.5.0", Some("198.51.100.7")).await;
    flush().await;
    let told = alerts().await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!((&told[0]["ip"], &told[0]["userAgent"]), (&json_str("198.51.100.7"), &json_str("curl/8.5.0")));
    assert_eq!(told[0]["token"]["tokenId"], watched["tokenId"]);
    call(&app, &watched_value, "curl/8.5.0", Some("198.51.100.7")).await;
    call(&app, &plain_value, "x/1", Some("192.0.2.1")).await;
    call(&app, &plain_value, "x/1", Some("192.0.2.2")).await;
    flush().await;
    assert_eq!(alerts().await.len(), 1, "once per address, and only for tokens that ask");

    app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    let unread: Value = app.server_fn("notifications", &[]).await.json().await.unwrap();
    assert_eq!(
        unread["shown"][0]["message"],
        format!(
            "Your access token deploy ({}) was used from a new address: 198.51.100.7 (curl/8.5.0).",
            watched["tokenId"].as_str().unwrap()
        )
    );
    // Turned off on its page: no more.
    let off = app.server_fn("set_new_ip_alert", &[("token_id", watched["tokenId"].as_str().unwrap())]).await;
    assert_eq!(off.status(), StatusCode::OK);
    assert_eq!(info(&app, watched["tokenId"].as_str().unwrap()).await["alertOnNewIp"], false);
    call(&app, &watched_value, "curl/8.5.0", Some("198.51.100.99")).await;
    flush().await;
    assert_eq!(alerts().await.len(), 1);
}

fn json_str(text: &str) -> Value {
    Value::String(text.to_owned())
}

#[tokio::test]
async fn a_new_address_is_told_once_on_sqlite() {
    a_new_address_is_told_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_new_address_is_told_once_on_postgres() {
    a_new_address_is_told_once(Backend::Postgres).await;
}
