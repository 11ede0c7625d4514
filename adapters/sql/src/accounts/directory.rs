//! The listings of users (portal.md P8.11 directory, P10.3 counts): each user with the
//! headline and photo of their profile, never the email.

use super::users::parse_role;
use crate::connection::AnyConnection;
use crate::schema::accounts::{profiles, users};
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel::sql_types::Text;
use domain::ports::{Photo, Role, UserCounts, UserPage, UserQuery, UserSummary};

type SummaryRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The profile's columns are nullable through the left join (no profile row).
fn summary_columns() -> (
    users::id,
    users::username,
    users::role,
    diesel::dsl::Nullable<profiles::headline>,
    diesel::dsl::Nullable<profiles::photo_filename>,
    diesel::dsl::Nullable<profiles::photo_content_type>,
) {
    (
        users::id,
        users::username,
        users::role,
        profiles::headline.nullable(),
        profiles::photo_filename.nullable(),
        profiles::photo_content_type.nullable(),
    )
}

fn summary_from_row(row: SummaryRow) -> Result<UserSummary, DieselError> {
    let (id, username, role, headline, filename, content_type) = row;
    Ok(UserSummary {
        id,
        username,
        role: parse_role(&role)?,
        headline,
        photo: photo(filename, content_type),
    })
}

pub(super) fn photo(filename: Option<String>, content_type: Option<String>) -> Option<Photo> {
    Some(Photo {
        filename: filename?,
        content_type: content_type?,
    })
}

/// `%search%` for LIKE, with LIKE's own wildcards in the search taken literally.
fn like_pattern(search: &str) -> String {
    let mut pattern = String::from("%");
    for c in search.to_lowercase().chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or_default()
}

pub(super) fn count_by_role(conn: &mut AnyConnection) -> Result<UserCounts, DieselError> {
    let mut counts = UserCounts::default();
    let rows = users::table
        .group_by(users::role)
        .select((users::role, count_star()))
        .load::<(String, i64)>(conn)?;
    for (role, n) in rows {
        match parse_role(&role)? {
            Role::Employee => counts.employees = to_u64(n),
            Role::Admin => counts.admins = to_u64(n),
        }
    }
    Ok(counts)
}

pub(super) fn page(conn: &mut AnyConnection, query: &UserQuery) -> Result<UserPage, DieselError> {
    // Code-point order on both backends; PostgreSQL would otherwise use the database's
    // collation, which may skip punctuation (`a_b` after `ab`).
    let by_name = match conn {
        AnyConnection::Postgres(_) => r#"users.username_key COLLATE "C""#,
        AnyConnection::Sqlite(_) => "users.username_key",
    };
    let mut count = users::table.into_boxed();
    let mut page = users::table
        .left_join(profiles::table)
        .select(summary_columns())
        .order((sql::<Text>(by_name), users::id))
        .limit(i64::from(query.limit))
        .offset(i64::try_from(query.offset).unwrap_or(i64::MAX))
        .into_boxed();
    if let Some(caller) = query.exclude {
        count = count.filter(users::id.ne(caller));
        page = page.filter(users::id.ne(caller));
    }
    if let Some(pattern) = query.search.as_deref().map(like_pattern) {
        count = count.filter(users::username_key.like(pattern.clone()).escape('\\'));
        page = page.filter(users::username_key.like(pattern).escape('\\'));
    }
    let total = count.select(count_star()).first::<i64>(conn)?;
    let users = page
        .load::<SummaryRow>(conn)?
        .into_iter()
        .map(summary_from_row)
        .collect::<Result<_, _>>()?;
    Ok(UserPage {
        total: to_u64(total),
        users,
    })
}

/// The summaries of those of `ids` that exist, by id.
pub(super) fn summaries(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<Vec<UserSummary>, DieselError> {
    users::table
        .left_join(profiles::table)
        .filter(users::id.eq_any(ids))
        .select(summary_columns())
        .order(users::id)
        .load::<SummaryRow>(conn)?
        .into_iter()
        .map(summary_from_row)
        .collect()
}
