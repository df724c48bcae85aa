//! Which list the Access Tokens page shows, as its URL says (`?view=all&page=N`), and the listing
//! itself. The server reads the same when it answers a form posted without JavaScript
//! (`tokens::form_posts`), so nothing here is a component.

use serde::{Deserialize, Serialize};

use crate::{
    tokens::{
        NewToken, Owner, TokenInfo,
        server_fns::{my_tokens, workspace_tokens},
    },
    ui_error::UiError,
};

/// How many tokens the page lists at once; older ones are on the next pages.
pub const PAGE_SIZE: i64 = 100;

/// Whose tokens the page lists: the viewer's own, or (for admins) every member's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Mine,
    AllMembers,
}

impl View {
    /// The URL of this list at `page`.
    pub fn href(self, page: i64) -> String {
        let mut query: Vec<String> = Vec::new();
        if self == View::AllMembers {
            query.push("view=all".to_owned());
        }
        if page > 1 {
            query.push(format!("page={page}"));
        }
        match query.is_empty() {
            true => "/preferences/access-tokens".to_owned(),
            false => format!("/preferences/access-tokens?{}", query.join("&")),
        }
    }
}

/// The list a URL's `?view=all&page=N` points at: anything else is one's own tokens, page 1; page
/// numbers are clamped, so that the offset stays far from overflowing.
pub fn list_at(view: Option<&str>, page: Option<&str>) -> (View, i64) {
    const MAX_PAGE_NUMBER: i64 = 1_000_000_000;
    let view = if view == Some("all") { View::AllMembers } else { View::Mine };
    let page = page.and_then(|page| page.parse::<i64>().ok()).unwrap_or(1).clamp(1, MAX_PAGE_NUMBER);
    (view, page)
}

/// A row of the table: a token and, in the All members view, who holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub info: TokenInfo,
    pub owner: Option<Owner>,
}

/// One page of rows, where it starts, how many tokens there are in all, and when it was listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub rows: Vec<Row>,
    pub offset: i64,
    pub count: i64,
    /// Statuses and relative times are computed against this until the browser's clock runs.
    #[serde(with = "crate::timestamp::rfc3339")]
    pub listed_at: time::OffsetDateTime,
}

/// A form of this page posted without JavaScript, and what came of it: the server renders the
/// page with it in context (see `tokens::form_posts`). Only the server has it, which is why that
/// answer is sent without scripts: hydrating it would render the page without the outcome.
#[derive(Clone, Debug)]
pub enum PostedForm {
    Generated {
        lifetime_days: String,
        description: String,
        access: String,
        admin: bool,
        result: Result<NewToken, UiError>,
    },
    Rotated(Result<NewToken, UiError>),
    DeleteRefused(UiError),
}

/// Lists page `page` of `view`.
pub async fn list(view: View, page: i64) -> Result<Listing, UiError> {
    let offset = (page - 1) * PAGE_SIZE;
    let (rows, count) = match view {
        View::Mine => {
            let page = my_tokens(PAGE_SIZE, offset).await?;
            (page.data.into_iter().map(|info| Row { info, owner: None }).collect(), page.count)
        }
        View::AllMembers => {
            let page = workspace_tokens(PAGE_SIZE, offset).await?;
            let rows = page.data.into_iter().map(|token| Row { info: token.info, owner: Some(token.owner) }).collect();
            (rows, page.count)
        }
    };
    Ok(Listing { rows, offset, count, listed_at: crate::clock::now() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_names_the_view_and_the_page() {
        assert_eq!(list_at(None, None), (View::Mine, 1));
        assert_eq!(list_at(Some("all"), Some("3")), (View::AllMembers, 3));
        assert_eq!(list_at(Some("everything"), Some("-4")), (View::Mine, 1));
        assert_eq!(list_at(None, Some("99999999999999")), (View::Mine, 1_000_000_000));
        assert_eq!(View::Mine.href(1), "/preferences/access-tokens");
        assert_eq!(View::AllMembers.href(2), "/preferences/access-tokens?view=all&page=2");
    }
}
