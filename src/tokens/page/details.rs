//! A token's own page (`/preferences/access-tokens/<token id>`): what it is, where it was used from
//! and how much (a bar a day for 30 days), and its history. Server HTML: it reads the same without
//! JavaScript, and its address can be shared with whoever may see the token (its owner, an admin).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    audit::{AuditEvent, EventKind, page::detail_lines},
    auth::viewer::signed_in,
    tokens::{
        DailyUses, RecentClient, Status, TokenId, TokenInfo,
        server_fns::{HISTORY_SHOWN, TokenPage, load_token_page},
    },
    ui::{thousands, time_or},
    ui_error::UiError,
};

/// Where a token's page is.
pub fn href(token_id: &str) -> String {
    format!("/preferences/access-tokens/{token_id}")
}

#[component]
pub fn TokenDetailsPage() -> impl IntoView {
    let params = use_params_map();
    let token_id = params.with_untracked(|params| params.get("id")).unwrap_or_default();
    let token = Resource::new(|| (), move |_| load_token_page(token_id.clone()));
    view! {
        <Title text="Access Token · Access Tokens"/>
        {signed_in(move |_| view! { <Details token/> })}
    }
}

#[component]
fn Details(token: Resource<Result<TokenPage, UiError>>) -> impl IntoView {
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <a href="/preferences">"Preferences"</a>" › "<a href="/preferences/access-tokens">"Access Tokens"</a>" › Token"
        </nav>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match token.await {
                    Ok(page) => view! { <Token page/> }.into_any(),
                    Err(error) => {
                        answer_status(&error);
                        view! {
                            <h1>"Access token"</h1>
                            <p class="error" role="alert">{error.to_string()}</p>
                            <p><a href="/preferences/access-tokens">"Back to the access tokens"</a></p>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// A token that is not there (deleted, never was, another member's) answers 404, as the REST API
/// does; other failures their own status.
fn answer_status(error: &UiError) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(match error {
            UiError::Refused(_) => axum::http::StatusCode::NOT_FOUND,
            other => other.status(),
        });
    }
    #[cfg(not(feature = "ssr"))]
    let _ = error;
}

#[component]
fn Token(page: TokenPage) -> impl IntoView {
    let TokenPage { details, owner, own, history, read_at } = page;
    let info = details.info;
    let id = info.token_id.to_string();
    let heading = match info.description.as_str() {
        "" => "Access token".to_owned(),
        description => description.to_owned(),
    };
    let owner = (!own).then(|| {
        view! {
            <dt>"Owner"</dt>
            <dd>{owner.name}" "<span class="muted">"("{owner.username}")"</span></dd>
        }
    });
    view! {
        <h1>{heading}</h1>
        <dl class="facts">
            <dt>"Token ID"</dt>
            <dd><code class="token-id-full">{id}</code></dd>
            {owner}
            <Facts info=info.clone() read_at/>
        </dl>
        <UsesChart days=details.usage.daily_uses/>
        <Clients clients=details.usage.recent_clients read_at/>
        <History events=history token=info read_at/>
    }
}

#[component]
fn Facts(info: TokenInfo, read_at: time::OffsetDateTime) -> impl IntoView {
    let status = Status::at(info.expired_at, read_at);
    let status_class = status.css_class();
    let link = |id: TokenId| {
        let id = id.to_string();
        view! { <a href=href(&id)><code class="token-id-full">{id.clone()}</code></a> }
    };
    let replaces = info.replaces.map(|id| view! { <dt>"Replaces"</dt><dd>{link(id)}</dd> });
    let replaced_by = info.replaced_by.map(|id| {
        view! {
            <dt>"Replaced by"</dt>
            <dd>{link(id)}" "<span class="muted">"(works until the new token's first use, at most until "{time_or(info.grace_ends_at, read_at, "")}")"</span></dd>
        }
    });
    let scopes = info.scopes.iter().map(|scope| view! { <code class="scope">{scope.name()}</code>" " }).collect_view();
    // A plain form to the server function, which sends the browser back here.
    let alert = view! {
        <form method="post" action="/api/set_new_ip_alert" class="inline-form">
            <input type="hidden" name="token_id" value=info.token_id.to_string()/>
            {(!info.alert_on_new_ip).then(|| view! { <input type="hidden" name="on" value="on"/> })}
            <span>{if info.alert_on_new_ip { "On: its owner is told of its first use from an address outside its last 5. " } else { "Off. " }}</span>
            <button type="submit" class="link">{if info.alert_on_new_ip { "Turn off" } else { "Turn on" }}</button>
        </form>
    };
    view! {
        <dt>"Description"</dt>
        <dd>{if info.description.is_empty() { view! { <span class="muted">"None"</span> }.into_any() } else { info.description.clone().into_any() }}</dd>
        <dt>"Scopes"</dt>
        <dd><span class="scopes" title=info.scopes.describe()>{scopes}</span></dd>
        <dt>"Status"</dt>
        <dd><span class=status_class>{status.to_string()}</span></dd>
        <dt>"Created"</dt>
        <dd>{time_or(Some(info.created_at), read_at, "")}</dd>
        <dt>"Expires"</dt>
        <dd>{time_or(info.expired_at, read_at, "Never")}</dd>
        <dt>"Last Used"</dt>
        <dd>{time_or(info.last_used, read_at, "Never")}</dd>
        <dt>"New address alert"</dt>
        <dd>{alert}</dd>
        {replaces}
        {replaced_by}
    }
}

/// Uses per day as bars, with a sentence that says what they show for those who cannot see them.
#[component]
fn UsesChart(days: Vec<DailyUses>) -> impl IntoView {
    let total: i64 = days.iter().map(|day| day.uses).sum();
    let busiest = days.iter().filter(|day| day.uses > 0).max_by_key(|day| day.uses);
    let summary = match busiest {
        None => "Not used in the last 30 days.".to_owned(),
        Some(busiest) => format!(
            "{} {} in the last 30 days; the most on {} ({}).",
            thousands(total),
            if total == 1 { "use" } else { "uses" },
            busiest.date,
            thousands(busiest.uses)
        ),
    };
    let bars = bars(&days);
    let first = days.first().map(|day| day.date.clone()).unwrap_or_default();
    view! {
        <section class="card usage" aria-labelledby="uses-heading">
            <h2 id="uses-heading">"Uses, last 30 days"</h2>
            <p id="uses-summary">{summary}</p>
            <svg class="uses-chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") preserveAspectRatio="none" role="img" aria-labelledby="uses-summary">
                {bars.into_iter().map(|bar| view! {
                    <rect class=bar.class x=bar.x y=bar.y width=BAR_WIDTH height=bar.height>
                        <title>{bar.title}</title>
                    </rect>
                }).collect_view()}
            </svg>
            <p class="chart-axis"><span>{first}</span><span>"Today (UTC)"</span></p>
        </section>
    }
}

const WIDTH: i64 = 300;
const HEIGHT: i64 = 80;
const BAR_WIDTH: i64 = 8;

struct Bar {
    class: &'static str,
    x: i64,
    y: i64,
    height: i64,
    title: String,
}

/// A bar per day, as tall as its uses against the busiest day's; a day without uses is a thin line,
/// so that the 30 days show as 30 places.
fn bars(days: &[DailyUses]) -> Vec<Bar> {
    let most = days.iter().map(|day| day.uses).max().unwrap_or(0).max(1);
    days.iter()
        .enumerate()
        .map(|(at, day)| {
            let height = match day.uses {
                0 => 1,
                uses => (uses * (HEIGHT - 2) / most).max(2),
            };
            Bar {
                class: if day.uses == 0 { "none" } else { "used" },
                x: at as i64 * (WIDTH / 30) + 1,
                y: HEIGHT - height,
                height,
                title: format!("{}: {} {}", day.date, thousands(day.uses), if day.uses == 1 { "use" } else { "uses" }),
            }
        })
        .collect()
}

#[component]
fn Clients(clients: Vec<RecentClient>, read_at: time::OffsetDateTime) -> impl IntoView {
    let body = if clients.is_empty() {
        view! { <p class="empty">"No request has been made with this token yet."</p> }.into_any()
    } else {
        view! {
            <div class="table-scroll">
                <table class="data clients">
                    <thead>
                        <tr>
                            <th scope="col">"Address"</th>
                            <th scope="col">"User agent"</th>
                            <th scope="col">"Last seen"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {clients.into_iter().map(|client| view! {
                            <tr>
                                <td data-label="Address"><code>{client.ip}</code></td>
                                <td data-label="User agent" class="user-agent">
                                    {if client.user_agent.is_empty() {
                                        view! { <span class="muted">"None sent"</span> }.into_any()
                                    } else {
                                        client.user_agent.into_any()
                                    }}
                                </td>
                                <td data-label="Last seen">{time_or(Some(client.last_seen), read_at, "")}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="clients-heading">
            <h2 id="clients-heading">"Where it was used"</h2>
            <p class="hint">"The last 5 addresses it was used from, with the program that sent each request."</p>
            {body}
        </section>
    }
}

#[component]
fn History(events: Vec<AuditEvent>, token: TokenInfo, read_at: time::OffsetDateTime) -> impl IntoView {
    let this = token.token_id.to_string();
    let cut = events.len() as i64 >= HISTORY_SHOWN;
    let items = events
        .into_iter()
        .map(|event| {
            // The rotation that made this token is an event about the token it replaced.
            let what = match (event.kind, event.subject_token_id.as_deref()) {
                (EventKind::TokenRotated, Some(old)) if old != this => {
                    let old = old.to_owned();
                    view! { "Generated by rotating "<a href=href(&old)><code class="token-id-full">{old.clone()}</code></a> }.into_any()
                }
                (kind, _) => kind.label().into_any(),
            };
            let by = match (&event.actor_username, event.kind) {
                (Some(actor), _) => format!("by {actor} ({})", event.via.as_str()),
                (None, EventKind::TokenReportedLeaked) => "reported without signing in".to_owned(),
                (None, _) => "by nobody signed in".to_owned(),
            };
            let details = match (event.kind, event.subject_token_id.as_deref()) {
                // The new token's own facts are on this page already.
                (EventKind::TokenRotated, Some(old)) if old != this => Vec::new(),
                _ => detail_lines(&event.details),
            };
            view! {
                <li>
                    <span class="what">{what}</span>" "<span class="by">{by}</span>
                    <span class="at">{time_or(Some(event.at), read_at, "")}</span>
                    {(!details.is_empty()).then(|| view! {
                        <ul class="details">{details.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="history-heading">
            <h2 id="history-heading">"History"</h2>
            <ol class="history">{items}</ol>
            {cut.then(|| view! { <p class="hint">"The latest "{HISTORY_SHOWN}" events. "<a href="/preferences/activity">"Your activity"</a>" has them all."</p> })}
            <p class="hint">"Events are kept for the workspace's audit retention period."</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(uses: &[i64]) -> Vec<DailyUses> {
        uses.iter()
            .enumerate()
            .map(|(at, uses)| DailyUses { date: format!("2026-11-{:02}", at + 1), uses: *uses })
            .collect()
    }

    #[test]
    fn the_busiest_day_fills_the_chart_and_every_day_has_its_place() {
        let bars = bars(&days(&[0, 3, 6, 1]));
        assert_eq!(bars.iter().map(|bar| bar.height).collect::<Vec<_>>(), [1, 39, 78, 13]);
        assert_eq!(bars.iter().map(|bar| bar.x).collect::<Vec<_>>(), [1, 11, 21, 31]);
        assert!(bars.iter().all(|bar| bar.y + bar.height == HEIGHT), "bars stand on the axis");
        assert_eq!(bars[0].class, "none");
        assert_eq!(bars[2].title, "2026-11-03: 6 uses");
        assert_eq!(bars[3].title, "2026-11-04: 1 use");
        // Days without any use: a line each, not a division by zero.
        assert!(super::bars(&days(&[0, 0])).iter().all(|bar| bar.height == 1));
    }
}
