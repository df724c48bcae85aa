//! Follows links and posts forms without reloading the page: fetches the answer and swaps its
//! `<header>` and `<main>` (and title) into the document, keeping the history in step.
//!
//! The server answers the same requests a browser without JavaScript makes (a form posted to its
//! page gets that page with the outcome, or a redirect), so nothing here knows any page. What it
//! does not take (another origin, a new tab, the API, an answer that is not HTML) the browser
//! does as it would.

use std::cell::Cell;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, prelude::*};
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{
    DomParser, Element, FormData, HtmlAnchorElement, HtmlElement, HtmlFormElement, MouseEvent, RequestInit, Response,
    SubmitEvent, SupportedType, Url, UrlSearchParams,
};

use super::{is_page, page};

thread_local! {
    /// Counts visits: only the latest one's answer is swapped in.
    static LATEST: Cell<u32> = const { Cell::new(0) };
    /// A form being posted: another submit waits for its answer (no double posts).
    static POSTING: Cell<bool> = const { Cell::new(false) };
}

/// How a visit changes the history once its page is in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum History {
    /// A new entry (a link, a GET form, a post that redirected).
    Push,
    /// The entry stays (going back or forward, listing again, a refused form).
    Keep,
}

pub fn install() {
    page::listen(&document(), "click", false, |event| {
        if let Ok(event) = event.dyn_into::<MouseEvent>() {
            on_click(&event);
        }
    });
    page::listen(&document(), "submit", false, |event| {
        if let Ok(event) = event.dyn_into::<SubmitEvent>() {
            on_submit(&event);
        }
    });
    page::listen(&window(), "popstate", false, |_| {
        if let Ok(href) = window().location().href() {
            visit(href, None, History::Keep);
        }
    });
}

/// Lists the page again in place, as it is (the tab came back into view).
pub fn reload_in_place() {
    if let Ok(href) = window().location().href() {
        visit(href, None, History::Keep);
    }
}

fn on_click(event: &MouseEvent) {
    if event.default_prevented()
        || event.button() != 0
        || event.ctrl_key()
        || event.meta_key()
        || event.shift_key()
        || event.alt_key()
    {
        return;
    }
    let Some(link) = event
        .target()
        .and_then(|target| target.dyn_into::<Element>().ok())
        .and_then(|element| element.closest("a[href]").ok().flatten())
        .and_then(|link| link.dyn_into::<HtmlAnchorElement>().ok())
    else {
        return;
    };
    if !link.target().is_empty() || link.has_attribute("download") {
        return;
    }
    let Some(url) = own_page(&link.href()) else { return };
    // A link to a part of this very page scrolls there.
    let here = window().location().href().unwrap_or_default();
    if !url.hash().is_empty() && strip_hash(&url.href()) == strip_hash(&here) {
        return;
    }
    event.prevent_default();
    visit(url.href(), None, History::Push);
}

fn on_submit(event: &SubmitEvent) {
    if event.default_prevented() {
        return;
    }
    let Some(form) = event.target().and_then(|target| target.dyn_into::<HtmlFormElement>().ok()) else { return };
    let submitter = event.submitter();
    let attribute = |name: &str| submitter.as_ref().and_then(|button| button.get_attribute(name));
    let method = attribute("formmethod").unwrap_or_else(|| form.method()).to_lowercase();
    if method == "dialog" {
        return;
    }
    let action = attribute("formaction").unwrap_or_else(|| form.action());
    let Some(url) = own_page(&action) else { return };
    event.prevent_default();
    if POSTING.get() {
        return;
    }
    let Some(fields) = fields(&form, submitter.as_ref()) else {
        form.submit().ok();
        return;
    };
    if method == "post" {
        POSTING.set(true);
        visit(url.href(), Some((fields, form)), History::Keep);
    } else {
        url.set_search(&fields);
        visit(url.href(), None, History::Push);
    }
}

/// The form's fields, encoded as a browser posts them, with the button that submitted it.
fn fields(form: &HtmlFormElement, submitter: Option<&HtmlElement>) -> Option<String> {
    let data = FormData::new_with_form(form).ok()?;
    if let Some(button) = submitter
        && let Some(name) = button.get_attribute("name")
    {
        data.append_with_str(&name, &button.get_attribute("value").unwrap_or_default()).ok()?;
    }
    Some(String::from(UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?.to_string()))
}

/// The URL if it is one of this app's pages, on this origin.
fn own_page(href: &str) -> Option<Url> {
    let url = Url::new(href).ok()?;
    let origin = window().location().origin().ok()?;
    (url.origin() == origin && is_page(&url.pathname())).then_some(url)
}

fn strip_hash(href: &str) -> &str {
    href.split('#').next().unwrap_or(href)
}

/// Fetches `url` (posting `form`'s fields, if given) and swaps the page in.
fn visit(url: String, form: Option<(String, HtmlFormElement)>, history: History) {
    let visit = LATEST.get().wrapping_add(1);
    LATEST.set(visit);
    spawn_local(async move {
        let posted = form.is_some();
        let answer = fetch(&url, form.as_ref().map(|(fields, _)| fields.as_str())).await;
        if posted {
            POSTING.set(false);
        }
        if LATEST.get() != visit {
            return;
        }
        match answer {
            Ok(Answer::Page { html, url: landed, redirected }) => {
                swap(&html);
                // A post that redirected lands on a new page (signed in, the list after a
                // deletion); a post answered in place keeps its URL, as a reload would post again.
                let push = history == History::Push || (posted && redirected);
                let history_api = window().history();
                if push && let Ok(history_api) = history_api {
                    let _ = history_api.push_state_with_url(&JsValue::NULL, "", Some(&landed));
                }
                if push {
                    window().scroll_to_with_x_and_y(0.0, 0.0);
                }
                page::page_changed();
            }
            Ok(Answer::Other { text }) if posted => {
                // A form refused before any page could be rendered (too large, unreadable): say so.
                show_error(&text);
            }
            // Not a page (a file, the API): the browser shows it. Unreachable (the network, the
            // server restarting): the browser tries, and shows what it gets.
            Ok(Answer::Other { .. }) | Err(_) => match form {
                Some((_, form)) => {
                    form.submit().ok();
                }
                None => {
                    let _ = window().location().assign(&url);
                }
            },
        }
    });
}

enum Answer {
    Page { html: String, url: String, redirected: bool },
    Other { text: String },
}

async fn fetch(url: &str, fields: Option<&str>) -> Result<Answer, JsValue> {
    let init = RequestInit::new();
    let headers = web_sys::Headers::new()?;
    headers.set("Accept", "text/html")?;
    if let Some(fields) = fields {
        init.set_method("POST");
        headers.set("Content-Type", "application/x-www-form-urlencoded")?;
        init.set_body(&JsValue::from_str(fields));
    }
    init.set_headers(&headers);
    let response: Response = JsFuture::from(window().fetch_with_str_and_init(url, &init)).await?.dyn_into()?;
    let is_html = response.headers().get("Content-Type")?.is_some_and(|kind| kind.starts_with("text/html"));
    let text = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
    Ok(if is_html {
        Answer::Page { html: text, url: response.url(), redirected: response.redirected() }
    } else {
        Answer::Other { text }
    })
}

/// Puts the new page's header, main and title in place of the current ones.
fn swap(html: &str) {
    let Ok(parser) = DomParser::new() else { return };
    let Ok(new) = parser.parse_from_string(html, SupportedType::TextHtml) else { return };
    let document = document();
    for part in ["header.site-header", "main.page"] {
        if let (Ok(Some(old)), Ok(Some(new))) = (document.query_selector(part), new.query_selector(part)) {
            let _ = old.replace_with_with_node_1(&new);
        }
    }
    document.set_title(&new.title());
}

fn show_error(text: &str) {
    let document = document();
    if let (Ok(Some(main)), Ok(paragraph)) = (document.query_selector("main.page"), document.create_element("p")) {
        paragraph.set_class_name("error");
        let _ = paragraph.set_attribute("role", "alert");
        paragraph.set_text_content(Some(text));
        let _ = main.prepend_with_node_1(&paragraph);
    }
}
