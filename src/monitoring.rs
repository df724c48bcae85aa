//! What the server counts, in Prometheus's text format: requests by route and status with their
//! latency, authentication outcomes by reason, Last Used flushes, and database connections.
//!
//! `GET /metrics` serves it to workspace admins (Basic or bearer credentials, like `/v4`); where
//! `METRICS_ADDR` is set, it is also served there without credentials, for a scraper on a private
//! network. The counters live in one recorder per process (the `metrics` facade is global).

use std::{sync::OnceLock, time::Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use tracing::Instrument;

use crate::{
    auth::layer::Caller, error::ApiError, request_id::RequestId, state::AppState, store::Store, tokens::usage::UsageLog,
};

/// Request latency buckets, in seconds: from a token check answered from memory to a slow page.
const LATENCY_BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
/// Last Used lag buckets, in seconds: a flush every 10 s, retried while the database is down.
const LAG_BUCKETS: &[f64] = &[1.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0];

/// The process's Prometheus recorder.
#[derive(Clone)]
pub struct Metrics(PrometheusHandle);

impl Metrics {
    /// The recorder, installed on first use (several apps in one process, as in the tests, share it).
    pub fn install() -> Self {
        static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
        let handle = HANDLE.get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full("http_request_duration_seconds".into()), LATENCY_BUCKETS)
                .and_then(|builder| {
                    builder.set_buckets_for_metric(Matcher::Full("token_usage_flush_lag_seconds".into()), LAG_BUCKETS)
                })
                .expect("the buckets are not empty")
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).expect("no other metrics recorder is installed");
            describe();
            handle
        });
        Metrics(handle.clone())
    }

    /// Everything counted so far, with the database pool and the pending Last Used times as they
    /// are now.
    pub fn render(&self, store: &Store, usage: &UsageLog) -> String {
        metrics::gauge!("token_usage_pending").set(usage.pending() as f64);
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
    describe_counter!("auth_attempts_total", "Credentials presented to /v4 and /metrics, by scheme and outcome");
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

/// Every request's way in and out: it gets its id ([`RequestId`]) and is served in a tracing span
/// named by it, so that every log line written meanwhile carries the id; the answer names the id;
/// a server error is logged; and the request is counted, with its latency, by method, route (the
/// route's template, so that token ids do not make a series each) and status. Every label has a
/// bounded set of values, whatever clients send. On the way, the request learns its client's IP
/// ([`crate::client_ip`]), which the audit trail also learns with the user agent
/// ([`crate::audit::context`]), a body announced too large is refused ([`crate::body_limit`]), and
/// the answer gets the browser's protective headers ([`crate::security_headers`]).
///
/// One middleware for all of that, not one each: an axum `from_fn` layer clones the whole stack
/// beneath it for every request, and three layers cost about a fifth of `/healthz`'s throughput.
pub async fn observe(State(trust_proxy): State<bool>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = RequestId::of(request.headers(), trust_proxy);
    let client = crate::client_ip::ClientIp::of(&request, trust_proxy);
    request.extensions_mut().insert(client);
    let user_agent = request.headers().get(axum::http::header::USER_AGENT).cloned();
    let https = crate::security_headers::over_https(request.headers(), trust_proxy);
    let static_file = crate::security_headers::is_static_file(request.uri().path());
    let method = method_of(&request);
    let route = request.extensions().get::<MatchedPath>().cloned();
    let fallback = fallback_route(&request);
    let span = tracing::info_span!("request", id = id.as_str(), method, path = request.uri().path());
    let served = async move {
        match crate::body_limit::limit(&mut request) {
            Err(refused) => refused,
            Ok(overflow) => {
                let api = request.uri().path().starts_with("/v4/");
                overflow.settle(api, next.run(request).await)
            }
        }
    };
    let origin = crate::audit::context::RequestOrigin { client: client.0, user_agent };
    let mut response = id.scope(origin.scope(served)).instrument(span.clone()).await;
    let status = response.status();
    if status.is_server_error() {
        span.in_scope(|| tracing::error!(status = status.as_u16(), "answered with a server error"));
    }
    id.name_in(&mut response);
    crate::security_headers::apply(&mut response, static_file, https);
    let route = route.as_ref().map_or(fallback, MatchedPath::as_str);
    RequestMetrics::with(method, route, status.as_u16(), |metrics| {
        metrics.count.increment(1);
        metrics.latency.record(started.elapsed().as_secs_f64());
    });
    response
}

/// Adds one to a counter whose two labels come from fixed sets (such as an authentication's scheme
/// and outcome), found once per thread like [`RequestMetrics`].
pub fn count(name: &'static str, labels: [(&'static str, &'static str); 2]) {
    use std::{cell::RefCell, collections::HashMap};
    type Series = (&'static str, [(&'static str, &'static str); 2]);
    thread_local! {
        static FOUND: RefCell<HashMap<Series, metrics::Counter>> = RefCell::default();
    }
    FOUND.with_borrow_mut(|found| {
        found.entry((name, labels)).or_insert_with(|| metrics::counter!(name, &labels)).increment(1);
    });
}

/// A request's two series: found once per thread, then updated without a lookup in the shared
/// registry (whose locks, taken by every worker for every request, cost more than the update).
struct RequestMetrics {
    count: metrics::Counter,
    latency: metrics::Histogram,
}

impl RequestMetrics {
    fn with(method: &'static str, route: &str, status: u16, update: impl FnOnce(&RequestMetrics)) {
        use std::{cell::RefCell, collections::HashMap};
        type ByRoute = HashMap<Box<str>, RequestMetrics>;
        thread_local! {
            static FOUND: RefCell<HashMap<(&'static str, u16), ByRoute>> = RefCell::default();
        }
        FOUND.with_borrow_mut(|found| {
            let by_route = found.entry((method, status)).or_default();
            if !by_route.contains_key(route) {
                let labels =
                    [("method", method.to_owned()), ("route", route.to_owned()), ("status", status.to_string())];
                let series = RequestMetrics {
                    count: metrics::counter!("http_requests_total", &labels),
                    latency: metrics::histogram!("http_request_duration_seconds", &labels),
                };
                by_route.insert(route.into(), series);
            }
            update(&by_route[route]);
        });
    }
}

fn method_of(request: &Request) -> &'static str {
    match *request.method() {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        // Any token is a method to HTTP: `FOO1`, `FOO2`, ... must not make a series each.
        _ => "other",
    }
}

/// The route label of a request no route matched: the site's own files, or nothing that exists.
fn fallback_route(request: &Request) -> &'static str {
    if request.uri().path().starts_with("/pkg/") { "/pkg/{file}" } else { "unmatched" }
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
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(&state.store, &state.usage),
    )
        .into_response()
}
