//! Section 2.2 (adviser) and the adviser's nested objects of 2.3 (meeting, deal-without-clarify,
//! leave).

use super::walk::{Node, R};
use crate::json::Value;
use domain::allocation::config::CLARIFY;
use domain::allocation::parse::parse_date_time;
use domain::allocation::{
    Activity, ActivityData, AdviserInput, AdviserProfile, DataSource, RawDeal, RawDealDate,
    RawFlag, RawLeave, RawMeeting, RawMulti, ekey,
};
use std::collections::HashSet;

/// One adviser. `emails` holds the ekeys of the earlier advisers (T9); a repeated one is an error
/// at this adviser's `.email`.
pub(super) fn adviser(node: &Node<'_>, emails: &mut HashSet<String>) -> R<AdviserInput> {
    let mut obj = node.object()?;
    let mut email = None;
    let mut name = None;
    let mut owner = None;
    let mut taking = None;
    let mut packages = None;
    let mut households = None;
    let mut pod_type = None;
    let mut start_date = None;
    let mut meetings = None;
    let mut deals = None;
    let mut leave = None;
    let mut unavailable = None;
    while let Some((key, n)) = obj.next_member()? {
        match key {
            "email" => {
                let e = n.non_empty()?;
                if !emails.insert(ekey(&e)) {
                    return Err(n.error(format!("duplicate adviser email {e:?}")));
                }
                email = Some(e);
            }
            "name" => name = Some(n.nullable(Node::string)?),
            "hubspot_owner_id" => owner = Some(n.nullable(Node::id)?),
            "taking_on_clients" => taking = Some(flag(&n)?),
            "service_packages" => packages = Some(multi(&n)?),
            "household_types" => {
                households = Some(n.nullable(multi)?.unwrap_or(RawMulti::Missing));
            }
            "pod_type" => pod_type = Some(n.nullable(Node::string)?),
            "start_date" => start_date = Some(n.nullable(Node::string)?),
            "meetings" => meetings = Some(n.list(meeting)?),
            "deals_without_clarify" => deals = Some(n.list(deal_without_clarify)?),
            "leave" => leave = Some(n.list(leave_record)?),
            "data_unavailable" => unavailable = Some(n.boolean()?),
            _ => return Err(n.unknown_key()),
        }
    }
    let profile = AdviserProfile {
        email: obj.required(email, "email")?,
        name: name.flatten(),
        hubspot_owner_id: owner.flatten(),
        // scenario-format.md 2.2: absent means `true` (unlike adapter data, IN1).
        taking_on_clients: taking.unwrap_or(RawFlag::Bool(true)),
        service_packages: packages.unwrap_or_else(|| RawMulti::Text(String::new())),
        household_types: households.unwrap_or(RawMulti::Missing),
        pod_type: pod_type.flatten(),
        start_date: start_date.flatten(),
    };
    let activity = if unavailable.unwrap_or(false) {
        Activity::Unavailable(DataSource::Meetings)
    } else {
        Activity::Available(ActivityData {
            meetings: meetings.unwrap_or_default(),
            deals_without_clarify: deals.unwrap_or_default(),
            leave: leave.unwrap_or_default(),
        })
    };
    Ok(AdviserInput { profile, activity })
}

/// IN1 raw value: boolean, string, or null (Blank).
fn flag(node: &Node<'_>) -> R<RawFlag> {
    match node.value {
        Value::Null => Ok(RawFlag::Missing),
        Value::Bool(b) => Ok(RawFlag::Bool(*b)),
        Value::String(s) => Ok(RawFlag::Text(s.clone())),
        _ => Err(node.wrong_type("a boolean, a string or null")),
    }
}

/// IN2 raw value: a string or an array of strings.
fn multi(node: &Node<'_>) -> R<RawMulti> {
    match node.value {
        Value::String(s) => Ok(RawMulti::Text(s.clone())),
        Value::Array(_) => node.list(Node::string).map(RawMulti::List),
        _ => Err(node.wrong_type("a string or an array of strings")),
    }
}

fn meeting(node: &Node<'_>) -> R<RawMeeting> {
    let mut obj = node.object()?;
    let mut start = None;
    let mut kind = None;
    while let Some((key, n)) = obj.next_member()? {
        match key {
            "start" => {
                let s = n.string()?;
                if parse_date_time(&s).is_none() {
                    return Err(n.error(format!("{s:?} is not a date-time (IN5)")));
                }
                start = Some(s);
            }
            "type" => kind = Some(n.string()?),
            "title" => {
                n.string()?;
            }
            _ => return Err(n.unknown_key()),
        }
    }
    Ok(RawMeeting {
        id: None,
        start: obj.required(start, "start")?,
        kind: kind.unwrap_or_else(|| CLARIFY.to_owned()),
    })
}

fn deal_without_clarify(node: &Node<'_>) -> R<RawDeal> {
    let mut obj = node.object()?;
    let mut id = None;
    let mut date = None;
    while let Some((key, n)) = obj.next_member()? {
        match key {
            "id" => id = Some(n.id()?),
            "agreement_start_date" => date = Some(n.deal_date()?),
            "name" => {
                n.string()?;
            }
            _ => return Err(n.unknown_key()),
        }
    }
    Ok(RawDeal {
        id,
        agreement_start_date: date.unwrap_or(RawDealDate::Missing),
    })
}

fn leave_record(node: &Node<'_>) -> R<RawLeave> {
    let mut obj = node.object()?;
    let mut id = None;
    let mut start = None;
    let mut end = None;
    while let Some((key, n)) = obj.next_member()? {
        match key {
            "start_date" => start = Some(n.cal_date()?.0),
            "end_date" => end = Some(n.cal_date()?.0),
            "id" => id = Some(n.string()?),
            _ => return Err(n.unknown_key()),
        }
    }
    Ok(RawLeave {
        id,
        start_date: Some(obj.required(start, "start_date")?),
        end_date: Some(obj.required(end, "end_date")?),
    })
}
