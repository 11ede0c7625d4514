//! The allocation history (H2.7.1): filters, newest first, with counts over the filtered set.

use super::decisions::{SUMMARY_COLUMNS, SummaryRow, summary_from_row};
use crate::connection::{AnyConnection, MultiBackend};
use crate::schema::pipeline::allocation_decisions as d;
use crate::time::instant;
use chrono::{DateTime, Utc};
use diesel::dsl::count_star;
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel::sql_types::Bool;
use domain::ports::{
    AdviserCount, DecisionCounts, DecisionOutcome, DecisionPage, DecisionQuery, HubspotWriteStatus,
    ServicePackageCount,
};
use std::collections::BTreeMap;

/// The length of each top list (H2.7.1).
const TOP: usize = 5;

type Filter = Box<dyn BoxableExpression<d::table, MultiBackend, SqlType = Bool>>;

/// The query's filters as one predicate. Built once per statement: boxed expressions are not
/// `Clone`.
fn filter(query: &DecisionQuery, now: DateTime<Utc>) -> Filter {
    let mut filter: Filter = Box::new(d::decided_at.ge(instant(now - query.within)));
    if let Some(outcome) = query.outcome {
        filter = Box::new(filter.and(d::outcome.eq(outcome.as_str())));
    }
    if let Some(write) = query.hubspot_write {
        filter = Box::new(filter.and(d::hubspot_write_status.eq(write.as_str())));
    }
    if let Some(deal_id) = &query.deal_id {
        filter = Box::new(filter.and(d::deal_id.eq(deal_id.clone())));
    }
    if let Some(adviser) = query
        .adviser
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        let pattern = format!("%{}%", escape_like(&adviser.to_lowercase()));
        filter = Box::new(
            filter.and(
                d::chosen_search
                    .assume_not_null()
                    .like(pattern)
                    .escape('\\'),
            ),
        );
    }
    filter
}

/// `%`, `_` and the escape character itself match literally.
fn escape_like(s: &str) -> String {
    let mut escaped = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

fn tally(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Most frequent first, then by name; at most [`TOP`].
fn top(mut groups: Vec<(String, u64)>) -> Vec<(String, u64)> {
    groups.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    groups.truncate(TOP);
    groups
}

pub(super) fn page(
    conn: &mut AnyConnection,
    query: &DecisionQuery,
    now: DateTime<Utc>,
) -> Result<DecisionPage, DieselError> {
    let total = d::table
        .filter(filter(query, now))
        .count()
        .get_result::<i64>(conn)?;
    let page_size = i64::from(query.page_size.max(1));
    let offset = i64::from(query.page.max(1) - 1) * page_size;
    let items = d::table
        .select(SUMMARY_COLUMNS)
        .filter(filter(query, now))
        .order((d::decided_at.desc(), d::id.desc()))
        .limit(page_size)
        .offset(offset)
        .load::<SummaryRow>(conn)?
        .into_iter()
        .map(summary_from_row)
        .collect::<Result<Vec<_>, _>>()?;

    let mut by_outcome: BTreeMap<_, _> = DecisionOutcome::ALL.map(|o| (o, 0)).into();
    for (name, n) in d::table
        .filter(filter(query, now))
        .group_by(d::outcome)
        .select((d::outcome, count_star()))
        .load::<(String, i64)>(conn)?
    {
        if let Some(outcome) = DecisionOutcome::parse(&name) {
            by_outcome.insert(outcome, tally(n));
        }
    }
    let mut by_hubspot_write: BTreeMap<_, _> = HubspotWriteStatus::ALL.map(|w| (w, 0)).into();
    for (name, n) in d::table
        .filter(filter(query, now))
        .group_by(d::hubspot_write_status)
        .select((d::hubspot_write_status, count_star()))
        .load::<(String, i64)>(conn)?
    {
        if let Some(write) = HubspotWriteStatus::parse(&name) {
            by_hubspot_write.insert(write, tally(n));
        }
    }
    let advisers = d::table
        .filter(filter(query, now))
        .group_by(d::chosen_email)
        .select((d::chosen_email, count_star()))
        .load::<(Option<String>, i64)>(conn)?
        .into_iter()
        .filter_map(|(email, n)| Some((email?, tally(n))))
        .collect();
    let packages = d::table
        .filter(filter(query, now))
        .group_by(d::service_package)
        .select((d::service_package, count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .map(|(package, n)| (package, tally(n)))
        .collect();

    Ok(DecisionPage {
        total: tally(total),
        items,
        counts: DecisionCounts {
            by_outcome,
            by_hubspot_write,
            top_advisers: top(advisers)
                .into_iter()
                .map(|(email, count)| AdviserCount { email, count })
                .collect(),
            top_service_packages: top(packages)
                .into_iter()
                .map(|(service_package, count)| ServicePackageCount {
                    service_package,
                    count,
                })
                .collect(),
        },
    })
}
