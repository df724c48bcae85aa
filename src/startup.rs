//! Builds the whole application from [`Settings`]: `main` serves it, and the integration tests build
//! the very same router on a random port.

use std::sync::{Arc, OnceLock};

use axum::{
    Extension, Router,
    body::Body,
    extract::Request,
    middleware::{self, Next},
    response::Response,
    routing::{get, post},
};
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list_with_exclusions_and_ssg_and_context};
use tower_http::compression::{
    CompressionLayer,
    predicate::{DefaultPredicate, NotForContentType, Predicate},
};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::{
    app::{App, shell},
    audit,
    auth::{
        self, csrf::refuse_cross_site, guard::require_session_for_pages, layer::authenticate, session::CookiePolicy,
    },
    config::Settings,
    error::{method_not_allowed, route_not_found},
    form_posts,
    health::healthz,
    monitoring::{self, Metrics},
    openapi::{self, ApiDoc},
    people::{self, accounts},
    state::AppState,
    static_files::{self, StaticFiles},
    store::Store,
    tokens, webhooks, workspace,
};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot open the database: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create the first admin: {0}")]
    FirstAdmin(accounts::AccountError),
    #[error("cannot listen: {0}")]
    Listen(#[from] std::io::Error),
}

/// Opens and migrates the store, makes sure there is an admin, and builds the router.
pub async fn build(settings: Settings) -> Result<(Router, AppState), StartupError> {
    let store = Store::connect(&settings.database_url).await?;
    store.migrate().await?;
    accounts::ensure_first_admin(&store, &settings.first_admin).await.map_err(StartupError::FirstAdmin)?;
    // Under `cargo leptos watch` the files change while the server runs: read them from disk there.
    let watching = std::env::var_os("LEPTOS_WATCH").is_some();
    let static_files =
        Arc::new(if watching { StaticFiles::default() } else { StaticFiles::load(&settings.leptos_options) });
    let state = AppState {
        static_files,
        leptos_options: settings.leptos_options,
        store,
        login_throttle: Arc::default(),
        usage: Arc::default(),
        token_cache: Arc::default(),
        leak_reports: Arc::default(),
        metrics: Metrics::install(),
        trust_proxy_headers: settings.trust_proxy_headers,
        cookies: CookiePolicy {
            always_secure: settings.secure_cookies,
            trust_proxy_headers: settings.trust_proxy_headers,
        },
    };
    Ok((router(state.clone()), state))
}

pub fn router(state: AppState) -> Router {
    let routes = page_routes(&state);
    let (v4, document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(
            "/v4",
            OpenApiRouter::new()
                .merge(audit::api::router())
                .merge(people::api::router())
                .merge(tokens::api::router())
                .merge(workspace::api::router())
                .merge(webhooks::api::router())
                .merge(openapi::router())
                .fallback(route_not_found)
                .layer(middleware::from_fn_with_state(state.clone(), authenticate)),
        )
        .split_for_parts();
    let document = openapi::Document::new(document);
    // A wrong method gets the JSON error body too. (axum answers it before the authentication
    // layer, as it did with its own empty 405.)
    let v4 = v4.method_not_allowed_fallback(method_not_allowed).layer(Extension(document));

    let pages = Router::new()
        // leptos_axum provides the state to every page render and server function as context.
        .leptos_routes(&state, routes, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .route_layer(middleware::from_fn_with_state(state.clone(), require_session_for_pages))
        // The pages' forms post to the page (see `form_posts`).
        .route("/preferences/access-tokens", post(tokens::form_posts::handle))
        .route("/signin", form_posts::public_page(auth::page::sign_in_intents))
        .route("/preferences", form_posts::page(auth::page::preferences_intents))
        .route("/users", form_posts::page(people::page::intents))
        .route("/workspace/settings", form_posts::page(workspace::page::intents))
        .route("/notices/expiring-tokens", post(tokens::expiring::dismiss));

    // Prometheus metrics for admins; the same credentials as /v4.
    let metrics = Router::new()
        .route("/metrics", get(monitoring::for_admins))
        .layer(middleware::from_fn_with_state(state.clone(), authenticate));

    let mut router = Router::new().route("/healthz", get(healthz));
    if !state.static_files.is_empty() {
        router = router.route("/pkg/{*file}", get(static_files::serve));
    }
    router
        .merge(v4)
        .merge(metrics)
        .merge(pages)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(server_fn_error_status))
        .layer(middleware::from_fn(refuse_cross_site))
        // Outside everything but compression: the request's id and span, and its metrics.
        .layer(middleware::from_fn_with_state(state.trust_proxy_headers, monitoring::observe))
        // Outermost, so the layers above see plain bodies. A page's rows repeat their markup: a
        // page of 100 tokens shrinks about tenfold; so does the API's JSON. Not the wasm: `scripts/serve` compresses it once at build time (those answers
        // already carry a Content-Encoding, which this layer leaves alone), and compressing
        // megabytes anew for each download of an uncompressed build costs more than it saves.
        .layer(CompressionLayer::new().compress_when(
            DefaultPredicate::new().and(NotForContentType::const_new("application/wasm")).and(NotAStaticFile),
        ))
        .with_state(state)
}

/// The site's own files are precompressed or not at all: never compressed anew per request.
#[derive(Clone, Copy)]
struct NotAStaticFile;

impl tower_http::compression::Predicate for NotAStaticFile {
    fn should_compress<B: axum::body::HttpBody>(&self, response: &axum::http::Response<B>) -> bool {
        response.extensions().get::<static_files::StaticFile>().is_none()
    }
}

/// The app's page routes, listed once per process.
///
/// Leptos lists them by rendering the app, and while it does, a process-wide flag makes every
/// resource that starts loading meanwhile wait forever, in any render on any thread
/// (leptos-rs/leptos#4773): a page being served by another router in this process would never
/// finish. Listing once, before the first router exists, leaves no render to catch. The list
/// depends on `App` alone, so the first state serves for every later router.
fn page_routes(state: &AppState) -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES
        .get_or_init(|| {
            // The render starts the resources' fetchers, which need the state like any request's.
            let state = state.clone();
            generate_route_list_with_exclusions_and_ssg_and_context(App, None, move || provide_context(state.clone())).0
        })
        .clone()
}

/// Server functions answer every error with `500`. A refusal (wrong password, a rule, signed out) is
/// not a server failure: give it its own status, so that logs and monitoring count only real ones.
async fn server_fn_error_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    // leptos marks a server function's error answers with this header.
    if response.status() != axum::http::StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key("serverfnerror")
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Error bodies are a small JSON object; anything larger is left as it is.
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<crate::ui_error::UiError>(&bytes) {
        parts.status = error.status();
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// `GET /metrics` without credentials, for `METRICS_ADDR`: an address only the scraper reaches.
fn metrics_router(state: AppState) -> Router {
    Router::new().route("/metrics", get(monitoring::on_private_address)).with_state(state)
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub async fn serve(settings: Settings) -> Result<(), StartupError> {
    let address = settings.leptos_options.site_addr;
    let metrics_addr = settings.metrics_addr;
    let (app, state) = build(settings).await?;
    let listener = tokio::net::TcpListener::bind(address).await?;
    tracing::info!("serving on http://{} ({} store)", listener.local_addr()?, state.store.dialect());
    if let Some(metrics_addr) = metrics_addr {
        let listener = tokio::net::TcpListener::bind(metrics_addr).await?;
        tracing::info!("serving metrics on http://{}/metrics", listener.local_addr()?);
        let metrics = metrics_router(state.clone());
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, metrics).await {
                tracing::error!(%error, "the metrics listener stopped");
            }
        });
    }
    let (stop_usage, usage_stopped) = tokio::sync::oneshot::channel::<()>();
    let usage = tokio::spawn({
        let (usage, store) = (state.usage.clone(), state.store.clone());
        async move { usage.run(store, async { _ = usage_stopped.await }).await }
    });
    let (stop_audit, audit_stopped) = tokio::sync::oneshot::channel::<()>();
    let audit = tokio::spawn(audit::record::run(state.store.clone(), async { _ = audit_stopped.await }));
    // Webhook deliveries: what is queued in the database is sent from here (and from every other
    // instance); at shutdown, what is not sent waits in the database for the next start.
    let (stop_webhooks, webhooks_stopped) = tokio::sync::oneshot::channel::<()>();
    let webhooks = tokio::spawn(webhooks::dispatch::run(state.store.clone(), async { _ = webhooks_stopped.await }));
    let (stop_sweeps, sweeps_stopped) = tokio::sync::oneshot::channel::<()>();
    let sweeps = tokio::spawn(tokens::sweep::run(state.store.clone(), async { _ = sweeps_stopped.await }));
    // Histogram samples wait in buffers until upkeep folds them in; keep that bounded between scrapes.
    tokio::spawn({
        let metrics = state.metrics.clone();
        async move {
            let mut ticks = tokio::time::interval(std::time::Duration::from_secs(5));
            loop {
                ticks.tick().await;
                metrics.run_upkeep();
            }
        }
    });
    // With each connection's peer address: the per-client sign-in limit counts by it.
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    // The requests in flight are done: write their Last Used times, and any audit events still
    // waiting for the database, before closing it.
    _ = stop_usage.send(());
    _ = stop_audit.send(());
    _ = stop_webhooks.send(());
    _ = stop_sweeps.send(());
    _ = usage.await;
    _ = webhooks.await;
    _ = sweeps.await;
    _ = audit.await;
    state.store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
