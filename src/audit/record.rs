//! Recording events where they happen: [`Event`] says what happened, by whom ([`Actor`]) and to
//! whom; [`record`] adds where from (the request's [`RequestOrigin`]) and when, and writes it.
//!
//! An event is written right after the change it records, in the request that made it: one small
//! insert, which is what keeps the trail complete. If the database refuses it (down for a moment),
//! the event waits in memory and [`run`] writes it as soon as the database is back, oldest first,
//! with its original time. At most [`MAX_WAITING`] events wait (then the oldest are dropped and
//! counted in `audit_events_dropped_total`), and a crash loses the waiting ones: a database that
//! stays down for long is an outage the monitoring reports.

use std::{
    collections::VecDeque,
    sync::{LazyLock, Mutex},
    time::{Duration, Instant},
};

use serde::Serialize;

use super::{EventKind, Via, context::RequestOrigin, store};
use crate::{
    auth::{
        layer::{Caller, Credential},
        throttle::LoginThrottle,
    },
    people::{Person, PersonId},
    store::{Store, now_millis},
    tokens::TokenId,
};

/// Who acted, and how they were signed in.
#[derive(Clone, Debug)]
pub struct Actor {
    person: Option<(PersonId, String)>,
    via: Via,
    token: Option<TokenId>,
}

impl Actor {
    /// A caller of the REST API, or of a page (a session).
    pub fn of(caller: &Caller) -> Self {
        let (via, token) = match &caller.via {
            Credential::Password => (Via::Password, None),
            Credential::Session => (Via::Session, None),
            Credential::Token { id, .. } => (Via::Token, Some(*id)),
        };
        Actor { person: Some((caller.person.id, caller.person.username.clone())), via, token }
    }

    /// A signed-in person on a page.
    pub fn session(person: &Person) -> Self {
        Actor { person: Some((person.id, person.username.clone())), via: Via::Session, token: None }
    }

    /// Someone who just gave `person`'s password (a sign-in).
    pub fn password(person: &Person) -> Self {
        Actor { person: Some((person.id, person.username.clone())), via: Via::Password, token: None }
    }

    /// The server's command line.
    pub fn console() -> Self {
        Actor { person: None, via: Via::Console, token: None }
    }

    /// Nobody signed in: a failed or throttled sign-in.
    pub fn nobody() -> Self {
        Actor { person: None, via: Via::None, token: None }
    }
}

/// What happened, by whom, to whom.
#[derive(Debug)]
pub struct Event {
    kind: EventKind,
    actor: Actor,
    subject_person: Option<(PersonId, String)>,
    subject_token: Option<TokenId>,
    details: serde_json::Map<String, serde_json::Value>,
}

impl Event {
    pub fn new(kind: EventKind, actor: &Actor) -> Self {
        Event { kind, actor: actor.clone(), subject_person: None, subject_token: None, details: Default::default() }
    }

    /// The person acted on.
    pub fn on(mut self, person: &Person) -> Self {
        self.subject_person = Some((person.id, person.username.clone()));
        self
    }

    /// The person acted on, by id and their username (if known).
    pub fn on_id(mut self, id: PersonId, username: String) -> Self {
        self.subject_person = Some((id, username));
        self
    }

    /// The token acted on.
    pub fn token(mut self, token: TokenId) -> Self {
        self.subject_token = Some(token);
        self
    }

    /// One more detail. Never a secret: only what a reader of the trail may see.
    pub fn detail(mut self, key: &str, value: impl Serialize) -> Self {
        self.details.insert(key.to_owned(), serde_json::to_value(value).unwrap_or(serde_json::Value::Null));
        self
    }

    fn into_row(self, origin: &RequestOrigin) -> store::NewEvent {
        let (actor_id, actor_username) = self.actor.person.map_or((None, None), |(id, name)| (Some(id.0), Some(name)));
        let (subject_person_id, subject_username) =
            self.subject_person.map_or((None, None), |(id, name)| (Some(id.0), Some(name)));
        store::NewEvent {
            at_millis: now_millis(),
            kind: self.kind,
            actor_id,
            actor_username,
            via: self.actor.via,
            via_token_id: self.actor.token.map(|id| id.to_string()),
            subject_person_id,
            subject_username,
            subject_token_id: self.subject_token.map(|id| id.to_string()),
            details: serde_json::Value::Object(self.details).to_string(),
            client_ip: origin.client.map(|ip| ip.to_string()),
            user_agent: origin.user_agent_text(),
        }
    }
}

/// Writes `event`, from the request being served. Never fails: an event the database refuses
/// waits for [`run`] to write it. The write runs as a task of its own, which the request awaits:
/// a client hanging up (which drops the request's future) cannot drop the record of a change
/// already made.
pub async fn record(store: &Store, event: Event) {
    let row = event.into_row(&RequestOrigin::current());
    let store = store.clone();
    let write = tokio::spawn(async move {
        if let Err(error) = store::insert(&store, &row).await {
            tracing::warn!(%error, kind = %row.kind, "an audit event waits for the database");
            wait(&store, row);
        }
    });
    _ = write.await;
}

/// Records a refused sign-in attempt for being throttled, at most once a minute per username and
/// client (as `throttle` keeps count): refusals cost nothing, so an attacker could otherwise fill
/// the trail at will.
pub async fn record_throttled(store: &Store, throttle: &LoginThrottle, username: &str, retry_after_seconds: u64) {
    let origin = RequestOrigin::current();
    if !throttle.first_refusal_in_a_minute(username, origin.client) {
        return;
    }
    let event = Event::new(EventKind::SignInThrottled, &Actor::nobody())
        .detail("username", username)
        .detail("retryAfterSeconds", retry_after_seconds);
    let row = event.into_row(&origin);
    let store = store.clone();
    _ = tokio::spawn(async move {
        if store::insert(&store, &row).await.is_err() {
            wait(&store, row);
        }
    })
    .await;
}

/// The most events that wait for the database at once.
pub const MAX_WAITING: usize = 100_000;

/// Events the database refused, with the database they go to (one process may serve several
/// stores: the tests do).
static WAITING: LazyLock<Mutex<VecDeque<(Store, store::NewEvent)>>> = LazyLock::new(Default::default);

fn wait(store: &Store, row: store::NewEvent) {
    let mut waiting = WAITING.lock().expect("audit queue lock");
    if waiting.len() >= MAX_WAITING {
        waiting.pop_front();
        metrics::counter!("audit_events_dropped_total").increment(1);
    }
    waiting.push_back((store.clone(), row));
}

/// How many events wait for the database.
pub fn waiting() -> usize {
    WAITING.lock().expect("audit queue lock").len()
}

/// Writes the waiting events for `store`, oldest first, until the database refuses one: how many
/// were written.
pub async fn write_waiting(store: &Store) -> usize {
    let mut written = 0;
    loop {
        let next = {
            let waiting = WAITING.lock().expect("audit queue lock");
            waiting.iter().find(|(to, _)| to.same_as(store)).map(|(_, row)| row.clone())
        };
        let Some(row) = next else { return written };
        if store::insert(store, &row).await.is_err() {
            return written;
        }
        let mut waiting = WAITING.lock().expect("audit queue lock");
        if let Some(position) = waiting.iter().position(|(to, waiting)| to.same_as(store) && *waiting == row) {
            waiting.remove(position);
        }
        written += 1;
    }
}

/// The audit trail's upkeep, until `stop`: writes waiting events every second, and prunes events
/// older than the workspace's retention every hour (and at start).
pub async fn run(store: Store, stop: impl Future<Output = ()>) {
    let upkeep = async {
        let mut ticks = tokio::time::interval(Duration::from_secs(1));
        let mut pruned_at: Option<Instant> = None;
        loop {
            ticks.tick().await;
            write_waiting(&store).await;
            if pruned_at.is_none_or(|at| at.elapsed() >= Duration::from_secs(3600)) {
                match store::prune(&store).await {
                    Ok(pruned) if pruned > 0 => tracing::info!(pruned, "pruned audit events past their retention"),
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error, "could not prune audit events"),
                }
                pruned_at = Some(Instant::now());
            }
        }
    };
    tokio::select! {
        () = upkeep => {}
        () = stop => {}
    }
    write_waiting(&store).await;
}
