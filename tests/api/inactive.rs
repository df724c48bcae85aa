//! Revoked and expired tokens are not forgotten: the inactive lists say when each stopped working,
//! why and by whom, while a revoked token never works again.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{ADMIN_PASSWORD, ADMIN_USERNAME, TestApp};

const DAY: i64 = 86_400;

async fn get(app: &TestApp, path: &str) -> Value {
    let response = app.as_admin(Method::GET, path).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

/// Each token of a list as `(id, reason, by)`.
fn ended(list: &Value) -> Vec<(String, Value, Value)> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|token| {
            (
                token["tokenId"].as_str().unwrap().to_owned(),
                token["ended"]["reason"].clone(),
                token["ended"]["by"].clone(),
            )
        })
        .collect()
}

fn find<'a>(list: &'a Value, id: &str) -> &'a Value {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|token| token["tokenId"] == id)
        .unwrap_or_else(|| panic!("{id} in {list}"))
}

on_sqlite_and_postgres! {
    async fn revoked_and_expired_tokens_are_listed_as_inactive_with_when_why_and_by_whom(app) {
        app.add_person("member", "member-password", false).await;
        app.settings(json!({ "allowMembersToGenerateTokens": true })).await;
        let (deleted_value, deleted) = app.admin_token(DAY).await;
        let (_, members) = app.token_of("member", "member-password", json!({ "lifetimeSeconds": DAY })).await;
        let (_, rotated) = app.admin_token(DAY).await;
        let (leaked_value, leaked) = app.admin_token(DAY).await;
        let (_, expiring) = app.admin_token(1).await;
        let id = |token: &Value| token["tokenId"].as_str().unwrap().to_owned();

        let removed = app.as_admin(Method::DELETE, &format!("/v4/apiAccessTokens/{}", id(&deleted))).send().await.unwrap();
        assert_eq!(removed.status(), StatusCode::NO_CONTENT);
        let removed = app.as_admin(Method::DELETE, &format!("/v4/apiAccessTokens/{}", id(&members))).send().await.unwrap();
        assert_eq!(removed.status(), StatusCode::NO_CONTENT);
        let successor: Value = app.as_admin(Method::POST, &format!("/v4/apiAccessTokens/{}/rotate", id(&rotated))).send().await.unwrap().json().await.unwrap();
        let report = app.rest.post(app.url("/v4/apiAccessTokens/revoke")).json(&json!({ "tokenValue": leaked_value })).send().await.unwrap();
        assert_eq!(report.status(), StatusCode::ACCEPTED);
        tokio::time::sleep(Duration::from_millis(1100)).await;

        let mine = get(&app, "/v4/apiAccessTokens?status=inactive").await;
        let mut reasons = ended(&mine);
        reasons.sort_by_key(|(id, _, _)| id.clone());
        let mut expected = vec![
            (id(&deleted), json!("deleted_by_owner"), json!(ADMIN_USERNAME)),
            (id(&rotated), json!("rotated"), json!(ADMIN_USERNAME)),
            (id(&leaked), json!("reported_leaked"), Value::Null),
            (id(&expiring), json!("expired"), Value::Null),
        ];
        expected.sort_by_key(|(id, _, _)| id.clone());
        assert_eq!(reasons, expected, "{mine}");
        assert_eq!(mine["count"], 4);
        let record = find(&mine, &id(&deleted));
        assert_eq!(record["status"], "Revoked");
        assert_eq!(record["createdAt"], deleted["createdAt"], "the token as it was");
        assert!(record["ended"]["at"].as_str().unwrap() > deleted["createdAt"].as_str().unwrap());
        assert_eq!(find(&mine, &id(&expiring))["status"], "Expired");
        assert_eq!(find(&mine, &id(&expiring))["ended"]["at"], expiring["expiredAt"], "it ended when it expired");

        // Everyone's, for admins: the member's token too, with its owner.
        let all = get(&app, "/v4/workspaces/current/apiAccessTokens?status=inactive").await;
        assert_eq!(all["count"], 5, "{all}");
        let members_record = find(&all, &id(&members));
        assert_eq!((&members_record["ended"]["reason"], &members_record["ended"]["by"]), (&json!("deleted_by_admin"), &json!(ADMIN_USERNAME)));
        assert_eq!(members_record["owner"]["username"], "member");

        // The working list is as it was: the successor, and the expired token (which says so).
        let working = get(&app, "/v4/apiAccessTokens").await;
        let working_ids: Vec<String> = ended(&working).into_iter().map(|(id, _, _)| id).collect();
        assert_eq!(working_ids.len(), 2, "{working}");
        assert!(working_ids.contains(&id(&successor["tokenInfo"])) && working_ids.contains(&id(&expiring)));
        assert_eq!(find(&working, &id(&successor["tokenInfo"]))["ended"], Value::Null);
        assert_eq!(find(&working, &id(&expiring))["ended"]["reason"], "expired");

        // A revoked token never works again, and is gone from the API as before.
        for value in [&deleted_value, &leaked_value] {
            assert_eq!(app.bearer(Method::GET, "/v4/people/current", value).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        }
        let gone = app.as_admin(Method::GET, &format!("/v4/apiAccessTokens/{}", id(&deleted))).send().await.unwrap();
        assert_eq!(gone.status(), StatusCode::NOT_FOUND);

        // Paged like the other lists.
        let first = get(&app, "/v4/apiAccessTokens?status=inactive&limit=3").await;
        assert_eq!(first["data"].as_array().unwrap().len(), 3);
        let rest = get(&app, &format!("/v4/apiAccessTokens?status=inactive&limit=3&cursor={}", first["nextCursor"].as_str().unwrap())).await;
        assert_eq!(rest["data"].as_array().unwrap().len(), 1);
        assert_eq!(rest["nextCursor"], Value::Null);

        let refused = app.as_admin(Method::GET, "/v4/apiAccessTokens?status=gone").send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    }

    async fn a_disabled_owners_tokens_are_inactive_until_they_are_enabled(app) {
        let member = app.add_person("member", "member-password", false).await;
        app.settings(json!({ "allowMembersToGenerateTokens": true })).await;
        let (_, token) = app.token_of("member", "member-password", json!({ "lifetimeSeconds": DAY })).await;
        let person = format!("/v4/people/{}", member["id"]);
        let disabled = app.as_admin(Method::PATCH, &person).json(&json!({ "disabled": true })).send().await.unwrap();
        assert_eq!(disabled.status(), StatusCode::OK);
        let all = get(&app, "/v4/workspaces/current/apiAccessTokens?status=inactive").await;
        let listed = find(&all, token["tokenId"].as_str().unwrap());
        assert_eq!(listed["ended"], json!({ "at": null, "reason": "owner_disabled", "by": null }));
        let enabled = app.as_admin(Method::PATCH, &person).json(&json!({ "disabled": false })).send().await.unwrap();
        assert_eq!(enabled.status(), StatusCode::OK);
        assert_eq!(get(&app, "/v4/workspaces/current/apiAccessTokens?status=inactive").await["count"], 0);
    }

    async fn a_revoked_tokens_record_is_kept_for_the_audit_retention_then_forgotten(app) {
        let (_, token) = app.admin_token(DAY).await;
        let removed = app.as_admin(Method::DELETE, &format!("/v4/apiAccessTokens/{}", token["tokenId"].as_str().unwrap())).send().await.unwrap();
        assert_eq!(removed.status(), StatusCode::NO_CONTENT);
        access_tokens::audit::store::prune(&app.state.store).await.unwrap();
        assert_eq!(get(&app, "/v4/apiAccessTokens?status=inactive").await["count"], 1, "within the retention");
        // As if revoked longer ago than the retention (365 days).
        access_tokens::store::with_pool!(&app.state.store, pool => sqlx::query("UPDATE revoked_tokens SET revoked_at = 0").execute(pool).await.map(|_| ())).unwrap();
        access_tokens::audit::store::prune(&app.state.store).await.unwrap();
        assert_eq!(get(&app, "/v4/apiAccessTokens?status=inactive").await["count"], 0);
    }

    async fn the_inactive_tab_lists_them_on_the_page(app) {
        let (value, token) = app.token_of(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": DAY, "description": "found in a gist" })).await;
        let report = app.rest.post(app.url("/v4/apiAccessTokens/revoke")).json(&json!({ "tokenValue": value })).send().await.unwrap();
        assert_eq!(report.status(), StatusCode::ACCEPTED);
        for _ in 0..40 {
            if get(&app, "/v4/apiAccessTokens?status=inactive").await["count"] == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let tokens = app.browser.get(app.url("/preferences/access-tokens")).send().await.unwrap().text().await.unwrap();
        assert!(tokens.contains("href=\"/preferences/access-tokens?status=inactive\""), "the tab");
        // (The notification of the report names it; the table does not.)
        assert!(!tokens.contains(">found in a gist</td>"), "not among the working tokens");
        assert!(tokens.contains("was reported leaked and has been revoked."), "its owner is told");
        let html = app.browser.get(app.url("/preferences/access-tokens?status=inactive")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(">found in a gist</td>") && html.contains(token["tokenId"].as_str().unwrap()), "{html}");
        assert!(html.contains(">Revoked</span>") && html.contains(">Reported leaked</td>"), "{html}");
        assert!(!html.contains(&format!("href=\"/preferences/access-tokens/{}\"", token["tokenId"].as_str().unwrap())), "a revoked token has no page");
    }
}
