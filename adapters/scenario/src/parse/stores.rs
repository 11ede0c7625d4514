//! Section 2.3: the two stores, office closures (AB1) and capacity overrides (LM4).

use super::walk::{Node, R};
use crate::json::Value;
use domain::allocation::{CapacityOverride, ClientLimit, OfficeClosure};

/// LM5: the allowed `client_limit_monthly` of an override.
const OVERRIDE_LIMIT: std::ops::RangeInclusive<u32> = 1..=1000;

pub(super) fn closure(node: &Node<'_>) -> R<OfficeClosure> {
    let mut obj = node.object()?;
    let mut start = None;
    let mut end = None;
    let mut description = None;
    let mut tags = None;
    while let Some((key, n)) = obj.next_member()? {
        match key {
            "start_date" => start = Some(n.cal_date()?.1),
            "end_date" => end = Some(n.nullable(|n| n.cal_date().map(|(_, d)| d))?),
            "description" => description = Some(n.string()?),
            "tags" => tags = Some(closure_tags(&n)?),
            _ => return Err(n.unknown_key()),
        }
    }
    Ok(OfficeClosure {
        start_date: obj.required(start, "start_date")?,
        end_date: end.flatten(),
        description: description.unwrap_or_default(),
        tags: tags.unwrap_or_default(),
    })
}

/// An array of strings, or one string of comma-separated tags (trimmed, empties dropped).
fn closure_tags(node: &Node<'_>) -> R<Vec<String>> {
    match node.value {
        Value::String(s) => Ok(s
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect()),
        Value::Array(_) => node.list(Node::string),
        _ => Err(node.wrong_type("an array of strings or a string")),
    }
}

pub(super) fn capacity_override(node: &Node<'_>) -> R<CapacityOverride> {
    let mut obj = node.object()?;
    let mut email = None;
    let mut effective = None;
    let mut limit = None;
    let mut pod_type = None;
    let mut notes = None;
    while let Some((key, n)) = obj.next_member()? {
        match key {
            "adviser_email" => email = Some(n.non_empty()?),
            "effective_date" => effective = Some(n.cal_date()?.1),
            "client_limit_monthly" => {
                let value = n.integer_in(OVERRIDE_LIMIT)?;
                limit = Some(ClientLimit::new(value).map_err(|e| n.error(e.to_string()))?);
            }
            "pod_type" => pod_type = Some(n.nullable(Node::string)?),
            "notes" => notes = Some(n.nullable(Node::string)?),
            _ => return Err(n.unknown_key()),
        }
    }
    Ok(CapacityOverride {
        adviser_email: obj.required(email, "adviser_email")?,
        effective_date: obj.required(effective, "effective_date")?,
        client_limit_monthly: obj.required(limit, "client_limit_monthly")?,
        pod_type: pod_type.flatten(),
        notes: notes.flatten(),
    })
}
