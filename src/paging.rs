//! Lists come a page at a time: [`Paging`] says which page, and [`Page`] is one page of items with
//! the count of all of them, `{"data": [...], "count": N}` on the wire. The REST lists, the pages'
//! server functions and the stores all take these two.

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
}
