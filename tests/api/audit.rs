//! The audit trail: every security event, with its actor, how they were signed in, its subject,
//! the client's address and user agent, and never a secret; read by admins (REST and page) and,
//! for their own, by everyone; kept for the workspace's retention.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{ADMIN_PASSWORD, ADMIN_USERNAME, TestApp};

const AGENT: &str = "audit-test/1.0 (scripted)";

/// The events of `kind`, newest first, as an admin reads them.
async fn events(app: &TestApp, kind: &str) -> Vec<Value> {
    let response =
        app.as_admin(Method::GET, &format!("/v4/workspaces/current/auditEvents?kind={kind}")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page: Value = response.json().await.unwrap();
    page["data"].as_array().unwrap().clone()
}

/// The newest event of `kind`.
async fn latest(app: &TestApp, kind: &str) -> Value {
    events(app, kind).await.into_iter().next().unwrap_or_else(|| panic!("no {kind} event"))
}

/// The whole trail as text: no secret may appear anywhere in it.
async fn assert_no_secret_in_trail(app: &TestApp, secrets: &[&str]) {
    let page: Value = app
        .as_admin(Method::GET, "/v4/workspaces/current/auditEvents?limit=1000")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = page.to_string();
    for secret in secrets {
        assert!(!text.contains(secret), "the trail holds a secret: {secret}");
    }
}

/// Who acted and how: `(actorUsername, via)`.
fn actor(event: &Value) -> (Value, &str) {
    (event["actorUsername"].clone(), event["via"].as_str().unwrap())
}

on_sqlite_and_postgres! {
    async fn sign_ins_that_succeed_fail_or_are_throttled_are_recorded(app) {
        let sign_in = |password: &'static str| {
            app.rest.post(app.url("/api/sign_in")).header("user-agent", AGENT)
                .form(&[("username", ADMIN_USERNAME), ("password", password)]).send()
        };
        assert!(sign_in(ADMIN_PASSWORD).await.unwrap().status().is_success());
        let ok = latest(&app, "sign_in.succeeded").await;
        assert_eq!(actor(&ok), (json!(ADMIN_USERNAME), "password"));
        assert_eq!(ok["subjectUsername"], ADMIN_USERNAME);
        assert_eq!(ok["clientIp"], "127.0.0.1");
        assert_eq!(ok["userAgent"], AGENT);

        assert!(!sign_in("wrong-password-1").await.unwrap().status().is_success());
        let failed = latest(&app, "sign_in.failed").await;
        assert_eq!(actor(&failed), (Value::Null, "none"), "nobody was signed in");
        assert_eq!(failed["subjectUsername"], ADMIN_USERNAME, "the account tried");
        assert_eq!(failed["details"], json!({ "username": ADMIN_USERNAME, "reason": "wrong_password", "during": "sign_in" }));
        assert_eq!(failed["userAgent"], AGENT);

        // Basic credentials: failures are events; a success is a request, not a sign-in.
        let before = events(&app, "sign_in.succeeded").await.len();
        app.basic(Method::GET, "/v4/people/current", ADMIN_USERNAME, "wrong-password-2").send().await.unwrap();
        assert_eq!(latest(&app, "sign_in.failed").await["details"]["during"], "basic");
        assert_eq!(events(&app, "sign_in.succeeded").await.len(), before);

        // The same wrong password again, or one longer than any password, costs nothing to send:
        // recorded once, and not at all.
        // (Read with a token here: the right password would make the wrong one new again.)
        let (reader, _) = app.admin_token(3600).await;
        let failures = || async {
            let page: Value = app.bearer(Method::GET, "/v4/workspaces/current/auditEvents?kind=sign_in.failed", &reader)
                .send().await.unwrap().json().await.unwrap();
            page["data"].as_array().unwrap().len()
        };
        app.basic(Method::GET, "/v4/people/current", ADMIN_USERNAME, "wrong-password-2").send().await.unwrap();
        let before = failures().await;
        for _ in 0..5 {
            app.basic(Method::GET, "/v4/people/current", ADMIN_USERNAME, "wrong-password-2").send().await.unwrap();
            app.basic(Method::GET, "/v4/people/current", ADMIN_USERNAME, &"p".repeat(2000)).send().await.unwrap();
        }
        assert_eq!(failures().await, before);

        // An unknown username: recorded by name, with no subject.
        app.basic(Method::GET, "/v4/people/current", "nobody", "wrong-password-3").send().await.unwrap();
        let unknown = latest(&app, "sign_in.failed").await;
        assert_eq!((unknown["subjectUsername"].clone(), unknown["details"]["username"].clone()), (Value::Null, json!("nobody")));

        // Throttled: recorded once a minute per username and client, however often refused. (The
        // admin's password is then throttled too: the trail is read with the token.)
        for n in 3..8 {
            app.basic(Method::GET, "/v4/people/current", ADMIN_USERNAME, &format!("wrong-password-{n}")).send().await.unwrap();
        }
        for _ in 0..5 {
            assert_eq!(sign_in(ADMIN_PASSWORD).await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);
        }
        let trail: Value = app.bearer(Method::GET, "/v4/workspaces/current/auditEvents?limit=1000", &reader).send().await.unwrap().json().await.unwrap();
        let throttled: Vec<&Value> = trail["data"].as_array().unwrap().iter().filter(|event| event["kind"] == "sign_in.throttled").collect();
        assert_eq!(throttled.len(), 1, "{throttled:?}");
        assert_eq!(throttled[0]["details"]["username"], ADMIN_USERNAME);
        assert!(throttled[0]["details"]["retryAfterSeconds"].as_u64().unwrap() >= 1);
        assert!(!trail.to_string().contains(ADMIN_PASSWORD) && !trail.to_string().contains("wrong-password"), "no password");
    }

    async fn token_events_name_the_token_its_owner_and_how_the_actor_signed_in(app) {
        // With a password.
        let (value, info) = app.admin_token(86_400).await;
        let generated = latest(&app, "token.generated").await;
        assert_eq!(actor(&generated), (json!(ADMIN_USERNAME), "password"));
        assert_eq!(generated["subjectTokenId"], info["tokenId"]);
        assert_eq!(generated["subjectUsername"], ADMIN_USERNAME);
        assert_eq!(generated["details"]["scopes"], json!(["api", "admin"]));

        // With a token: which one is named.
        let created = app.bearer(Method::POST, "/v4/apiAccessTokens", &value).json(&json!({ "lifetimeSeconds": 3600, "scopes": ["read_api"] })).send().await.unwrap();
        let child: Value = created.json().await.unwrap();
        let by_token = latest(&app, "token.generated").await;
        assert_eq!(actor(&by_token), (json!(ADMIN_USERNAME), "token"));
        assert_eq!(by_token["viaTokenId"], info["tokenId"]);
        assert_eq!(by_token["details"]["scopes"], json!(["read_api"]));

        let rotated: Value = app.bearer(Method::POST, &format!("/v4/apiAccessTokens/{}/rotate", child["tokenInfo"]["tokenId"].as_str().unwrap()), &value)
            .json(&json!({ "graceSeconds": 60 })).send().await.unwrap().json().await.unwrap();
        let rotation = latest(&app, "token.rotated").await;
        assert_eq!(rotation["subjectTokenId"], child["tokenInfo"]["tokenId"]);
        assert_eq!(rotation["details"]["newTokenId"], rotated["tokenInfo"]["tokenId"]);
        assert_eq!(rotation["details"]["graceSeconds"], 60);

        // From the page (a session), and an admin deleting a member's token.
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let deleted = app.server_fn("delete_token", &[("token_id", rotated["tokenInfo"]["tokenId"].as_str().unwrap())]).await;
        assert!(deleted.status().is_success(), "{}", deleted.status());
        let by_session = latest(&app, "token.deleted").await;
        assert_eq!(actor(&by_session), (json!(ADMIN_USERNAME), "session"));
        assert_eq!(by_session["subjectTokenId"], rotated["tokenInfo"]["tokenId"]);

        app.settings(json!({ "allowMembersToGenerateTokens": true })).await;
        app.add_person("member", "member-password", false).await;
        let (member_value, member_info) = app.token_of("member", "member-password", json!({ "lifetimeSeconds": 3600 })).await;
        let path = format!("/v4/apiAccessTokens/{}", member_info["tokenId"].as_str().unwrap());
        assert_eq!(app.as_admin(Method::DELETE, &path).send().await.unwrap().status(), StatusCode::NO_CONTENT);
        let by_admin = latest(&app, "token.deleted").await;
        assert_eq!(actor(&by_admin), (json!(ADMIN_USERNAME), "password"));
        assert_eq!(by_admin["subjectUsername"], "member", "the owner");
        assert_no_secret_in_trail(&app, &[&value, &member_value, child["tokenValue"].as_str().unwrap(), rotated["tokenValue"].as_str().unwrap(), ADMIN_PASSWORD, "member-password"]).await;
    }

    async fn people_events_say_what_changed_from_what_to_what(app) {
        let person = app.add_person("dana", "dana-password-1", false).await;
        let path = format!("/v4/people/{}", person["id"]);
        let added = latest(&app, "person.added").await;
        assert_eq!(actor(&added), (json!(ADMIN_USERNAME), "password"));
        assert_eq!((added["subjectUsername"].clone(), added["details"]["role"].clone()), (json!("dana"), json!("Member")));

        let patch = |body: Value| app.as_admin(Method::PATCH, &path).json(&body).send();
        assert_eq!(patch(json!({ "isAdmin": true })).await.unwrap().status(), StatusCode::OK);
        assert_eq!(latest(&app, "person.role_changed").await["details"], json!({ "from": "member", "to": "admin" }));
        patch(json!({ "name": "Dana Scully" })).await.unwrap();
        assert_eq!(latest(&app, "person.renamed").await["details"], json!({ "from": "dana Example", "to": "Dana Scully" }));
        patch(json!({ "disabled": true })).await.unwrap();
        assert_eq!(latest(&app, "person.disabled").await["subjectUsername"], "dana");
        patch(json!({ "disabled": false })).await.unwrap();
        assert_eq!(latest(&app, "person.enabled").await["subjectUsername"], "dana");
        patch(json!({ "password": "dana-password-2" })).await.unwrap();
        let reset = latest(&app, "password.reset").await;
        assert_eq!((actor(&reset), reset["subjectUsername"].clone()), ((json!(ADMIN_USERNAME), "password"), json!("dana")));
        // A change that changes nothing is no event.
        patch(json!({ "isAdmin": true })).await.unwrap();
        assert_eq!(events(&app, "person.role_changed").await.len(), 1);

        assert_eq!(app.as_admin(Method::DELETE, &path).send().await.unwrap().status(), StatusCode::NO_CONTENT);
        let deleted = latest(&app, "person.deleted").await;
        assert_eq!(deleted["subjectPersonId"], person["id"], "the id outlives the person");
        assert_no_secret_in_trail(&app, &["dana-password-1", "dana-password-2", ADMIN_PASSWORD]).await;
    }

    async fn ones_own_password_change_and_sign_outs_are_recorded(app) {
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let wrong = app.server_fn("change_password", &[("current", "not-it"), ("new", "a-new-password-1"), ("confirm", "a-new-password-1")]).await;
        assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
        assert_eq!(latest(&app, "sign_in.failed").await["details"]["during"], "password_change");
        let changed = app.server_fn("change_password", &[("current", ADMIN_PASSWORD), ("new", "a-new-password-1"), ("confirm", "a-new-password-1")]).await;
        assert!(changed.status().is_success(), "{}", changed.status());
        // The admin's password is a new one now.
        let reader = |kind: &'static str| {
            let app = &app;
            async move {
                let page: Value = app.basic(Method::GET, &format!("/v4/workspaces/current/auditEvents?kind={kind}"), ADMIN_USERNAME, "a-new-password-1")
                    .send().await.unwrap().json().await.unwrap();
                page["data"][0].clone()
            }
        };
        let event = reader("password.changed").await;
        assert_eq!((actor(&event), event["subjectUsername"].clone()), ((json!(ADMIN_USERNAME), "session"), json!(ADMIN_USERNAME)));
        app.server_fn("sign_out_elsewhere", &[]).await;
        assert_eq!(actor(&reader("sign_out.elsewhere").await), (json!(ADMIN_USERNAME), "session"));
        app.server_fn("sign_out", &[]).await;
        assert_eq!(actor(&reader("sign_out").await), (json!(ADMIN_USERNAME), "session"));
        let page: Value = app.basic(Method::GET, "/v4/workspaces/current/auditEvents?limit=1000", ADMIN_USERNAME, "a-new-password-1")
            .send().await.unwrap().json().await.unwrap();
        assert!(!page.to_string().contains("a-new-password-1") && !page.to_string().contains(ADMIN_PASSWORD));
    }

    async fn settings_changes_record_old_and_new_values_and_retention_prunes(app) {
        app.settings(json!({ "maxTokenLifetimeDays": 30, "allowMembersToGenerateTokens": true })).await;
        let changed = latest(&app, "settings.changed").await;
        assert_eq!(actor(&changed), (json!(ADMIN_USERNAME), "password"));
        assert_eq!(changed["details"]["changes"], json!({
            "allowMembersToGenerateTokens": { "from": false, "to": true },
            "maxTokenLifetimeDays": { "from": -1, "to": 30 },
        }));
        app.settings(json!({ "maxTokenLifetimeDays": 30 })).await;
        assert_eq!(events(&app, "settings.changed").await.len(), 1, "no change, no event");

        // Retention: 30 days; an event 40 days old goes at the next pruning.
        app.settings(json!({ "auditRetentionDays": 30 })).await;
        for bad in [0, 3651, -1] {
            let response = app.as_admin(Method::PATCH, "/v4/workspaces/current/settings").json(&json!({ "auditRetentionDays": bad })).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        }
        app.execute("UPDATE audit_events SET at = at - CAST(40 AS BIGINT) * 86400 * 1000 \
                     WHERE id = (SELECT MIN(id) FROM audit_events WHERE kind = 'settings.changed')").await;
        let before = events(&app, "settings.changed").await.len();
        let pruned = access_tokens::audit::store::prune(&app.state.store).await.unwrap();
        assert!(pruned >= 1);
        assert_eq!(events(&app, "settings.changed").await.len(), before - 1, "the oldest went");
    }

    async fn events_are_filtered_and_paged_newest_first_each_exactly_once(app) {
        for days in 1..=25 {
            app.settings(json!({ "maxTokenLifetimeDays": days })).await;
        }
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let query = cursor.as_ref().map_or(String::new(), |cursor| format!("&cursor={cursor}"));
            let page: Value = app.as_admin(Method::GET, &format!("/v4/workspaces/current/auditEvents?kind=settings.changed&limit=10{query}")).send().await.unwrap().json().await.unwrap();
            seen.extend(page["data"].as_array().unwrap().iter().map(|event| event["details"]["changes"]["maxTokenLifetimeDays"]["to"].as_i64().unwrap()));
            match page["nextCursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen, (1..=25).rev().collect::<Vec<i64>>(), "newest first, each once");

        let member = app.add_person("erin", "erin-password-1", false).await;
        let by_person: Value = app.as_admin(Method::GET, &format!("/v4/workspaces/current/auditEvents?person={}", member["id"])).send().await.unwrap().json().await.unwrap();
        assert_eq!(by_person["data"].as_array().unwrap().len(), 1);
        assert_eq!(by_person["data"][0]["kind"], "person.added");
        let future: Value = app.as_admin(Method::GET, "/v4/workspaces/current/auditEvents?since=2999-01-01T00:00:00Z").send().await.unwrap().json().await.unwrap();
        assert_eq!(future["data"], json!([]));
        assert_eq!(future["nextCursor"], Value::Null);
        let past: Value = app.as_admin(Method::GET, "/v4/workspaces/current/auditEvents?until=2000-01-01T00:00:00Z").send().await.unwrap().json().await.unwrap();
        assert_eq!(past["data"], json!([]));

        for bad in ["limit=0", "limit=1001", "cursor=abc", "kind=token.stolen", "since=yesterday", "person=-1", "colour=red"] {
            let response = app.as_admin(Method::GET, &format!("/v4/workspaces/current/auditEvents?{bad}")).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        }
    }

    async fn members_read_their_own_events_only(app) {
        let member = app.add_person("frank", "frank-password-1", false).await;
        app.as_admin(Method::PATCH, &format!("/v4/people/{}", member["id"])).json(&json!({ "password": "frank-password-2" })).send().await.unwrap();
        app.basic(Method::GET, "/v4/people/current", "frank", "wrong-password").send().await.unwrap();
        let everyone = app.basic(Method::GET, "/v4/workspaces/current/auditEvents", "frank", "frank-password-2").send().await.unwrap();
        assert_eq!(everyone.status(), StatusCode::FORBIDDEN);
        let own: Value = app.basic(Method::GET, "/v4/people/current/auditEvents?person=1", "frank", "frank-password-2").send().await.unwrap().json().await.unwrap();
        let kinds: Vec<&str> = own["data"].as_array().unwrap().iter().map(|event| event["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["sign_in.failed", "password.reset", "person.added"], "what was done to them too; `person` is ignored");
        assert_eq!(own["data"][1]["actorUsername"], ADMIN_USERNAME, "and by whom");
        assert_eq!(own["data"][1]["clientIp"], Value::Null, "but not from where: that is the admin's");
        assert_eq!(own["data"][0]["clientIp"], "127.0.0.1", "where a wrong password came from, they see");
    }

    async fn an_event_the_database_refuses_waits_and_is_written_once_it_is_back(app) {
        app.execute("ALTER TABLE audit_events RENAME TO audit_events_away").await;
        // The change itself goes through (`admin_token` checks it), and its event waits.
        let (_, info) = app.admin_token(3600).await;
        assert!(access_tokens::audit::record::waiting() >= 1);
        app.execute("ALTER TABLE audit_events_away RENAME TO audit_events").await;
        assert!(events(&app, "token.generated").await.is_empty());
        let written = access_tokens::audit::record::write_waiting(&app.state.store).await;
        assert_eq!(written, 1);
        let event = latest(&app, "token.generated").await;
        assert_eq!(event["subjectTokenId"], info["tokenId"]);
    }

    async fn the_audit_log_page_lists_and_filters_events_without_javascript(app) {
        app.admin_token(3600).await;
        app.add_person("gina", "gina-password-1", false).await;
        app.sign_in(ADMIN_USERNAME, ADMIN_PASSWORD).await;
        let page = app.browser.get(app.url("/audit")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("<h1>Audit Log</h1>"), "{html}");
        for shown in ["Token generated", "Person added", "Signed in", "gina"] {
            assert!(html.contains(shown), "{shown}");
        }
        let filtered = app.browser.get(app.url("/audit?kind=person.added")).send().await.unwrap().text().await.unwrap();
        assert!(filtered.contains("data-kind=\"person.added\"") && !filtered.contains("data-kind=\"token.generated\""));

        // A member sees their own activity, and is told the Audit Log is for admins.
        let browser = app.another_browser();
        browser.sign_in("gina", "gina-password-1").await;
        let own = browser.page("/preferences/activity").await;
        assert!(own.contains("Your activity") && own.contains("data-kind=\"person.added\"") && own.contains("data-kind=\"sign_in.succeeded\""));
        assert!(!own.contains("data-kind=\"token.generated\""), "not the admin's events");
        assert!(browser.page("/audit").await.contains("Only workspace admins read the audit log"));
    }
}
