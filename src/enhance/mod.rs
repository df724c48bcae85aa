//! What the page does in the browser, as one island: the only code that hydrates.
//!
//! Every page is server HTML that works without JavaScript: links, forms posted to the page
//! (`form_posts`), dialogs opened by `command` buttons, popover menus. The island makes it better
//! where a script can, reading what it needs from the DOM (ids, `datetime`, `data-` attributes),
//! so no page's data travels twice:
//! - a navigator ([`navigator`]): same-origin links and forms are fetched and the page's
//!   `<header>` and `<main>` swapped in, without a reload;
//! - the dialogs ([`page`]): the server's open dialogs become modal, a row's Rotate and Delete open
//!   in place with that row's token, My Token copies its value and forgets it once closed;
//! - the clock ([`page`]): times in the reader's locale, relative hints that tick, and a token's
//!   status turning Expired the second it expires;
//! - the user menu's `aria-expanded`, and the tokens listed again when the tab is shown again.
//!
//! It sits outside `<header>` and `<main>` and lives as long as the document: its listeners are on
//! the document, so they serve whatever page is swapped in.

use leptos::prelude::*;

#[cfg(feature = "hydrate")]
mod navigator;
#[cfg(feature = "hydrate")]
mod page;

#[island]
pub fn Enhance() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        // The page's click listener first: its clicks (a dialog's button, a row's menu) are not
        // navigations, and the navigator leaves alone what it has handled.
        page::install();
        navigator::install();
        // Marks the page as interactive, for the browser tests (and anyone curious).
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "");
        }
    }
}

/// Whether a same-origin path is one of the app's pages, which the navigator fetches and swaps in;
/// anything else (the API, static files, metrics) the browser loads as it would.
pub fn is_page(path: &str) -> bool {
    const NOT_PAGES: [&str; 3] = ["/api/", "/v4/", "/pkg/"];
    !NOT_PAGES.iter().any(|prefix| path.starts_with(prefix))
        && !matches!(path, "/metrics" | "/healthz" | "/favicon.svg")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_swapped_in_and_everything_else_is_loaded_by_the_browser() {
        for page in ["/", "/signin", "/preferences/access-tokens", "/users", "/audit", "/no-such-page"] {
            assert!(is_page(page), "{page}");
        }
        for other in
            ["/api/sign_out", "/v4/openapi.json", "/pkg/access-tokens.css", "/metrics", "/healthz", "/favicon.svg"]
        {
            assert!(!is_page(other), "{other}");
        }
    }
}
