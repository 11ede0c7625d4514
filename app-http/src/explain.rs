//! The explanation JSON (http-api.md H3.1, H3.2): the dry-run `result` object of
//! scenario-format.md §4.1 (the same serializer the CLI uses) plus the service-only additions.
//! `schema` types it for the OpenAPI document.

pub mod scalars;
pub mod schema;

use domain::allocation::{AllocationResult, DealRequest, Half, StepNumbers, Walk};
use domain::ports::DecisionOutcome;
use domain::usecase::webhook::{ExplainDecision, Explained};
use scenario::Report;
use serde_json::{Map, Value, json};

/// Writes `AllocationDecision` JSON for recorded decisions.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonExplainer;

impl ExplainDecision for JsonExplainer {
    fn explain(&self, e: &Explained<'_>) -> String {
        let d = e.delivery;
        decision_json(&DecisionParts {
            id: Some(e.decision_id),
            source: "hubspot_webhook",
            decided_at: e.decided_at,
            deal_id: Some(&d.deal_id),
            deal: &d.deal,
            agreement_start_raw: d.agreement_start_raw.as_deref(),
            client_email: d.client_email.as_deref(),
            outcome: e.outcome,
            result: e.result,
        })
        .to_string()
    }
}

/// What an `AllocationDecision` (H3.1) is built from.
#[derive(Debug)]
pub struct DecisionParts<'a> {
    /// `None` for a dry run.
    pub id: Option<&'a str>,
    /// `hubspot_webhook` or `dry_run`.
    pub source: &'static str,
    pub decided_at: chrono::DateTime<chrono::Utc>,
    pub deal_id: Option<&'a str>,
    pub deal: &'a DealRequest,
    pub agreement_start_raw: Option<&'a str>,
    pub client_email: Option<&'a str>,
    pub outcome: DecisionOutcome,
    pub result: Option<&'a AllocationResult>,
}

/// The H3.1 object without the read-time keys (`hubspot_write`, `replay_count`, `replays`).
pub fn decision_json(p: &DecisionParts<'_>) -> Value {
    let chosen = p.result.and_then(|r| {
        let s = r.selection.as_ref()?;
        let a = r.chosen()?;
        (p.outcome == DecisionOutcome::Allocated).then(|| {
            json!({
                "email": a.email, "name": a.name, "hubspot_owner_id": a.hubspot_owner_id,
                "earliest_open_week": s.earliest_week.to_string(), "fallback": s.fallback,
            })
        })
    });
    json!({
        "id": p.id,
        "source": p.source,
        "decided_at": instant(p.decided_at),
        "deal_id": p.deal_id,
        "input": {
            "service_package": p.deal.service_package(),
            "household_type": Some(p.deal.household_type()).filter(|h| !h.is_empty()),
            "agreement_start_date": p.deal.agreement_date().map(|x| x.to_string()),
            "agreement_start_raw": p.agreement_start_raw,
            "client_email": p.client_email,
        },
        "outcome": p.outcome.as_str(),
        "chosen": chosen,
        "result": p.result.map(service_result),
    })
}

/// RFC 3339 UTC with milliseconds and `Z` (H0.4).
pub fn instant(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The §4.1 object with the H3.2 additions.
pub fn service_result(result: &AllocationResult) -> Value {
    let mut value = serde_json::to_value(Report::from_result(result)).unwrap_or(Value::Null);
    let Some(obj) = value.as_object_mut() else {
        return value;
    };
    if let Some(Value::Array(advisers)) = obj.get_mut("advisers") {
        for (entry, outcome) in advisers.iter_mut().zip(&result.advisers) {
            let Some(entry) = entry.as_object_mut() else {
                continue;
            };
            let (meetings, deals, leave) = outcome.inputs;
            entry.insert(
                "excluded_detail".into(),
                json!(outcome.excluded_detail.map(|d| d.code())),
            );
            entry.insert(
                "inputs".into(),
                json!({"meetings": meetings, "deals_without_clarify": deals, "leave": leave}),
            );
            entry.insert(
                "overrides".into(),
                Value::Array(
                    outcome
                        .overrides
                        .iter()
                        .map(|o| {
                            json!({
                                "effective_date": o.effective_date.to_string(),
                                "effective_week": o.effective_week.to_string(),
                                "client_limit_monthly": o.client_limit_monthly,
                            })
                        })
                        .collect(),
                ),
            );
            let walk = outcome
                .schedule
                .as_ref()
                .filter(|_| outcome.eligible())
                .map(|s| walk(&s.walk));
            entry.insert("walk".into(), walk.unwrap_or(Value::Null));
            if let (Some(Value::Array(weeks)), Some(schedule)) =
                (entry.get_mut("weeks"), outcome.schedule.as_ref())
            {
                for (week, row) in weeks.iter_mut().zip(&schedule.rows) {
                    if let Some(week) = week.as_object_mut() {
                        week.insert("label".into(), json!(row.week.iso_label()));
                        week.insert("ooo_days".into(), json!(row.ooo_days));
                    }
                }
            }
        }
    }
    if let (Some(Value::Object(sel)), Some(selection)) =
        (obj.get_mut("selection"), result.selection.as_ref())
    {
        let email = |i: usize| {
            result
                .advisers
                .get(i)
                .map(|a| a.email.clone())
                .unwrap_or_default()
        };
        sel.insert(
            "ratios".into(),
            Value::Array(
                selection
                    .ratios
                    .iter()
                    .map(|r| json!({"email": email(r.adviser), "clar": r.clar, "targ": half(r.targ), "ratio": r.ratio}))
                    .collect(),
            ),
        );
        sel.insert(
            "hash_keys".into(),
            Value::Array(
                selection
                    .hash_keys
                    .iter()
                    .map(|k| json!({"email": email(k.adviser), "key": k.key}))
                    .collect(),
            ),
        );
    }
    value
}

fn half(h: Half) -> Value {
    if h.halves() % 2 == 0 {
        json!(h.halves() / 2)
    } else {
        json!(h.as_f64())
    }
}

fn walk(w: &Walk) -> Value {
    let steps: Vec<Value> = w
        .steps
        .iter()
        .map(|step| match step.numbers {
            None => json!({"week": step.week.to_string(), "full": true}),
            Some(n) => step_numbers(step.week.to_string(), &n),
        })
        .collect();
    json!({
        "start_week": w.start_week.to_string(),
        "r0": half(w.r0),
        "f": w.f,
        "steps": steps,
        "ended_by": w.ended_by.code(),
        "k": w.k,
    })
}

fn step_numbers(week: String, n: &StepNumbers) -> Value {
    let mut m = Map::new();
    m.insert("week".into(), json!(week));
    m.insert("full".into(), json!(false));
    m.insert("new".into(), json!(n.new));
    m.insert("p".into(), json!(n.p.to_string()));
    m.insert("n".into(), json!(n.n.to_string()));
    m.insert("cap".into(), half(n.cap));
    m.insert("assigned".into(), half(n.assigned));
    m.insert("final".into(), half(n.final_));
    m.insert("r".into(), half(n.r));
    m.insert("clar".into(), half(n.clar));
    m.insert("targ".into(), half(n.targ));
    m.insert("accepted".into(), json!(n.accepted));
    Value::Object(m)
}
