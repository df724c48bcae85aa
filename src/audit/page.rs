//! The Audit Log page (`/audit`, workspace admins) and one's own activity
//! (`/preferences/activity`, everyone): events newest first, filtered by person, kind and dates,
//! a page at a time. The filters are a plain GET form and the pager plain links, so both work
//! without JavaScript: the URL says everything.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{AuditEvent, AuditFilter, AuditPage, Cursor, EventKind, Via, server_fns::audit_events};
use crate::{
    auth::viewer::{admins_only, signed_in},
    paging::Page,
    people::{Person, server_fns::list_people},
    timestamp,
    ui_error::UiError,
};

/// The list a URL asks for: `?person=&kind=&since=YYYY-MM-DD&until=YYYY-MM-DD&cursor=`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    pub person: Option<i64>,
    pub kind: Option<EventKind>,
    /// The first day shown (a date, UTC).
    pub since: Option<String>,
    /// The last day shown (a date, UTC; the whole day).
    pub until: Option<String>,
    pub cursor: Option<String>,
}

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

fn date(text: Option<&str>) -> Option<time::Date> {
    time::Date::parse(text?.trim(), DATE).ok()
}

impl Query {
    fn from_url(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |name: &str| get(name).filter(|value| !value.trim().is_empty());
        Query {
            person: text("person").and_then(|id| id.parse().ok()),
            kind: text("kind").and_then(|kind| EventKind::parse(&kind)),
            since: text("since").filter(|value| date(Some(value)).is_some()),
            until: text("until").filter(|value| date(Some(value)).is_some()),
            cursor: text("cursor").filter(|value| Cursor::parse(value).is_some()),
        }
    }

    /// The filter and cursor this asks for. Dates that do not parse are left out.
    pub fn filter(&self) -> (AuditFilter, Option<Cursor>) {
        let midnight = |day: time::Date| day.midnight().assume_utc();
        let filter = AuditFilter {
            person: self.person,
            kind: self.kind,
            since: date(self.since.as_deref()).map(midnight),
            until: date(self.until.as_deref()).and_then(time::Date::next_day).map(midnight),
        };
        (filter, self.cursor.as_deref().and_then(Cursor::parse))
    }

    /// The URL of this list on `path`, at `cursor` (`None`: the newest events).
    fn href(&self, path: &str, cursor: Option<&str>) -> String {
        let mut query = Vec::new();
        if let Some(person) = self.person {
            query.push(format!("person={person}"));
        }
        if let Some(kind) = self.kind {
            query.push(format!("kind={}", kind.as_str()));
        }
        if let Some(since) = &self.since {
            query.push(format!("since={since}"));
        }
        if let Some(until) = &self.until {
            query.push(format!("until={until}"));
        }
        if let Some(cursor) = cursor {
            query.push(format!("cursor={cursor}"));
        }
        if query.is_empty() { path.to_owned() } else { format!("{path}?{}", query.join("&")) }
    }
}

fn use_audit_query() -> Memo<Query> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|query| Query::from_url(|name| query.get(name))))
}

fn load(own: bool, query: Memo<Query>) -> Resource<Result<AuditPage, UiError>> {
    Resource::new(
        move || query.get(),
        move |query| {
            audit_events(
                own,
                query.person,
                query.kind.map(|kind| kind.as_str().to_owned()),
                query.since,
                query.until,
                query.cursor,
            )
        },
    )
}

#[component]
pub fn AuditLogPage() -> impl IntoView {
    // Data loading lives above the `<Suspense/>` that reads it (see `people::page::UsersPage`).
    let query = use_audit_query();
    let events = load(false, query);
    let people = Resource::new(|| (), |_| list_people());
    view! {
        <Title text="Audit Log · Access Tokens"/>
        {admins_only("Audit Log", "Only workspace admins read the audit log. Your own activity is under Preferences.", move |_| {
            view! {
                <h1>"Audit Log"</h1>
                <p class="hint">"Every sign-in, change to people, tokens and settings: who did it, how they were signed in, and from where. Newest first."</p>
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        let people = people.await.map(|page: Page<Person>| page.data).unwrap_or_default();
                        view! { <Filters path="/audit" query=query.get_untracked() people=Some(people)/> }
                    })}
                </Transition>
                <Events path="/audit" query events/>
            }
        })}
    }
}

#[component]
pub fn ActivityPage() -> impl IntoView {
    let query = use_audit_query();
    let events = load(true, query);
    view! {
        <Title text="Your activity · Access Tokens"/>
        {signed_in(move |_| {
            view! {
                <h1>"Your activity"</h1>
                <p class="hint">"What you did, and what was done to your account and tokens (and by whom), newest first."</p>
                <Filters path="/preferences/activity" query=query.get_untracked() people=None/>
                <Events path="/preferences/activity" query events/>
            }
        })}
    }
}

/// The filters: a GET form to the page itself.
#[component]
fn Filters(path: &'static str, query: Query, people: Option<Vec<Person>>) -> impl IntoView {
    let person_filter = people.map(|people| {
        let chosen = query.person;
        view! {
            <div class="field">
                <label for="audit-person">"Person"</label>
                <select id="audit-person" name="person">
                    <option value="" selected=chosen.is_none()>"Anyone"</option>
                    {people.into_iter().map(|person| {
                        let selected = chosen == Some(person.id.0);
                        view! { <option value=person.id.0.to_string() selected=selected>{person.username}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    });
    let kind = query.kind;
    view! {
        <form method="get" action=path class="form filters" aria-label="Filter events">
            {person_filter}
            <div class="field">
                <label for="audit-kind">"Event"</label>
                <select id="audit-kind" name="kind">
                    <option value="" selected=kind.is_none()>"Any event"</option>
                    {EventKind::ALL.into_iter().map(|option| {
                        view! { <option value=option.as_str() selected=kind == Some(option)>{option.label()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="audit-since">"From"</label>
                <input id="audit-since" name="since" type="date" value=query.since.clone().unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="audit-until">"To"</label>
                <input id="audit-until" name="until" type="date" value=query.until.clone().unwrap_or_default()/>
            </div>
            <div class="form-buttons">
                <button type="submit" class="primary">"Filter"</button>
                <a href=path>"Clear"</a>
            </div>
        </form>
    }
}

#[component]
fn Events(path: &'static str, query: Memo<Query>, events: Resource<Result<AuditPage, UiError>>) -> impl IntoView {
    view! {
        <section class="card" aria-label="Events">
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match events.await {
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                        Ok(AuditPage { data, next_cursor }) => {
                            let query = query.get_untracked();
                            let newest = query.cursor.is_some().then(|| {
                                view! { <a href=query.href(path, None)>"← Newest events"</a> }
                            });
                            let older = next_cursor.map(|cursor| {
                                view! { <a href=query.href(path, Some(&cursor)) rel="next">"Older events →"</a> }
                            });
                            if data.is_empty() {
                                return view! {
                                    <p class="empty">"No events match."</p>
                                    <nav class="pager" aria-label="Pages">{newest}</nav>
                                }.into_any();
                            }
                            view! {
                                <div class="table-scroll">
                                    <table class="data audit">
                                        <thead>
                                            <tr>
                                                <th scope="col">"Time (UTC)"</th>
                                                <th scope="col">"Event"</th>
                                                <th scope="col">"Actor"</th>
                                                <th scope="col">"Via"</th>
                                                <th scope="col">"Subject"</th>
                                                <th scope="col">"Details"</th>
                                                <th scope="col">"Client"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {data.into_iter().map(|event| view! { <EventRow event/> }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <nav class="pager" aria-label="Pages">{newest}" "{older}</nav>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn EventRow(event: AuditEvent) -> impl IntoView {
    let via = match (event.via, &event.via_token_id) {
        (Via::Token, Some(id)) => view! { "token " <TokenId id=id.clone()/> }.into_any(),
        (other, _) => other.as_str().into_any(),
    };
    let subject_token = event.subject_token_id.clone().map(|id| {
        view! { <span class="subject-token">"token " <TokenId id/></span> }
    });
    let details = detail_lines(&event.details);
    view! {
        <tr>
            <td><time datetime=timestamp::format(event.at)>{timestamp::exact_utc(event.at)}</time></td>
            <td><span class="event-kind" data-kind=event.kind.as_str()>{event.kind.label()}</span></td>
            <td>{event.actor_username.clone().unwrap_or_else(|| "—".to_owned())}</td>
            <td>{via}</td>
            <td>{event.subject_username.clone()}{subject_token}</td>
            <td class="details">
                <ul>{details.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
            </td>
            <td class="client">
                {event.client_ip.clone()}
                {event.user_agent.clone().map(|agent| view! { <span class="user-agent">{agent}</span> })}
            </td>
        </tr>
    }
}

/// A token id: its first characters, the whole id on hover.
#[component]
fn TokenId(id: String) -> impl IntoView {
    let short: String = id.chars().take(8).collect();
    view! { <code class="token-id" title=id.clone() data-id=id>{short}"…"</code> }
}

/// An event's details, a line each: `name: value`, and `name: old → new` for a change.
pub(crate) fn detail_lines(details: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    fn text(value: &Value) -> String {
        match value {
            Value::Null => "—".to_owned(),
            Value::String(text) if text.is_empty() => "(none)".to_owned(),
            Value::String(text) => text.clone(),
            Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
            other => other.to_string(),
        }
    }
    let Value::Object(map) = details else { return Vec::new() };
    let mut lines = Vec::new();
    for (name, detail) in map {
        match detail {
            Value::Object(change) if change.contains_key("from") && change.contains_key("to") => {
                lines.push(format!("{name}: {} → {}", text(&change["from"]), text(&change["to"])));
            }
            Value::Object(_) => lines.extend(detail_lines(detail)),
            other => lines.push(format!("{name}: {}", text(other))),
        }
    }
    lines
}
#[cfg(test)]
mod tests {
    use super::*;

    fn url(pairs: &[(&str, &str)]) -> Query {
        Query::from_url(|name| pairs.iter().find(|(key, _)| *key == name).map(|(_, value)| (*value).to_owned()))
    }

    #[test]
    fn details_read_as_lines_with_changes_as_arrows() {
        // (In the order of their names, as serde_json keeps them.)
        let details = serde_json::json!({
            "changes": { "maxTokenLifetimeDays": { "from": -1, "to": 30 } },
            "scopes": ["api", "admin"],
            "description": "",
            "expiresAt": null,
        });
        assert_eq!(
            detail_lines(&details),
            ["maxTokenLifetimeDays: -1 → 30", "description: (none)", "expiresAt: —", "scopes: api, admin"]
        );
    }

    #[test]
    fn the_url_says_which_events() {
        let query =
            url(&[("person", "3"), ("kind", "token.deleted"), ("since", "2026-11-01"), ("until", "2026-11-27")]);
        let (filter, cursor) = query.filter();
        assert_eq!(filter.person, Some(3));
        assert_eq!(filter.kind, Some(EventKind::TokenDeleted));
        assert_eq!(filter.since.map(timestamp::format).as_deref(), Some("2026-11-01T00:00:00.000Z"));
        assert_eq!(
            filter.until.map(timestamp::format).as_deref(),
            Some("2026-11-28T00:00:00.000Z"),
            "the whole last day"
        );
        assert_eq!(cursor, None);
        assert_eq!(
            query.href("/audit", Some("5.6")),
            "/audit?person=3&kind=token.deleted&since=2026-11-01&until=2026-11-27&cursor=5.6"
        );
        assert_eq!(url(&[("kind", "nonsense"), ("since", "yesterday"), ("cursor", "x")]), Query::default());
    }
}
