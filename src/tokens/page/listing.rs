//! Which list the Access Tokens page shows, as its URL says (`?view=all&after=<key>&at=101`), and
//! the listing itself. The server reads the same when it answers a form posted to the page
//! (`tokens::form_posts`), so nothing here is a component.

use serde::{Deserialize, Serialize};

use crate::{
    tokens::{
        NewToken, Owner, TokenInfo, TokenKey,
        server_fns::{inactive_tokens, my_tokens, workspace_tokens},
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

/// Which page of a list: the first, or the one right after (older than) or before (newer than) a
/// token, as the pager's links say. Pages are read by key, so a deep one costs what the first
/// does; `at` is where the page starts (1 for the newest token), carried along by the links only
/// to tell the reader where they are, since counting the tokens before a key would cost a scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    First,
    After { key: TokenKey, at: Option<i64> },
    Before { key: TokenKey, at: Option<i64> },
}

/// A list and a page of it: what the page's URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListAt {
    pub view: View,
    /// The tokens that no longer work (`?status=inactive`): revoked, expired, or their owner's
    /// account disabled.
    pub inactive: bool,
    pub place: Place,
}

impl ListAt {
    /// The list a URL's query names: anything it does not read is one's own tokens, first page.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        const MAX_POSITION: i64 = 1_000_000_000_000;
        let view = if get("view").as_deref() == Some("all") { View::AllMembers } else { View::Mine };
        let inactive = get("status").as_deref() == Some("inactive");
        let key = |name: &str| get(name).and_then(|text| TokenKey::parse(&text));
        let at = get("at").and_then(|at| at.parse::<i64>().ok()).filter(|at| (1..=MAX_POSITION).contains(at));
        let place = match (key("after"), key("before")) {
            (Some(key), _) => Place::After { key, at },
            (None, Some(key)) => Place::Before { key, at },
            (None, None) => Place::First,
        };
        ListAt { view, inactive, place }
    }

    /// The first page of `view`'s working tokens.
    pub fn first(view: View) -> Self {
        ListAt { view, inactive: false, place: Place::First }
    }

    /// The first page of `view`'s inactive tokens.
    pub fn first_inactive(view: View) -> Self {
        ListAt { view, inactive: true, place: Place::First }
    }

    /// This page's URL.
    pub fn href(&self) -> String {
        let mut query: Vec<String> = Vec::new();
        if self.view == View::AllMembers {
            query.push("view=all".to_owned());
        }
        if self.inactive {
            query.push("status=inactive".to_owned());
        }
        let (name, key, at) = match self.place {
            Place::First => return path_with(query),
            Place::After { key, at } => ("after", key, at),
            Place::Before { key, at } => ("before", key, at),
        };
        query.push(format!("{name}={key}"));
        query.extend(at.map(|at| format!("at={at}")));
        path_with(query)
    }
}

fn path_with(query: Vec<String>) -> String {
    match query.is_empty() {
        true => "/preferences/access-tokens".to_owned(),
        false => format!("/preferences/access-tokens?{}", query.join("&")),
    }
}

/// A row of the table: a token and, in the All members view, who holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub info: TokenInfo,
    pub owner: Option<Owner>,
}

/// One page of rows, how many tokens there are in all, the keys to the pages either side, and when
/// it was listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub rows: Vec<Row>,
    pub count: i64,
    /// Where the page starts (1 for the newest token), where known.
    pub at: Option<i64>,
    /// The first row's key, unless this page is known to be the first.
    pub newer: Option<TokenKey>,
    /// The last row's key, when older tokens come after it.
    pub older: Option<TokenKey>,
    /// Statuses and relative times are computed against this until the browser's clock runs.
    #[serde(with = "crate::timestamp::rfc3339")]
    pub listed_at: time::OffsetDateTime,
}

/// A form posted to this page, and what came of it: the server renders the page with it in
/// context (see `tokens::form_posts`).
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

/// Lists the page `list` names.
pub async fn list(list: ListAt) -> Result<Listing, UiError> {
    let (after, before, claimed_at) = match list.place {
        Place::First => (None, None, Some(1)),
        Place::After { key, at } => (Some(key.to_string()), None, at),
        Place::Before { key, at } => (None, Some(key.to_string()), at),
    };
    let slice = match (list.view, list.inactive) {
        (View::Mine, false) => my_tokens(after, before).await?.map(|info| Row { info, owner: None }),
        (View::AllMembers, false) => {
            workspace_tokens(after, before).await?.map(|token| Row { info: token.info, owner: Some(token.owner) })
        }
        (view, true) => {
            let all = view == View::AllMembers;
            inactive_tokens(all, after, before)
                .await?
                .map(|token| Row { info: token.info, owner: all.then_some(token.owner) })
        }
    };
    // With nothing newer, the page is the first, whatever the link said; otherwise it is not.
    let at = match slice.newer {
        None => Some(1),
        Some(_) => claimed_at.filter(|at| *at > 1),
    };
    Ok(Listing {
        rows: slice.data,
        count: slice.count,
        at,
        newer: slice.newer,
        older: slice.older,
        listed_at: crate::clock::now(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| pairs.iter().find(|(key, _)| *key == name).map(|(_, value)| (*value).to_owned())
    }

    #[test]
    fn the_url_names_the_view_and_the_page() {
        let key = "1780000000123.0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
        let parsed = TokenKey::parse(key).unwrap();
        assert_eq!(ListAt::from_query(query(&[])), ListAt::first(View::Mine));
        assert_eq!(
            ListAt::from_query(query(&[("view", "all"), ("after", key), ("at", "101")])),
            ListAt { view: View::AllMembers, inactive: false, place: Place::After { key: parsed, at: Some(101) } }
        );
        assert_eq!(
            ListAt::from_query(query(&[("before", key), ("at", "-4")])),
            ListAt { view: View::Mine, inactive: false, place: Place::Before { key: parsed, at: None } }
        );
        assert_eq!(
            ListAt::from_query(query(&[("view", "all"), ("status", "inactive")])),
            ListAt::first_inactive(View::AllMembers)
        );
        assert_eq!(
            ListAt::first_inactive(View::AllMembers).href(),
            "/preferences/access-tokens?view=all&status=inactive"
        );
        // What does not read is the first page of one's own tokens.
        assert_eq!(ListAt::from_query(query(&[("view", "everything"), ("after", "5")])), ListAt::first(View::Mine));
        assert_eq!(ListAt::first(View::Mine).href(), "/preferences/access-tokens");
        assert_eq!(
            ListAt { view: View::AllMembers, inactive: false, place: Place::After { key: parsed, at: Some(101) } }
                .href(),
            format!("/preferences/access-tokens?view=all&after={key}&at=101")
        );
        let round_trip = ListAt { view: View::Mine, inactive: true, place: Place::Before { key: parsed, at: None } };
        let href = round_trip.href();
        let pairs: Vec<(String, String)> = href
            .split_once('?')
            .unwrap()
            .1
            .split('&')
            .map(|pair| pair.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())).unwrap())
            .collect();
        assert_eq!(
            ListAt::from_query(|name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())),
            round_trip
        );
    }
}
