//! Signing in and out, browser sessions, one's own password, and the first admin, on SQLite and
//! PostgreSQL, through the real server.

use access_tokens::ui_error::UiError;
use leptos::server_fn::error::ServerFnUrlError;
use reqwest::{Method, StatusCode, header};

use crate::support::{ADMIN_PASSWORD, ADMIN_USERNAME, Backend, TestApp};

fn set_cookie(response: &reqwest::Response) -> String {
    response.headers().get(header::SET_COOKIE).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

on_sqlite_and_postgres! {
    async fn the_sign_in_page_has_labelled_fields_and_a_sign_in_button(app) {
        let response = app.browser.get(app.url("/signin")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let html = response.text().await.unwrap();
        assert!(html.contains(">Username</label>"), "{html}");
        assert!(html.contains(">Password</label>"));
        assert!(html.contains(">Sign in</button>"));
        let bundle = regex::Regex::new(r#"/pkg/access-tokens(\.[0-9a-f]{16})?\.js"#).unwrap();
        assert!(bundle.is_match(&html), "the page loads the hydration bundle");
    }

    async fn pages_for_signed_in_people_redirect_to_sign_in(app) {
        for path in ["/", "/preferences", "/users"] {
            let response = app.browser.get(app.url(path)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::FOUND, "{path}");
            assert_eq!(response.headers()[header::LOCATION], "/signin", "{path}");
        }
    }

    async fn signing_in_sets_an_http_only_lax_session_cookie(app) {
        let response = app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        assert!(response.status().is_success() || response.status().is_redirection(), "{}", response.status());
        let cookie = set_cookie(&response);
        assert!(cookie.starts_with("access_tokens_session="), "{cookie}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(!cookie.contains("Secure"), "plain http: {cookie}");
        let page = app.browser.get(app.url("/preferences")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("Administrator"), "the header names the person");
        assert!(html.contains(">Preferences</a>") && html.contains(">Sign out</button>"), "the user menu");
    }

    async fn x_forwarded_proto_from_an_untrusted_client_does_not_make_the_cookie_secure(app) {
        let response = app.browser.post(app.url("/api/sign_in"))
            .header("x-forwarded-proto", "https")
            .form(&[("username", ADMIN_USERNAME), ("password", ADMIN_PASSWORD)])
            .send().await.unwrap();
        assert!(set_cookie(&response).starts_with("access_tokens_session="), "{}", set_cookie(&response));
        assert!(!set_cookie(&response).contains("; Secure"));
    }

    async fn wrong_credentials_get_one_generic_message_and_no_session(app) {
        for (username, password) in [(ADMIN_USERNAME, "wrong-password"), ("nobody", ADMIN_PASSWORD)] {
            let response = app.sign_in(username, password).await;
            assert!(!response.status().is_success());
            assert!(set_cookie(&response).is_empty());
            let error: UiError = response.json().await.unwrap();
            assert_eq!(error.to_string(), "The username or password is incorrect.");
        }
        let page = app.browser.get(app.url("/preferences")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::FOUND);
    }

    async fn a_plain_form_post_signs_in_without_javascript(app) {
        let response = app.browser.post(app.url("/api/sign_in"))
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, app.url("/signin"))
            .form(&[("username", ADMIN_USERNAME), ("password", ADMIN_PASSWORD)])
            .send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(response.headers()[header::LOCATION], "/");
        let page = app.browser.get(app.url("/preferences")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
    }

    async fn without_javascript_a_refusal_is_shown_on_the_sign_in_page_and_a_forged_one_is_not(app) {
        let refused = app.browser.post(app.url("/api/sign_in"))
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, app.url("/signin"))
            .form(&[("username", ADMIN_USERNAME), ("password", "wrong-password")])
            .send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::FOUND);
        let back = refused.headers()[header::LOCATION].to_str().unwrap().to_owned();
        assert!(back.contains("/signin?"), "{back}");
        let back = if back.starts_with('/') { app.url(&back) } else { back };
        let html = app.browser.get(&back).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("The username or password is incorrect."), "{back}: {html}");

        // The same URL, written by someone else with their own words in it.
        let forged = ServerFnUrlError::new("/api/sign_in", UiError::Refused("Your account is locked. Call +1 555 0100.".into()))
            .to_url(&app.url("/signin"))
            .unwrap();
        let html = app.browser.get(forged.as_str()).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(">Sign in</button>"));
        assert!(!html.contains("555 0100"), "{html}");
    }

    async fn signing_out_ends_the_session(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let stolen_cookie = app.browser.get(app.url("/preferences")).send().await.unwrap();
        assert_eq!(stolen_cookie.status(), StatusCode::OK);
        let response = app.server_fn("sign_out", &[]).await;
        assert!(set_cookie(&response).contains("Max-Age=0"));
        let page = app.browser.get(app.url("/preferences")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::FOUND);
    }

    async fn a_person_changes_their_own_password(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let wrong = app.server_fn("change_password", &[("current", "not-it"), ("new", "a-new-password"), ("confirm", "a-new-password")]).await;
        assert!(wrong.text().await.unwrap().contains("The current password is incorrect."));
        let mismatch = app.server_fn("change_password", &[("current", ADMIN_PASSWORD), ("new", "a-new-password"), ("confirm", "another")]).await;
        assert!(mismatch.text().await.unwrap().contains("do not match"));
        let short = app.server_fn("change_password", &[("current", ADMIN_PASSWORD), ("new", "short"), ("confirm", "short")]).await;
        assert!(short.text().await.unwrap().contains("at least 8"));
        let done = app.server_fn("change_password", &[("current", ADMIN_PASSWORD), ("new", "a-new-password"), ("confirm", "a-new-password")]).await;
        assert_eq!(done.status(), StatusCode::OK);
        let old = app.as_admin(Method::GET, "/v4/people/current").send().await.unwrap();
        assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
        let new = app.basic(Method::GET, "/v4/people/current", ADMIN_USERNAME, "a-new-password").send().await.unwrap();
        assert_eq!(new.status(), StatusCode::OK);
    }

    async fn the_users_page_is_for_admins_only(app) {
        app.add_person("member", "member-password", false).await;
        app.sign_in("member", "member-password").await;
        let html = app.browser.get(app.url("/users")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Only workspace admins manage users."));
        let listed = app.server_fn("list_people", &[]).await;
        assert!(listed.text().await.unwrap().contains("Forbidden"));
        let added = app.server_fn("add_person", &[("username", "sneaky"), ("name", ""), ("password", "sneaky-password")]).await;
        assert!(!added.status().is_success());
        let people: serde_json::Value = app.as_admin(Method::GET, "/v4/people").send().await.unwrap().json().await.unwrap();
        assert_eq!(people["count"], 2);
    }

    async fn an_admin_adds_people_and_changes_roles_on_the_users_page(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let added = app.server_fn("add_person", &[("username", "harry"), ("name", "Harry H."), ("password", "harry-password"), ("is_admin", "on")]).await;
        assert_eq!(added.status(), StatusCode::OK);
        let harry: serde_json::Value = added.json().await.unwrap();
        assert_eq!(harry["isAdmin"], true);
        let id = harry["id"].to_string();
        let demoted = app.server_fn("set_role", &[("id", id.as_str()), ("is_admin", "false")]).await;
        assert_eq!(demoted.status(), StatusCode::OK);
        let reset = app.server_fn("reset_password", &[("id", id.as_str()), ("password", "harry-second-password")]).await;
        assert_eq!(reset.status(), StatusCode::OK);
        let html = app.browser.get(app.url("/users")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Harry H."), "the list shows the new person");
        let me = app.basic(Method::GET, "/v4/people/current", "harry", "harry-second-password").send().await.unwrap();
        let me: serde_json::Value = me.json().await.unwrap();
        assert_eq!(me["isAdmin"], false);
    }
}

mod first_admin {
    use super::*;
    use access_tokens::people::{accounts::FirstAdmin, store};

    async fn generated_admin_exists(backend: Backend) {
        let app = TestApp::spawn_with(backend, FirstAdmin::Generated).await;
        let admin = store::find_by_username(&app.state.store, "admin").await.unwrap().expect("an admin named admin");
        assert!(admin.is_admin);
        assert_eq!(store::count(&app.state.store).await.unwrap(), 1);
    }

    #[tokio::test]
    async fn without_admin_variables_an_admin_with_a_random_password_is_created_on_sqlite() {
        generated_admin_exists(Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn without_admin_variables_an_admin_with_a_random_password_is_created_on_postgres() {
        generated_admin_exists(Backend::Postgres).await;
    }
}

mod server_function_errors {
    use super::*;

    #[tokio::test]
    async fn refusals_get_their_own_status_instead_of_500() {
        let app = TestApp::spawn(Backend::Sqlite).await;
        let wrong = app.sign_in(ADMIN_USERNAME, "wrong-password").await;
        assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
        assert_eq!(wrong.json::<UiError>().await.unwrap(), UiError::WrongCredentials);
        for guess in 1..=4 {
            app.sign_in(ADMIN_USERNAME, &format!("wrong-password {guess}")).await;
        }
        let throttled = app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(matches!(throttled.json::<UiError>().await.unwrap(), UiError::Throttled { seconds: 1.. }));
        let signed_out = app.server_fn("list_people", &[]).await;
        assert_eq!(signed_out.status(), StatusCode::UNAUTHORIZED);
    }
}

mod cross_site {
    use super::*;

    #[tokio::test]
    async fn a_server_function_post_from_another_site_is_refused_and_changes_nothing() {
        let app = TestApp::spawn(Backend::Sqlite).await;
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let forged = app
            .browser
            .post(app.url("/api/add_person"))
            .header("origin", "https://evil.example")
            .header("sec-fetch-site", "cross-site")
            .form(&[("username", "mallory"), ("name", ""), ("password", "mallory-password")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let no_fetch_metadata = app
            .browser
            .post(app.url("/api/add_person"))
            .header("origin", "https://evil.example")
            .form(&[("username", "mallory"), ("name", ""), ("password", "mallory-password")])
            .send()
            .await
            .unwrap();
        assert_eq!(no_fetch_metadata.status(), StatusCode::FORBIDDEN);
        let people: serde_json::Value =
            app.as_admin(Method::GET, "/v4/people").send().await.unwrap().json().await.unwrap();
        assert_eq!(people["count"], 1, "nobody was added");

        let same_origin = app
            .browser
            .post(app.url("/api/add_person"))
            .header("origin", app.base.clone())
            .header("sec-fetch-site", "same-origin")
            .form(&[("username", "harry"), ("name", ""), ("password", "harry-password")])
            .send()
            .await
            .unwrap();
        assert_eq!(same_origin.status(), StatusCode::OK);
    }
}
