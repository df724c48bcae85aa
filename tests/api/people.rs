//! The REST people API and the authentication layer in front of `/v4`, on SQLite and PostgreSQL.

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::support::{ADMIN_PASSWORD, ADMIN_USERNAME, exception_name};

on_sqlite_and_postgres! {
    async fn the_first_admin_reads_themselves_with_basic_credentials(app) {
        let response = app.as_admin(Method::GET, "/v4/people/current").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let me: Value = response.json().await.unwrap();
        assert_eq!(me["username"], ADMIN_USERNAME);
        assert_eq!(me["isAdmin"], true);
        assert!(me["id"].is_i64());
        assert!(me["createdAt"].as_str().unwrap().ends_with('Z'));
    }

    async fn a_request_without_credentials_gets_a_bearer_challenge(app) {
        let response = app.rest.get(app.url("/v4/people/current")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer realm=\"access-tokens\"");
        assert_eq!(exception_name(response).await, "AuthenticationFailed");
    }

    async fn a_malformed_authorization_header_is_a_bad_request(app) {
        let response = app.rest.get(app.url("/v4/people/current")).header(header::AUTHORIZATION, "Bearer two words").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let challenge = response.headers()[header::WWW_AUTHENTICATE].to_str().unwrap().to_owned();
        assert!(challenge.contains("error=\"invalid_request\""), "{challenge}");
    }

    async fn an_unknown_bearer_token_is_an_invalid_token(app) {
        let response = app.rest.get(app.url("/v4/people/current")).bearer_auth("no-such-token").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let challenge = response.headers()[header::WWW_AUTHENTICATE].to_str().unwrap().to_owned();
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
        assert!(challenge.contains("error_description="), "{challenge}");
    }

    async fn a_wrong_password_and_an_unknown_user_get_the_same_answer(app) {
        let wrong_password = app.basic(Method::GET, "/v4/people/current", ADMIN_USERNAME, "not-the-password").send().await.unwrap();
        let unknown_user = app.basic(Method::GET, "/v4/people/current", "nobody", "not-the-password").send().await.unwrap();
        assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(unknown_user.status(), StatusCode::UNAUTHORIZED);
        let (mut a, mut b): (Value, Value) = (wrong_password.json().await.unwrap(), unknown_user.json().await.unwrap());
        // The same but for each request's own id.
        for body in [&mut a, &mut b] {
            assert!(body["exception"]["details"].as_str().unwrap().starts_with("request id "));
            body["exception"]["details"] = Value::Null;
        }
        assert_eq!(a, b);
        assert!(!a.to_string().contains("not-the-password"));
    }

    async fn usernames_are_case_insensitive_for_signing_in(app) {
        let response = app.basic(Method::GET, "/v4/people/current", "ADMIN", ADMIN_PASSWORD).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }

    async fn repeated_failures_are_throttled(app) {
        for guess in 1..=5 {
            let response =
                app.basic(Method::GET, "/v4/people/current", ADMIN_USERNAME, &format!("guess {guess}")).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        }
        let response = app.as_admin(Method::GET, "/v4/people/current").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(response.headers().contains_key(header::RETRY_AFTER));
    }

    async fn a_script_retrying_a_stale_password_does_not_lock_its_owner_out(app) {
        for _ in 0..10 {
            let response = app.basic(Method::GET, "/v4/people/current", ADMIN_USERNAME, "last year's password").send().await.unwrap();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        }
        let response = app.as_admin(Method::GET, "/v4/people/current").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }

    async fn an_admin_adds_a_member_who_can_then_authenticate(app) {
        let person = app.add_person("alice", "alice-password", false).await;
        assert_eq!(person["username"], "alice");
        assert_eq!(person["name"], "alice Example");
        assert_eq!(person["isAdmin"], false);
        let response = app.basic(Method::GET, "/v4/people/current", "alice", "alice-password").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let me: Value = response.json().await.unwrap();
        assert_eq!(me["id"], person["id"]);
    }

    async fn a_username_is_taken_in_any_case(app) {
        app.add_person("Alice", "alice-password", false).await;
        let response = app.as_admin(Method::POST, "/v4/people")
            .json(&json!({ "username": "aLiCe", "password": "another-password" }))
            .send().await.unwrap();
        assert_eq!(response.status(), StatusCode::CONFLICT);
    }

    async fn invalid_people_are_refused_with_a_clear_message(app) {
        for (body, needle) in [
            (json!({ "username": "has space", "password": "long-enough" }), "username"),
            (json!({ "username": "bob", "password": "short" }), "at least 8"),
            (json!({ "username": "bob" }), "password"),
            (json!({ "username": "bob", "password": "long-enough", "isAdmin": "yes" }), "isAdmin"),
            (json!({ "username": "bob", "password": "long-enough", "role": "admin" }), "role"),
        ] {
            let response = app.as_admin(Method::POST, "/v4/people").json(&body).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
            let error: Value = response.json().await.unwrap();
            assert_eq!(error["exception"]["name"], "ApiValidationFailed");
            let message = error["exception"]["message"].as_str().unwrap();
            assert!(message.contains(needle), "{message} should mention {needle}");
        }
        let list: Value = app.as_admin(Method::GET, "/v4/people").send().await.unwrap().json().await.unwrap();
        assert_eq!(list["count"], 1, "nothing was added");
    }

    async fn a_body_that_is_not_json_is_a_validation_error(app) {
        let response = app.as_admin(Method::POST, "/v4/people")
            .header(header::CONTENT_TYPE, "application/json")
            .body("{not json")
            .send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(exception_name(response).await, "ApiValidationFailed");
    }

    async fn members_cannot_use_the_admin_endpoints(app) {
        let admin_id = 1;
        app.add_person("member", "member-password", false).await;
        for (method, path) in [(Method::GET, "/v4/people".to_owned()), (Method::GET, format!("/v4/people/{admin_id}"))] {
            let response = app.basic(method, &path, "member", "member-password").send().await.unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
            assert_eq!(exception_name(response).await, "AccessControlException");
        }
        let response = app.basic(Method::POST, "/v4/people", "member", "member-password")
            .json(&json!({ "username": "intruder", "password": "intruder-password" }))
            .send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }

    async fn admins_list_people_with_paging(app) {
        for name in ["carol", "bob", "dave"] {
            app.add_person(name, "a-good-password", false).await;
        }
        let page: Value = app.as_admin(Method::GET, "/v4/people?limit=2&offset=1").send().await.unwrap().json().await.unwrap();
        assert_eq!(page["count"], 4);
        let names: Vec<&str> = page["data"].as_array().unwrap().iter().map(|p| p["username"].as_str().unwrap()).collect();
        assert_eq!(names, ["bob", "carol"]);
        let response = app.as_admin(Method::GET, "/v4/people?limit=0").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }

    async fn an_admin_reads_one_person_and_an_unknown_id_is_not_found(app) {
        let person = app.add_person("erin", "erin-password", false).await;
        let id = person["id"].as_i64().unwrap();
        let read: Value = app.as_admin(Method::GET, &format!("/v4/people/{id}")).send().await.unwrap().json().await.unwrap();
        assert_eq!(read, person);
        for path in ["/v4/people/999999", "/v4/people/not-a-number"] {
            let response = app.as_admin(Method::GET, path).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
            assert_eq!(exception_name(response).await, "RouteNotFoundException");
        }
    }

    async fn an_admin_renames_promotes_and_resets_a_password(app) {
        let person = app.add_person("frank", "frank-password", false).await;
        let id = person["id"].as_i64().unwrap();
        let response = app.as_admin(Method::PATCH, &format!("/v4/people/{id}"))
            .json(&json!({ "name": "Frank F.", "isAdmin": true, "password": "frank-new-password" }))
            .send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let changed: Value = response.json().await.unwrap();
        assert_eq!(changed["name"], "Frank F.");
        assert_eq!(changed["isAdmin"], true);
        let old = app.basic(Method::GET, "/v4/people/current", "frank", "frank-password").send().await.unwrap();
        assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
        let new = app.basic(Method::GET, "/v4/people", "frank", "frank-new-password").send().await.unwrap();
        assert_eq!(new.status(), StatusCode::OK, "frank is an admin now");
    }

    async fn a_patch_with_one_bad_field_changes_nothing(app) {
        let person = app.add_person("gina", "gina-password", false).await;
        let id = person["id"].as_i64().unwrap();
        let response = app.as_admin(Method::PATCH, &format!("/v4/people/{id}"))
            .json(&json!({ "isAdmin": true, "password": "short" }))
            .send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let read: Value = app.as_admin(Method::GET, &format!("/v4/people/{id}")).send().await.unwrap().json().await.unwrap();
        assert_eq!(read["isAdmin"], false);
    }

    async fn the_last_admin_cannot_be_made_a_member(app) {
        let me: Value = app.as_admin(Method::GET, "/v4/people/current").send().await.unwrap().json().await.unwrap();
        let id = me["id"].as_i64().unwrap();
        let response = app.as_admin(Method::PATCH, &format!("/v4/people/{id}")).json(&json!({ "isAdmin": false })).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::CONFLICT);
        app.add_person("second-admin", "second-password", true).await;
        let response = app.as_admin(Method::PATCH, &format!("/v4/people/{id}")).json(&json!({ "isAdmin": false })).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }

    async fn an_unknown_v4_route_is_route_not_found(app) {
        let response = app.as_admin(Method::GET, "/v4/no-such-thing").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(exception_name(response).await, "RouteNotFoundException");
    }

    async fn health_is_ok_while_the_database_answers_and_503_when_it_does_not(app) {
        let response = app.rest.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        app.state.store.close().await;
        let response = app.rest.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    }

    async fn a_database_outage_is_a_503_with_retry_after_never_a_401(app) {
        app.state.store.close().await;
        let response = app.as_admin(Method::GET, "/v4/people/current").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().contains_key(header::RETRY_AFTER));
        assert_eq!(exception_name(response).await, "ServiceUnavailable");
    }
}
