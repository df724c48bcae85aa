//! `GET /v4/open-api-spec`: the OpenAPI 3 document of every `/v4` endpoint.
//!
//! It is assembled from the handlers' `#[utoipa::path]` annotations by the same `OpenApiRouter`
//! calls that mount them (see `startup::router`), so a route cannot exist without its entry.

use std::sync::Arc;

use axum::{Extension, Json};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "access-tokens",
        description = "Workspace members manage their API access tokens; REST clients authenticate with \
                       `Authorization: Bearer <token>` (or HTTP Basic credentials)."
    ),
    modifiers(&Credentials),
    security(("bearerToken" = []), ("basicCredentials" = [])),
    tags(
        (name = "Access tokens", description = "Generate, list and delete API access tokens"),
        (name = "People", description = "The workspace's members"),
        (name = "Workspace", description = "Workspace settings"),
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
                    .description(Some("An access token: `Authorization: Bearer atk_...`"))
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

/// The finished document, serialised once at start-up.
#[derive(Clone)]
pub struct Document(pub Arc<serde_json::Value>);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(open_api_spec))
}

/// This document.
#[utoipa::path(get, path = "/open-api-spec", tag = "Workspace", responses(
    (status = 200, description = "The OpenAPI 3 document of every /v4 endpoint", content_type = "application/json")
))]
async fn open_api_spec(Extension(document): Extension<Document>) -> Json<serde_json::Value> {
    Json(document.0.as_ref().clone())
}
