//! The list parameters Auth0's Management API accepts, validated once, and the page they return.

use crate::error::{Error, Result};
use crate::query::{FieldPath, Query};

/// The largest page Auth0 serves; larger `per_page` or `take` values are refused.
pub const MAX_PAGE_SIZE: u32 = 100;
/// Auth0's default page size.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// How one list call pages, sorts and filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParams {
    pub pagination: Pagination,
    /// Also count every match (`include_totals=true`); only meaningful for offset paging.
    pub include_totals: bool,
    pub sort: Option<Sort>,
    pub q: Option<Query>,
}

impl Default for ListParams {
    fn default() -> Self {
        Self {
            pagination: Pagination::Offset {
                page: 0,
                per_page: DEFAULT_PAGE_SIZE,
            },
            include_totals: false,
            sort: None,
            q: None,
        }
    }
}

/// Offset paging (`page`/`per_page`, zero-based pages) or checkpoint paging (`from`/`take`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pagination {
    Offset { page: u32, per_page: u32 },
    Checkpoint(Checkpoint),
}

/// Checkpoint paging: `from` is the opaque `next` value of the previous page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub from: Option<String>,
    pub take: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    Ascending,
    Descending,
}

/// `sort=field:1` (ascending) or `sort=field:-1` (descending).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    pub field: FieldPath,
    pub order: SortOrder,
}

impl Sort {
    pub fn parse(text: &str) -> Result<Sort> {
        let (field, order) = text.rsplit_once(':').ok_or_else(|| {
            Error::invalid(format!("sort must be field:1 or field:-1, got {text:?}"))
        })?;
        let order = match order {
            "1" => SortOrder::Ascending,
            "-1" => SortOrder::Descending,
            _ => {
                return Err(Error::invalid(format!(
                    "sort order must be 1 or -1, got {order:?}"
                )));
            }
        };
        let field = FieldPath::parse(field)?;
        Ok(Sort { field, order })
    }
}

impl ListParams {
    /// Offset paging with Auth0's bounds checked.
    pub fn page(page: u32, per_page: u32) -> Result<Self> {
        check_page_size("per_page", per_page)?;
        page.checked_mul(per_page)
            .ok_or_else(|| Error::invalid("page * per_page is too large"))?;
        Ok(Self {
            pagination: Pagination::Offset { page, per_page },
            ..Self::default()
        })
    }

    /// Checkpoint paging with Auth0's bounds checked.
    pub fn checkpoint(from: Option<String>, take: u32) -> Result<Self> {
        check_page_size("take", take)?;
        Ok(Self {
            pagination: Pagination::Checkpoint(Checkpoint { from, take }),
            ..Self::default()
        })
    }

    pub fn with_totals(mut self) -> Self {
        self.include_totals = true;
        self
    }

    pub fn with_sort(mut self, sort: Sort) -> Self {
        self.sort = Some(sort);
        self
    }

    pub fn with_query(mut self, q: Query) -> Self {
        self.q = Some(q);
        self
    }

    /// Re-checks the bounds, for params built field by field rather than through the constructors.
    pub fn validate(&self) -> Result<()> {
        match &self.pagination {
            Pagination::Offset { page, per_page } => {
                check_page_size("per_page", *per_page)?;
                page.checked_mul(*per_page)
                    .ok_or_else(|| Error::invalid("page * per_page is too large"))?;
            }
            Pagination::Checkpoint(checkpoint) => {
                check_page_size("take", checkpoint.take)?;
                if self.sort.is_some() {
                    return Err(Error::invalid(
                        "sort cannot be combined with checkpoint paging (from/take)",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The row offset and row count this params ask for.
    pub fn offset_and_limit(&self) -> (u64, u64) {
        match &self.pagination {
            Pagination::Offset { page, per_page } => (
                u64::from(*page) * u64::from(*per_page),
                u64::from(*per_page),
            ),
            Pagination::Checkpoint(checkpoint) => (0, u64::from(checkpoint.take)),
        }
    }
}

fn check_page_size(name: &str, size: u32) -> Result<()> {
    if size == 0 || size > MAX_PAGE_SIZE {
        return Err(Error::invalid(format!(
            "{name} must be between 1 and {MAX_PAGE_SIZE}, got {size}"
        )));
    }
    Ok(())
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    /// Every match, when `include_totals` was asked for.
    pub total: Option<u64>,
    /// Checkpoint paging: the `from` of the next page, or None on the last page.
    pub next: Option<String>,
}

impl<T> ListPage<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> ListPage<U> {
        ListPage {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            next: self.next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sort_both_ways() {
        let sort = Sort::parse("email:1").unwrap();
        assert_eq!(sort.field.as_str(), "email");
        assert_eq!(sort.order, SortOrder::Ascending);
        assert_eq!(
            Sort::parse("app_metadata.rank:-1").unwrap().order,
            SortOrder::Descending
        );
    }

    #[test]
    fn rejects_bad_sort() {
        for bad in ["email", "email:2", ":1", "em ail:1", "email:"] {
            assert!(
                matches!(Sort::parse(bad), Err(ref e) if e.is_invalid()),
                "{bad}"
            );
        }
    }

    #[test]
    fn bounds_page_sizes() {
        assert!(ListParams::page(0, 100).is_ok());
        assert!(matches!(ListParams::page(0, 101), Err(ref e) if e.is_invalid()));
        assert!(matches!(ListParams::page(0, 0), Err(ref e) if e.is_invalid()));
        assert!(matches!(
            ListParams::page(u32::MAX, 100),
            Err(ref e) if e.is_invalid()
        ));
        assert!(matches!(
            ListParams::checkpoint(None, 1000),
            Err(ref e) if e.is_invalid()
        ));
    }

    #[test]
    fn checkpoint_refuses_sort() {
        let params = ListParams::checkpoint(None, 10)
            .unwrap()
            .with_sort(Sort::parse("name:1").unwrap());
        assert!(matches!(params.validate(), Err(ref e) if e.is_invalid()));
    }

    #[test]
    fn offsets() {
        assert_eq!(
            ListParams::page(3, 20).unwrap().offset_and_limit(),
            (60, 20)
        );
    }
}
