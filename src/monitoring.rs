//! What the server counts, in Prometheus's text format: requests by route and status with their
//! latency, authentication outcomes by reason, Last Used flushes, and database connections.
//!
//! `GET /metrics` serves it to workspace admins (Basic or bearer credentials, like `/v4`); where
//! `METRICS_ADDR` is set, it is also served there without credentials, for a scraper on a private
//! network. The counters live in one recorder per process (the `metrics` facade is global).

use std::{sync::OnceLock, time::Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::{auth::layer::Caller, error::ApiError, state::AppState, store::Store};

/// Latency buckets, in seconds: from a cached token check to a slow page.
const BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The process's Prometheus recorder.
#[derive(Clone)]
pub struct Metrics(PrometheusHandle);

impl Metrics {
    /// The recorder, installed on first use (several apps in one process, as in the tests, share it).
    pub fn install() -> Self {
        static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
        let handle = HANDLE.get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
                .expect("the buckets are not empty")
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).expect("no other metrics recorder is installed");
            describe();
            handle
        });
        Metrics(handle.clone())
    }

    /// Everything counted so far, with the database pool as it is now.
    pub fn render(&self, store: &Store) -> String {
        let pool = store.pool_status();
        metrics::gauge!("db_pool_connections", "state" => "in_use").set(f64::from(pool.open.saturating_sub(pool.idle)));
        metrics::gauge!("db_pool_connections", "state" => "idle").set(f64::from(pool.idle));
        metrics::gauge!("db_pool_max_connections").set(f64::from(pool.max));
        self.0.run_upkeep();
        self.0.render()
    }

    /// Folds the latest histogram samples in, so that they take bounded memory between scrapes.
    pub fn run_upkeep(&self) {
        self.0.run_upkeep();
    }
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!("http_requests_total", "Requests answered, by method, route and status");
    describe_histogram!("http_request_duration_seconds", Unit::Seconds, "Time to answer, by method, route and status");
    describe_counter!("auth_attempts_total", "Credentials presented to /v4, by scheme and outcome");
    describe_counter!("token_usage_flushes_total", "Writes of pending Last Used times, by outcome");
    describe_histogram!(
        "token_usage_flush_lag_seconds",
        Unit::Seconds,
        "How long the oldest use a flush wrote had waited to be written"
    );
    describe_gauge!("token_usage_pending", "Tokens whose last use is not written yet");
    describe_gauge!("db_pool_connections", "Database connections, by state");
    describe_gauge!("db_pool_max_connections", "The most database connections the pool opens");
    describe_counter!("db_unavailable_total", "Database calls that failed because it did not answer");
}

/// Counts each request and its latency by method, route (the route's template, so that token ids
/// do not make a series each) and status.
pub async fn track_requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = route_of(&request);
    let response = next.run(request).await;
    let labels = [("method", method), ("route", route), ("status", response.status().as_u16().to_string())];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(started.elapsed().as_secs_f64());
    response
}

fn route_of(request: &Request) -> String {
    if let Some(path) = request.extensions().get::<MatchedPath>() {
        return path.as_str().to_owned();
    }
    // The fallback: the site's own files, or a page that does not exist.
    if request.uri().path().starts_with("/pkg/") { "/pkg/{file}".to_owned() } else { "unmatched".to_owned() }
}

/// `GET /metrics` on the app's own address: workspace admins only.
pub async fn for_admins(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require_admin()?;
    Ok(text(&state))
}

/// `GET /metrics` on `METRICS_ADDR`, a private address: no credentials.
pub async fn on_private_address(State(state): State<AppState>) -> Response {
    text(&state)
}

fn text(state: &AppState) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render(&state.store))
        .into_response()
}
