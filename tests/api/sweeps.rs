//! What happens to tokens with time: warnings before they expire, and, where the workspace says
//! so, warnings and then revocation when they go unused, never silently.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use access_tokens::tokens::sweep::{Swept, sweep};

use crate::{
    support::{ADMIN_PASSWORD, ADMIN_USERNAME, TestApp},
    webhooks::{Receiver, add_webhook, deliver},
};

const DAY: i64 = 86_400;

async fn swept(app: &TestApp, at: OffsetDateTime) -> Swept {
    sweep(&app.state.store, at).await.unwrap()
}

/// The bodies the receiver got for `event`, in order.
fn bodies(receiver: &Receiver, event: &str) -> Vec<Value> {
    receiver.got().into_iter().map(|(_, body)| body).filter(|body| body["event"] == event).collect()
}

on_sqlite_and_postgres! {
    async fn a_token_about_to_expire_is_announced_a_week_and_a_day_before_once_each(app) {
        let (receiver, url) = Receiver::start(&[]).await;
        add_webhook(&app, &url, &["token.expiring"]).await;
        let (_, soon) = app.admin_token(3 * DAY).await;
        let (_, later) = app.admin_token(30 * DAY).await;
        let now = OffsetDateTime::now_utc();
        assert_eq!(swept(&app, now).await.expiry_warnings, 1, "the 3-day token is within its week");
        assert_eq!(swept(&app, now).await.expiry_warnings, 0, "once");
        assert_eq!(swept(&app, now + Duration::days(2) + Duration::hours(1)).await.expiry_warnings, 1, "its last day");
        assert_eq!(swept(&app, now + Duration::days(23) + Duration::hours(1)).await.expiry_warnings, 1, "the other's week");
        // (Queued as of each sweep's time, so due then.)
        deliver(&app, now + Duration::days(30)).await;
        let warned = bodies(&receiver, "token.expiring");
        let seen: Vec<(Value, Value)> = warned.iter().map(|body| (body["token"]["tokenId"].clone(), body["daysLeft"].clone())).collect();
        assert_eq!(seen.len(), 3, "{warned:?}");
        assert!(seen.contains(&(soon["tokenId"].clone(), json!(7))) && seen.contains(&(soon["tokenId"].clone(), json!(1))));
        assert!(seen.contains(&(later["tokenId"].clone(), json!(7))));
        let first = warned.iter().find(|body| body["token"]["tokenId"] == soon["tokenId"]).unwrap();
        assert_eq!(first["expiresAt"], soon["expiredAt"]);
    }

    async fn an_unused_token_is_revoked_after_a_weeks_notice_and_a_use_takes_the_notice_back(app) {
        let (receiver, url) = Receiver::start(&[]).await;
        add_webhook(&app, &url, &["token.inactivity_pending", "token.revoked"]).await;
        app.settings(json!({ "revokeUnusedAfterDays": 10 })).await;
        let (idle_value, idle) = app.admin_token(-1).await;
        let (used_value, used) = app.admin_token(-1).await;
        let now = OffsetDateTime::now_utc();
        assert_eq!(swept(&app, now).await, Swept::default(), "nothing is idle yet");

        // Unused for 3 days: 7 days left, and both owners are told.
        let first = swept(&app, now + Duration::days(3) + Duration::minutes(1)).await;
        assert_eq!((first.idle_warnings, first.revoked), (2, 0));
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let page = app.browser.get(app.url("/preferences")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("2 of your access tokens have not been used for a long time and will be revoked"), "{page}");

        // A use takes the warning back (once it is written).
        let me = app.bearer(Method::GET, "/v4/people/current", &used_value).send().await.unwrap();
        assert_eq!(me.status(), StatusCode::OK);
        app.state.usage.flush(&app.state.store).await.unwrap();
        let page = app.browser.get(app.url("/preferences")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("1 of your access tokens has not been used for a long time"), "{page}");

        // Not revoked before its last warning is a day old, which comes 6 days after the first.
        assert_eq!(swept(&app, now + Duration::days(8)).await.revoked, 0);
        let last = swept(&app, now + Duration::days(9) + Duration::minutes(2)).await;
        assert_eq!((last.idle_warnings, last.revoked), (1, 0), "the last warning, for the unused one only");
        assert_eq!(swept(&app, now + Duration::days(10)).await.revoked, 0, "a day after its last warning, not before");
        assert_eq!(swept(&app, now + Duration::days(10) + Duration::minutes(3)).await.revoked, 1);

        let inactive: Value = app.as_admin(Method::GET, "/v4/apiAccessTokens?status=inactive").send().await.unwrap().json().await.unwrap();
        assert_eq!(inactive["count"], 1, "{inactive}");
        assert_eq!(inactive["data"][0]["tokenId"], idle["tokenId"]);
        assert_eq!(inactive["data"][0]["ended"]["reason"], "inactivity");
        assert_eq!(app.bearer(Method::GET, "/v4/people/current", &idle_value).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        assert_eq!(app.bearer(Method::GET, "/v4/people/current", &used_value).send().await.unwrap().status(), StatusCode::OK, "the used one stays");
        let history: Value = app.as_admin(Method::GET, "/v4/workspaces/current/auditEvents?kind=token.revoked_unused").send().await.unwrap().json().await.unwrap();
        assert_eq!(history["data"].as_array().unwrap().len(), 1, "{history}");
        let event = &history["data"][0];
        assert_eq!((&event["subjectTokenId"], &event["via"], &event["details"]["unusedForDays"]), (&idle["tokenId"], &json!("none"), &json!(10)));

        deliver(&app, now + Duration::days(30)).await;
        let pending = bodies(&receiver, "token.inactivity_pending");
        let told: Vec<(Value, Value)> = pending.iter().map(|body| (body["token"]["tokenId"].clone(), body["daysLeft"].clone())).collect();
        // The used one is warned again once it has gone unused for 3 days since its use.
        assert_eq!(told.len(), 4, "{pending:?}");
        assert_eq!(told.iter().filter(|(id, _)| *id == used["tokenId"]).count(), 2);
        for expected in [(idle["tokenId"].clone(), json!(7)), (used["tokenId"].clone(), json!(7)), (idle["tokenId"].clone(), json!(1))] {
            assert!(told.contains(&expected), "{expected:?} in {told:?}");
        }
        let revoked = bodies(&receiver, "token.revoked");
        assert_eq!((&revoked[0]["token"]["tokenId"], &revoked[0]["reason"]), (&idle["tokenId"], &json!("inactivity")));
    }

    async fn the_inactivity_limit_is_a_week_and_a_day_or_more(app) {
        for bad in [json!(0), json!(7), json!(3651), json!(-2), json!("30")] {
            let refused = app.as_admin(Method::PATCH, "/v4/workspaces/current/settings").json(&json!({ "revokeUnusedAfterDays": bad })).send().await.unwrap();
            assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{bad}");
        }
        assert_eq!(app.settings(json!({ "revokeUnusedAfterDays": 8 })).await["revokeUnusedAfterDays"], 8);
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let page = app.browser.get(app.url("/workspace/settings")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("name=\"revoke_unused_after_days\"") && page.contains("value=\"8\""), "the field, as saved");
        assert_eq!(app.settings(json!({ "revokeUnusedAfterDays": -1 })).await["revokeUnusedAfterDays"], -1);
    }

    async fn a_token_with_less_than_a_day_left_is_told_that_only(app) {
        let (receiver, url) = Receiver::start(&[]).await;
        add_webhook(&app, &url, &["token.expiring"]).await;
        app.admin_token(12 * 3600).await;
        assert_eq!(swept(&app, OffsetDateTime::now_utc()).await.expiry_warnings, 1);
        deliver(&app, OffsetDateTime::now_utc() + Duration::minutes(1)).await;
        let told: Vec<Value> = bodies(&receiver, "token.expiring").into_iter().map(|body| body["daysLeft"].clone()).collect();
        assert_eq!(told, [json!(1)]);
    }

    async fn a_rotated_token_whose_grace_ends_unused_is_recorded_and_announced(app) {
        let (receiver, url) = Receiver::start(&[]).await;
        add_webhook(&app, &url, &["token.revoked"]).await;
        let (_, old) = app.admin_token(DAY).await;
        let rotated = app.as_admin(Method::POST, &format!("/v4/apiAccessTokens/{}/rotate", old["tokenId"].as_str().unwrap())).json(&json!({ "graceSeconds": 60 })).send().await.unwrap();
        assert_eq!(rotated.status(), StatusCode::CREATED);
        let now = OffsetDateTime::now_utc();
        assert_eq!(swept(&app, now).await.retired, 0, "its grace is not over");
        assert_eq!(swept(&app, now + Duration::minutes(2)).await.retired, 1);
        let inactive: Value = app.as_admin(Method::GET, "/v4/apiAccessTokens?status=inactive").send().await.unwrap().json().await.unwrap();
        assert_eq!((&inactive["data"][0]["tokenId"], &inactive["data"][0]["ended"]["reason"]), (&old["tokenId"], &json!("rotated")));
        deliver(&app, now + Duration::minutes(3)).await;
        assert_eq!(bodies(&receiver, "token.revoked").len(), 1);
    }

    async fn a_new_inactivity_limit_warns_afresh(app) {
        app.settings(json!({ "revokeUnusedAfterDays": 10 })).await;
        app.admin_token(-1).await;
        let now = OffsetDateTime::now_utc();
        assert_eq!(swept(&app, now + Duration::days(9) + Duration::minutes(1)).await.idle_warnings, 1, "the week's warning");
        app.settings(json!({ "revokeUnusedAfterDays": 8 })).await;
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let unread: Value = app.server_fn("idle_soon", &[]).await.json().await.unwrap();
        assert_eq!(unread, Value::Null, "the old warning does not stand for the new limit");
        // Under the new limit, though it is past it: a week's warning again, not a revocation.
        let afresh = swept(&app, now + Duration::days(9) + Duration::minutes(2)).await;
        assert_eq!((afresh.idle_warnings, afresh.revoked), (1, 0));
        let later = swept(&app, now + Duration::days(9) + Duration::minutes(3)).await;
        assert_eq!((later.idle_warnings, later.revoked), (0, 0), "the last warning comes 6 days after it");
    }
}
