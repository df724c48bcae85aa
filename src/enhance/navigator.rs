//! Follows links and posts forms without reloading the page: fetches the answer and swaps its
//! `<header>` and `<main>` (and title) into the document, keeping the history in step.
//!
//! The server answers the same requests a browser without JavaScript makes (a form posted to its
//! page gets that page with the outcome, or a redirect), so nothing here knows any page. What it
//! does not take (another origin, a new tab, the API, sign-out's server function) the browser does
//! as it would. A form is never posted twice: when its answer cannot be shown, the page says so.

use std::cell::{Cell, RefCell};

use leptos::prelude::*;
use wasm_bindgen::{JsCast, prelude::*};
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{
    AbortController, Document, DomParser, Element, FormData, HtmlAnchorElement, HtmlElement, HtmlFormElement,
    MouseEvent, RequestInit, Response, SubmitEvent, SupportedType, Url, UrlSearchParams,
};

use super::{is_page, page};

/// How long a visit may take before the page gives up on it.
const TIMEOUT_MS: u32 = 30_000;

thread_local! {
    /// Counts visits: only the latest one's answer is shown (but see `holds_new_token`).
    static LATEST: Cell<u32> = const { Cell::new(0) };
    /// A form being posted: another waits for its answer (no double posts).
    static POSTING: Cell<bool> = const { Cell::new(false) };
    /// The URL of the page on screen, without its fragment: going back to it only changes the
    /// fragment, which is no visit.
    static SHOWN: RefCell<String> = const { RefCell::new(String::new()) };
}

/// How a visit changes the history once its page is in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum History {
    /// A new entry (a link, a GET form).
    Push,
    /// The entry stays (going back or forward, listing again), or is replaced where the answer
    /// came from elsewhere (a redirect).
    Keep,
}

/// A form being posted, and the button that posted it.
struct Post {
    fields: String,
    form: HtmlFormElement,
    submitter: Option<HtmlElement>,
}

impl Post {
    /// Says the form is busy (and its button unusable) until its answer is in.
    fn busy(&self, busy: bool) {
        let _ =
            if busy { self.form.set_attribute("aria-busy", "true") } else { self.form.remove_attribute("aria-busy") };
        if let Some(button) = &self.submitter {
            let _ = if busy { button.set_attribute("disabled", "") } else { button.remove_attribute("disabled") };
        }
    }
}

pub fn install() {
    SHOWN.set(without_fragment(&current_href()).to_owned());
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
        let href = current_href();
        if SHOWN.with_borrow(|shown| shown == without_fragment(&href)) {
            return;
        }
        visit(href, None, History::Keep);
    });
}

/// Lists the page again in place, as it is (the tab came back into view).
pub fn reload_in_place() {
    if !POSTING.get() {
        visit(current_href(), None, History::Keep);
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
    if !url.hash().is_empty() && without_fragment(&url.href()) == without_fragment(&current_href()) {
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
    // The button's own method and action, where it has them (as the browser resolves them).
    let overridden = |attribute: &str, property: &str| {
        let button = submitter.as_ref().filter(|button| button.has_attribute(attribute))?;
        js_sys::Reflect::get(button, &property.into()).ok()?.as_string()
    };
    let method = overridden("formmethod", "formMethod").unwrap_or_else(|| form.method()).to_lowercase();
    if method == "dialog" || !form.target().is_empty() {
        return;
    }
    let action = overridden("formaction", "formAction").unwrap_or_else(|| form.action());
    let Some(url) = own_page(&action) else { return };
    let Some(fields) = fields(&form, submitter.as_ref()) else { return };
    event.prevent_default();
    if method == "post" {
        // The first post's answer is on its way; a second would do it all again.
        if POSTING.get() {
            return;
        }
        POSTING.set(true);
        let post = Post { fields, form, submitter };
        post.busy(true);
        visit(url.href(), Some(post), History::Keep);
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

fn current_href() -> String {
    window().location().href().unwrap_or_default()
}

fn without_fragment(href: &str) -> &str {
    href.split('#').next().unwrap_or(href)
}

/// Fetches `url` (posting a form, if given) and swaps the page in.
fn visit(url: String, post: Option<Post>, history: History) {
    let visit = LATEST.get().wrapping_add(1);
    LATEST.set(visit);
    spawn_local(async move {
        let answer = fetch(&url, post.as_ref().map(|post| post.fields.as_str())).await;
        if let Some(post) = &post {
            POSTING.set(false);
            post.busy(false);
        }
        let latest = LATEST.get() == visit;
        let page = match answer {
            Ok(Answer::Page { html, url, redirected, canonical }) => {
                parse(&html).map(|new| (new, url, redirected, canonical))
            }
            Ok(Answer::Other { text }) => {
                // A form refused before any page could be rendered (too large, unreadable): say so.
                if latest && post.is_some() {
                    show_error(&text);
                }
                // Not a page (a file, say): the browser shows it.
                if latest && post.is_none() {
                    let _ = window().location().assign(&url);
                }
                return;
            }
            Err(_) => None,
        };
        let Some((new, landed, redirected, canonical)) = page else {
            // Unreachable, too slow, or not one of this app's pages. A link: the browser tries
            // itself. A form: it may have been taken, so it is not posted again.
            if latest && post.is_some() {
                show_error("The server did not answer. Check whether the change was made before trying again.");
            } else if latest {
                let _ = window().location().assign(&url);
            }
            return;
        };
        // A later visit (a link, Back) replaces this one's page, unless it holds a new token's
        // value, which is shown once or never.
        let shown_anyway = post.is_some() && holds_new_token(&new);
        if !latest && !shown_anyway {
            return;
        }
        let focus = post.as_ref().map(|post| FocusHint::before_swap(&post.form));
        swap(&new);
        // Where the page is: where a redirect led, or the list a form's answer shows.
        let shown = canonical.unwrap_or(landed);
        let here = current_href();
        let history_api = window().history();
        // A post that redirected lands on a new page (signed in, the list after a deletion); one
        // answered in place keeps its entry, as a reload would post again.
        let push = latest && shown != here && (history == History::Push || (post.is_some() && redirected));
        if let Ok(history_api) = history_api {
            let _ = if push {
                history_api.push_state_with_url(&JsValue::NULL, "", Some(&shown))
            } else if shown != here {
                history_api.replace_state_with_url(&JsValue::NULL, "", Some(&shown))
            } else {
                Ok(())
            };
        }
        SHOWN.set(without_fragment(&shown).to_owned());
        page::page_changed();
        match focus {
            Some(focus) if !push => focus.restore(),
            _ if push => {
                window().scroll_to_with_x_and_y(0.0, 0.0);
                page::focus_heading();
            }
            _ => {}
        }
    });
}

enum Answer {
    /// HTML: `url` is where it came from, after redirects; `canonical` is the page it shows, if the
    /// server says (`Content-Location`).
    Page {
        html: String,
        url: String,
        redirected: bool,
        canonical: Option<String>,
    },
    Other {
        text: String,
    },
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
    let controller = AbortController::new()?;
    init.set_signal(Some(&controller.signal()));
    let _deadline = gloo_timers::callback::Timeout::new(TIMEOUT_MS, move || controller.abort());
    let response: Response = JsFuture::from(window().fetch_with_str_and_init(url, &init)).await?.dyn_into()?;
    let is_html = response.headers().get("Content-Type")?.is_some_and(|kind| kind.starts_with("text/html"));
    let text = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
    if !is_html {
        return Ok(Answer::Other { text });
    }
    let canonical = response
        .headers()
        .get("Content-Location")?
        .and_then(|location| Url::new_with_base(&location, &response.url()).ok())
        .map(|location| location.href());
    Ok(Answer::Page { html: text, url: response.url(), redirected: response.redirected(), canonical })
}

/// The parts of a page the navigator swaps.
const PARTS: [&str; 2] = ["header.site-header", "main.page"];

/// The answer as a document, if it is one of this app's pages (it has the parts to swap).
fn parse(html: &str) -> Option<Document> {
    let new = DomParser::new().ok()?.parse_from_string(html, SupportedType::TextHtml).ok()?;
    PARTS.iter().all(|part| matches!(new.query_selector(part), Ok(Some(_)))).then_some(new)
}

/// Whether the answer shows a new token's value (My Token, open).
fn holds_new_token(new: &Document) -> bool {
    matches!(new.query_selector("#my-token-dialog[open]"), Ok(Some(_)))
}

/// Puts the new page's header, main and title in place of the current ones.
fn swap(new: &Document) {
    let document = document();
    for part in PARTS {
        if let (Ok(Some(old)), Ok(Some(new))) = (document.query_selector(part), new.query_selector(part)) {
            let _ = old.replace_with_with_node_1(&new);
        }
    }
    document.set_title(&new.title());
}

/// The page's own forms, counted to find the one posted again after a swap (not the expiring
/// tokens warning's, which comes and goes).
const FORMS: &str = "main.page form:not(.expiring-notice form)";

/// Where focus goes back to once a form's answer is swapped in: the field or button that had it
/// (by its id), or else the same form's submit button. A dialog the answer opens takes focus
/// itself.
struct FocusHint {
    id: Option<String>,
    form: Option<u32>,
}

impl FocusHint {
    fn before_swap(form: &HtmlFormElement) -> Self {
        let document = document();
        let id = document.active_element().map(|element| element.id()).filter(|id| !id.is_empty());
        let forms = document.query_selector_all(FORMS).ok();
        let form = forms.and_then(|forms| {
            (0..forms.length())
                .find(|&index| forms.item(index).is_some_and(|node| node.is_same_node(Some(form.as_ref()))))
        });
        FocusHint { id, form }
    }

    fn restore(self) {
        let document = document();
        if matches!(document.query_selector("dialog:modal"), Ok(Some(_))) {
            return;
        }
        let by_id = self.id.and_then(|id| document.get_element_by_id(&id));
        let by_form = || {
            let forms = document.query_selector_all(FORMS).ok()?;
            let form = forms.item(self.form?)?.dyn_into::<Element>().ok()?;
            form.query_selector("[type=submit]").ok().flatten()
        };
        if let Some(target) = by_id.or_else(by_form).and_then(|element| element.dyn_into::<HtmlElement>().ok()) {
            let _ = target.focus();
        }
    }
}

/// Says at the top of the page what went wrong with a form (one message at a time).
fn show_error(text: &str) {
    let document = document();
    if let Ok(Some(old)) = document.query_selector("[data-navigator-error]") {
        old.remove();
    }
    if let (Ok(Some(main)), Ok(paragraph)) = (document.query_selector("main.page"), document.create_element("p")) {
        paragraph.set_class_name("error");
        let _ = paragraph.set_attribute("role", "alert");
        let _ = paragraph.set_attribute("data-navigator-error", "");
        paragraph.set_text_content(Some(text));
        let _ = main.prepend_with_node_1(&paragraph);
    }
}
