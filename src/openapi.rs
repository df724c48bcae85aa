//! `GET /v4/open-api-spec`: the OpenAPI 3.1 document of every `/v4` endpoint.
//!
//! It is assembled from the handlers' `#[utoipa::path]` annotations by the same `OpenApiRouter`
//! calls that mount them (see `startup::router`), so a route cannot exist without its entry. The
//! modifiers below add what every operation has in common (the ways to authenticate, and the
//! refusals any of them can answer with) and the links from a created resource to the operations
//! on it. Request fields state the rules the server enforces (lengths, ranges, patterns), so that
//! a request the document calls valid is one the server accepts: `scripts/check-openapi` holds
//! the server to that with schemathesis.

use std::sync::Arc;

use axum::{Extension, Json};
use serde_json::json;
use utoipa::{
    Modify, OpenApi,
    openapi::{
        Content, HeaderBuilder, Ref, RefOr, ResponseBuilder,
        path::Operation,
        schema::{ObjectBuilder, Type},
        security::{Http, HttpAuthScheme, SecurityScheme},
    },
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{error::ErrorBody, state::AppState};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "access-tokens",
        description = "Workspace members manage their API access tokens; REST clients authenticate with \
                       `Authorization: Bearer <token>` (or HTTP Basic credentials)."
    ),
    modifiers(&Credentials),
    components(schemas(ErrorBody)),
    tags(
        (name = "Access tokens", description = "Generate, list and delete API access tokens"),
        (name = "People", description = "The workspace's members"),
        (name = "Workspace", description = "Workspace settings"),
        (name = "Audit", description = "The audit trail: who did what, how they were signed in, and from where"),
    )
)]
pub struct ApiDoc;

/// The two ways to authenticate, named by the document's `security` requirement.
struct Credentials;

impl Modify for Credentials {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearerToken",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An access token: `Authorization: Bearer atk_...`. Its scopes limit what it may do of \
                         what its owner may: `read_api` (any GET), `api` (everything but admin-only \
                         endpoints), `admin` (admin-only endpoints, within `read_api` or `api`). A request \
                         the token's scopes do not cover is answered 403 with `WWW-Authenticate: Bearer \
                         error=\"insufficient_scope\", scope=\"<needed>\"`. Each operation's `security` \
                         lists the scope sets that suffice. Every answer to a request made with a token \
                         carries `Access-Token-Expires-At: <RFC 3339>`, when the token stops working (absent \
                         for a token that never expires); `GET /v4/apiAccessTokens/current` describes the token.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "basicCredentials",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some("Username and password, e.g. to generate a first token"))
                    .build(),
            ),
        );
    }
}

/// The refusals every operation can answer with, whatever it does: they come from the
/// authentication layer and the database, in front of every handler. An operation that says more
/// about one of them (its own 400, say) keeps its own words.
struct CommonRefusals;

impl CommonRefusals {
    const ALL: [(&str, &str, &str); 7] = [
        (
            "400",
            "BadRequest",
            "The request is malformed: its `Authorization` header (RFC 6750 `invalid_request`), query string or body",
        ),
        (
            "401",
            "Unauthorized",
            "No credentials, or credentials that are not valid: a wrong username or password, or a malformed, \
             unknown, deleted, expired or disabled token. `WWW-Authenticate` says which (RFC 6750).",
        ),
        (
            "403",
            "Forbidden",
            "Not allowed: the caller's role does not allow it, or the bearer token lacks a scope it needs \
             (`WWW-Authenticate: Bearer error=\"insufficient_scope\", scope=\"...\"` names it)",
        ),
        ("413", "PayloadTooLarge", "The request body is over 64 KiB"),
        (
            "429",
            "TooManyRequests",
            "Too many failed password attempts for this username, from this client, or on this instance; \
             retry after `Retry-After` seconds",
        ),
        ("500", "InternalServerError", "An unexpected error; the details are in the server's log"),
        (
            "503",
            "ServiceUnavailable",
            "The database did not answer, or every password-hashing slot stayed busy; nothing was changed. \
             Retry after `Retry-After` seconds.",
        ),
    ];
}

impl Modify for CommonRefusals {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (status, name, description) in Self::ALL {
            let mut response = ResponseBuilder::new()
                .description(description)
                .content("application/json", Content::new(Some(Ref::from_schema_name("ErrorBody"))));
            let seconds = || HeaderBuilder::new().schema(ObjectBuilder::new().schema_type(Type::Integer)).build();
            response = match status {
                "401" => response.header(
                    "WWW-Authenticate",
                    HeaderBuilder::new()
                        .schema(ObjectBuilder::new().schema_type(Type::String))
                        .description(Some(
                            "The challenge, e.g. `Bearer realm=\"access-tokens\", error=\"invalid_token\"`",
                        ))
                        .build(),
                ),
                "403" => response.header(
                    "WWW-Authenticate",
                    HeaderBuilder::new()
                        .schema(ObjectBuilder::new().schema_type(Type::String))
                        .description(Some(
                            "Only when a bearer token lacks a scope, e.g. `Bearer realm=\"access-tokens\", \
                             error=\"insufficient_scope\", scope=\"api\"`",
                        ))
                        .build(),
                ),
                "429" | "503" => response.header("Retry-After", seconds()),
                _ => response,
            };
            components.responses.insert(name.to_owned(), RefOr::T(response.build()));
        }
        for operation in operations(openapi) {
            for (status, name, _) in Self::ALL {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
            }
        }
    }
}

/// From a created resource to what can be done with it, so that clients (and schemathesis's
/// stateful tests) can follow them. Written into the JSON: utoipa 5.5 serialises a `Link`'s
/// `operationId` as `operation_id`, which validators rightly refuse.
fn add_links(document: &mut serde_json::Value) {
    let links: [(&str, &[&str], &str, &str); 3] = [
        (
            "/v4/apiAccessTokens",
            &["getAccessToken", "rotateAccessToken", "deleteAccessToken"],
            "tokenId",
            "$response.body#/tokenInfo/tokenId",
        ),
        (
            "/v4/apiAccessTokens/{tokenId}/rotate",
            &["getAccessToken", "rotateAccessToken", "deleteAccessToken"],
            "tokenId",
            "$response.body#/tokenInfo/tokenId",
        ),
        ("/v4/people", &["getPerson", "updatePerson", "deletePerson"], "id", "$response.body#/id"),
    ];
    for (path, targets, parameter, value) in links {
        let created = document
            .pointer_mut(&format!("/paths/{}/post/responses/201", path.replace('/', "~1")))
            .and_then(serde_json::Value::as_object_mut)
            .unwrap_or_else(|| panic!("the OpenAPI document has no POST {path} answering 201 to link from"));
        let links = targets
            .iter()
            .map(|target| ((*target).to_owned(), json!({ "operationId": target, "parameters": { parameter: value } })))
            .collect::<serde_json::Map<_, _>>();
        created.insert("links".to_owned(), links.into());
    }
}

/// Each handler names the least a bearer token needs (`security(("bearerToken" = ["read_api"]))`,
/// say); here each operation gets every alternative that suffices, as OpenAPI states them: `api`
/// also gives what `read_api` does, and Basic credentials are not scoped. An operation that names
/// none is a bug (a route whose scopes were forgotten), and the app refuses to start. The one
/// operation open to anyone (reporting a leaked token) says so: `security(())`.
fn state_security(document: &mut serde_json::Value) {
    const METHODS: [&str; 6] = ["get", "put", "post", "delete", "patch", "head"];
    let paths = document.get_mut("paths").and_then(serde_json::Value::as_object_mut).expect("the document has paths");
    for (path, item) in paths {
        for method in METHODS {
            let Some(operation) = item.get_mut(method) else { continue };
            if operation.get("security") == Some(&json!([{}])) {
                continue;
            }
            let needed: Vec<String> = operation
                .pointer("/security/0/bearerToken")
                .and_then(|scopes| serde_json::from_value(scopes.clone()).ok())
                .unwrap_or_else(|| {
                    panic!("{method} {path} names no bearer scopes: add security((\"bearerToken\" = [...]))")
                });
            let scopes = crate::tokens::Scopes::parse(&needed)
                .unwrap_or_else(|error| panic!("{method} {path} names scopes that are no valid set: {error}"));
            let mut alternatives = vec![json!({ "bearerToken": needed })];
            if scopes.contains(crate::tokens::Scope::ReadApi) {
                let with_api: Vec<&str> =
                    needed.iter().map(|scope| if scope == "read_api" { "api" } else { scope.as_str() }).collect();
                alternatives.push(json!({ "bearerToken": with_api }));
            }
            alternatives.push(json!({ "basicCredentials": [] }));
            operation["security"] = alternatives.into();
        }
    }
}

/// Every operation of the document.
fn operations(openapi: &mut utoipa::openapi::OpenApi) -> impl Iterator<Item = &mut Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch, &mut item.head]
            .into_iter()
            .filter_map(Option::as_mut)
    })
}

/// Regular expressions for request fields, in the dialect JSON Schema and schemathesis share
/// (ECMA-262 and Python agree on everything used here).
pub mod patterns {
    /// What `str::trim` removes: Unicode `White_Space`.
    const SPACE: &str = r"\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
    /// What `text::is_hidden` refuses: Unicode `Cc`, and `Cf` from the same table as the server.
    /// Outside the Basic Multilingual Plane a character is written `\U0001XXXX`, which Python
    /// (openapi-spec-validator, schemathesis) and the Rust `regex` crate both read; ECMA-262's
    /// `\u{...}` is not read by Python.
    fn hidden() -> String {
        let char = |code: u32| if code <= 0xFFFF { format!(r"\u{code:04X}") } else { format!(r"\U{code:08X}") };
        let mut class = r"\x00-\x1F\x7F-\x9F".to_owned();
        for &(first, last) in crate::text::FORMAT_RANGES {
            class.push_str(&char(first));
            if last != first {
                class.push('-');
                class.push_str(&char(last));
            }
        }
        class
    }

    /// One line of text that the server trims, then takes with `min_chars` (0 or 1) to `max_chars`
    /// characters and no control character.
    pub fn trimmed_line(min_chars: usize, max_chars: usize) -> String {
        assert!(min_chars <= 1 && max_chars >= 2);
        let hidden = hidden();
        let edge = format!("[^{hidden}{SPACE}]");
        let inner = format!("[^{hidden}]");
        let text = format!("{edge}(?:{inner}{{0,{}}}{edge})?", max_chars - 2);
        let text = if min_chars == 0 { format!("(?:{text})?") } else { text };
        format!("^[{SPACE}]*{text}[{SPACE}]*$")
    }

    /// A word of `min_chars` to `max_chars` characters of `class`, which the server trims.
    pub fn trimmed_word(class: &str, min_chars: usize, max_chars: usize) -> String {
        format!("^[{SPACE}]*[{class}]{{{min_chars},{max_chars}}}[{SPACE}]*$")
    }
}

/// Field schemas for rules the derive cannot state, for `#[schema(schema_with = ...)]`.
pub mod fields {
    use utoipa::openapi::{
        KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat,
        schema::{SchemaType, Type},
    };

    fn of_type(kind: Type, nullable: bool) -> SchemaType {
        if nullable { SchemaType::from_iter([kind, Type::Null]) } else { SchemaType::new(kind) }
    }

    /// An integer that is `-1` (a word for "none" or "unlimited") or from 1 to `max`.
    pub fn minus_one_or_up_to(max: i64, description: &str, nullable: bool) -> Schema {
        minus_one_or_range(1, max, description, nullable)
    }

    /// `-1`, or an integer from `min` to `max`.
    pub fn minus_one_or_range(min: i64, max: i64, description: &str, nullable: bool) -> Schema {
        let int64 = || Some(SchemaFormat::KnownFormat(KnownFormat::Int64));
        let mut one_of = OneOfBuilder::new()
            .description(Some(description))
            .item(ObjectBuilder::new().schema_type(Type::Integer).format(int64()).enum_values(Some([-1])))
            .item(
                ObjectBuilder::new().schema_type(Type::Integer).format(int64()).minimum(Some(min)).maximum(Some(max)),
            );
        if nullable {
            one_of = one_of.item(ObjectBuilder::new().schema_type(Type::Null));
        }
        one_of.into()
    }

    /// An integer from `min` to `max`.
    pub fn whole_number(min: i64, max: i64, description: &str, nullable: bool) -> Schema {
        ObjectBuilder::new()
            .schema_type(of_type(Type::Integer, nullable))
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(min))
            .maximum(Some(max))
            .description(Some(description))
            .into()
    }

    /// A string that matches `pattern`.
    pub fn text(pattern: String, description: &str, nullable: bool) -> Schema {
        ObjectBuilder::new()
            .schema_type(of_type(Type::String, nullable))
            .pattern(Some(pattern))
            .description(Some(description))
            .into()
    }

    /// A string of `min_chars` to `max_chars` characters.
    pub fn sized_text(min_chars: usize, max_chars: usize, description: &str, nullable: bool) -> Schema {
        ObjectBuilder::new()
            .schema_type(of_type(Type::String, nullable))
            .min_length(Some(min_chars))
            .max_length(Some(max_chars))
            .description(Some(description))
            .into()
    }
}

/// The finished document, serialised once at start-up.
#[derive(Clone)]
pub struct Document(pub Arc<serde_json::Value>);

impl Document {
    /// Finishes the document the routes were collected into: what every operation has in common,
    /// and the links between them (both need every path in place).
    pub fn new(mut openapi: utoipa::openapi::OpenApi) -> Self {
        CommonRefusals.modify(&mut openapi);
        let mut document = serde_json::to_value(&openapi).expect("the OpenAPI document serialises");
        add_links(&mut document);
        state_security(&mut document);
        // A token's scopes include `read_api` or `api` (`admin` alone is refused); utoipa's
        // schema types have no `contains` to say so.
        let scopes = document
            .pointer_mut("/components/schemas/NewTokenRequest/properties/scopes")
            .and_then(serde_json::Value::as_object_mut)
            .expect("NewTokenRequest has scopes");
        scopes.insert("contains".into(), json!({ "enum": ["read_api", "api"] }));
        Document(Arc::new(document))
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(open_api_spec))
}

/// This document.
#[utoipa::path(get, operation_id = "getOpenApiSpec", path = "/open-api-spec", tag = "Workspace",
    security(("bearerToken" = ["read_api"])),
    responses(
    (status = 200, description = "The OpenAPI 3 document of every /v4 endpoint", content_type = "application/json")
))]
async fn open_api_spec(Extension(document): Extension<Document>) -> Json<serde_json::Value> {
    Json(document.0.as_ref().clone())
}

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::patterns;
    use crate::{
        people::{DisplayName, Username},
        tokens::Description,
    };

    /// Strings at the edges of the text rules: whitespace the server trims and whitespace it does
    /// not, control characters inside and around, lengths around the limits.
    fn samples() -> Vec<String> {
        let mut samples: Vec<String> = [
            "",
            " ",
            "a",
            " a ",
            "\ta\n",
            "a\tb",
            "\u{1c}a",
            "a\u{85}",
            "\u{a0}a\u{3000}",
            "\u{feff}a",
            "é",
            "a b",
            "x\u{202E}y",
            "\u{200B}",
            "a\u{E0041}",
            "\u{110BD}",
            "\u{1343F}z",
            "😀",
            "a\u{2028}b",
            "\u{AD}",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        for length in [63, 64, 65, 99, 100, 101, 254, 255, 256] {
            samples.push("x".repeat(length));
            samples.push(format!(" {} ", "é".repeat(length)));
            samples.push(format!("a{}b", " ".repeat(length.saturating_sub(2))));
        }
        samples.extend(["alice@example.com", "Alice.Smith", "al ice", "zoë", "a+b-c_d"].map(str::to_owned));
        samples
    }

    fn agrees(pattern: &str, accepts: impl Fn(&str) -> bool) {
        let rust = Regex::new(pattern).expect("the pattern compiles");
        for sample in samples() {
            assert_eq!(rust.is_match(&sample), accepts(&sample), "{pattern} on {sample:?}");
        }
    }

    #[test]
    fn the_text_patterns_accept_exactly_what_the_server_accepts() {
        agrees(&patterns::trimmed_line(0, Description::MAX_CHARS), |text| Description::parse(text).is_ok());
        agrees(&patterns::trimmed_line(1, DisplayName::MAX_CHARS), |text| DisplayName::parse(text).is_ok());
        agrees(&patterns::trimmed_word(Username::CHARACTERS, 1, Username::MAX_LEN), |text| {
            Username::parse(text).is_ok()
        });
    }
}
