//! Session cookies: `__Host-` and `Secure` over https, a fresh session at each sign-in, and an end
//! after a while without use.

use reqwest::StatusCode;

use crate::support::{ADMIN_PASSWORD, ADMIN_USERNAME, Backend, TestApp};

/// Signs in as a script would (no cookie jar), sending `cookie` if given: the `Set-Cookie` answer.
async fn sign_in_with(app: &TestApp, cookie: Option<&str>) -> String {
    let mut request =
        app.rest.post(app.url("/api/sign_in")).form(&[("username", ADMIN_USERNAME), ("password", ADMIN_PASSWORD)]);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    assert!(response.status().is_success() || response.status().is_redirection(), "{}", response.status());
    response.headers()["set-cookie"].to_str().unwrap().to_owned()
}

/// `name=value` of a `Set-Cookie` answer.
fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

async fn page_status(app: &TestApp, cookie: &str) -> StatusCode {
    app.rest.get(app.url("/preferences")).header("cookie", cookie).send().await.unwrap().status()
}

on_sqlite_and_postgres! {
    async fn signing_in_ends_the_session_the_browser_already_had(app) {
        let first = pair(&sign_in_with(&app, None).await);
        assert_eq!(page_status(&app, &first).await, StatusCode::OK);
        let second = pair(&sign_in_with(&app, Some(&first)).await);
        assert_ne!(first, second);
        assert_eq!(page_status(&app, &first).await, StatusCode::FOUND, "a planted or old session does not survive a sign-in");
        assert_eq!(page_status(&app, &second).await, StatusCode::OK);
    }

    async fn a_session_unused_for_twelve_hours_has_ended(app) {
        let cookie = pair(&sign_in_with(&app, None).await);
        assert_eq!(page_status(&app, &cookie).await, StatusCode::OK);
        app.execute("UPDATE sessions SET last_seen_at = last_seen_at - 11 * 3600 * 1000").await;
        assert_eq!(page_status(&app, &cookie).await, StatusCode::OK, "eleven hours idle is fine, and counts as use");
        app.execute("UPDATE sessions SET last_seen_at = last_seen_at - 13 * 3600 * 1000").await;
        assert_eq!(page_status(&app, &cookie).await, StatusCode::FOUND, "thirteen is not");
    }
}

#[tokio::test]
async fn over_https_the_cookie_is_secure_and_host_prefixed() {
    let app = TestApp::spawn_configured(Backend::Sqlite, |settings| settings.secure_cookies = true).await;
    let set_cookie = sign_in_with(&app, None).await;
    assert!(set_cookie.starts_with("__Host-access_tokens_session="), "{set_cookie}");
    for attribute in ["; Path=/", "; HttpOnly", "; SameSite=Lax", "; Secure"] {
        assert!(set_cookie.contains(attribute), "{set_cookie} lacks {attribute}");
    }
    assert!(!set_cookie.to_ascii_lowercase().contains("domain="), "{set_cookie}");
    assert_eq!(page_status(&app, &pair(&set_cookie)).await, StatusCode::OK);
    // Plain http, no setting: the plain name, not Secure (a browser would refuse either otherwise).
    let plain_app = TestApp::spawn(Backend::Sqlite).await;
    let plain = sign_in_with(&plain_app, None).await;
    assert!(plain.starts_with("access_tokens_session=") && !plain.contains("Secure"), "{plain}");
}

/// The `Set-Cookie` values of an answer.
fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response.headers().get_all("set-cookie").iter().map(|value| value.to_str().unwrap().to_owned()).collect()
}

/// A site that moves to https behind its (trusted) proxy: browsers still hold a plain-name cookie.
/// It is never taken for a session over https, and signing in or out clears it, so nobody is sent
/// round between the page and the sign-in form.
#[tokio::test]
async fn moving_to_https_ends_plain_cookies_without_a_sign_in_loop() {
    let app = TestApp::spawn_configured(Backend::Sqlite, |settings| settings.trust_proxy_headers = true).await;
    let sign_in = |cookie: Option<String>, https: bool| {
        let mut request =
            app.rest.post(app.url("/api/sign_in")).form(&[("username", ADMIN_USERNAME), ("password", ADMIN_PASSWORD)]);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        if https {
            request = request.header("x-forwarded-proto", "https");
        }
        request.send()
    };
    let page = |cookie: String, https: bool| {
        let mut request = app.rest.get(app.url("/preferences")).header("cookie", cookie);
        if https {
            request = request.header("x-forwarded-proto", "https");
        }
        request.send()
    };

    let plain = pair(&set_cookies(&sign_in(None, false).await.unwrap())[0]);
    assert!(plain.starts_with("access_tokens_session="), "{plain}");
    assert_eq!(page(plain.clone(), false).await.unwrap().status(), StatusCode::OK);

    // Over https the plain cookie is no session: to the sign-in page, with both names cleared.
    let refused = page(plain.clone(), true).await.unwrap();
    assert_eq!(refused.status(), StatusCode::FOUND);
    let cleared = set_cookies(&refused);
    assert_eq!(cleared.len(), 2, "{cleared:?}");
    assert!(cleared.iter().all(|cookie| cookie.contains("=; ") && cookie.contains("Max-Age=0")), "{cleared:?}");

    // Signing in over https while the browser still holds a (valid) plain cookie: a __Host- cookie
    // is set, the plain one cleared, and its session ended.
    let stale = pair(&set_cookies(&sign_in(None, false).await.unwrap())[0]);
    let answer = sign_in(Some(stale.clone()), true).await.unwrap();
    let cookies = set_cookies(&answer);
    assert!(cookies[0].starts_with("__Host-access_tokens_session=") && cookies[0].contains("; Secure"), "{cookies:?}");
    assert!(cookies[1].starts_with("access_tokens_session=;") && cookies[1].contains("Max-Age=0"), "{cookies:?}");
    assert_eq!(page(stale.clone(), false).await.unwrap().status(), StatusCode::FOUND, "the stale session ended");
    let secure = pair(&cookies[0]);
    assert_eq!(page(format!("{stale}; {secure}"), true).await.unwrap().status(), StatusCode::OK, "no loop");
    assert_eq!(page(secure, true).await.unwrap().status(), StatusCode::OK);
}
