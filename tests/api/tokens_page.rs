//! The server functions the Access Tokens page calls: the same rules as the REST API, for the
//! signed-in person, on SQLite and PostgreSQL.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{ADMIN_PASSWORD, ADMIN_USERNAME};

on_sqlite_and_postgres! {
    async fn the_access_tokens_page_is_rendered_on_the_server_for_signed_in_people(app) {
        let signed_out = app.browser.get(app.url("/preferences/access-tokens")).send().await.unwrap();
        assert_eq!(signed_out.status(), StatusCode::FOUND);
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let empty = app.browser.get(app.url("/preferences/access-tokens")).send().await.unwrap().text().await.unwrap();
        assert!(empty.contains(">Generate New Token</button>"), "{empty}");
        assert!(empty.contains("You have no access tokens yet."));
        app.server_fn("generate_token", &[("lifetime_days", "-1"), ("description", "rendered <b>safely</b>")]).await;
        let html = app.browser.get(app.url("/preferences/access-tokens")).send().await.unwrap().text().await.unwrap();
        for column in ["Token ID", "Description", "Status", "Created", "Expires", "Last Used"] {
            assert!(html.contains(&format!(">{column}</th>")), "{column}");
        }
        assert!(html.contains("rendered &lt;b&gt;safely&lt;/b&gt;"), "descriptions are escaped");
        assert!(html.contains(">Active</span>") && html.contains(">Never</span>"));
        assert!(!html.contains("atk_"), "the page never holds a token value");
    }

    async fn the_page_generates_lists_and_deletes_the_viewers_tokens(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let generated = app.server_fn("generate_token", &[("lifetime_days", "30"), ("description", "from the page")]).await;
        assert_eq!(generated.status(), StatusCode::OK);
        let generated: Value = generated.json().await.unwrap();
        let value = generated["tokenValue"].as_str().unwrap();
        let me = app.bearer(Method::GET, "/v4/people/current", value).send().await.unwrap();
        assert_eq!(me.status(), StatusCode::OK);

        let listed: Value = app.server_fn("my_tokens", &[]).await.json().await.unwrap();
        assert_eq!(listed["count"], 1);
        assert_eq!(listed["data"][0]["description"], "from the page");
        assert!(listed["data"][0]["lastUsed"].is_string(), "the use above shows at once");

        let id = generated["tokenInfo"]["tokenId"].as_str().unwrap();
        let deleted = app.server_fn("delete_token", &[("token_id", id)]).await;
        assert_eq!(deleted.status(), StatusCode::OK);
        let me = app.bearer(Method::GET, "/v4/people/current", value).send().await.unwrap();
        assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    }

    async fn invalid_fields_name_the_field_and_create_nothing(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        for (days, description, field) in [("0", "", "lifetime"), ("ten", "", "lifetime"), ("", "", "lifetime"), ("1", &"x".repeat(256)[..], "description")] {
            let response = app.server_fn("generate_token", &[("lifetime_days", days), ("description", description)]).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{days:?}");
            let error: Value = response.json().await.unwrap();
            assert_eq!(error["Invalid"]["field"], field, "{error}");
        }
        app.settings(json!({ "maxTokenLifetimeDays": 7 })).await;
        let never = app.server_fn("generate_token", &[("lifetime_days", "-1"), ("description", "")]).await;
        let error: Value = never.json().await.unwrap();
        assert!(error["Invalid"]["message"].as_str().unwrap().contains("never expire"), "{error}");
        let listed: Value = app.server_fn("my_tokens", &[]).await.json().await.unwrap();
        assert_eq!(listed["count"], 0);
    }

    async fn members_see_why_they_cannot_generate_and_admins_see_every_token(app) {
        app.add_person("member", "member-password", false).await;
        app.sign_in("member", "member-password").await;
        let policy: Value = app.server_fn("token_policy", &[]).await.json().await.unwrap();
        assert_eq!(policy["may_generate"], false);
        let refused = app.server_fn("generate_token", &[("lifetime_days", "1"), ("description", "")]).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        assert!(refused.text().await.unwrap().contains("Only workspace admins"));
        let workspace = app.server_fn("workspace_tokens", &[]).await;
        assert_eq!(workspace.status(), StatusCode::FORBIDDEN);
        let settings = app.server_fn("update_workspace_settings", &[("access_tokens_enabled", "on"), ("allow_members_to_generate_tokens", "on"), ("max_token_lifetime_days", "-1")]).await;
        assert_eq!(settings.status(), StatusCode::FORBIDDEN);
    }

    async fn admins_change_the_settings_from_the_page(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let bad = app.server_fn("update_workspace_settings", &[("access_tokens_enabled", "on"), ("max_token_lifetime_days", "0")]).await;
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
        let changed: Value = app.server_fn("update_workspace_settings", &[("access_tokens_enabled", "on"), ("allow_members_to_generate_tokens", "on"), ("max_token_lifetime_days", "90")]).await.json().await.unwrap();
        assert_eq!(changed, json!({ "accessTokensEnabled": true, "allowMembersToGenerateTokens": true, "maxTokenLifetimeDays": 90, "maxActiveTokensPerPerson": -1, "auditRetentionDays": 365, "revokeUnusedAfterDays": -1 }));
        app.add_person("member", "member-password", false).await;
        let member_token = app.create_token_as("member", "member-password", json!({ "lifetimeSeconds": 60 })).await;
        assert_eq!(member_token.status(), StatusCode::CREATED);
        let all: Value = app.server_fn("workspace_tokens", &[]).await.json().await.unwrap();
        assert_eq!(all["count"], 1);
        assert_eq!(all["data"][0]["owner"]["username"], "member");
    }
    async fn without_javascript_the_page_shows_a_generated_token_once_in_its_answer(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let answer = app.page_form("/preferences/access-tokens", &[("intent", "generate"), ("lifetime_days", "30"), ("description", "no script")]).await;
        assert_eq!(answer.status(), StatusCode::OK);
        assert_eq!(answer.headers()["cache-control"], "no-store", "the answer holds a secret");
        let html = answer.text().await.unwrap();
        assert!(opening_tag(&html, r#"<dialog id="my-token-dialog""#).contains(" open"), "{html}");
        let value = crate::support::token_value_in(&html);
        assert_eq!(html.matches(value.as_str()).count(), 1, "in the dialog, and in no data to hydrate from: {html}");
        let me = app.bearer(Method::GET, "/v4/people/current", &value).send().await.unwrap();
        assert_eq!(me.status(), StatusCode::OK);
        // Shown once: the page itself never holds it.
        let again = app.browser.get(app.url("/preferences/access-tokens")).send().await.unwrap().text().await.unwrap();
        assert!(again.contains("no script") && !again.contains(&value));
    }

    async fn without_javascript_a_refused_form_shows_the_message_and_keeps_what_was_typed(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let answer = app.page_form("/preferences/access-tokens", &[("intent", "generate"), ("lifetime_days", "0"), ("description", "typed here")]).await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
        let html = answer.text().await.unwrap();
        assert!(opening_tag(&html, r#"<dialog id="generate-dialog""#).contains(" open"), "{html}");
        assert!(html.contains("at least 1 day"), "{html}");
        assert!(html.contains(r#"value="typed here""#) && html.contains(r#"value="0""#), "{html}");
        let listed: Value = app.server_fn("my_tokens", &[]).await.json().await.unwrap();
        assert_eq!(listed["count"], 0, "nothing was created");
    }

    async fn without_javascript_delete_asks_first_then_deletes_and_redirects_back(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let (value, info) = app.admin_token(3600).await;
        let id = info["tokenId"].as_str().unwrap();
        let asking = app.browser.get(app.url(&format!("/preferences/access-tokens?delete={id}"))).send().await.unwrap().text().await.unwrap();
        assert!(opening_tag(&asking, r#"<dialog id="delete-dialog""#).contains(" open"), "{asking}");
        assert!(asking.contains("cannot be undone"), "{asking}");
        assert!(asking.contains(&format!(r#"name="token_id" value="{id}""#)), "{asking}");

        let deleted = app.page_form("/preferences/access-tokens?view=all&delete=x", &[("intent", "delete"), ("token_id", id)]).await;
        assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
        assert_eq!(deleted.headers()["location"], "/preferences/access-tokens?view=all");
        let me = app.bearer(Method::GET, "/v4/people/current", &value).send().await.unwrap();
        assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    }

    async fn without_javascript_members_delete_only_their_own_tokens_and_signed_out_posts_change_nothing(app) {
        app.settings(json!({ "allowMembersToGenerateTokens": true })).await;
        app.add_person("member", "member-password", false).await;
        let (admin_value, admin_info) = app.admin_token(3600).await;
        app.sign_in("member", "member-password").await;
        let refused = app.page_form("/preferences/access-tokens", &[("intent", "delete"), ("token_id", admin_info["tokenId"].as_str().unwrap())]).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        assert!(refused.text().await.unwrap().contains("No such access token"));
        let still = app.bearer(Method::GET, "/v4/people/current", &admin_value).send().await.unwrap();
        assert_eq!(still.status(), StatusCode::OK, "the admin's token still works");

        let signed_out = app.rest.post(app.url("/preferences/access-tokens")).header("accept", "text/html")
            .form(&[("intent", "generate"), ("lifetime_days", "30"), ("description", "")]).send().await.unwrap();
        assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
        assert_eq!(signed_out.headers()["location"], "/signin");
        let listed: Value = app.as_admin(Method::GET, "/v4/workspaces/current/apiAccessTokens").send().await.unwrap().json().await.unwrap();
        assert_eq!(listed["count"], 1, "nothing was created");
    }

    async fn the_page_lists_a_hundred_tokens_at_a_time_with_links_between_pages(app) {
        // Longer than theirs: a token cannot create one that outlives it.
        let (value, _) = app.admin_token(7200).await;
        for index in 0..100 {
            let created = app.bearer(Method::POST, "/v4/apiAccessTokens", &value)
                .json(&json!({ "lifetimeSeconds": 3600, "description": format!("paged {index}") })).send().await.unwrap();
            assert_eq!(created.status(), StatusCode::CREATED);
        }
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let app = &app;
        let page = |query: String| async move {
            let response = app.browser.get(app.url(&format!("/preferences/access-tokens{query}"))).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{query}");
            response.text().await.unwrap()
        };
        let link = |html: &str, rel: &str| {
            let tail = &html[..html.find(&format!(r#"" rel="{rel}""#)).unwrap_or_else(|| panic!("no {rel} link in {html}"))];
            tail[tail.rfind("href=\"").unwrap() + 6..].replace("&amp;", "&")
        };
        let first = page("".into()).await;
        assert!(first.contains("Tokens 1–100 of 101") && !first.contains(r#"rel="prev""#), "{first}");
        let (newest, oldest_here) = (first.find(">paged 99<").unwrap(), first.find(">paged 0<").unwrap());
        assert!(newest < oldest_here, "newest first");
        // The next page starts after the last row's key, and says where it is.
        let older = link(&first, "next");
        assert!(older.starts_with("/preferences/access-tokens?after=") && older.ends_with("&at=101"), "{older}");
        let second = page(older.trim_start_matches("/preferences/access-tokens").to_owned()).await;
        // The oldest: the first token, without a description.
        assert!(second.contains("Tokens 101–101 of 101") && !second.contains(">paged ") && !second.contains(r#"rel="next""#), "{second}");
        let newer = link(&second, "prev");
        assert!(newer.contains("?before=") && newer.ends_with("&at=1"), "{newer}");
        let back = page(newer.trim_start_matches("/preferences/access-tokens").to_owned()).await;
        assert!(back.contains("Tokens 1–100 of 101") && back.contains(">paged 99<") && back.contains(">paged 0<"), "{back}");
        let hundredth = older.split("after=").nth(1).unwrap().split('&').next().unwrap().to_owned();
        // Links that are not the page's own, and absurd positions: the first page, or an honest one.
        for query in ["?after=x", "?before=1.2", "?after=99999999999999999999.0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
                      "?at=9223372036854775807", "?at=-3", "?page=7"] {
            assert!(page(query.into()).await.contains("Tokens 1–100 of 101"), "{query}");
        }
        // A position the link does not give: the page says what it can.
        let unknown_position = page(format!("?after={hundredth}&at=x")).await;
        assert!(unknown_position.contains("1 of 101 tokens"), "{unknown_position}");
        // Past the end (older than any token): an answer, with the way back to the newest.
        let beyond = page("?after=1.0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9".into()).await;
        assert!(beyond.contains("No tokens on this page; there are 101 in all.") && beyond.contains(r#"href="/preferences/access-tokens">← Newest"#), "{beyond}");
    }

    async fn pages_are_sent_compressed_to_browsers_that_accept_it(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        for index in 0..20 {
            app.server_fn("generate_token", &[("lifetime_days", "30"), ("description", &format!("compressed {index}"))]).await;
        }
        let plain = app.browser.get(app.url("/preferences/access-tokens")).send().await.unwrap();
        assert!(!plain.headers().contains_key("content-encoding"));
        let plain = plain.bytes().await.unwrap().len();
        let gzip = app.browser.get(app.url("/preferences/access-tokens")).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(gzip.headers()["content-encoding"], "gzip");
        let gzip = gzip.bytes().await.unwrap().len();
        assert!(gzip * 4 < plain, "{gzip} bytes compressed, {plain} plain");
    }

    async fn a_page_form_from_another_site_is_refused(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let forged = app.browser.post(app.url("/preferences/access-tokens"))
            .header("sec-fetch-site", "cross-site")
            .form(&[("intent", "generate"), ("lifetime_days", "30"), ("description", "forged")])
            .send().await.unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let listed: Value = app.server_fn("my_tokens", &[]).await.json().await.unwrap();
        assert_eq!(listed["count"], 0);
    }
}

/// The opening tag of the element `start` begins, e.g. `<dialog id="x"` → `<dialog id="x" open>`.
fn opening_tag<'a>(html: &'a str, start: &str) -> &'a str {
    let at = html.find(start).unwrap_or_else(|| panic!("{start} in {html}"));
    &html[at..at + html[at..].find('>').unwrap()]
}
