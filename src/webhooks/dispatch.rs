//! Sends queued deliveries: every [`POLL_INTERVAL`], each instance claims what is due, signs each
//! body with its webhook's secret and posts it. A 2xx answer delivers it; anything else (another
//! status, a redirect, no answer within [`SEND_TIMEOUT`]) is tried again after [`RETRY_DELAYS`],
//! and given up after [`MAX_ATTEMPTS`]. Deliveries live in the database, so a restart only delays
//! them.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

use super::store::{self, Due, Outcome};
use crate::store::Store;

pub const POLL_INTERVAL: Duration = Duration::from_secs(2);
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// How long after each failed attempt the next one is made.
pub const RETRY_DELAYS: [Duration; 7] = [
    Duration::from_secs(10),
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 60 * 60),
    Duration::from_secs(6 * 60 * 60),
    Duration::from_secs(12 * 60 * 60),
];
/// The first attempt and one after each delay: about 21 hours of trying in all.
pub const MAX_ATTEMPTS: usize = RETRY_DELAYS.len() + 1;
/// How many deliveries an instance sends at once.
const BATCH: i64 = 20;

/// `sha256=<hex HMAC-SHA256 of body with secret>`, as `X-Signature-256` carries it.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sha256={hex}")
}

/// The HTTP client deliveries go out with: no redirects (a webhook answers where it was told to),
/// a bound on each attempt.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(SEND_TIMEOUT)
        .user_agent(concat!("access-tokens-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("an HTTP client")
}

/// Sends what is due at `now`, all at once (one slow endpoint holds up no other); how many were
/// attempted.
pub async fn deliver_due(
    store: &Store,
    client: &reqwest::Client,
    now: OffsetDateTime,
) -> Result<usize, crate::store::StoreError> {
    let due = store::claim_due(store, now, BATCH).await?;
    let attempted = due.len();
    let mut sends = tokio::task::JoinSet::new();
    for delivery in due {
        let (store, client) = (store.clone(), client.clone());
        sends.spawn(async move {
            let outcome = match send(&client, &delivery).await {
                Outcome::Refused { status, error, .. } => {
                    tracing::warn!(delivery = delivery.id, url = %delivery.url, ?status, ?error, attempt = delivery.attempts + 1, "a webhook delivery failed");
                    let delay = RETRY_DELAYS.get(delivery.attempts as usize).copied();
                    Outcome::Refused { status, error, retry_at: delay.map(|delay| now + delay) }
                }
                delivered => delivered,
            };
            let counted = match outcome {
                Outcome::Delivered { .. } => "delivered",
                Outcome::Refused { retry_at: Some(_), .. } => "retrying",
                Outcome::Refused { retry_at: None, .. } => "failed",
            };
            metrics::counter!("webhook_deliveries_total", "outcome" => counted).increment(1);
            store::record_attempt(&store, delivery.id, OffsetDateTime::now_utc(), outcome).await
        });
    }
    while let Some(done) = sends.join_next().await {
        done.expect("a delivery task does not panic")?;
    }
    Ok(attempted)
}

async fn send(client: &reqwest::Client, delivery: &Due) -> Outcome {
    let answer = client
        .post(&delivery.url)
        .header("content-type", "application/json")
        .header("x-signature-256", signature(&delivery.secret, delivery.payload.as_bytes()))
        .header("x-webhook-event", &delivery.event)
        .header("x-webhook-delivery", delivery.id.to_string())
        .body(delivery.payload.clone())
        .send()
        .await;
    match answer {
        Ok(answer) if answer.status().is_success() => Outcome::Delivered { status: answer.status().as_u16() },
        Ok(answer) => Outcome::Refused { status: Some(answer.status().as_u16()), error: None, retry_at: None },
        Err(error) => Outcome::Refused { status: None, error: Some(describe(error)), retry_at: None },
    }
}

/// Why a send got no answer, in words for the delivery log (without the URL, which is shown beside).
fn describe(error: reqwest::Error) -> String {
    if error.is_timeout() {
        format!("no answer within {} seconds", SEND_TIMEOUT.as_secs())
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        error.without_url().to_string()
    }
}

/// Sends due deliveries every [`POLL_INTERVAL`] until `shutdown` resolves.
pub async fn run(store: Store, shutdown: impl std::future::Future<Output = ()>) {
    let client = client();
    crate::periodic::every(POLL_INTERVAL, shutdown, || async {
        if let Err(error) = deliver_due(&store, &client, OffsetDateTime::now_utc()).await {
            tracing::warn!(%error, "cannot send webhook deliveries yet; will retry");
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hex_hmac_sha256_of_the_body() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn retries_back_off_and_end() {
        assert!(RETRY_DELAYS.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(MAX_ATTEMPTS, 8);
    }
}
