//! Webhooks: a receiver started here checks what arrives: signed bodies, one per event the webhook
//! takes, retried after a refusal, and never a token's value.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

use access_tokens::webhooks::dispatch::{self, MAX_ATTEMPTS, RETRY_DELAYS};
use axum::{body::Bytes, extract::State, http::HeaderMap, routing::post};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::support::TestApp;

const DAY: i64 = 86_400;
const SECRET: &str = "a-shared-secret-for-tests";

/// What the receiver got: each request's headers and body.
#[derive(Clone, Default)]
pub(crate) struct Receiver {
    got: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    /// The statuses to answer with, in turn; 200 once they run out.
    answers: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    /// Listens on a free port; its URL.
    pub(crate) async fn start(answers: &[u16]) -> (Self, String) {
        let receiver =
            Receiver { got: Arc::default(), answers: Arc::new(Mutex::new(answers.iter().copied().collect())) };
        let router = axum::Router::new().route("/hook", post(take)).with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        (receiver, url)
    }

    pub(crate) fn got(&self) -> Vec<(HeaderMap, Value)> {
        let got = self.got.lock().unwrap();
        got.iter()
            .map(|(headers, body)| (headers.clone(), serde_json::from_slice(body).expect("a JSON body")))
            .collect()
    }

    fn raw(&self) -> Vec<(HeaderMap, Bytes)> {
        self.got.lock().unwrap().clone()
    }
}

async fn take(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> axum::http::StatusCode {
    receiver.got.lock().unwrap().push((headers, body));
    let status = receiver.answers.lock().unwrap().pop_front().unwrap_or(200);
    axum::http::StatusCode::from_u16(status).unwrap()
}

pub(crate) async fn add_webhook(app: &TestApp, url: &str, events: &[&str]) -> Value {
    let response = app
        .as_admin(Method::POST, "/v4/workspaces/current/webhooks")
        .json(&json!({ "url": url, "events": events, "secret": SECRET }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

pub(crate) async fn deliver(app: &TestApp, at: OffsetDateTime) -> usize {
    dispatch::deliver_due(&app.state.store, &dispatch::client(), at).await.unwrap()
}

async fn log(app: &TestApp, webhook: &Value) -> Vec<Value> {
    let path = format!("/v4/workspaces/current/webhooks/{}/deliveries", webhook["webhook"]["id"]);
    let log: Value = app.as_admin(Method::GET, &path).send().await.unwrap().json().await.unwrap();
    log["data"].as_array().unwrap().clone()
}

/// The HMAC-SHA256 signature of `body` with [`SECRET`], computed here independently of the app.
fn expected_signature(body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", mac.finalize().into_bytes().iter().map(|byte| format!("{byte:02x}")).collect::<String>())
}

on_sqlite_and_postgres! {
    async fn a_webhook_hears_of_tokens_in_signed_bodies_that_never_hold_a_value(app) {
        let (receiver, url) = Receiver::start(&[]).await;
        let webhook = add_webhook(&app, &url, &["token.generated", "token.rotated", "token.revoked", "token.reported_leaked"]).await;
        assert_eq!(webhook["secret"], SECRET);

        let (first_value, first) = app.admin_token(DAY).await;
        let rotated: Value = app.as_admin(Method::POST, &format!("/v4/apiAccessTokens/{}/rotate", first["tokenId"].as_str().unwrap())).send().await.unwrap().json().await.unwrap();
        let second_value = rotated["tokenValue"].as_str().unwrap().to_owned();
        let second = rotated["tokenInfo"].clone();
        let report = app.rest.post(app.url("/v4/apiAccessTokens/revoke")).json(&json!({ "tokenValue": second_value })).send().await.unwrap();
        assert_eq!(report.status(), StatusCode::ACCEPTED);
        // The report is acted on after its answer.
        for _ in 0..40 {
            if log(&app, &webhook).await.len() == 5 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        assert_eq!(deliver(&app, OffsetDateTime::now_utc()).await, 5);
        let got = receiver.got();
        let mut seen: Vec<(String, String)> = got
            .iter()
            .map(|(_, body)| (body["event"].as_str().unwrap().to_owned(), body["token"]["tokenId"].as_str().unwrap().to_owned()))
            .collect();
        seen.sort();
        let id = |token: &Value| token["tokenId"].as_str().unwrap().to_owned();
        let mut expected = vec![
            ("token.generated".to_owned(), id(&first)),
            ("token.rotated".to_owned(), id(&first)),
            ("token.revoked".to_owned(), id(&first)),
            ("token.revoked".to_owned(), id(&second)),
            ("token.reported_leaked".to_owned(), id(&second)),
        ];
        expected.sort();
        assert_eq!(seen, expected);

        for (headers, body) in receiver.raw() {
            assert_eq!(headers["x-signature-256"].to_str().unwrap(), expected_signature(&body), "signed with the secret");
            assert_eq!(headers["content-type"], "application/json");
            let text = String::from_utf8(body.to_vec()).unwrap();
            assert!(!text.contains(&first_value) && !text.contains(&second_value) && !text.contains("atk_"), "no value: {text}");
            let parsed: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(headers["x-webhook-event"].to_str().unwrap(), parsed["event"]);
        }
        let revoked_by_report = got.iter().find(|(_, body)| body["event"] == "token.revoked" && body["token"]["tokenId"] == second["tokenId"]).unwrap();
        assert_eq!((&revoked_by_report.1["reason"], &revoked_by_report.1["by"]), (&json!("reported_leaked"), &Value::Null));
        assert_eq!(revoked_by_report.1["token"]["owner"]["username"], "admin");
        let rotation = got.iter().find(|(_, body)| body["event"] == "token.rotated").unwrap();
        assert_eq!(rotation.1["replacedBy"]["tokenId"], second["tokenId"]);

        let delivered = log(&app, &webhook).await;
        assert!(delivered.iter().all(|delivery| delivery["status"] == "delivered" && delivery["attempts"] == 1 && delivery["lastStatus"] == 200), "{delivered:?}");
        assert_eq!(deliver(&app, OffsetDateTime::now_utc()).await, 0, "each is sent once");
    }

    async fn a_refused_delivery_is_retried_with_backoff_until_it_is_taken(app) {
        let (receiver, url) = Receiver::start(&[500, 503]).await;
        let webhook = add_webhook(&app, &url, &["token.generated"]).await;
        app.admin_token(DAY).await;
        let now = OffsetDateTime::now_utc();
        assert_eq!(deliver(&app, now).await, 1);
        let refused = &log(&app, &webhook).await[0];
        assert_eq!((&refused["status"], &refused["attempts"], &refused["lastStatus"]), (&json!("pending"), &json!(1), &json!(500)));
        let next = OffsetDateTime::parse(refused["nextAttemptAt"].as_str().unwrap(), &time::format_description::well_known::Rfc3339).unwrap();
        assert!((next - now - RETRY_DELAYS[0]).abs() < time::Duration::seconds(1), "{next} after {now}");
        assert_eq!(deliver(&app, now).await, 0, "not before its time");

        assert_eq!(deliver(&app, now + RETRY_DELAYS[0] + Duration::from_secs(1)).await, 1);
        assert_eq!(log(&app, &webhook).await[0]["lastStatus"], 503);
        let later = now + RETRY_DELAYS[0] + RETRY_DELAYS[1] + Duration::from_secs(2);
        assert_eq!(deliver(&app, later).await, 1);
        let taken = &log(&app, &webhook).await[0];
        assert_eq!((&taken["status"], &taken["attempts"], &taken["lastStatus"]), (&json!("delivered"), &json!(3), &json!(200)));
        let got = receiver.raw();
        assert_eq!(got.len(), 3);
        assert!(got.iter().all(|(headers, body)| body == &got[0].1 && headers["x-webhook-delivery"] == got[0].0["x-webhook-delivery"]), "the same delivery each time");
    }

    async fn a_delivery_is_given_up_after_its_last_attempt(app) {
        let (_, url) = Receiver::start(&[500; 20]).await;
        let webhook = add_webhook(&app, &url, &["token.generated"]).await;
        app.admin_token(DAY).await;
        let mut at = OffsetDateTime::now_utc();
        for attempt in 0..MAX_ATTEMPTS {
            assert_eq!(deliver(&app, at).await, 1, "attempt {}", attempt + 1);
            at += RETRY_DELAYS.get(attempt).copied().unwrap_or_default() + Duration::from_secs(1);
        }
        let failed = &log(&app, &webhook).await[0];
        assert_eq!((&failed["status"], &failed["attempts"], &failed["nextAttemptAt"]), (&json!("failed"), &json!(MAX_ATTEMPTS), &Value::Null));
        assert_eq!(deliver(&app, at + Duration::from_secs(86_400)).await, 0);
    }

    async fn a_webhook_hears_only_its_events_and_nothing_once_removed(app) {
        let (receiver, url) = Receiver::start(&[]).await;
        let webhook = add_webhook(&app, &url, &["token.revoked"]).await;
        let (_, token) = app.admin_token(DAY).await;
        assert!(log(&app, &webhook).await.is_empty(), "not a generation");
        let removed = app.as_admin(Method::DELETE, &format!("/v4/apiAccessTokens/{}", token["tokenId"].as_str().unwrap())).send().await.unwrap();
        assert_eq!(removed.status(), StatusCode::NO_CONTENT);
        assert_eq!(log(&app, &webhook).await.len(), 1);

        let gone = app.as_admin(Method::DELETE, &format!("/v4/workspaces/current/webhooks/{}", webhook["webhook"]["id"])).send().await.unwrap();
        assert_eq!(gone.status(), StatusCode::NO_CONTENT);
        assert_eq!(deliver(&app, OffsetDateTime::now_utc()).await, 0, "its queue went with it");
        let (_, other) = app.admin_token(DAY).await;
        app.as_admin(Method::DELETE, &format!("/v4/apiAccessTokens/{}", other["tokenId"].as_str().unwrap())).send().await.unwrap();
        assert_eq!(deliver(&app, OffsetDateTime::now_utc()).await, 0);
        assert!(receiver.raw().is_empty());
        let listed: Value = app.as_admin(Method::GET, "/v4/workspaces/current/webhooks").send().await.unwrap().json().await.unwrap();
        assert_eq!(listed["data"], json!([]));
    }

    async fn queued_deliveries_outlive_the_instance_that_queued_them(app) {
        let (receiver, url) = Receiver::start(&[]).await;
        add_webhook(&app, &url, &["token.generated"]).await;
        app.admin_token(DAY).await;
        // Another instance on the same database (or this one after a restart) sends it.
        let other = app.sharing().await;
        assert_eq!(dispatch::deliver_due(&other.state.store, &dispatch::client(), OffsetDateTime::now_utc()).await.unwrap(), 1);
        assert_eq!(deliver(&app, OffsetDateTime::now_utc()).await, 0, "sent once");
        assert_eq!(receiver.raw().len(), 1);
    }

    async fn only_admins_manage_webhooks_and_a_secret_is_shown_once(app) {
        app.add_person("member", "member-password", false).await;
        for (method, path) in [(Method::GET, "/v4/workspaces/current/webhooks"), (Method::POST, "/v4/workspaces/current/webhooks")] {
            let refused = app.basic(method, path, "member", "member-password").json(&json!({ "url": "https://example.com/", "events": ["token.revoked"] })).send().await.unwrap();
            assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{path}");
        }
        let made: Value = app.as_admin(Method::POST, "/v4/workspaces/current/webhooks").json(&json!({ "url": "https://hooks.example.com/tokens", "events": ["token.revoked", "token.revoked"] })).send().await.unwrap().json().await.unwrap();
        assert!(made["secret"].as_str().unwrap().starts_with("whsec_"), "{made}");
        assert_eq!(made["webhook"]["events"], json!(["token.revoked"]));
        let listed: Value = app.as_admin(Method::GET, "/v4/workspaces/current/webhooks").send().await.unwrap().json().await.unwrap();
        assert!(!listed.to_string().contains(made["secret"].as_str().unwrap()), "never again");
        for (body, why) in [
            (json!({ "url": "ftp://example.com/", "events": ["token.revoked"] }), "url"),
            (json!({ "url": "https://example.com/", "events": [] }), "events"),
            (json!({ "url": "https://example.com/", "events": ["token.eaten"] }), "event"),
            (json!({ "url": "https://example.com/", "events": ["token.revoked"], "secret": "short" }), "secret"),
        ] {
            let refused = app.as_admin(Method::POST, "/v4/workspaces/current/webhooks").json(&body).send().await.unwrap();
            assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{why}");
        }
        let audit: Value = app.as_admin(Method::GET, "/v4/workspaces/current/auditEvents?kind=webhook.added").send().await.unwrap().json().await.unwrap();
        assert_eq!(audit["data"][0]["details"]["url"], "https://hooks.example.com/tokens");
        let missing = app.as_admin(Method::GET, "/v4/workspaces/current/webhooks/999/deliveries").send().await.unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    }

    async fn admins_add_and_remove_webhooks_on_the_workspace_settings_page(app) {
        use crate::support::{ADMIN_PASSWORD, ADMIN_USERNAME};
        let (_, url) = Receiver::start(&[]).await;
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let refused = app.page_form("/workspace/settings", &[("intent", "add_webhook"), ("url", "ftp://nope/"), ("token_revoked", "on"), ("secret", "")]).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let html = refused.text().await.unwrap();
        assert!(html.contains("value=\"ftp://nope/\""), "what was typed stays");
        assert!(html.contains("The URL is an http or https URL"), "{html}");

        let added = app.page_form("/workspace/settings", &[("intent", "add_webhook"), ("url", &url), ("token_revoked", "on"), ("secret", "")]).await;
        assert_eq!(added.status(), StatusCode::OK);
        let html = added.text().await.unwrap();
        let listed: Value = app.as_admin(Method::GET, "/v4/workspaces/current/webhooks").send().await.unwrap().json().await.unwrap();
        assert_eq!(listed["data"][0]["url"], url.as_str());
        assert_eq!(listed["data"][0]["events"], json!(["token.revoked"]));
        assert_eq!(html.matches("whsec_").count(), 1, "the secret, once");
        let again = app.browser.get(app.url("/workspace/settings")).send().await.unwrap().text().await.unwrap();
        assert!(!again.contains("whsec_") && again.contains(&url), "never again; the webhook is listed");

        // A delivery shows in its log.
        let (_, token) = app.admin_token(DAY).await;
        app.as_admin(Method::DELETE, &format!("/v4/apiAccessTokens/{}", token["tokenId"].as_str().unwrap())).send().await.unwrap();
        deliver(&app, OffsetDateTime::now_utc()).await;
        let logged = app.browser.get(app.url("/workspace/settings")).send().await.unwrap().text().await.unwrap();
        assert!(logged.contains("<code>token.revoked</code>") && logged.contains(">Delivered<") && logged.contains("HTTP 200"), "{logged}");

        let id = listed["data"][0]["id"].to_string();
        let removed = app.page_form("/workspace/settings", &[("intent", "remove_webhook"), ("id", &id)]).await;
        assert_eq!(removed.status(), StatusCode::OK);
        assert!(removed.text().await.unwrap().contains("Webhook removed."));
        let listed: Value = app.as_admin(Method::GET, "/v4/workspaces/current/webhooks").send().await.unwrap().json().await.unwrap();
        assert_eq!(listed["data"], json!([]));

        let member = app.add_person("member", "member-password", false).await;
        assert!(member["id"].is_number());
        let browser = app.another_browser();
        browser.sign_in("member", "member-password").await;
        let forbidden = browser.page_form("/workspace/settings", &[("intent", "add_webhook"), ("url", url.as_str()), ("token_revoked", "on")]).await;
        assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    }
}
