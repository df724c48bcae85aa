//! Lists come a page at a time: [`Paging`] says which page, and [`Page`] is one page of items with
//! the count of all of them, `{"data": [...], "count": N}` on the wire. The REST lists, the pages'
//! server functions and the stores all take these two.
//!
//! Lists that grow without bound (tokens) are also read by key: [`Seek`] starts a page after or
//! before a row's key instead of skipping rows, so a deep page costs what the first does, and
//! [`Slice`] carries the keys of the pages either side; on the wire it is a [`CursorPage`].

use serde::{Deserialize, Serialize};

/// Which part of a list to read: `limit` items after skipping `offset`. Built only valid.
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawPaging")]
pub struct Paging {
    /// How many items to return: 1 to 1000 (default 100).
    #[cfg_attr(feature = "ssr", param(required = false, minimum = 1, maximum = 1000, default = 100))]
    limit: i64,
    /// How many items to skip (default 0).
    #[cfg_attr(feature = "ssr", param(required = false, minimum = 0, default = 0))]
    offset: i64,
}

impl Paging {
    pub const MAX_LIMIT: i64 = 1000;
    pub const DEFAULT_LIMIT: i64 = 100;

    pub fn new(limit: i64, offset: i64) -> Result<Self, String> {
        if !(1..=Self::MAX_LIMIT).contains(&limit) {
            return Err(format!("limit must be between 1 and {}.", Self::MAX_LIMIT));
        }
        if offset < 0 {
            return Err("offset must not be negative.".into());
        }
        Ok(Paging { limit, offset })
    }

    /// The first `limit` items (clamped to what a page may hold).
    pub fn first(limit: i64) -> Self {
        Paging { limit: limit.clamp(1, Self::MAX_LIMIT), offset: 0 }
    }

    pub fn limit(&self) -> i64 {
        self.limit
    }

    pub fn offset(&self) -> i64 {
        self.offset
    }
}

/// `?limit=&offset=` as sent, before [`Paging::new`] checks it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPaging {
    #[serde(default = "default_limit")]
    limit: i64,
    #[serde(default)]
    offset: i64,
}

fn default_limit() -> i64 {
    Paging::DEFAULT_LIMIT
}

impl TryFrom<RawPaging> for Paging {
    type Error = String;

    fn try_from(raw: RawPaging) -> Result<Self, String> {
        Paging::new(raw.limit, raw.offset)
    }
}

/// One page of a list, and how many items there are in all.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub count: i64,
}

/// Which part of a list read by key to return: `limit` items from `start`, after skipping `skip`
/// more. Built only valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seek<K> {
    limit: i64,
    skip: i64,
    start: Start<K>,
}

/// Where a page read by key starts, in a list's order (newest first for tokens).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Start<K> {
    First,
    /// Right after the item with this key: the next page.
    After(K),
    /// Right before the item with this key: the page before. Where fewer than a page's worth come
    /// before it (items were deleted), the list's first page.
    Before(K),
}

impl<K> Seek<K> {
    /// `skip` is what clients of `limit`/`offset` ask for. It costs what it skips, so the pages'
    /// own links never use it; nor does a page before a key.
    pub fn new(limit: i64, skip: i64, start: Start<K>) -> Result<Self, String> {
        // The same bounds as `Paging`, whose checks say why.
        let checked = Paging::new(limit, skip)?;
        if skip > 0 && matches!(start, Start::Before(_)) {
            return Err("A page before a key skips nothing.".into());
        }
        Ok(Seek { limit: checked.limit(), skip, start })
    }

    /// The first `limit` items (clamped to what a page may hold).
    pub fn first(limit: i64) -> Self {
        Seek { limit: Paging::first(limit).limit(), skip: 0, start: Start::First }
    }

    pub fn limit(&self) -> i64 {
        self.limit
    }

    pub fn skip(&self) -> i64 {
        self.skip
    }

    pub fn start(&self) -> &Start<K> {
        &self.start
    }
}

/// One page of a list read by key, how many items there are in all, and the keys to the pages
/// either side: `newer` (for [`Start::Before`]) unless this page is known to be the first (a page
/// read after a key has one even if what came before was deleted meanwhile: reading before it then
/// gives the first page), and `older` (for [`Start::After`]) when items come after this page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slice<T, K> {
    pub data: Vec<T>,
    pub count: i64,
    pub newer: Option<K>,
    pub older: Option<K>,
}

impl<T, K> Slice<T, K> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Slice<U, K> {
        Slice { data: self.data.into_iter().map(f).collect(), count: self.count, newer: self.newer, older: self.older }
    }
}

/// A REST list read by key: a page of items, the count of all, and the cursor of the next page
/// (`null` on the last).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CursorPage<T> {
    pub data: Vec<T>,
    /// How many items the list holds in all.
    pub count: i64,
    /// Pass it back as `cursor` for the next page, whose cost does not grow with its depth; `null`
    /// when this page is the last.
    pub next_cursor: Option<String>,
}

impl<T, K: std::fmt::Display> From<Slice<T, K>> for CursorPage<T> {
    fn from(slice: Slice<T, K>) -> Self {
        CursorPage { data: slice.data, count: slice.count, next_cursor: slice.older.map(|key| key.to_string()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_holds_one_to_a_thousand_items_from_a_non_negative_offset() {
        assert_eq!(Paging::new(1, 0).map(|paging| (paging.limit(), paging.offset())), Ok((1, 0)));
        assert!(Paging::new(1000, 5_000_000).is_ok());
        assert!(Paging::new(0, 0).unwrap_err().contains("between 1 and 1000"));
        assert!(Paging::new(1001, 0).is_err());
        assert!(Paging::new(10, -1).unwrap_err().contains("negative"));
        assert_eq!(Paging::first(5_000).limit(), 1000);
    }

    #[test]
    fn the_query_string_defaults_to_the_first_hundred_and_refuses_unknown_fields() {
        let paging: Paging = serde_json::from_str("{}").unwrap();
        assert_eq!((paging.limit(), paging.offset()), (100, 0));
        assert!(serde_json::from_str::<Paging>(r#"{"limit": 0}"#).is_err());
        assert!(serde_json::from_str::<Paging>(r#"{"page": 2}"#).is_err());
    }

    #[test]
    fn a_seek_holds_what_a_page_may_and_never_a_negative_offset() {
        assert_eq!(Seek::new(10, 5, Start::After(7)).map(|seek| (seek.limit(), seek.skip())), Ok((10, 5)));
        assert!(Seek::new(0, 0, Start::Before(7)).unwrap_err().contains("between 1 and 1000"));
        assert!(Seek::<i32>::new(10, -1, Start::First).unwrap_err().contains("negative"));
        assert!(Seek::new(10, 1, Start::Before(7)).is_err());
        assert_eq!(Seek::<i32>::first(5_000), Seek { limit: 1000, skip: 0, start: Start::First });
    }
}
