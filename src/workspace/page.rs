//! The Workspace Settings page: admins turn access tokens on or off, let members generate them,
//! and set the longest lifetime of a new token.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    WorkspaceSettings,
    server_fns::{UpdateWorkspaceSettings, load_workspace_settings},
};
use crate::{
    auth::viewer::admins_only,
    form_posts::posted,
    tokens::{MaxLifetime, TokenCap},
    ui_error::UiError,
};

#[component]
pub fn WorkspaceSettingsPage() -> impl IntoView {
    // A posted form has run before the page renders: these are the settings as saved.
    let settings = Resource::new(|| (), |_| load_workspace_settings());
    let webhooks = Resource::new(|| (), |_| crate::webhooks::server_fns::load_webhooks());
    view! {
        <Title text="Workspace Settings · Access Tokens"/>
        {admins_only("Workspace Settings", "Only workspace admins manage the workspace settings.", move |_| {
            view! {
                <Settings settings/>
                <crate::webhooks::page::WebhooksSection webhooks/>
            }
        })}
    }
}

#[component]
fn Settings(settings: Resource<Result<WorkspaceSettings, UiError>>) -> impl IntoView {
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumbs"><a href="/preferences">"Preferences"</a>" › Workspace Settings"</nav>
        <h1>"Workspace Settings"</h1>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(settings) => view! { <SettingsForm settings/> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SettingsForm(settings: WorkspaceSettings) -> impl IntoView {
    let posted = posted::<UpdateWorkspaceSettings>();
    let (saved, refused) = match posted.map(|posted| (posted.input, posted.result)) {
        None => (false, None),
        Some((_, Ok(_))) => (true, None),
        Some((typed, Err(error))) => (false, Some((typed, error))),
    };
    let error = refused.as_ref().map(|(_, error)| error.clone());
    let for_field = |field: &str| error.as_ref().and_then(|error| error.for_field(field));
    let outcome = match &error {
        _ if saved => Some(view! { <p class="success" role="status">"Saved."</p> }.into_any()),
        Some(UiError::Invalid { .. }) | None => None,
        Some(error) => Some(view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any()),
    };
    // A refused form shows what was typed, to be corrected rather than typed anew.
    let typed = refused.map(|(typed, _)| typed);
    let cap = match settings.max_active_tokens_per_person {
        TokenCap::Unlimited => "-1".to_owned(),
        TokenCap::At(count) => count.to_string(),
    };
    let retention = settings.audit_retention_days.days().to_string();
    let idle = i64::from(settings.revoke_unused_after_days).to_string();
    let max_days = match settings.max_token_lifetime_days {
        MaxLifetime::Unlimited => "-1".to_owned(),
        MaxLifetime::Days(days) => days.to_string(),
    };
    let (enabled, allow_members, max_days, cap, retention, idle) = match typed {
        None => {
            (settings.access_tokens_enabled, settings.allow_members_to_generate_tokens, max_days, cap, retention, idle)
        }
        Some(typed) => (
            typed.access_tokens_enabled.is_some(),
            typed.allow_members_to_generate_tokens.is_some(),
            typed.max_token_lifetime_days,
            typed.max_active_tokens_per_person.unwrap_or(cap),
            typed.audit_retention_days.unwrap_or(retention),
            typed.revoke_unused_after_days.unwrap_or(idle),
        ),
    };
    view! {
        <form method="post" action="/workspace/settings" class="form settings">
            <input type="hidden" name="intent" value="save"/>
            <fieldset>
                <legend>"Access tokens"</legend>
                <Checkbox
                    name="access_tokens_enabled"
                    checked=enabled
                    label="Access tokens enabled"
                    hint="When off, no token authenticates and the token API answers 404. Tokens are kept, and work \
                          again (until they expire) when this is turned back on."
                />
                <Checkbox
                    name="allow_members_to_generate_tokens"
                    checked=allow_members
                    label="Members may generate tokens"
                    hint="When off, only workspace admins generate and use access tokens."
                />
                <label for="max-lifetime">"Maximum lifetime (days)"</label>
                <input id="max-lifetime" name="max_token_lifetime_days" inputmode="numeric" required value=max_days aria-describedby="max-lifetime-hint max-lifetime-error"/>
                <p id="max-lifetime-hint" class="hint">
                    "The longest lifetime of a new token; -1 for no maximum, which also allows tokens that never "
                    "expire. It applies to tokens already out too: one older than the maximum stops working "
                    "(and shows as Expired) until the maximum is raised again."
                </p>
                <p id="max-lifetime-error" class="error" role="alert">{for_field("max_token_lifetime_days")}</p>
                <label for="token-cap">"Most active tokens per person"</label>
                <input id="token-cap" name="max_active_tokens_per_person" inputmode="numeric" required value=cap aria-describedby="token-cap-hint token-cap-error"/>
                <p id="token-cap-hint" class="hint">
                    "How many unexpired tokens one person may hold at once; -1 for no limit. Tokens already "
                    "held above it are kept; generating another is refused until some expire or are deleted."
                </p>
                <p id="token-cap-error" class="error" role="alert">{for_field("max_active_tokens_per_person")}</p>
                <label for="idle-limit">"Revoke tokens unused for (days)"</label>
                <input id="idle-limit" name="revoke_unused_after_days" inputmode="numeric" required value=idle aria-describedby="idle-limit-hint idle-limit-error"/>
                <p id="idle-limit-hint" class="hint">
                    "A token nobody has used for this many days (8 to 3650) is revoked; -1 for never. Its owner "
                    "sees a warning 7 days and again 1 day before, and the webhooks hear of it; a use resets the count."
                </p>
                <p id="idle-limit-error" class="error" role="alert">{for_field("revoke_unused_after_days")}</p>
            </fieldset>
            <fieldset>
                <legend>"Audit log"</legend>
                <label for="audit-retention">"Keep events for (days)"</label>
                <input id="audit-retention" name="audit_retention_days" inputmode="numeric" required value=retention aria-describedby="audit-retention-hint audit-retention-error"/>
                <p id="audit-retention-hint" class="hint">
                    "How long the audit log keeps an event, from 1 to 3650 days. Older events are deleted within the hour."
                </p>
                <p id="audit-retention-error" class="error" role="alert">{for_field("audit_retention_days")}</p>
            </fieldset>
            <div class="form-buttons">
                <button type="submit" class="primary">"Save"</button>
                {outcome}
            </div>
        </form>
    }
}

/// A setting that is on or off: the box, its label, and what it does. The form sends `name` only
/// while ticked.
#[component]
fn Checkbox(name: &'static str, checked: bool, label: &'static str, hint: &'static str) -> impl IntoView {
    let id = name.replace('_', "-");
    let hint_id = format!("{id}-hint");
    view! {
        <div class="check">
            <input id=id.clone() type="checkbox" name=name checked=checked aria-describedby=hint_id.clone()/>
            <label for=id>{label}</label>
        </div>
        <p id=hint_id class="hint">{hint}</p>
    }
}

/// The forms of the Workspace Settings page: the settings, and adding or removing a webhook.
#[cfg(feature = "ssr")]
pub fn intents(intent: &str) -> Option<crate::form_posts::Runner> {
    match intent {
        "save" => Some(crate::form_posts::run::<UpdateWorkspaceSettings>),
        "add_webhook" => Some(crate::form_posts::run::<crate::webhooks::server_fns::AddWebhook>),
        "remove_webhook" => Some(crate::form_posts::run::<crate::webhooks::server_fns::RemoveWebhook>),
        _ => None,
    }
}
