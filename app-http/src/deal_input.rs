//! Field rules of a deal as the webhook (http-api.md H2.1.1) and the dry run (H2.7.3) receive it,
//! turned into the domain's `DealRequest`. Every failing field is reported at once.

use crate::error::ApiError;
use domain::allocation::{DealRequest, RawDealDate};
use poem::http::StatusCode;
use serde_json::{Map, Value, json};

/// A validated deal.
#[derive(Debug)]
pub struct DealFields {
    pub deal: DealRequest,
    pub deal_id: Option<String>,
    pub agreement_start_raw: Option<String>,
    pub client_email: Option<String>,
}

/// Reads the deal fields of `fields` (webhook `fields`, or the dry-run body). `prefix` is the
/// path shown for a failing field (`fields.` for the webhook). `deal_id_key` names the id key.
pub fn deal_fields(
    fields: &Map<String, Value>,
    prefix: &str,
    deal_id_key: &str,
    deal_id_required: bool,
    tz: chrono_tz::Tz,
) -> Result<DealFields, ApiError> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut fail = |field: &str, code: &str| errors.push((format!("{prefix}{field}"), code.into()));

    let service_package = match fields.get("service_package") {
        None | Some(Value::Null) => {
            fail("service_package", "required");
            None
        }
        Some(Value::String(s)) if s.trim().is_empty() => {
            fail("service_package", "required");
            None
        }
        Some(Value::String(s)) if s.trim().chars().count() > 200 => {
            fail("service_package", "too_long");
            None
        }
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(_) => {
            fail("service_package", "invalid_type");
            None
        }
    };

    let deal_id = match fields.get(deal_id_key) {
        None | Some(Value::Null) => {
            if deal_id_required {
                fail(deal_id_key, "required");
            }
            None
        }
        Some(Value::String(s)) if s.trim().is_empty() => {
            if deal_id_required {
                fail(deal_id_key, "required");
            }
            None
        }
        Some(Value::String(s)) => digits(s.trim()).or_else(|| {
            fail(deal_id_key, "not_digits");
            None
        }),
        Some(Value::Number(n)) => n.as_u64().and_then(|n| digits(&n.to_string())).or_else(|| {
            fail(deal_id_key, "not_digits");
            None
        }),
        Some(_) => {
            fail(deal_id_key, "not_digits");
            None
        }
    };

    let household_type = match fields.get("household_type") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() > 100 => {
            fail("household_type", "too_long");
            None
        }
        Some(Value::String(s)) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Some(_) => {
            fail("household_type", "invalid_type");
            None
        }
    };

    let client_email = match fields.get("client_email") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() > 254 => {
            fail("client_email", "too_long");
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            fail("client_email", "invalid_type");
            None
        }
    };

    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }

    let raw_date = match fields.get("agreement_start_date") {
        None | Some(Value::Null) => RawDealDate::Missing,
        Some(Value::String(s)) => RawDealDate::Text(s.clone()),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(ms) => RawDealDate::Millis(ms),
            None => return Err(invalid_date(&n.to_string())),
        },
        Some(other) => return Err(invalid_date(&other.to_string())),
    };
    let agreement_start_raw = raw_date.raw_text();
    let deal = DealRequest::new(
        deal_id.as_deref(),
        service_package.as_deref().unwrap_or_default(),
        household_type.as_deref(),
        &raw_date,
        tz,
    )
    .map_err(|_| invalid_date(agreement_start_raw.as_deref().unwrap_or_default()))?;
    Ok(DealFields {
        deal,
        deal_id,
        agreement_start_raw,
        client_email,
    })
}

/// 1..20 ASCII digits.
fn digits(s: &str) -> Option<String> {
    (!s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.to_owned())
}

fn invalid_date(value: &str) -> ApiError {
    let shown: String = value.chars().take(100).collect();
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_agreement_date",
        "agreement_start_date is not a date.",
    )
    .with_details(json!({ "value": shown }))
}
