//! The pages' forms, posted to the page as a browser does (natively, or the island's navigator
//! with `fetch`): the answer is the page with the outcome, or a redirect; and a page carries its
//! rows once, as HTML.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{ADMIN_PASSWORD, ADMIN_USERNAME};

on_sqlite_and_postgres! {
    async fn signing_in_redirects_to_the_start_page_and_a_refusal_comes_back_with_the_form(app) {
        let refused = app.page_form("/signin", &[("intent", "sign_in"), ("username", ADMIN_USERNAME), ("password", "not-the-password")]).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let html = refused.text().await.unwrap();
        assert!(html.contains("The username or password is incorrect."), "{html}");
        assert!(html.contains(&format!(r#"value="{ADMIN_USERNAME}""#)), "the username stays typed: {html}");
        assert!(!html.contains("not-the-password"), "a password is never typed back");
        assert_eq!(app.browser.get(app.url("/preferences")).send().await.unwrap().status(), StatusCode::FOUND, "still signed out");

        let signed_in = app.page_form("/signin", &[("intent", "sign_in"), ("username", ADMIN_USERNAME), ("password", ADMIN_PASSWORD)]).await;
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
        assert_eq!(signed_in.headers()["location"], "/");
        // Every cookie the server function sets (the session and its companions), as it sets them.
        let by_server_fn = app.another_browser().sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let cookies = |response: &reqwest::Response| response.headers().get_all("set-cookie").iter().count();
        assert!(cookies(&signed_in) > 0);
        assert_eq!(cookies(&signed_in), cookies(&by_server_fn));
        assert_eq!(app.browser.get(app.url("/preferences")).send().await.unwrap().status(), StatusCode::OK);
    }

    async fn the_users_page_adds_changes_and_refuses_people_and_says_so(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let added = app.page_form("/users", &[("intent", "add"), ("username", "newbie"), ("name", "New Person"), ("password", "newbie-password")]).await;
        assert_eq!(added.status(), StatusCode::OK);
        assert_eq!(added.headers()["cache-control"], "no-store");
        let html = added.text().await.unwrap();
        assert!(html.contains("Added newbie."), "{html}");
        assert!(html.contains("<td>New Person</td>"), "the list shows the new person: {html}");

        let again = app.page_form("/users", &[("intent", "add"), ("username", "newbie"), ("name", "Someone Else"), ("password", "other-password"), ("is_admin", "on")]).await;
        assert!(again.status().is_client_error(), "{}", again.status());
        let html = again.text().await.unwrap();
        assert!(html.contains("newbie\" is taken.") && !html.contains("Added newbie."), "{html}");
        assert!(html.contains(r#"value="Someone Else""#), "what was typed stays: {html}");
        assert!(!html.contains("other-password"));

        let people: Value = app.as_admin(reqwest::Method::GET, "/v4/people").send().await.unwrap().json().await.unwrap();
        let newbie = people["data"].as_array().unwrap().iter().find(|person| person["username"] == "newbie").unwrap().clone();
        let id = newbie["id"].to_string();
        let disabled = app.page_form("/users", &[("intent", "set_disabled"), ("id", &id), ("disabled", "true")]).await;
        assert_eq!(disabled.status(), StatusCode::OK);
        assert!(disabled.text().await.unwrap().contains("Enable: newbie"), "the row offers to enable them again");
    }

    async fn a_refused_setting_shows_its_message_and_keeps_what_was_typed(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let refused = app.page_form("/workspace/settings", &[("intent", "save"), ("access_tokens_enabled", "on"), ("max_token_lifetime_days", "0"), ("max_active_tokens_per_person", "7"), ("audit_retention_days", "365")]).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let html = refused.text().await.unwrap();
        assert!(html.contains("or -1 for unlimited"), "{html}");
        assert!(html.contains(r#"value="0""#) && html.contains(r#"value="7""#), "what was typed stays: {html}");
        let settings: Value = app.as_admin(reqwest::Method::GET, "/v4/workspaces/current/settings").send().await.unwrap().json().await.unwrap();
        assert_eq!(settings["maxTokenLifetimeDays"], -1, "nothing was saved");

        let saved = app.page_form("/workspace/settings", &[("intent", "save"), ("access_tokens_enabled", "on"), ("max_token_lifetime_days", "90"), ("audit_retention_days", "365")]).await;
        assert_eq!(saved.status(), StatusCode::OK);
        let html = saved.text().await.unwrap();
        assert!(html.contains("Saved.") && html.contains(r#"value="90""#), "{html}");
    }

    async fn the_preferences_page_changes_the_password(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let mismatched = app.page_form("/preferences", &[("intent", "change_password"), ("current", ADMIN_PASSWORD), ("new", "a-new-password-1"), ("confirm", "another-one-2")]).await;
        assert_eq!(mismatched.status(), StatusCode::BAD_REQUEST);
        assert!(mismatched.text().await.unwrap().contains("The new passwords do not match."));
        let changed = app.page_form("/preferences", &[("intent", "change_password"), ("current", ADMIN_PASSWORD), ("new", "a-new-password-1"), ("confirm", "a-new-password-1")]).await;
        assert_eq!(changed.status(), StatusCode::OK);
        assert!(changed.text().await.unwrap().contains("Your password has been changed."));
        let elsewhere = app.another_browser();
        assert!(elsewhere.sign_in(ADMIN_USERNAME, "a-new-password-1").await.status().is_success());
        assert_eq!(elsewhere.page_status("/preferences").await, StatusCode::OK, "signed in with the new password");
    }

    async fn forms_from_the_signed_out_from_members_and_unknown_forms_are_refused(app) {
        let signed_out = app.page_form("/users", &[("intent", "add"), ("username", "x"), ("password", "x-password-123")]).await;
        assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
        assert_eq!(signed_out.headers()["location"], "/signin");

        app.add_person("member", "member-password", false).await;
        app.sign_in("member", "member-password").await;
        let member = app.page_form("/users", &[("intent", "add"), ("username", "x"), ("name", ""), ("password", "x-password-123")]).await;
        assert_eq!(member.status(), StatusCode::FORBIDDEN);
        let settings = app.page_form("/workspace/settings", &[("intent", "save"), ("max_token_lifetime_days", "1")]).await;
        assert_eq!(settings.status(), StatusCode::FORBIDDEN, "{}", settings.text().await.unwrap());

        let unknown = app.page_form("/users", &[("intent", "launch")]).await;
        assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
        assert_eq!(unknown.text().await.unwrap(), "Unknown form.");
        let incomplete = app.page_form("/preferences", &[("intent", "change_password"), ("current", "x")]).await;
        assert_eq!(incomplete.status(), StatusCode::BAD_REQUEST);
        assert_eq!(incomplete.text().await.unwrap(), "The form could not be read.");
        let people: Value = app.as_admin(reqwest::Method::GET, "/v4/people").send().await.unwrap().json().await.unwrap();
        assert_eq!(people["count"], 2, "nobody was added");
    }

    async fn forms_posted_from_another_site_are_refused(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        for (path, form) in [
            ("/users", vec![("intent", "add"), ("username", "x"), ("name", ""), ("password", "x-password-123")]),
            ("/signin", vec![("intent", "sign_in"), ("username", ADMIN_USERNAME), ("password", ADMIN_PASSWORD)]),
            ("/workspace/settings", vec![("intent", "save"), ("max_token_lifetime_days", "1")]),
        ] {
            let answer = app.browser.post(app.url(path)).header("sec-fetch-site", "cross-site").form(&form).send().await.unwrap();
            assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{path}");
        }
        let people: Value = app.as_admin(reqwest::Method::GET, "/v4/people").send().await.unwrap().json().await.unwrap();
        assert_eq!(people["count"], 1);
    }

    async fn an_answer_says_which_list_it_shows_when_the_url_asked_for_a_dialog(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let (_, info) = app.admin_token(3600).await;
        let id = info["tokenId"].as_str().unwrap();
        let rotated = app.page_form(&format!("/preferences/access-tokens?view=all&rotate={id}"), &[("intent", "rotate"), ("token_id", id), ("grace_seconds", "0")]).await;
        assert_eq!(rotated.status(), StatusCode::OK);
        assert_eq!(rotated.headers()["content-location"], "/preferences/access-tokens?view=all");
    }

    async fn a_page_carries_its_rows_once_as_html_with_no_data_to_hydrate_from(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        app.server_fn("generate_token", &[("lifetime_days", "30"), ("description", "carried-once-7f3a")]).await;
        let html = app.browser.get(app.url("/preferences/access-tokens")).send().await.unwrap().text().await.unwrap();
        assert_eq!(html.matches("carried-once-7f3a").count(), 1, "{html}");
        assert!(html.contains("<leptos-island"), "the page's one island: {html}");
        let resources = html.split("__RESOLVED_RESOURCES").nth(1).map(|rest| &rest[..rest.find("</script>").unwrap()]);
        assert!(resources.is_none_or(|resources| !resources.contains("token")), "{resources:?}");
    }
}
