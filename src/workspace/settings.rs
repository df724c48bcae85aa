//! Changing the settings, from the REST API or the page: the change, and its audit event with each
//! changed setting's old and new value.

use super::{SettingsChanges, WorkspaceSettings, store};
use crate::{
    audit::{
        EventKind,
        record::{Actor, Event, record},
    },
    store::{Store, StoreError},
};

/// Applies `changes` for `actor`. The old values are the ones read just before the change (two
/// admins changing settings at the same instant may each see the other's change as the old value).
pub async fn change(store: &Store, actor: &Actor, changes: &SettingsChanges) -> Result<WorkspaceSettings, StoreError> {
    let before = store::get(store).await?;
    let after = store::update(store, changes).await?;
    // Warnings given under another limit (or none) do not stand for this one: each token is
    // warned afresh, a week ahead, before it is revoked.
    if before.revoke_unused_after_days != after.revoke_unused_after_days {
        crate::tokens::store::clear_idle_warnings(store).await?;
    }
    let changed = differences(&before, &after);
    if !changed.is_empty() {
        record(store, Event::new(EventKind::SettingsChanged, actor).detail("changes", changed)).await;
    }
    Ok(after)
}

/// `{"setting": {"from": old, "to": new}}` for each setting that differs.
fn differences(before: &WorkspaceSettings, after: &WorkspaceSettings) -> serde_json::Map<String, serde_json::Value> {
    let (serde_json::Value::Object(before), serde_json::Value::Object(after)) =
        (serde_json::json!(before), serde_json::json!(after))
    else {
        unreachable!("settings serialize as an object")
    };
    after
        .into_iter()
        .filter(|(name, value)| before.get(name) != Some(value))
        .map(|(name, to)| {
            let from = before.get(&name).cloned().unwrap_or_default();
            (name, serde_json::json!({ "from": from, "to": to }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::MaxLifetime;

    #[test]
    fn only_changed_settings_are_named_with_old_and_new_values() {
        let before = WorkspaceSettings::default();
        let after = WorkspaceSettings { max_token_lifetime_days: MaxLifetime::Days(7), ..before };
        assert_eq!(
            serde_json::Value::Object(differences(&before, &after)),
            serde_json::json!({ "maxTokenLifetimeDays": { "from": -1, "to": 7 } })
        );
        assert!(differences(&before, &before).is_empty());
    }
}
