//! Notifications on the pages: a token's owner hears that it was reported leaked or revoked by
//! someone else, admins hear of every leak report, and each dismisses their own.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{ADMIN_PASSWORD, ADMIN_USERNAME};

const DAY: i64 = 86_400;

async fn unread(browser: &crate::support::Browser) -> Value {
    browser.server_fn("notifications", &[]).await.json().await.unwrap()
}

on_sqlite_and_postgres! {
    async fn owners_and_admins_are_told_on_their_pages_and_each_dismisses_their_own(app) {
        app.add_person("member", "member-password", false).await;
        app.settings(json!({ "allowMembersToGenerateTokens": true })).await;
        let (leaked_value, leaked) = app.token_of("member", "member-password", json!({ "lifetimeSeconds": DAY, "description": "laptop" })).await;
        let (_, deleted) = app.token_of("member", "member-password", json!({ "lifetimeSeconds": DAY, "description": "old ci" })).await;
        let (_, own) = app.admin_token(DAY).await;

        let report = app.rest.post(app.url("/v4/apiAccessTokens/revoke")).json(&json!({ "tokenValue": leaked_value })).send().await.unwrap();
        assert_eq!(report.status(), StatusCode::ACCEPTED);
        let member = app.another_browser();
        member.sign_in("member", "member-password").await;
        for _ in 0..40 {
            if unread(&member).await["count"] == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for path in [format!("/v4/apiAccessTokens/{}", deleted["tokenId"].as_str().unwrap()), format!("/v4/apiAccessTokens/{}", own["tokenId"].as_str().unwrap())] {
            assert_eq!(app.as_admin(Method::DELETE, &path).send().await.unwrap().status(), StatusCode::NO_CONTENT);
        }

        let mine = unread(&member).await;
        assert_eq!(mine["count"], 2, "{mine}");
        let messages: Vec<&str> = mine["shown"].as_array().unwrap().iter().map(|n| n["message"].as_str().unwrap()).collect();
        assert_eq!(messages[0], format!("admin deleted your access token old ci ({}).", deleted["tokenId"].as_str().unwrap()), "newest first");
        assert_eq!(messages[1], format!("Your access token laptop ({}) was reported leaked and has been revoked.", leaked["tokenId"].as_str().unwrap()));
        let page = member.page("/preferences").await;
        assert!(page.contains("aria-label=\"Notifications\"") && page.contains("was reported leaked and has been revoked."), "on every page");

        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let admins: Value = app.server_fn("notifications", &[]).await.json().await.unwrap();
        assert_eq!(admins["count"], 1, "the leak only; deleting is what the admin did: {admins}");
        assert_eq!(admins["shown"][0]["message"], format!("member's access token laptop ({}) was reported leaked and has been revoked.", leaked["tokenId"].as_str().unwrap()));

        // Dismissed up to the newest shown: gone, for this person only.
        let newest = mine["shown"][0]["id"].to_string();
        let dismissed = member.server_fn("dismiss_notifications", &[("up_to", &newest)]).await;
        assert_eq!(dismissed.status(), StatusCode::OK);
        assert_eq!(unread(&member).await["count"], 0);
        assert!(!member.page("/preferences").await.contains("aria-label=\"Notifications\""));
        let admins: Value = app.server_fn("notifications", &[]).await.json().await.unwrap();
        assert_eq!(admins["count"], 1);
        // Someone else's ids are not theirs to dismiss.
        member.server_fn("dismiss_notifications", &[("up_to", &admins["shown"][0]["id"].to_string())]).await;
        let admins: Value = app.server_fn("notifications", &[]).await.json().await.unwrap();
        assert_eq!(admins["count"], 1);
    }
}
