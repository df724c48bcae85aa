//! Small pieces the pages share: modal dialogs, the clipboard, numbers and times as people read them.

use leptos::{ev, html::Dialog, prelude::*};
use time::OffsetDateTime;

use crate::clock::Time;

/// Opens a modal dialog: the browser moves focus into it, makes the rest of the page inert, and
/// closes it on Esc, giving focus back to where it was.
pub fn open(dialog: NodeRef<Dialog>) {
    if let Some(dialog) = dialog.get_untracked()
        && !dialog.open()
    {
        let _ = dialog.show_modal();
    }
}

pub fn close(dialog: NodeRef<Dialog>) {
    if let Some(dialog) = dialog.get_untracked() {
        dialog.close();
    }
}

/// A Close or Cancel button's click, which also carries `command="close"` for browsers without
/// JavaScript: done here, and the command prevented, so the dialog is not closed twice.
pub fn close_from(event: &ev::MouseEvent, dialog: NodeRef<Dialog>) {
    event.prevent_default();
    close(dialog);
}

/// Selects the whole text of the input that got focus, ready to be copied.
pub fn select_all(event: &ev::FocusEvent) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(input) = event.target().and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok()) {
        input.select();
    }
}

/// Writes `text` to the clipboard and sets `copied` for a few seconds, for a "Copied" message.
#[cfg(feature = "hydrate")]
pub fn copy_to_clipboard(text: String, copied: RwSignal<bool>) {
    let clipboard = window().navigator().clipboard();
    wasm_bindgen_futures::spawn_local(async move {
        if wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await.is_ok() {
            copied.set(true);
            gloo_timers::callback::Timeout::new(3_000, move || copied.set(false)).forget();
        }
    });
}

/// (Only the browser has a clipboard; the server never runs a click handler.)
#[cfg(not(feature = "hydrate"))]
pub fn copy_to_clipboard(_text: String, _copied: RwSignal<bool>) {}

/// `12345678` as `12,345,678`.
pub fn thousands(number: i64) -> String {
    let digits = number.unsigned_abs().to_string();
    let mut out = String::new();
    if number < 0 {
        out.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A time (see [`Time`]), or the word `none` says when there is no time, such as "Never".
pub fn time_or(at: Option<OffsetDateTime>, rendered_at: OffsetDateTime, none: &'static str) -> AnyView {
    match at {
        Some(at) => view! { <Time at rendered_at/> }.into_any(),
        None => view! { <span class="muted">{none}</span> }.into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped_by_commas() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(10_000_000), "10,000,000");
        assert_eq!(thousands(-1_234), "-1,234");
    }
}
