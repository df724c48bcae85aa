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
