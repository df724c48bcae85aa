//! Running the service: request ids in answers and logs, Prometheus metrics for admins or on a
//! private address, JSON logs.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};

use access_tokens::tokens::value::TokenValue;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{ADMIN_PASSWORD, ADMIN_USERNAME, Backend, TestApp};

fn request_id(response: &reqwest::Response) -> String {
    response.headers().get("x-request-id").expect("an x-request-id header").to_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_answer_names_its_request_and_an_error_body_carries_the_same_id() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let ok = app.rest.get(app.url("/healthz")).send().await.unwrap();
    let (first, second) = (request_id(&ok), request_id(&app.rest.get(app.url("/healthz")).send().await.unwrap()));
    assert_ne!(first, second, "each request has its own id");

    let refused = app.bearer(Method::GET, "/v4/people/current", "atk_not-a-token").send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let id = request_id(&refused);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["exception"]["details"], format!("invalid_token; request id {id}"));
    let no_credentials: Value = app.rest.get(app.url("/v4/people/current")).send().await.unwrap().json().await.unwrap();
    assert!(no_credentials["exception"]["details"].as_str().unwrap().starts_with("request id "));
}

#[tokio::test]
async fn a_request_id_sent_by_the_client_is_kept_only_behind_a_trusted_proxy() {
    let sent = "edge-7f3a9c";
    let direct = TestApp::spawn(Backend::Sqlite).await;
    let response = direct.rest.get(direct.url("/healthz")).header("x-request-id", sent).send().await.unwrap();
    assert_ne!(request_id(&response), sent, "anyone could send one");

    let proxied = TestApp::spawn_configured(Backend::Sqlite, |settings| settings.trust_proxy_headers = true).await;
    let response = proxied.rest.get(proxied.url("/healthz")).header("x-request-id", sent).send().await.unwrap();
    assert_eq!(request_id(&response), sent);
    let spoofed = proxied.rest.get(proxied.url("/healthz")).header("x-request-id", "two words").send().await.unwrap();
    assert_ne!(request_id(&spoofed), "two words", "only plain short ids are taken");
}

#[tokio::test]
async fn metrics_are_served_to_admins_only() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.add_person("member", "member-password", false).await;
    assert_eq!(app.rest.get(app.url("/metrics")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let member = app.basic(Method::GET, "/metrics", "member", "member-password").send().await.unwrap();
    assert_eq!(member.status(), StatusCode::FORBIDDEN);
    let admin = app.as_admin(Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(admin.status(), StatusCode::OK);
    assert!(admin.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let (value, _) = app.admin_token(86_400).await;
    let by_token = app.bearer(Method::GET, "/metrics", &value).send().await.unwrap();
    assert_eq!(by_token.status(), StatusCode::OK);
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_authentication_by_outcome() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (value, info) = app.admin_token(86_400).await;
    let token_id = info["tokenId"].as_str().unwrap();
    let read = app.bearer(Method::GET, &format!("/v4/apiAccessTokens/{token_id}"), &value).send().await.unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    let unknown = TokenValue::generate();
    app.bearer(Method::GET, "/v4/people/current", unknown.expose()).send().await.unwrap();
    app.bearer(Method::GET, "/v4/people/current", "atk_malformed").send().await.unwrap();
    app.basic(Method::GET, "/v4/people/current", ADMIN_USERNAME, "a wrong password").send().await.unwrap();
    // Any token is a method to HTTP; none may make a series of its own.
    let odd = Method::from_bytes(b"FOO1").unwrap();
    app.rest.request(odd, app.url("/healthz")).send().await.unwrap();

    let text = app.as_admin(Method::GET, "/metrics").send().await.unwrap().text().await.unwrap();
    assert!(!text.contains("FOO1"));
    assert!(text.contains(r#"method="other",route="/healthz""#), "{text}");
    assert!(text.contains("token_usage_pending"), "the bearer uses above wait to be written");
    // The route's template, never the token's id: a series per token would grow without bound.
    let read_line = r#"http_requests_total{method="GET",route="/v4/apiAccessTokens/{tokenId}",status="200"}"#;
    assert!(text.contains(read_line), "{text}");
    assert!(!text.contains(token_id));
    assert!(
        text.contains(r#"http_request_duration_seconds_bucket{method="GET",route="/v4/apiAccessTokens/{tokenId}""#)
    );
    for outcome in [
        r#"scheme="bearer",outcome="ok""#,
        r#"scheme="bearer",outcome="unknown""#,
        r#"scheme="bearer",outcome="malformed""#,
        r#"scheme="basic",outcome="ok""#,
        r#"scheme="basic",outcome="wrong_password""#,
    ] {
        assert!(text.contains(&format!("auth_attempts_total{{{outcome}}}")), "{outcome} in {text}");
    }
    assert!(text.contains(r#"db_pool_connections{state="idle"}"#));
    assert!(text.contains("db_pool_max_connections"));

    app.state.usage.flush(&app.state.store).await.unwrap();
    let text = app.as_admin(Method::GET, "/metrics").send().await.unwrap().text().await.unwrap();
    assert!(text.contains(r#"token_usage_flushes_total{outcome="ok"}"#), "{text}");
    assert!(text.contains("token_usage_flush_lag_seconds_bucket"));
}

/// The real binary, as an operator starts it with `LOG_FORMAT=json` and `METRICS_ADDR`: each log
/// line is one JSON object, the lines written while a request is served carry its id, and the
/// metrics answer on their own address without credentials.
#[tokio::test]
async fn the_binary_logs_json_lines_with_the_request_id_and_serves_metrics_on_its_own_address() {
    let dir = tempfile::tempdir().unwrap();
    let server = Command::new(env!("CARGO_BIN_EXE_access-tokens"))
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .env("DATABASE_URL", format!("sqlite:{}", dir.path().join("logs.db").display()))
        .env("ADMIN_USERNAME", ADMIN_USERNAME)
        .env("ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("METRICS_ADDR", "127.0.0.1:0")
        .env("LEPTOS_SITE_ROOT", "target/site")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let mut server = KillOnDrop(server);
    // Read on a thread of its own, so that a line that never comes fails the test instead of
    // hanging it.
    let (lines, received) = std::sync::mpsc::channel();
    let stdout = BufReader::new(server.0.stdout.take().unwrap());
    std::thread::spawn(move || stdout.lines().map_while(Result::ok).try_for_each(|line| lines.send(line)));
    let next_line = || -> Value {
        let line = received.recv_timeout(Duration::from_secs(20)).expect("a log line within 20 s");
        serde_json::from_str(&line).unwrap_or_else(|error| panic!("{line:?} is not JSON: {error}"))
    };
    let listening = |prefix: &str| loop {
        let line = next_line();
        let message = line["fields"]["message"].as_str().unwrap_or_default().to_owned();
        if let Some(rest) = message.strip_prefix(prefix) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    let address = listening("serving on http://");
    let metrics_url = format!("http://{}", listening("serving metrics on http://"));

    // A refused cross-site post writes a warning while the request is served.
    let client = reqwest::Client::new();
    let response = client
        .post(format!("http://{address}/api/sign_out"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let id = request_id(&response);
    let warning = next_line();
    assert_eq!(warning["level"], "WARN", "{warning}");
    assert_eq!(warning["span"]["id"], json!(id), "{warning}");
    assert_eq!(warning["span"]["path"], "/api/sign_out");

    let metrics = client.get(metrics_url).send().await.unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    assert!(metrics.text().await.unwrap().contains(r#"route="/api/sign_out",status="403""#));
}

/// A child process that ends with the test, whether it passes or panics.
/// A generated first-admin password goes to standard error, once, and never into the log stream.
#[tokio::test]
async fn the_generated_first_admin_password_is_written_to_standard_error_not_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let server = Command::new(env!("CARGO_BIN_EXE_access-tokens"))
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .env("DATABASE_URL", format!("sqlite:{}", dir.path().join("first.db").display()))
        .env_remove("ADMIN_USERNAME")
        .env_remove("ADMIN_PASSWORD")
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("LEPTOS_SITE_ROOT", "target/site")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let mut server = KillOnDrop(server);
    let (lines, received) = std::sync::mpsc::channel();
    let stdout = BufReader::new(server.0.stdout.take().unwrap());
    let stderr = BufReader::new(server.0.stderr.take().unwrap());
    let out = lines.clone();
    std::thread::spawn(move || stdout.lines().map_while(Result::ok).try_for_each(|line| out.send(("log", line))));
    std::thread::spawn(move || stderr.lines().map_while(Result::ok).try_for_each(|line| lines.send(("stderr", line))));
    let mut log = Vec::new();
    let mut password = None;
    let address = loop {
        let (stream, line) = received.recv_timeout(Duration::from_secs(20)).expect("output within 20 s");
        if stream == "stderr"
            && let Some(rest) = line.split("password `").nth(1)
        {
            password = Some(rest.split('`').next().unwrap().to_owned());
        }
        if stream == "log" {
            if let Some(rest) = line.split("serving on http://").nth(1) {
                break rest.split(|c: char| c.is_whitespace() || c == '"').next().unwrap().to_owned();
            }
            log.push(line);
        }
    };
    let password = password.expect("the password, on standard error");
    assert_eq!(password.len(), 20);
    assert!(log.iter().any(|line| line.contains("with a generated password, written once to standard error")));
    assert!(log.iter().all(|line| !line.contains(&password)), "the log stream never holds it");
    let response = reqwest::Client::new()
        .get(format!("http://{address}/v4/people/current"))
        .basic_auth("admin", Some(&password))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    server.0.kill().ok();
}

struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What a page's server functions log while the page renders carries the request's id too.
#[tokio::test]
async fn what_a_page_render_logs_carries_the_request_id() {
    let log = capture_logs();
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    // With the database gone, the page's server functions log the outage as they render it.
    app.state.store.close().await;
    let response = app.browser.get(app.url("/preferences/access-tokens")).send().await.unwrap();
    let id = request_id(&response);
    response.text().await.unwrap();
    let written = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    let outage = written
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|line| line["span"]["id"] == json!(id) && line["fields"]["message"] == "database unavailable");
    assert!(outage.is_some(), "no `database unavailable` line with the request's id {id}");
}

/// Collects the JSON log lines of this test process (all its tests') from here on.
fn capture_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let writer = log.clone();
        tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || Buffer(writer.clone()))
            .init();
        log
    })
    .clone()
}

struct Buffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
