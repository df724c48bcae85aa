//! The headers that protect the browser: a Content-Security-Policy whose nonce the page's own
//! scripts carry, no framing, no sniffing, no caching of what is per user, HSTS over https.

use reqwest::{Method, StatusCode};

use crate::support::{ADMIN_PASSWORD, ADMIN_USERNAME, TestApp};

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers().get(name).map(|value| value.to_str().unwrap().to_owned()).unwrap_or_default()
}

on_sqlite_and_postgres! {
    async fn pages_run_only_scripts_that_carry_their_nonce(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let mut nonces = Vec::new();
        for path in ["/signin", "/preferences/access-tokens", "/preferences", "/users", "/workspace/settings"] {
            let response = app.browser.get(app.url(path)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let policy = header(&response, "content-security-policy");
            let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce").to_owned();
            assert!(policy.contains("frame-ancestors 'none'") && policy.contains("object-src 'none'"), "{policy}");
            assert!(!policy.split("script-src").nth(1).unwrap().split(';').next().unwrap().contains("unsafe-inline"), "no inline script without the nonce: {policy}");
            let html = response.text().await.unwrap();
            let scripts: Vec<&str> = html.split("<script").skip(1).map(|rest| rest.split('>').next().unwrap()).collect();
            assert!(!scripts.is_empty(), "{path} hydrates");
            for script in scripts {
                assert!(script.contains(&format!("nonce=\"{nonce}\"")), "{path}: <script{script}> lacks the nonce");
            }
            nonces.push(nonce);
        }
        nonces.sort();
        nonces.dedup();
        assert_eq!(nonces.len(), 5, "a nonce per response");
    }

    async fn every_answer_says_no_sniffing_no_framing_and_no_caching_of_what_is_per_user(app) {
        let page = app.browser.get(app.url("/signin")).send().await.unwrap();
        let api = app.as_admin(Method::GET, "/v4/people/current").send().await.unwrap();
        let refused = app.rest.get(app.url("/v4/people/current")).send().await.unwrap();
        for response in [&page, &api, &refused] {
            assert_eq!(header(response, "x-content-type-options"), "nosniff");
            assert_eq!(header(response, "referrer-policy"), "same-origin");
            assert_eq!(header(response, "x-frame-options"), "DENY");
            assert_eq!(header(response, "cache-control"), "no-store");
            assert_eq!(header(response, "strict-transport-security"), "", "not over plain http");
        }
        let stylesheet = app.rest.get(app.url("/pkg/access-tokens.css")).send().await.unwrap();
        assert_ne!(header(&stylesheet, "cache-control"), "no-store", "the site's own files stay cacheable");
        assert_eq!(header(&stylesheet, "x-content-type-options"), "nosniff");
    }
}

/// HSTS only where the request came over https, as a proxy trusted with its headers says.
#[tokio::test]
async fn hsts_is_sent_over_https_behind_a_trusted_proxy_only() {
    for trusted in [true, false] {
        let app = TestApp::spawn_configured(crate::support::Backend::Sqlite, |settings| {
            settings.trust_proxy_headers = trusted
        })
        .await;
        let response = app.rest.get(app.url("/healthz")).header("x-forwarded-proto", "https").send().await.unwrap();
        let hsts = header(&response, "strict-transport-security");
        assert_eq!(hsts.starts_with("max-age=31536000"), trusted, "trusted: {trusted}, {hsts:?}");
    }
}
