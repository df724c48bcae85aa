//! Expiry before it bites: every answer to a token says when the token expires, a token can ask
//! about itself, and the page warns of tokens that expire within a week.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{ADMIN_PASSWORD, ADMIN_USERNAME};

on_sqlite_and_postgres! {
    async fn every_answer_to_a_token_says_when_it_expires(app) {
        let (value, info) = app.admin_token(3 * 86_400).await;
        let expires = info["expiredAt"].as_str().unwrap().to_owned();
        for (method, path) in [(Method::GET, "/v4/people/current"), (Method::GET, "/v4/apiAccessTokens"), (Method::GET, "/v4/no-such-route")] {
            let answer = app.bearer(method, path, &value).send().await.unwrap();
            assert_eq!(answer.headers()["access-token-expires-at"], expires.as_str(), "{path}: {}", answer.status());
        }
        // Refused by its scopes, still told.
        let read_only = app.as_admin(Method::POST, "/v4/apiAccessTokens").json(&json!({ "lifetimeSeconds": 3600, "scopes": ["read_api"] })).send().await.unwrap();
        let read_only: Value = read_only.json().await.unwrap();
        let refused = app.bearer(Method::DELETE, &format!("/v4/apiAccessTokens/{}", info["tokenId"].as_str().unwrap()), read_only["tokenValue"].as_str().unwrap()).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert_eq!(refused.headers()["access-token-expires-at"], read_only["tokenInfo"]["expiredAt"].as_str().unwrap());

        // None for a token that never expires, nor for a password.
        let (forever, _) = app.admin_token(-1).await;
        let answer = app.bearer(Method::GET, "/v4/people/current", &forever).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        assert!(answer.headers().get("access-token-expires-at").is_none());
        let answer = app.as_admin(Method::GET, "/v4/people/current").send().await.unwrap();
        assert!(answer.headers().get("access-token-expires-at").is_none());
    }

    async fn the_workspace_maximum_is_the_expiry_a_token_is_told(app) {
        let (forever, info) = app.admin_token(-1).await;
        let changed = app.as_admin(Method::PATCH, "/v4/workspaces/current/settings").json(&json!({ "maxTokenLifetimeDays": 30 })).send().await.unwrap();
        assert_eq!(changed.status(), StatusCode::OK);
        let created = time::OffsetDateTime::parse(info["createdAt"].as_str().unwrap(), &time::format_description::well_known::Rfc3339).unwrap();
        let answer = app.bearer(Method::GET, "/v4/apiAccessTokens/current", &forever).send().await.unwrap();
        let told = time::OffsetDateTime::parse(answer.headers()["access-token-expires-at"].to_str().unwrap(), &time::format_description::well_known::Rfc3339).unwrap();
        assert_eq!(told, created + time::Duration::days(30));
        let body: Value = answer.json().await.unwrap();
        assert_eq!(time::OffsetDateTime::parse(body["expiredAt"].as_str().unwrap(), &time::format_description::well_known::Rfc3339).unwrap(), told);
    }

    async fn a_token_reads_its_own_info_and_other_callers_are_told_why_not(app) {
        let created = app.as_admin(Method::POST, "/v4/apiAccessTokens").json(&json!({ "lifetimeSeconds": 86_400, "description": "CI deploys", "scopes": ["read_api"] })).send().await.unwrap();
        let created: Value = created.json().await.unwrap();
        let value = created["tokenValue"].as_str().unwrap();
        let answer = app.bearer(Method::GET, "/v4/apiAccessTokens/current", value).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        let current: Value = answer.json().await.unwrap();
        let by_id: Value = app.as_admin(Method::GET, &format!("/v4/apiAccessTokens/{}", created["tokenInfo"]["tokenId"].as_str().unwrap())).send().await.unwrap().json().await.unwrap();
        assert_eq!(current["tokenId"], created["tokenInfo"]["tokenId"]);
        assert_eq!(current["description"], "CI deploys");
        assert_eq!(current["scopes"], json!(["read_api"]));
        assert_eq!(current["expiredAt"], by_id["expiredAt"]);
        assert!(current["lastUsed"].is_string(), "this very request used it: {current}");

        let with_password = app.as_admin(Method::GET, "/v4/apiAccessTokens/current").send().await.unwrap();
        assert_eq!(with_password.status(), StatusCode::BAD_REQUEST);
        let body: Value = with_password.json().await.unwrap();
        assert!(body["exception"]["message"].as_str().unwrap().contains("Authorization: Bearer"), "{body}");
        let anonymous = app.rest.get(app.url("/v4/apiAccessTokens/current")).send().await.unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    }

    async fn the_page_warns_of_tokens_that_expire_within_a_week(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        app.admin_token(8 * 86_400).await;
        let page = app.browser.get(app.url("/preferences")).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("expiring-notice"), "8 days is not soon: {page}");

        app.create_token_as(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": 3 * 86_400, "description": "Soon gone" })).await;
        let page = app.browser.get(app.url("/preferences")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("You have 1 access token that expires within 7 days: in 2 days."), "{page}");
        let tokens = app.browser.get(app.url("/preferences/access-tokens")).send().await.unwrap().text().await.unwrap();
        assert!(tokens.contains(">Expires in 2 days<"), "the row's badge, in whole days as beside it: {tokens}");
        assert_eq!(tokens.matches(">Expires in ").count(), 1, "only the token that expires soon has one");

        // Dismissed, it stays away until another token comes into its last week.
        let dismissed = app.page_form("/notices/expiring-tokens", &[("back", "/preferences")]).await;
        assert_eq!(dismissed.status(), StatusCode::SEE_OTHER);
        assert_eq!(dismissed.headers()["location"], "/preferences");
        let page = app.browser.get(app.url("/preferences")).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("expiring-notice"), "{page}");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        app.admin_token(86_400).await;
        let page = app.browser.get(app.url("/preferences")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("You have 2 access tokens that expire within 7 days, the first in 23 hours."), "{page}");

        // Only back to where it was dismissed from, on this site.
        for elsewhere in ["//evil.example/", "/\\evil.example", "https://evil.example/"] {
            let answer = app.page_form("/notices/expiring-tokens", &[("back", elsewhere)]).await;
            assert_eq!(answer.headers()["location"], "/preferences/access-tokens", "{elsewhere}");
        }
    }

    async fn the_warning_counts_what_the_workspace_maximum_ends_and_not_a_token_being_replaced(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        app.admin_token(-1).await;
        let (_, rotating) = app.admin_token(30 * 86_400).await;
        let page = app.browser.get(app.url("/preferences")).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("expiring-notice"), "{page}");
        // A maximum of 3 days ends both within the week.
        app.as_admin(Method::PATCH, "/v4/workspaces/current/settings").json(&json!({ "maxTokenLifetimeDays": 3 })).send().await.unwrap();
        let page = app.browser.get(app.url("/preferences")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("You have 2 access tokens that expire within 7 days"), "{page}");
        // Rotated with a grace period: the old one says when it stops on its row; the new one counts.
        let rotated = app.as_admin(Method::POST, &format!("/v4/apiAccessTokens/{}/rotate", rotating["tokenId"].as_str().unwrap())).json(&json!({ "graceSeconds": 3600 })).send().await.unwrap();
        assert_eq!(rotated.status(), StatusCode::CREATED);
        let page = app.browser.get(app.url("/preferences")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("You have 2 access tokens that expire within 7 days"), "{page}");
    }

    async fn members_are_warned_of_their_own_tokens_only(app) {
        app.add_person("member", "member-password", false).await;
        app.as_admin(Method::PATCH, "/v4/workspaces/current/settings").json(&json!({ "allowMembersToGenerateTokens": true })).send().await.unwrap();
        app.create_token_as("member", "member-password", json!({ "lifetimeSeconds": 86_400 })).await;
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let page = app.browser.get(app.url("/preferences")).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("expiring-notice"), "{page}");
        let member = app.another_browser();
        member.sign_in("member", "member-password").await;
        assert!(member.page("/preferences").await.contains("You have 1 access token that expires within 7 days: in 23 hours."));
    }
}
