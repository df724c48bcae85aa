//! The webhooks section of the Workspace Settings page: the workspace's webhooks with their latest
//! deliveries, Remove for each, and the Add webhook form. Plain forms posted to the page, so all of
//! it works without JavaScript.

use leptos::prelude::*;

use super::{
    Delivery, DeliveryStatus, WebhookEvent,
    server_fns::{AddWebhook, RemoveWebhook, WebhookWithLog},
};
use crate::{form_posts::posted, timestamp, ui_error::UiError};

#[component]
pub fn WebhooksSection(webhooks: Resource<Result<Vec<WebhookWithLog>, UiError>>) -> impl IntoView {
    view! {
        <section class="card webhooks" aria-labelledby="webhooks-heading">
            <h2 id="webhooks-heading">"Webhooks"</h2>
            <p class="hint">
                "Each event is posted to the URL as JSON, signed with "<code>"X-Signature-256: sha256=<HMAC of the body>"</code>
                " (keyed with the webhook's secret), and tried again with backoff until the URL answers 2xx. "
                "No delivery holds a token's value."
            </p>
            <Removed/>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match webhooks.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">"No webhooks yet."</p> }.into_any(),
                        Ok(list) => list.into_iter().map(|item| view! { <WebhookItem item/> }).collect_view().into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <AddForm/>
        </section>
    }
}

/// The outcome of a Remove just posted.
#[component]
fn Removed() -> impl IntoView {
    posted::<RemoveWebhook>().map(|posted| match posted.result {
        Ok(()) => view! { <p class="success" role="status">"Webhook removed."</p> }.into_any(),
        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
    })
}

#[component]
fn WebhookItem(item: WebhookWithLog) -> impl IntoView {
    let WebhookWithLog { webhook, deliveries } = item;
    let events =
        webhook.events.iter().map(|event| view! { <code class="scope">{event.as_str()}</code>" " }).collect_view();
    let label = format!("Remove the webhook to {}", webhook.url);
    let log = if deliveries.is_empty() {
        view! { <p class="hint">"No deliveries yet."</p> }.into_any()
    } else {
        view! {
            <div class="table-scroll">
                <table class="data deliveries">
                    <caption>"Latest deliveries"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Queued (UTC)"</th>
                            <th scope="col">"Event"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Attempts"</th>
                            <th scope="col">"Last answer"</th>
                        </tr>
                    </thead>
                    <tbody>{deliveries.into_iter().map(|delivery| view! { <DeliveryRow delivery/> }).collect_view()}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <article class="webhook" aria-label=format!("Webhook to {}", webhook.url)>
            <div class="webhook-head">
                <div>
                    <code class="webhook-url">{webhook.url.clone()}</code>
                    <p class="hint">{events}" · added "{timestamp::exact_utc(webhook.created_at)}</p>
                </div>
                <form method="post" action="/workspace/settings">
                    <input type="hidden" name="intent" value="remove_webhook"/>
                    <input type="hidden" name="id" value=webhook.id.to_string()/>
                    <button type="submit" class="danger" aria-label=label>"Remove"</button>
                </form>
            </div>
            {log}
        </article>
    }
}

#[component]
fn DeliveryRow(delivery: Delivery) -> impl IntoView {
    let status = match delivery.status {
        DeliveryStatus::Pending => match delivery.next_attempt_at {
            Some(at) if delivery.attempts > 0 => format!("Retrying at {}", timestamp::exact_utc(at)),
            _ => "Queued".to_owned(),
        },
        DeliveryStatus::Delivered => "Delivered".to_owned(),
        DeliveryStatus::Failed => "Failed (given up)".to_owned(),
    };
    let answer = match (delivery.last_status, delivery.last_error) {
        (Some(status), _) => format!("HTTP {status}"),
        (None, Some(error)) => error,
        (None, None) => "—".to_owned(),
    };
    view! {
        <tr>
            <td>{timestamp::exact_utc(delivery.created_at)}</td>
            <td><code>{delivery.event.as_str()}</code></td>
            <td class=format!("delivery {:?}", delivery.status).to_lowercase()>{status}</td>
            <td>{delivery.attempts}</td>
            <td>{answer}</td>
        </tr>
    }
}

/// Add webhook; after it was added, its secret, shown this once.
#[component]
fn AddForm() -> impl IntoView {
    let posted = posted::<AddWebhook>();
    let (added, refused) = match posted.map(|posted| (posted.input, posted.result)) {
        None => (None, None),
        Some((_, Ok(added))) => (Some(added), None),
        Some((typed, Err(error))) => (None, Some((typed, error))),
    };
    let error = refused.as_ref().map(|(_, error)| error.clone());
    let for_field = |field: &str| error.as_ref().and_then(|error| error.for_field(field));
    let general = error.as_ref().filter(|error| !matches!(error, UiError::Invalid { .. })).map(ToString::to_string);
    let typed = refused.map(|(typed, _)| typed);
    let url = typed.as_ref().map(|typed| typed.url.clone()).unwrap_or_default();
    let ticked = |event: WebhookEvent| match &typed {
        None => true,
        Some(typed) => match event {
            WebhookEvent::TokenGenerated => typed.token_generated.is_some(),
            WebhookEvent::TokenRotated => typed.token_rotated.is_some(),
            WebhookEvent::TokenRevoked => typed.token_revoked.is_some(),
            WebhookEvent::TokenReportedLeaked => typed.token_reported_leaked.is_some(),
            WebhookEvent::TokenExpiring => typed.token_expiring.is_some(),
            WebhookEvent::TokenInactivityPending => typed.token_inactivity_pending.is_some(),
            WebhookEvent::TokenUsedFromNewIp => typed.token_used_from_new_ip.is_some(),
        },
    };
    let secret_shown = added.map(|added| {
        view! {
            <div class="notice secret-notice" role="status">
                <p>"Added the webhook to "<code>{added.webhook.url}</code>". Its secret, shown this once:"</p>
                <p><code class="secret">{added.secret}</code></p>
                <p class="hint">"Keep it where the receiver checks signatures; it cannot be shown again."</p>
            </div>
        }
    });
    let checkbox = move |event: WebhookEvent, description: &'static str| {
        let name = event.as_str().replace('.', "_");
        let id = format!("webhook-{}", name.replace('_', "-"));
        view! {
            <div class="check">
                <input id=id.clone() type="checkbox" name=name checked=ticked(event)/>
                <label for=id><code>{event.as_str()}</code>" — "{description}</label>
            </div>
        }
    };
    view! {
        {secret_shown}
        <form method="post" action="/workspace/settings" class="form add-webhook" aria-labelledby="add-webhook-heading">
            <h3 id="add-webhook-heading">"Add webhook"</h3>
            <input type="hidden" name="intent" value="add_webhook"/>
            <label for="webhook-url">"URL"</label>
            <input id="webhook-url" name="url" type="url" required placeholder="https://hooks.example.com/tokens" value=url aria-describedby="webhook-url-error"/>
            <p id="webhook-url-error" class="error" role="alert">{for_field("url")}</p>
            <fieldset aria-describedby="webhook-events-error">
                <legend>"Events"</legend>
                {checkbox(WebhookEvent::TokenGenerated, "a token was generated")}
                {checkbox(WebhookEvent::TokenRotated, "a token was replaced by rotation")}
                {checkbox(WebhookEvent::TokenRevoked, "a token stopped working for good, for any reason")}
                {checkbox(WebhookEvent::TokenReportedLeaked, "someone reported a token's value as leaked")}
                {checkbox(WebhookEvent::TokenExpiring, "a token expires within 7 days, and again within a day")}
                {checkbox(WebhookEvent::TokenInactivityPending, "an unused token is revoked in 7 days, and again in a day, unless used")}
                {checkbox(WebhookEvent::TokenUsedFromNewIp, "a token that asks for it was used from a new address")}
                <p id="webhook-events-error" class="error" role="alert">{for_field("events")}</p>
            </fieldset>
            <label for="webhook-secret">"Secret (optional)"</label>
            <input id="webhook-secret" name="secret" autocomplete="off" aria-describedby="webhook-secret-hint webhook-secret-error"/>
            <p id="webhook-secret-hint" class="hint">"16 to 256 visible characters; leave it empty and one is made for you."</p>
            <p id="webhook-secret-error" class="error" role="alert">{for_field("secret")}</p>
            <div class="form-buttons">
                <button type="submit" class="primary">"Add webhook"</button>
                {general.map(|message| view! { <p class="error" role="alert">{message}</p> })}
            </div>
        </form>
    }
}
