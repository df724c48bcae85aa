//! The access tokens REST API and the bearer middleware, on SQLite and PostgreSQL, through the real
//! server: the rules of `API.md` and the product documents, one test each.

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::support::{ADMIN_PASSWORD, ADMIN_USERNAME, TestApp, exception_name};

const DAY: i64 = 86_400;

fn challenge(response: &reqwest::Response) -> String {
    response.headers().get(header::WWW_AUTHENTICATE).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

async fn whoami(app: &TestApp, token: &str) -> reqwest::Response {
    app.bearer(Method::GET, "/v4/people/current", token).send().await.unwrap()
}

async fn refused_lifetime(app: &TestApp, lifetime: Value) -> String {
    let response = app.create_token_as(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": lifetime })).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "lifetimeSeconds {lifetime}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["exception"]["name"], "ApiValidationFailed");
    body["exception"]["message"].as_str().unwrap().to_owned()
}

on_sqlite_and_postgres! {
    async fn a_token_created_with_a_password_authenticates_its_owner(app) {
        let response = app.create_token_as(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": DAY, "description": "  CI deploys  " })).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        let value = body["tokenValue"].as_str().unwrap();
        assert!(value.starts_with("atk_") && value.len() == 53, "{value}");
        let info = &body["tokenInfo"];
        assert_eq!(info["description"], "CI deploys");
        assert_eq!(info["status"], "Active");
        assert_eq!(info["lastUsed"], Value::Null);
        assert!(info["tokenId"].as_str().unwrap().len() == 36);
        let created = time::OffsetDateTime::parse(info["createdAt"].as_str().unwrap(), &time::format_description::well_known::Rfc3339).unwrap();
        let expires = time::OffsetDateTime::parse(info["expiredAt"].as_str().unwrap(), &time::format_description::well_known::Rfc3339).unwrap();
        assert_eq!(expires - created, time::Duration::days(1));
        assert!(info["createdAt"].as_str().unwrap().ends_with('Z'));

        let me = whoami(&app, value).await;
        assert_eq!(me.status(), StatusCode::OK);
        let me: Value = me.json().await.unwrap();
        assert_eq!(me["username"], ADMIN_USERNAME);
    }

    async fn a_never_expiring_token_is_allowed_while_the_maximum_is_unlimited(app) {
        let (value, info) = app.admin_token(-1).await;
        assert_eq!(info["expiredAt"], Value::Null);
        assert_eq!(whoami(&app, &value).await.status(), StatusCode::OK);
    }

    async fn a_never_expiring_token_is_refused_when_the_workspace_has_a_maximum(app) {
        app.settings(json!({ "maxTokenLifetimeDays": 30 })).await;
        assert!(refused_lifetime(&app, json!(-1)).await.contains("never expire"));
        assert!(refused_lifetime(&app, json!(30 * DAY + 1)).await.contains("at most 30 days"));
        let (_, info) = app.admin_token(30 * DAY).await;
        assert_eq!(info["status"], "Active");
    }

    async fn lifetimes_that_are_zero_negative_too_large_or_not_numbers_are_refused(app) {
        for lifetime in [json!(0), json!(-2), json!(-86400)] {
            assert!(refused_lifetime(&app, lifetime).await.contains("positive number of seconds"));
        }
        assert!(refused_lifetime(&app, json!(i64::MAX)).await.contains("at most"));
        for lifetime in [json!("86400"), json!(1.5), json!(null), json!({})] {
            refused_lifetime(&app, lifetime).await;
        }
        let missing = app.create_token_as(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "description": "no lifetime" })).await;
        assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
        let listed: Value = app.as_admin(Method::GET, "/v4/apiAccessTokens").send().await.unwrap().json().await.unwrap();
        assert_eq!(listed["count"], 0, "nothing was created");
    }

    async fn a_lifetime_written_as_a_whole_float_is_a_whole_number_of_seconds(app) {
        // JSON Schema calls 86400.0 an integer, and so does the OpenAPI document.
        let created = app.create_token_as(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": 86_400.0 })).await;
        assert_eq!(created.status(), StatusCode::CREATED);
        let info: Value = created.json::<Value>().await.unwrap()["tokenInfo"].clone();
        let (created_at, expires) = (info["createdAt"].as_str().unwrap(), info["expiredAt"].as_str().unwrap());
        assert_eq!(&expires[10..], &created_at[10..], "a day later to the millisecond");
    }

    async fn a_description_has_at_most_255_characters(app) {
        let ok = app.create_token_as(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": DAY, "description": "ü".repeat(255) })).await;
        assert_eq!(ok.status(), StatusCode::CREATED);
        let long = app.create_token_as(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": DAY, "description": "x".repeat(256) })).await;
        assert_eq!(long.status(), StatusCode::BAD_REQUEST);
        assert_eq!(exception_name(long).await, "ApiValidationFailed");
        let unknown_field = app.create_token_as(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": DAY, "owner": "someone" })).await;
        assert_eq!(unknown_field.status(), StatusCode::BAD_REQUEST);
    }

    async fn a_bearer_token_creates_another_token_for_the_same_user(app) {
        let (value, _) = app.admin_token(DAY).await;
        let response = app.bearer(Method::POST, "/v4/apiAccessTokens", &value).json(&json!({ "lifetimeSeconds": 60 })).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let second: Value = response.json().await.unwrap();
        let me: Value = whoami(&app, second["tokenValue"].as_str().unwrap()).await.json().await.unwrap();
        assert_eq!(me["username"], ADMIN_USERNAME);
    }

    async fn another_members_token_is_not_found_for_members_and_visible_to_admins(app) {
        app.settings(json!({ "allowMembersToGenerateTokens": true })).await;
        app.add_person("alice", "alice-password", false).await;
        app.add_person("bob", "bob-password", false).await;
        let alice: Value = app.create_token_as("alice", "alice-password", json!({ "lifetimeSeconds": DAY })).await.json().await.unwrap();
        let id = alice["tokenInfo"]["tokenId"].as_str().unwrap();
        let path = format!("/v4/apiAccessTokens/{id}");

        let bob_reads = app.basic(Method::GET, &path, "bob", "bob-password").send().await.unwrap();
        assert_eq!(bob_reads.status(), StatusCode::NOT_FOUND);
        let bob_deletes = app.basic(Method::DELETE, &path, "bob", "bob-password").send().await.unwrap();
        assert_eq!(bob_deletes.status(), StatusCode::NOT_FOUND);
        let bob_lists: Value = app.basic(Method::GET, "/v4/apiAccessTokens", "bob", "bob-password").send().await.unwrap().json().await.unwrap();
        assert_eq!(bob_lists["count"], 0);
        let bob_workspace = app.basic(Method::GET, "/v4/workspaces/current/apiAccessTokens", "bob", "bob-password").send().await.unwrap();
        assert_eq!(bob_workspace.status(), StatusCode::FORBIDDEN);

        let admin_reads = app.as_admin(Method::GET, &path).send().await.unwrap();
        assert_eq!(admin_reads.status(), StatusCode::OK);
        let all: Value = app.as_admin(Method::GET, "/v4/workspaces/current/apiAccessTokens").send().await.unwrap().json().await.unwrap();
        assert_eq!(all["count"], 1);
        assert_eq!(all["data"][0]["tokenId"], id);
        assert_eq!(all["data"][0]["owner"]["username"], "alice");
        let admin_deletes = app.as_admin(Method::DELETE, &path).send().await.unwrap();
        assert_eq!(admin_deletes.status(), StatusCode::NO_CONTENT);
        assert_eq!(whoami(&app, alice["tokenValue"].as_str().unwrap()).await.status(), StatusCode::UNAUTHORIZED);
    }

    async fn a_deleted_token_stops_working_at_the_next_request(app) {
        let (value, info) = app.admin_token(DAY).await;
        assert_eq!(whoami(&app, &value).await.status(), StatusCode::OK);
        let path = format!("/v4/apiAccessTokens/{}", info["tokenId"].as_str().unwrap());
        assert_eq!(app.bearer(Method::DELETE, &path, &value).send().await.unwrap().status(), StatusCode::NO_CONTENT);
        let after = whoami(&app, &value).await;
        assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
        assert!(challenge(&after).contains("error=\"invalid_token\""));
        assert_eq!(app.as_admin(Method::GET, &path).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        assert_eq!(app.as_admin(Method::DELETE, &path).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    }

    async fn an_expired_token_is_refused_with_its_description(app) {
        let (value, _) = app.admin_token(1).await;
        assert_eq!(whoami(&app, &value).await.status(), StatusCode::OK);
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let response = whoami(&app, &value).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let challenge = challenge(&response);
        assert!(challenge.contains("error=\"invalid_token\"") && challenge.contains("The access token expired at"), "{challenge}");
        let listed: Value = app.as_admin(Method::GET, "/v4/apiAccessTokens").send().await.unwrap().json().await.unwrap();
        assert_eq!(listed["data"][0]["status"], "Expired");
    }

    async fn disabling_tokens_stops_them_and_hides_the_routes_until_re_enabled(app) {
        let (value, info) = app.admin_token(DAY).await;
        app.settings(json!({ "accessTokensEnabled": false })).await;
        let refused = whoami(&app, &value).await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        assert!(challenge(&refused).contains("disabled"));
        for (method, path) in [
            (Method::GET, "/v4/apiAccessTokens".to_owned()),
            (Method::GET, format!("/v4/apiAccessTokens/{}", info["tokenId"].as_str().unwrap())),
            (Method::GET, "/v4/workspaces/current/apiAccessTokens".to_owned()),
        ] {
            let response = app.as_admin(method, &path).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
            assert_eq!(exception_name(response).await, "RouteNotFoundException");
        }
        let create = app.create_token_as(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": DAY })).await;
        assert_eq!(create.status(), StatusCode::NOT_FOUND);
        // Admins still reach the settings with their password, and turn tokens back on.
        let settings = app.settings(json!({ "accessTokensEnabled": true })).await;
        assert_eq!(settings["accessTokensEnabled"], true);
        assert_eq!(whoami(&app, &value).await.status(), StatusCode::OK, "the kept token works again");
    }

    async fn members_generate_and_use_tokens_only_when_admins_allow_it(app) {
        app.add_person("member", "member-password", false).await;
        let settings: Value = app.basic(Method::GET, "/v4/workspaces/current/settings", "member", "member-password").send().await.unwrap().json().await.unwrap();
        assert_eq!(settings, json!({ "accessTokensEnabled": true, "allowMembersToGenerateTokens": false, "maxTokenLifetimeDays": -1, "maxActiveTokensPerPerson": -1, "auditRetentionDays": 365, "revokeUnusedAfterDays": -1 }));
        let refused = app.create_token_as("member", "member-password", json!({ "lifetimeSeconds": DAY })).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert_eq!(exception_name(refused).await, "AccessControlException");
        let member_patch = app.basic(Method::PATCH, "/v4/workspaces/current/settings", "member", "member-password")
            .json(&json!({ "allowMembersToGenerateTokens": true })).send().await.unwrap();
        assert_eq!(member_patch.status(), StatusCode::FORBIDDEN);

        app.settings(json!({ "allowMembersToGenerateTokens": true })).await;
        let created = app.create_token_as("member", "member-password", json!({ "lifetimeSeconds": DAY })).await;
        assert_eq!(created.status(), StatusCode::CREATED);
        let value = created.json::<Value>().await.unwrap()["tokenValue"].as_str().unwrap().to_owned();
        assert_eq!(whoami(&app, &value).await.status(), StatusCode::OK);

        app.settings(json!({ "allowMembersToGenerateTokens": false })).await;
        let stopped = whoami(&app, &value).await;
        assert_eq!(stopped.status(), StatusCode::UNAUTHORIZED, "members may neither generate nor use tokens");
        let listed: Value = app.basic(Method::GET, "/v4/apiAccessTokens", "member", "member-password").send().await.unwrap().json().await.unwrap();
        assert_eq!(listed["count"], 1, "but still see (and may delete) the ones they hold");
    }

    async fn settings_are_validated_and_change_only_what_is_sent(app) {
        for bad in [json!({ "maxTokenLifetimeDays": 0 }), json!({ "maxTokenLifetimeDays": -5 }), json!({ "maxTokenLifetimeDays": "30" }), json!({ "unknown": true })] {
            let response = app.as_admin(Method::PATCH, "/v4/workspaces/current/settings").json(&bad).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        }
        let after = app.settings(json!({ "maxTokenLifetimeDays": 90 })).await;
        assert_eq!(after, json!({ "accessTokensEnabled": true, "allowMembersToGenerateTokens": false, "maxTokenLifetimeDays": 90, "maxActiveTokensPerPerson": -1, "auditRetentionDays": 365, "revokeUnusedAfterDays": -1 }));
    }

    async fn a_password_change_keeps_tokens_working(app) {
        let (value, _) = app.admin_token(DAY).await;
        let admin: Value = app.as_admin(Method::GET, "/v4/people/current").send().await.unwrap().json().await.unwrap();
        let reset = app.as_admin(Method::PATCH, &format!("/v4/people/{}", admin["id"])).json(&json!({ "password": "a-brand-new-password" })).send().await.unwrap();
        assert_eq!(reset.status(), StatusCode::OK);
        assert_eq!(whoami(&app, &value).await.status(), StatusCode::OK);
    }

    async fn the_stored_row_holds_a_digest_and_never_the_value(app) {
        let (value, info) = app.admin_token(DAY).await;
        let token_id = info["tokenId"].as_str().unwrap();
        let row: (Vec<u8>, String) = access_tokens::store::with_pool!(&app.state.store, pool =>
            sqlx::query_as("SELECT digest, description FROM access_tokens WHERE token_id = $1").bind(token_id).fetch_one(pool).await).unwrap();
        use sha2::Digest;
        assert_eq!(row.0, sha2::Sha256::digest(value.as_bytes()).to_vec());
        let everything: Vec<String> = access_tokens::store::with_pool!(&app.state.store, pool =>
            sqlx::query_scalar("SELECT token_id || ' ' || description || ' ' || created_at FROM access_tokens").fetch_all(pool).await).unwrap();
        assert!(everything.iter().all(|row| !row.contains(&value[4..])));
    }

    async fn a_value_with_a_broken_checksum_is_refused_without_a_database_lookup(app) {
        let (value, _) = app.admin_token(DAY).await;
        let mut typo = value.clone().into_bytes();
        typo[20] = if typo[20] == b'a' { b'b' } else { b'a' };
        let typo = String::from_utf8(typo).unwrap();
        // With the database closed, any lookup would be a 503: a 401 proves none was made.
        app.state.store.close().await;
        let response = whoami(&app, &typo).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(challenge(&response).contains("checksum"), "{}", challenge(&response));
        let looked_up = whoami(&app, &value).await;
        assert_eq!(looked_up.status(), StatusCode::SERVICE_UNAVAILABLE, "a well-formed value is looked up");
        assert!(looked_up.headers().contains_key(header::RETRY_AFTER));
    }

    async fn bearer_errors_follow_rfc_6750(app) {
        let missing = app.rest.get(app.url("/v4/apiAccessTokens")).send().await.unwrap();
        assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(challenge(&missing), "Bearer realm=\"access-tokens\"");
        let malformed = app.rest.get(app.url("/v4/people/current")).header(header::AUTHORIZATION, "Bearer").send().await.unwrap();
        assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
        let unknown = whoami(&app, "not-a-token").await;
        assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
        assert!(challenge(&unknown).contains("malformed"));
        let (value, _) = app.admin_token(DAY).await;
        let lowercase = app.rest.get(app.url("/v4/people/current")).header(header::AUTHORIZATION, format!("bearer {value}")).send().await.unwrap();
        assert_eq!(lowercase.status(), StatusCode::OK, "the scheme is case-insensitive");
    }

    async fn lists_are_newest_first_and_paged(app) {
        for n in 0..5 {
            app.create_token_as(ADMIN_USERNAME, ADMIN_PASSWORD, json!({ "lifetimeSeconds": DAY, "description": format!("token {n}") })).await;
            tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        }
        let page: Value = app.as_admin(Method::GET, "/v4/apiAccessTokens?limit=2&offset=1").send().await.unwrap().json().await.unwrap();
        assert_eq!(page["count"], 5);
        let descriptions: Vec<&str> = page["data"].as_array().unwrap().iter().map(|t| t["description"].as_str().unwrap()).collect();
        assert_eq!(descriptions, ["token 3", "token 2"]);
        let bad = app.as_admin(Method::GET, "/v4/apiAccessTokens?limit=0").send().await.unwrap();
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    }

    async fn a_cursor_pages_through_a_list_once_each_at_the_cost_of_the_first_page(app) {
        let (value, _) = app.admin_token(DAY).await;
        let mut made = vec![];
        for n in 0..23 {
            let created = app.bearer(Method::POST, "/v4/apiAccessTokens", &value)
                .json(&json!({ "lifetimeSeconds": 3600, "description": format!("token {n}") })).send().await.unwrap();
            let created: Value = created.json().await.unwrap();
            made.push(created["tokenInfo"]["tokenId"].as_str().unwrap().to_owned());
        }
        for path in ["/v4/apiAccessTokens", "/v4/workspaces/current/apiAccessTokens"] {
            let mut seen = vec![];
            let mut query = "limit=5".to_owned();
            let mut pages = 0;
            loop {
                let page: Value = app.bearer(Method::GET, &format!("{path}?{query}"), &value).send().await.unwrap().json().await.unwrap();
                assert_eq!(page["count"], 24, "{path}: every page counts them all");
                pages += 1;
                seen.extend(page["data"].as_array().unwrap().iter().map(|token| token["tokenId"].as_str().unwrap().to_owned()));
                match page["nextCursor"].as_str() {
                    Some(cursor) => query = format!("limit=5&cursor={cursor}"),
                    None => break,
                }
            }
            assert_eq!(pages, 5, "{path}");
            let mut unique = seen.clone();
            unique.sort();
            unique.dedup();
            assert_eq!((seen.len(), unique.len()), (24, 24), "{path}: each token exactly once");
            assert!(made.iter().all(|id| seen.contains(id)));
            // The same order as offset paging, which also hands out the cursor of its next page.
            let by_offset: Value = app.bearer(Method::GET, &format!("{path}?limit=5&offset=5"), &value).send().await.unwrap().json().await.unwrap();
            let ids: Vec<&str> = by_offset["data"].as_array().unwrap().iter().map(|token| token["tokenId"].as_str().unwrap()).collect();
            assert_eq!(ids, seen[5..10].iter().map(String::as_str).collect::<Vec<_>>(), "{path}");
            let next: Value = app.bearer(Method::GET, &format!("{path}?limit=5&cursor={}", by_offset["nextCursor"].as_str().unwrap()), &value)
                .send().await.unwrap().json().await.unwrap();
            assert_eq!(next["data"][0]["tokenId"].as_str().unwrap(), seen[10], "{path}");
        }
        // The last page says it is the last; a cursor past the oldest token gives an empty page.
        let last: Value = app.bearer(Method::GET, "/v4/apiAccessTokens?limit=24", &value).send().await.unwrap().json().await.unwrap();
        assert_eq!(last["nextCursor"], Value::Null);
        let past: Value = app.bearer(Method::GET, "/v4/apiAccessTokens?cursor=1.0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", &value)
            .send().await.unwrap().json().await.unwrap();
        assert_eq!((past["data"].as_array().unwrap().len(), &past["count"], &past["nextCursor"]), (0, &json!(24), &Value::Null));
        // An offset with a cursor skips from there.
        let first: Value = app.bearer(Method::GET, "/v4/apiAccessTokens?limit=5", &value).send().await.unwrap().json().await.unwrap();
        let skipped: Value = app.bearer(Method::GET, &format!("/v4/apiAccessTokens?limit=2&offset=3&cursor={}", first["nextCursor"].as_str().unwrap()), &value)
            .send().await.unwrap().json().await.unwrap();
        let all: Value = app.bearer(Method::GET, "/v4/apiAccessTokens?limit=10", &value).send().await.unwrap().json().await.unwrap();
        assert_eq!(skipped["data"][0]["tokenId"], all["data"][8]["tokenId"]);
        assert_eq!(skipped["data"][1]["tokenId"], all["data"][9]["tokenId"]);
        let refused = app.bearer(Method::GET, "/v4/apiAccessTokens?cursor=1.x", &value).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        assert!(refused.text().await.unwrap().contains("cursor is not one this API gave out"));
    }

    async fn tokens_made_in_the_same_millisecond_are_paged_once_each_both_ways(app) {
        let (value, _) = app.admin_token(DAY).await;
        let me: Value = app.bearer(Method::GET, "/v4/people/current", &value).send().await.unwrap().json().await.unwrap();
        // Seven tokens sharing one creation time, straight into the table: the order between them
        // is the token id's, on both databases.
        let at = time::OffsetDateTime::now_utc().unix_timestamp() * 1000 - 60_000;
        let mut tied: Vec<String> = vec![];
        for n in 0..7u8 {
            let id = uuid::Uuid::new_v4().to_string();
            access_tokens::store::with_pool!(&app.state.store, pool => sqlx::query(
                "INSERT INTO access_tokens (token_id, owner_id, digest, description, created_at, scopes) \
                 VALUES ($1, $2, $3, 'tied', $4, 'api')")
                .bind(&id).bind(me["id"].as_i64().unwrap()).bind(vec![n; 32]).bind(at)
                .execute(pool).await.map(|_| ())).unwrap();
            tied.push(id);
        }
        let mut forward = vec![];
        let mut query = "limit=2".to_owned();
        loop {
            let page: Value = app.bearer(Method::GET, &format!("/v4/apiAccessTokens?{query}"), &value).send().await.unwrap().json().await.unwrap();
            forward.extend(page["data"].as_array().unwrap().iter().map(|token| token["tokenId"].as_str().unwrap().to_owned()));
            match page["nextCursor"].as_str() {
                Some(cursor) => query = format!("limit=2&cursor={cursor}"),
                None => break,
            }
        }
        // The bearer token first (newest), then the tied ones in one order, each once.
        assert_eq!(forward.len(), 8, "{forward:?}");
        let mut sorted = forward[1..].to_vec();
        sorted.sort();
        let mut expected = tied.clone();
        expected.sort();
        assert_eq!(sorted, expected);
        // Back again, two at a time before a key (as the page's "Newer" links read), from the
        // last page: the same tokens in the same order, none lost among the ties.
        use access_tokens::{paging::{Seek, Start}, people::PersonId, tokens::{MaxLifetime, TokenId, TokenKey, store}};
        let owner = PersonId(me["id"].as_i64().unwrap());
        let mut key = TokenKey { created_at_millis: at, token_id: TokenId::parse(&forward[6]).unwrap() };
        let mut backward: Vec<String> = forward[6..].to_vec();
        loop {
            let seek = Seek::new(2, 0, Start::Before(key)).unwrap();
            let page = store::list_by_owner(&app.state.store, owner, &seek, MaxLifetime::Unlimited).await.unwrap();
            let ids: Vec<String> = page.data.iter().map(|token| token.token_id.to_string()).collect();
            backward.splice(0..0, ids);
            match page.newer {
                Some(newer) => key = newer,
                None => break,
            }
        }
        assert_eq!(backward, forward);
    }

    async fn the_cursor_pattern_the_document_gives_is_the_one_the_server_reads(app) {
        let document: Value = app.as_admin(Method::GET, "/v4/open-api-spec").send().await.unwrap().json().await.unwrap();
        for path in ["/v4/apiAccessTokens", "/v4/workspaces/current/apiAccessTokens"] {
            let parameters = document["paths"][path]["get"]["parameters"].as_array().unwrap();
            let cursor = parameters.iter().find(|parameter| parameter["name"] == "cursor").expect("a cursor parameter");
            assert_eq!(cursor["schema"]["pattern"], access_tokens::tokens::TokenKey::PATTERN, "{path}");
        }
    }

    async fn the_count_stays_exact_as_tokens_come_and_go(app) {
        let count = |path: &'static str| {
            let app = &app;
            async move {
                let page: Value = app.as_admin(Method::GET, path).send().await.unwrap().json().await.unwrap();
                page["count"].as_i64().unwrap()
            }
        };
        let member = app.add_person("cora", "cora-password-1", false).await;
        app.as_admin(Method::PATCH, "/v4/workspaces/current/settings").json(&json!({ "allowMembersToGenerateTokens": true })).send().await.unwrap();
        let mut mine = vec![];
        for _ in 0..3 {
            let (_, info) = app.admin_token(DAY).await;
            mine.push(info["tokenId"].as_str().unwrap().to_owned());
        }
        for _ in 0..2 {
            let created = app.create_token_as("cora", "cora-password-1", json!({ "lifetimeSeconds": DAY })).await;
            assert_eq!(created.status(), StatusCode::CREATED);
        }
        assert_eq!((count("/v4/apiAccessTokens").await, count("/v4/workspaces/current/apiAccessTokens").await), (3, 5));
        let deleted = app.as_admin(Method::DELETE, &format!("/v4/apiAccessTokens/{}", mine[0])).send().await.unwrap();
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
        assert_eq!((count("/v4/apiAccessTokens").await, count("/v4/workspaces/current/apiAccessTokens").await), (2, 4));
        // Rotated with a grace period: the old token is listed (and counted) until the grace ends.
        let rotated = app.as_admin(Method::POST, &format!("/v4/apiAccessTokens/{}/rotate", mine[1])).json(&json!({ "graceSeconds": 1 })).send().await.unwrap();
        assert_eq!(rotated.status(), StatusCode::CREATED);
        assert_eq!(count("/v4/apiAccessTokens").await, 3);
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let listed: Value = app.as_admin(Method::GET, "/v4/apiAccessTokens").send().await.unwrap().json().await.unwrap();
        assert_eq!((listed["count"].as_i64().unwrap(), listed["data"].as_array().unwrap().len()), (2, 2), "{listed}");
        assert_eq!(count("/v4/workspaces/current/apiAccessTokens").await, 4);
        // Deleting a person deletes their tokens, and their count.
        let gone = app.as_admin(Method::DELETE, &format!("/v4/people/{}", member["id"])).send().await.unwrap();
        assert_eq!(gone.status(), StatusCode::NO_CONTENT);
        assert_eq!(count("/v4/workspaces/current/apiAccessTokens").await, 2);
    }

    async fn last_used_is_reported_at_once_and_written_in_batches(app) {
        let (value, info) = app.admin_token(DAY).await;
        let path = format!("/v4/apiAccessTokens/{}", info["tokenId"].as_str().unwrap());
        let before = time::OffsetDateTime::now_utc();
        assert_eq!(whoami(&app, &value).await.status(), StatusCode::OK);
        let seen: Value = app.as_admin(Method::GET, &path).send().await.unwrap().json().await.unwrap();
        let last_used = time::OffsetDateTime::parse(seen["lastUsed"].as_str().expect("lastUsed is set"), &time::format_description::well_known::Rfc3339).unwrap();
        assert!(last_used >= before - time::Duration::milliseconds(1) && last_used <= time::OffsetDateTime::now_utc());
        let stored = || async {
            let at: Option<i64> = access_tokens::store::with_pool!(&app.state.store, pool =>
                sqlx::query_scalar("SELECT last_used_at FROM access_tokens").fetch_one(pool).await).unwrap();
            at
        };
        assert_eq!(stored().await, None, "no write per request");
        assert_eq!(app.state.usage.flush(&app.state.store).await.unwrap(), 1);
        assert_eq!(stored().await, Some(access_tokens::timestamp::to_millis(last_used)));
    }

    async fn hundreds_of_parallel_creations_are_all_distinct_and_usable(app) {
        // Longer than theirs: a token cannot create one that outlives it.
        let (value, _) = app.admin_token(2 * DAY).await;
        let creations = (0..200).map(|n| {
            let request = app.bearer(Method::POST, "/v4/apiAccessTokens", &value).json(&json!({ "lifetimeSeconds": DAY, "description": format!("parallel {n}") }));
            async move {
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), StatusCode::CREATED);
                response.json::<Value>().await.unwrap()["tokenValue"].as_str().unwrap().to_owned()
            }
        });
        let values: Vec<String> = futures::future::join_all(creations).await;
        let distinct: std::collections::HashSet<&String> = values.iter().collect();
        assert_eq!(distinct.len(), 200);
        let uses = values.iter().map(|value| async { whoami(&app, value).await.status() });
        assert!(futures::future::join_all(uses).await.iter().all(|status| *status == StatusCode::OK));
        let listed: Value = app.as_admin(Method::GET, "/v4/apiAccessTokens?limit=1000").send().await.unwrap().json().await.unwrap();
        assert_eq!(listed["count"], 201);
    }
    async fn the_open_api_spec_answers_a_bearer_token_and_lists_every_endpoint(app) {
        let (value, _) = app.admin_token(DAY).await;
        let response = app.bearer(Method::GET, "/v4/open-api-spec", &value).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let spec: Value = response.json().await.unwrap();
        assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
        let paths = spec["paths"].as_object().unwrap();
        let mut operations: Vec<String> = paths
            .iter()
            .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |method| format!("{} {path}", method.to_uppercase())))
            .collect();
        operations.sort();
        assert_eq!(operations, [
            "DELETE /v4/apiAccessTokens/{tokenId}",
            "DELETE /v4/people/{id}",
            "DELETE /v4/workspaces/current/webhooks/{id}",
            "GET /v4/apiAccessTokens",
            "GET /v4/apiAccessTokens/current",
            "GET /v4/apiAccessTokens/{tokenId}",
            "GET /v4/open-api-spec",
            "GET /v4/people",
            "GET /v4/people/current",
            "GET /v4/people/current/auditEvents",
            "GET /v4/people/{id}",
            "GET /v4/workspaces/current/apiAccessTokens",
            "GET /v4/workspaces/current/auditEvents",
            "GET /v4/workspaces/current/settings",
            "GET /v4/workspaces/current/webhooks",
            "GET /v4/workspaces/current/webhooks/{id}/deliveries",
            "PATCH /v4/people/{id}",
            "PATCH /v4/workspaces/current/settings",
            "POST /v4/apiAccessTokens",
            "POST /v4/apiAccessTokens/revoke",
            "POST /v4/apiAccessTokens/{tokenId}/rotate",
            "POST /v4/people",
            "POST /v4/workspaces/current/webhooks",
        ]);
        let schemes = &spec["components"]["securitySchemes"];
        assert_eq!(schemes["bearerToken"]["scheme"], "bearer");
        assert_eq!(schemes["basicCredentials"]["scheme"], "basic");
        let unauthenticated = app.rest.get(app.url("/v4/open-api-spec")).send().await.unwrap();
        assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);

        // What independent tools ask of it (scripts/check-openapi runs them): unique operation
        // ids, and every refusal any operation can answer documented.
        let mut ids = Vec::new();
        for item in paths.values() {
            for operation in item.as_object().unwrap().values() {
                ids.push(operation["operationId"].as_str().unwrap().to_owned());
                for status in ["400", "401", "403", "429", "500", "503"] {
                    assert!(operation["responses"][status].is_object(), "{status} of {}", operation["operationId"]);
                }
            }
        }
        let count = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), count, "operation ids are unique: {ids:?}");
    }

    async fn a_route_asked_with_a_method_it_does_not_take_says_which_it_takes(app) {
        let response = app.as_admin(Method::PUT, "/v4/people/current").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()[header::ALLOW], "GET,HEAD");
        assert_eq!(exception_name(response).await, "MethodNotAllowed");
    }
}
