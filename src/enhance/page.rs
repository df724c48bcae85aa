//! What the island does on a page, whichever is swapped in: dialogs, copying, the user menu, the
//! ticking clock, and listing the tokens again when the tab comes back into view.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, prelude::*};
use web_sys::{Element, Event, EventTarget, HtmlDialogElement, HtmlElement, HtmlInputElement};

use super::navigator;
use crate::timestamp::relative_seconds;

/// How long "Copied" shows.
const COPIED_FOR_MS: u32 = 3_000;

pub fn install() {
    let document = document();
    // Before the navigator's own click listener: these clicks are not navigations.
    listen(&document, "click", false, on_click);
    // `close`, `toggle` and `focus` do not bubble: caught on their way down.
    listen(&document, "close", true, on_close);
    listen(&document, "toggle", true, on_toggle);
    listen(&document, "focusin", false, on_focus);
    listen(&document, "visibilitychange", false, |_| on_shown_again());
    gloo_timers::callback::Interval::new(1_000, tick).forget();
    page_changed();
}

/// Listens for `kind` on `target` for as long as the document lives.
pub fn listen(target: &EventTarget, kind: &str, capture: bool, handler: impl Fn(Event) + 'static) {
    let closure = Closure::<dyn Fn(Event)>::new(handler);
    let _ = target.add_event_listener_with_callback_and_bool(kind, closure.as_ref().unchecked_ref(), capture);
    closure.forget();
}

/// Moves focus to the heading of a page the navigator brought in, as a page load starts at its
/// top: a screen reader says where the reader now is.
pub fn focus_heading() {
    if let Ok(Some(heading)) = document().query_selector("main.page h1")
        && let Ok(heading) = heading.dyn_into::<HtmlElement>()
    {
        if !heading.has_attribute("tabindex") {
            let _ = heading.set_attribute("tabindex", "-1");
        }
        let _ = heading.focus();
    }
}

/// Brings a page that just arrived (the first, or one the navigator swapped in) to life.
pub fn page_changed() {
    // The server renders no `aria-expanded`: only a script can keep it true.
    for button in all(".user-menu-button") {
        let _ = button.set_attribute("aria-expanded", "false");
    }
    // A dialog the server rendered open (a posted form's outcome, or `?delete=`) becomes modal:
    // the rest of the page inert, focus inside, Esc to close. The browser gives focus back, once
    // it closes, to what had it when it opened: the control that leads to it, focused first.
    for dialog in all("dialog[open]") {
        if let Ok(dialog) = dialog.dyn_into::<HtmlDialogElement>()
            && !dialog.matches(":modal").unwrap_or(true)
        {
            dialog.close();
            if let Some(opener) = opener(&dialog) {
                let _ = opener.focus();
            }
            let _ = dialog.show_modal();
        }
    }
    tick();
}

/// The control that opens `dialog`: the one it names (`data-opener`), or a `show-modal` button.
fn opener(dialog: &HtmlDialogElement) -> Option<HtmlElement> {
    match dialog.get_attribute("data-opener") {
        Some(id) => by_id(&id),
        None => document()
            .query_selector(&format!("button[commandfor=\"{}\"][command=show-modal]", dialog.id()))
            .ok()
            .flatten()?
            .dyn_into()
            .ok(),
    }
}

fn on_click(event: Event) {
    let Some(target) = event.target().and_then(|target| target.dyn_into::<Element>().ok()) else { return };
    let closest = |selector: &str| target.closest(selector).ok().flatten();

    // `command="show-modal"` / `"close"` buttons: the browser does it where it knows the
    // attribute, but the island does it everywhere (and prevents the browser's, done once).
    if let Some(button) = closest("button[commandfor]") {
        let dialog = button.get_attribute("commandfor").and_then(|id| by_id::<HtmlDialogElement>(&id));
        if let Some(dialog) = dialog {
            event.prevent_default();
            match button.get_attribute("command").as_deref() {
                Some("show-modal") if !dialog.open() => {
                    let _ = dialog.show_modal();
                }
                Some("close") => {
                    dialog.close();
                    // At once: the `close` event comes only with the next frame.
                    closed(&dialog);
                }
                _ => {}
            }
        }
        return;
    }
    // A row's Rotate Token… or Delete Token…: the dialog opens in place, about that row's token.
    if let Some(link) = closest("a[data-dialog]") {
        let mouse = event.dyn_ref::<web_sys::MouseEvent>();
        if mouse.is_some_and(|mouse| mouse.ctrl_key() || mouse.meta_key() || mouse.shift_key()) {
            return;
        }
        event.prevent_default();
        open_for_row(&link);
        return;
    }
    if let Some(button) = closest("button.copy") {
        copy_token_id(&button);
        return;
    }
    if let Some(button) = closest("button[data-copy]") {
        copy_value(&button);
        return;
    }
    // Choosing an entry of the user menu closes it (the page is swapped, not reloaded).
    if closest("a[href]").is_some()
        && let Some(menu) = closest("#user-menu-list").and_then(|menu| menu.dyn_into::<HtmlElement>().ok())
    {
        let _ = menu.hide_popover();
    }
}

fn open_for_row(link: &Element) {
    let Some(dialog) = link.get_attribute("data-dialog").and_then(|id| by_id::<HtmlDialogElement>(&id)) else {
        return;
    };
    let Some(row) = link.closest("tr").ok().flatten() else { return };
    let Some(token_id) = first_in::<Element>(&row, "code.token-id").and_then(|code| code.get_attribute("title")) else {
        return;
    };
    let text = |selector: &str| first_in::<Element>(&row, selector).and_then(|cell| cell.text_content());
    let description = text("td.description").unwrap_or_default();
    // The owner's name: the cell's first line (its second is the username).
    let owner = first_in::<Element>(&row, "td.owner > span")
        .and_then(|cell| cell.first_child())
        .and_then(|name| name.text_content());
    if let Some(menu) = link.closest("[popover]").ok().flatten().and_then(|menu| menu.dyn_into::<HtmlElement>().ok()) {
        let _ = menu.hide_popover();
    }
    // Focus goes back to what had it when the dialog opened: the row's menu button.
    if let Some(button) = first_in::<HtmlElement>(&row, ".row-menu button") {
        let _ = button.focus();
    }
    if let Some(label) = first_in::<Element>(&dialog, "[data-slot=label]") {
        label.set_text_content(Some(&crate::tokens::page::label(&description, &token_id, owner.as_deref())));
    }
    if let Some(input) = first_in::<HtmlInputElement>(&dialog, "input[name=token_id]") {
        input.set_value(&token_id);
    }
    if !dialog.open() {
        let _ = dialog.show_modal();
    }
}

/// A token id's copy button: the id to the clipboard, a check mark, and "Copied" said.
fn copy_token_id(button: &Element) {
    let Some(cell) = button.closest(".token-id-cell").ok().flatten() else { return };
    let Some(id) = first_in::<Element>(&cell, "code.token-id").and_then(|code| code.get_attribute("title")) else {
        return;
    };
    let status = first_in::<Element>(&cell, "[role=status]");
    let button = button.clone();
    copy(id, move |copied| {
        if copied {
            let _ = button.set_attribute("data-copied", "");
        } else {
            let _ = button.remove_attribute("data-copied");
        }
        if let Some(status) = &status {
            status.set_text_content(copied.then_some("Copied"));
        }
    });
}

/// Copy Token to clipboard: the value of the input the button names.
fn copy_value(button: &Element) {
    let Some(input) = button.get_attribute("data-copy").and_then(|id| by_id::<HtmlInputElement>(&id)) else {
        return;
    };
    let status =
        button.closest("dialog").ok().flatten().and_then(|dialog| first_in::<Element>(&dialog, "[role=status]"));
    copy(input.value(), move |copied| {
        if let Some(status) = &status {
            status.set_text_content(copied.then_some("Copied"));
        }
    });
}

/// Writes `text` to the clipboard; `show(true)` once it is there, `show(false)` a little later.
fn copy(text: String, show: impl Fn(bool) + 'static) {
    let clipboard = window().navigator().clipboard();
    wasm_bindgen_futures::spawn_local(async move {
        if wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await.is_ok() {
            show(true);
            gloo_timers::callback::Timeout::new(COPIED_FOR_MS, move || show(false)).forget();
        }
    });
}

/// A dialog closed by Esc, or by the browser's own `command` before the island ran.
fn on_close(event: Event) {
    let Some(dialog) = event.target().and_then(|target| target.dyn_into::<HtmlDialogElement>().ok()) else { return };
    // Closed only to be made modal (see `page_changed`): still open.
    if !dialog.open() {
        closed(&dialog);
    }
}

/// What follows a dialog's closing (more than once does no harm).
fn closed(dialog: &HtmlDialogElement) {
    if dialog.id() == "my-token-dialog" {
        // The value is shown once: closed, it is nowhere on the page any more.
        if let Some(input) = first_in::<HtmlInputElement>(dialog, "input") {
            input.set_value("");
            let _ = input.remove_attribute("value");
        }
        if let Some(status) = first_in::<Element>(dialog, "[role=status]") {
            status.set_text_content(None);
        }
        // (Where the browser did not already give it there.)
        if let Some(opener) = opener(dialog) {
            let _ = opener.focus();
        }
    }
    // A dialog the URL asked for (`?delete=`): the URL stops asking, so that listing the page
    // again, or a form posted from it, does not ask again.
    if let Some(list) = dialog.get_attribute("data-list") {
        let location = window().location();
        let search = location.search().unwrap_or_default();
        if (search.contains("delete=") || search.contains("rotate="))
            && let Ok(history) = window().history()
        {
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&list));
        }
    }
}

fn on_toggle(event: Event) {
    let Some(menu) = event.target().and_then(|target| target.dyn_into::<Element>().ok()) else { return };
    if menu.id() != "user-menu-list" {
        return;
    }
    let open = menu.matches(":popover-open").unwrap_or(false);
    for button in all(".user-menu-button") {
        let _ = button.set_attribute("aria-expanded", if open { "true" } else { "false" });
    }
}

/// The new token's value is selected as it gets focus, ready to be copied.
fn on_focus(event: Event) {
    if let Some(input) = event.target().and_then(|target| target.dyn_into::<HtmlInputElement>().ok())
        && input.id() == "my-token-value"
    {
        input.select();
    }
}

/// Coming back to the tab lists the tokens again: Last Used may have changed meanwhile. Not while
/// a dialog is open (My Token's value would be lost) or something is being typed.
fn on_shown_again() {
    let document = document();
    if document.hidden()
        || window().location().pathname().ok().as_deref() != Some("/preferences/access-tokens")
        || !all("dialog[open]").is_empty()
        || document.active_element().is_some_and(|element| element.matches("input, textarea").unwrap_or(false))
    {
        return;
    }
    navigator::reload_in_place();
}

/// One tick of the clock: times in the reader's locale, relative hints, and token statuses, as of
/// now.
fn tick() {
    let now = js_sys::Date::now();
    for when in all("span.when") {
        let Some(time) = first_in::<Element>(&when, "time") else { continue };
        let Some(at) = millis(&time) else { continue };
        if !time.has_attribute("data-local") {
            time.set_text_content(Some(&local(at)));
            let _ = time.set_attribute("data-local", "");
        }
        if let Some(relative) = first_in::<Element>(&when, ".relative") {
            set_text(&relative, &relative_seconds(((at - now) / 1_000.0).trunc() as i64));
        }
    }
    // A token is Active until its expiry time (`tokens::Status`); one that never expires stays as
    // the server said.
    for row in all("table.tokens tbody tr") {
        let expires = first_in::<Element>(&row, "td[data-label=Expires] time").and_then(|time| millis(&time));
        let (Some(expires), Some(status)) = (expires, first_in::<Element>(&row, "td[data-label=Status] .status"))
        else {
            continue;
        };
        let (text, class) = if expires <= now { ("Expired", "status expired") } else { ("Active", "status active") };
        // "Expires in 3 days" no more, once it has.
        if expires <= now
            && let Some(badge) = first_in::<Element>(&row, ".badge.expiring")
        {
            badge.remove();
        }
        set_text(&status, text);
        if status.class_name() != class {
            status.set_class_name(class);
        }
    }
}

/// A `<time>`'s moment, in milliseconds since the epoch.
fn millis(time: &Element) -> Option<f64> {
    let at = js_sys::Date::parse(&time.get_attribute("datetime")?);
    (!at.is_nan()).then_some(at)
}

/// Date and time as the reader's locale writes them, e.g. "27 Nov 2026, 08:30" or
/// "Nov 27, 2026, 8:30 AM".
fn local(at: f64) -> String {
    thread_local! {
        static FORMAT: js_sys::Function = {
            let options = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
            let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
            // No locales: the browser's own.
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options).format()
        };
    }
    let date = js_sys::Date::new(&JsValue::from_f64(at));
    FORMAT.with(|format| format.call1(&JsValue::NULL, &date)).ok().and_then(|text| text.as_string()).unwrap_or_default()
}

/// Sets an element's text, leaving it alone when it already reads so.
fn set_text(element: &Element, text: &str) {
    if element.text_content().as_deref() != Some(text) {
        element.set_text_content(Some(text));
    }
}

fn all(selector: &str) -> Vec<Element> {
    let Ok(found) = document().query_selector_all(selector) else { return Vec::new() };
    (0..found.length()).filter_map(|index| found.item(index)?.dyn_into::<Element>().ok()).collect()
}

fn by_id<T: JsCast>(id: &str) -> Option<T> {
    document().get_element_by_id(id)?.dyn_into::<T>().ok()
}

fn first_in<T: JsCast>(scope: &Element, selector: &str) -> Option<T> {
    scope.query_selector(selector).ok().flatten()?.dyn_into::<T>().ok()
}
