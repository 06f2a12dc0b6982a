//! Translation of the core's typed `q` and sort into SQL conditions for one table.

use authhero_core::query::{Bound, FieldPath, Pattern, Query};
use authhero_core::{Error, Result};
use sea_orm::DbBackend;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, LikeExpr, Value};

use crate::schema::{Column, ColumnKind, Table};

/// The SQL condition equivalent to `query` on `table`'s rows.
pub(crate) fn condition(table: &Table, backend: DbBackend, query: &Query) -> Result<Condition> {
    Ok(match query {
        Query::All => Condition::all(),
        Query::Match {
            field: Some(field),
            pattern,
        } => Condition::all().add(match_field(table, backend, field, pattern)?),
        Query::Match {
            field: None,
            pattern,
        } => {
            if table.search_fields.is_empty() {
                return Err(Error::invalid(format!(
                    "{} search needs field:value terms",
                    table.entity
                )));
            }
            let mut any = Condition::any();
            for name in table.search_fields {
                let field = FieldPath::parse(name)?;
                any = any.add(match_field(table, backend, &field, pattern)?);
            }
            any
        }
        Query::Range {
            field,
            lower,
            upper,
        } => {
            let target = Target::resolve(table, backend, field)?;
            let mut all = Condition::all();
            if let Some(bound) = range_side(&target, lower, true)? {
                all = all.add(bound);
            }
            if let Some(bound) = range_side(&target, upper, false)? {
                all = all.add(bound);
            }
            all
        }
        Query::Exists(field) => {
            Condition::all().add(Target::resolve(table, backend, field)?.expr.is_not_null())
        }
        Query::And(clauses) => {
            let mut all = Condition::all();
            for clause in clauses {
                all = all.add(condition(table, backend, clause)?);
            }
            all
        }
        Query::Or(clauses) => {
            if let Some(in_list) = exact_values_of_one_field(table, backend, clauses)? {
                return Ok(Condition::all().add(in_list));
            }
            let mut any = Condition::any();
            for clause in clauses {
                any = any.add(condition(table, backend, clause)?);
            }
            any
        }
        Query::Not(inner) => condition(table, backend, inner)?.not(),
    })
}

/// `field IN (…)` for an `Or` of exact matches on one field (`email:a OR email:b …`, as a
/// bulk import's look-up sends): PostgreSQL uses an `IN` list as an index condition, where it
/// scans for a chain of `OR`s.
fn exact_values_of_one_field(
    table: &Table,
    backend: DbBackend,
    clauses: &[Query],
) -> Result<Option<Expr>> {
    let mut field = None;
    let mut texts = Vec::new();
    for clause in clauses {
        let Query::Match {
            field: Some(this),
            pattern: Pattern::Exact(text),
        } = clause
        else {
            return Ok(None);
        };
        if field.is_some_and(|first: &FieldPath| first != this) {
            return Ok(None);
        }
        field = Some(this);
        texts.push(text);
    }
    let Some(field) = field.filter(|_| texts.len() > 1) else {
        return Ok(None);
    };
    let target = Target::resolve(table, backend, field)?;
    let values = texts
        .into_iter()
        .map(|text| target.value(text))
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(target.expr.is_in(values)))
}

/// A field resolved to an SQL expression and the kind of value it holds.
struct Target {
    expr: Expr,
    kind: ColumnKind,
    /// The promoted column, when the field has one.
    column: Option<&'static str>,
}

impl Target {
    fn resolve(table: &Table, backend: DbBackend, field: &FieldPath) -> Result<Target> {
        if let Some(column) = table.column(field.as_str()) {
            return Ok(Target {
                expr: Expr::col(column.name),
                kind: column.kind,
                column: Some(column.name),
            });
        }
        Ok(Target {
            expr: json_text(backend, field),
            kind: ColumnKind::Text,
            column: None,
        })
    }

    /// The query text as the value this target holds.
    fn value(&self, text: &str) -> Result<Value> {
        Ok(match self.kind {
            ColumnKind::Text | ColumnKind::Timestamp => Value::from(text.to_owned()),
            ColumnKind::Folded => Value::from(text.to_lowercase()),
            ColumnKind::Integer => Value::from(
                text.parse::<i64>()
                    .map_err(|_| Error::invalid(format!("{text:?} is not a whole number")))?,
            ),
            ColumnKind::Boolean => Value::from(match text {
                "true" => true,
                "false" => false,
                _ => return Err(Error::invalid(format!("{text:?} is not true or false"))),
            }),
        })
    }
}

fn match_field(
    table: &Table,
    backend: DbBackend,
    field: &FieldPath,
    pattern: &Pattern,
) -> Result<Expr> {
    let target = Target::resolve(table, backend, field)?;
    match pattern {
        Pattern::Exact(text) => {
            let value = target.value(text)?;
            Ok(target.expr.eq(value))
        }
        Pattern::Prefix(text) => {
            if !matches!(
                target.kind,
                ColumnKind::Text | ColumnKind::Folded | ColumnKind::Timestamp
            ) {
                return Err(Error::invalid(format!(
                    "{field} does not support prefix search"
                )));
            }
            let prefix = if target.kind == ColumnKind::Folded {
                text.to_lowercase()
            } else {
                text.clone()
            };
            let like = target
                .expr
                .clone()
                .like(LikeExpr::new(format!("{}%", escape_like(&prefix))).escape('\\'));
            // The same prefix as a range of code points lets SQLite (which walks no index for
            // a LIKE with ESCAPE) and PostgreSQL (which walks one only under the "C" collation,
            // see migration m0003) use an index. MySQL walks its index for the LIKE itself.
            let end = format!("{prefix}\u{10FFFF}");
            Ok(match (backend, &target.column) {
                (DbBackend::Sqlite, _) => like
                    .and(target.expr.clone().gte(prefix))
                    .and(target.expr.lt(end)),
                (DbBackend::Postgres, Some(column)) => {
                    let binary = Expr::cust(format!("(\"{column}\" COLLATE \"C\")"));
                    like.and(binary.clone().gte(prefix)).and(binary.lt(end))
                }
                _ => like,
            })
        }
    }
}

fn range_side(target: &Target, bound: &Bound, lower: bool) -> Result<Option<Expr>> {
    let expr = target.expr.clone();
    Ok(match (bound, lower) {
        (Bound::Unbounded, _) => None,
        (Bound::Included(text), true) => Some(expr.gte(target.value(text)?)),
        (Bound::Excluded(text), true) => Some(expr.gt(target.value(text)?)),
        (Bound::Included(text), false) => Some(expr.lte(target.value(text)?)),
        (Bound::Excluded(text), false) => Some(expr.lt(target.value(text)?)),
    })
}

/// `%`, `_` and the escape character itself are literal in a prefix.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        if matches!(character, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}

/// The text at `field` inside the JSON `body`, or NULL when absent or JSON null. Booleans read
/// as `true`/`false` and numbers in their JSON form on every backend.
fn json_text(backend: DbBackend, field: &FieldPath) -> Expr {
    match backend {
        DbBackend::Postgres => {
            let segments: Vec<String> = field.segments().map(str::to_owned).collect();
            let placeholders: Vec<String> = (1..=segments.len()).map(|n| format!("${n}")).collect();
            Expr::cust_with_values(
                format!(
                    "jsonb_extract_path_text(CAST(body AS jsonb), {})",
                    placeholders.join(", ")
                ),
                segments,
            )
        }
        DbBackend::MySql => {
            let path = json_path(field);
            Expr::cust_with_values(
                "(CASE JSON_TYPE(JSON_EXTRACT(body, ?)) WHEN 'NULL' THEN NULL \
                 ELSE JSON_UNQUOTE(JSON_EXTRACT(body, ?)) END)",
                [path.clone(), path],
            )
        }
        _ => {
            let path = json_path(field);
            Expr::cust_with_values(
                "(CASE json_type(body, ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' \
                 ELSE CAST(json_extract(body, ?) AS TEXT) END)",
                [path.clone(), path],
            )
        }
    }
}

/// `$."a"."b"`: every segment quoted, so `-` and digits are member names, not syntax.
fn json_path(field: &FieldPath) -> String {
    let mut path = String::from("$");
    for segment in field.segments() {
        path.push_str(".\"");
        path.push_str(segment);
        path.push('"');
    }
    path
}

/// The column of the one prefix search `q` asks for, alone or as a clause of an `AND`. A list
/// with no `sort` is ordered by it, so the index that finds the matches also orders them and a
/// page stops at its last row, where ordering by anything else sorts every match first.
pub(crate) fn prefix_column<'t>(table: &'t Table, q: &Query) -> Option<&'t Column> {
    let clauses = match q {
        Query::And(clauses) => clauses.as_slice(),
        other => std::slice::from_ref(other),
    };
    let mut prefixes = clauses.iter().filter_map(|clause| match clause {
        Query::Match {
            field: Some(field),
            pattern: Pattern::Prefix(_),
        } => Some(table.column(field.as_str())),
        _ => None,
    });
    let column = prefixes.next()??;
    prefixes.next().is_none().then_some(column)
}

/// The column a sort names; sorting on JSON fields is not offered (nothing indexes them).
pub(crate) fn sort_column<'t>(table: &'t Table, field: &FieldPath) -> Result<&'t Column> {
    table
        .column(field.as_str())
        .ok_or_else(|| Error::invalid(format!("cannot sort {} by {field}", table.entity)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_wildcards() {
        assert_eq!(escape_like(r"50%_off\"), r"50\%\_off\\");
    }

    #[test]
    fn quotes_json_path_segments() {
        let field = FieldPath::parse("app_metadata.plan-2").unwrap();
        assert_eq!(json_path(&field), r#"$."app_metadata"."plan-2""#);
    }
}
