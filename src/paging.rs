//! `limit`/`offset` paging of REST lists, and the `{"data": [...], "count": N}` shape they answer with.

use serde::Deserialize;

use crate::error::ApiError;

/// One page of a list, and how many items there are in all.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub count: i64,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// How many items to return: 1 to 1000 (default 100).
    #[serde(default = "default_limit")]
    limit: i64,
    /// How many items to skip (default 0).
    #[serde(default)]
    offset: i64,
}

fn default_limit() -> i64 {
    100
}

impl Paging {
    pub const MAX_LIMIT: i64 = 1000;

    pub fn checked(&self) -> Result<(i64, i64), ApiError> {
        if !(1..=Self::MAX_LIMIT).contains(&self.limit) {
            return Err(ApiError::Validation(format!("limit must be between 1 and {}.", Self::MAX_LIMIT)));
        }
        if self.offset < 0 {
            return Err(ApiError::Validation("offset must not be negative.".into()));
        }
        Ok((self.limit, self.offset))
    }
}
