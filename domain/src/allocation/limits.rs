//! Limits, start window and overrides (LM1–LM7).

use super::config::{Config, SOLO_POD};
use super::input::{AdviserProfile, CapacityOverride};
use super::parse::{ekey, parse_cal_date};
use super::result::{DisplayedLimit, EffectiveOverride, LimitSource, Warning};
use super::week::{Week, day_number, monday_of_day};
use chrono::{Datelike, NaiveDate};

/// The limits of one adviser: base, overrides in LM4 order, start window, W1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdviserLimits {
    pub base: u32,
    /// LM4 order: by effective week, equal weeks in input order.
    pub overrides: Vec<EffectiveOverride>,
    /// LM3 `avail`.
    pub avail: Option<Week>,
    /// W1, when the start date was present but unparseable.
    pub warning: Option<Warning>,
}

/// LM4: the first Monday on or after `d`.
pub fn effective_week(d: NaiveDate) -> Week {
    let ahead = (8 - i64::from(d.weekday().number_from_monday())) % 7;
    Week::from_day(day_number(d) + ahead)
}

impl AdviserLimits {
    /// LM1–LM4 for one adviser. `overrides` is the whole store; only this adviser's are kept.
    pub fn compute(
        profile: &AdviserProfile,
        overrides: &[CapacityOverride],
        today: NaiveDate,
        config: &Config,
    ) -> AdviserLimits {
        let key = ekey(&profile.email);
        let mine = overrides.iter().filter(|o| ekey(&o.adviser_email) == key);
        AdviserLimits::compute_with(profile, mine, today, config)
    }

    /// As [`AdviserLimits::compute`], with the adviser's own overrides already matched by ekey,
    /// in input order.
    pub fn compute_with<'a>(
        profile: &AdviserProfile,
        own_overrides: impl IntoIterator<Item = &'a CapacityOverride>,
        today: NaiveDate,
        config: &Config,
    ) -> AdviserLimits {
        // LM1: empty after trim means no start date, silently; anything else must parse.
        let raw = profile
            .start_date
            .as_deref()
            .filter(|s| !s.trim().is_empty());
        let start = raw.and_then(parse_cal_date);
        let warning = match (raw, start) {
            (Some(raw), None) => Some(Warning::StartDate {
                raw: raw.to_owned(),
            }),
            _ => None,
        };
        // LM2
        let base = match (start, profile.pod_type.as_deref()) {
            (Some(_), Some(SOLO_POD)) => config.solo_limit_monthly(),
            _ => config.base_limit_monthly(),
        };
        // LM3
        let avail = start.filter(|sd| *sd > today).map(|sd| {
            let back = 7 * i64::from(config.prestart_weeks());
            Week::from_day(monday_of_day(day_number(sd) - back))
        });
        // LM4
        let mut mine: Vec<EffectiveOverride> = own_overrides
            .into_iter()
            .map(|o| EffectiveOverride {
                effective_date: o.effective_date,
                effective_week: effective_week(o.effective_date),
                client_limit_monthly: o.client_limit_monthly.get(),
            })
            .collect();
        mine.sort_by_key(|o| o.effective_week); // stable: equal weeks keep input order
        AdviserLimits {
            base,
            overrides: mine,
            avail,
            warning,
        }
    }

    /// LM5: the limit in force in week `w`.
    pub fn limit_at(&self, w: Week) -> u32 {
        self.overrides
            .iter()
            .rev()
            .find(|o| o.effective_week <= w)
            .map_or(self.base, |o| o.client_limit_monthly)
    }

    /// LM7: the displayed limit, given the current week.
    pub fn displayed(&self, current_week: Week) -> DisplayedLimit {
        let active = self
            .overrides
            .iter()
            .rev()
            .find(|o| o.effective_week <= current_week);
        let upcoming = self
            .overrides
            .iter()
            .find(|o| o.effective_week > current_week);
        match (active, upcoming) {
            (Some(o), _) => shown(*o, LimitSource::Active),
            (None, Some(o)) => shown(*o, LimitSource::Upcoming),
            (None, None) => DisplayedLimit {
                client_limit_monthly: self.base,
                source: LimitSource::Base,
                override_shown: None,
            },
        }
    }
}

fn shown(o: EffectiveOverride, source: LimitSource) -> DisplayedLimit {
    DisplayedLimit {
        client_limit_monthly: o.client_limit_monthly,
        source,
        override_shown: Some(o),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::input::ClientLimit;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn w(s: &str) -> Week {
        Week::new(d(s)).unwrap()
    }
    fn ov(email: &str, eff: &str, limit: u32) -> CapacityOverride {
        CapacityOverride {
            adviser_email: email.into(),
            effective_date: d(eff),
            client_limit_monthly: ClientLimit::new(limit).unwrap(),
            pod_type: None,
            notes: None,
        }
    }
    fn profile(start: Option<&str>, pod: Option<&str>) -> AdviserProfile {
        AdviserProfile {
            start_date: start.map(String::from),
            pod_type: pod.map(String::from),
            ..AdviserProfile::new("a@x.com")
        }
    }
    const TODAY: &str = "2025-03-12";

    fn limits(p: &AdviserProfile, o: &[CapacityOverride]) -> AdviserLimits {
        AdviserLimits::compute(p, o, d(TODAY), &Config::default())
    }

    #[test]
    fn lm1_lm2_solo_needs_a_parseable_start_date() {
        assert_eq!(
            limits(&profile(Some("2022-08-01"), Some("Solo Adviser")), &[]).base,
            4
        );
        assert_eq!(limits(&profile(None, Some("Solo Adviser")), &[]).base, 6);
        let bad = limits(&profile(Some("soon"), Some("Solo Adviser")), &[]);
        assert_eq!(bad.base, 6);
        assert_eq!(
            bad.warning.unwrap().to_string(),
            "start_date \"soon\" is not a date; treated as no start date"
        );
        let blank = limits(&profile(Some("  "), Some("Solo Adviser")), &[]);
        assert_eq!((blank.base, blank.warning), (6, None));
        // exact pod name only
        assert_eq!(
            limits(&profile(Some("2022-08-01"), Some("solo adviser")), &[]).base,
            6
        );
        // IN3: not trimmed
        assert!(
            limits(&profile(Some(" 2025-03-01"), None), &[])
                .warning
                .is_some()
        );
    }

    #[test]
    fn lm3_availability_start_week() {
        let p = profile(Some("2025-04-21"), None);
        assert_eq!(limits(&p, &[]).avail, Some(w("2025-03-31")));
        assert_eq!(limits(&profile(Some(TODAY), None), &[]).avail, None);
        assert_eq!(limits(&profile(Some("2025-03-11"), None), &[]).avail, None);
    }

    #[test]
    fn lm4_effective_week_is_next_monday() {
        assert_eq!(effective_week(d("2025-04-02")), w("2025-04-07"));
        assert_eq!(effective_week(d("2025-04-07")), w("2025-04-07"));
        assert_eq!(effective_week(d("2025-02-01")), w("2025-02-03"));
    }

    #[test]
    fn lm4_lm5_overrides_by_ekey_in_week_order() {
        let o = [
            ov("KEN@x.com ", "2025-04-02", 10),
            ov("other@x.com", "2025-01-01", 1),
            ov("ken@x.com", "2025-02-01", 2),
        ];
        let mut p = profile(None, None);
        p.email = "ken@x.com".into();
        let l = limits(&p, &o);
        assert_eq!(l.overrides.len(), 2);
        assert_eq!(l.limit_at(w("2025-01-27")), 6);
        assert_eq!(l.limit_at(w("2025-02-03")), 2);
        assert_eq!(l.limit_at(w("2025-03-31")), 2);
        assert_eq!(l.limit_at(w("2025-04-07")), 10);
    }

    #[test]
    fn lm4_equal_weeks_keep_input_order() {
        let o = [
            ov("a@x.com", "2025-03-18", 3),
            ov("a@x.com", "2025-03-24", 9),
        ];
        let l = limits(&profile(None, None), &o);
        assert_eq!(l.limit_at(w("2025-03-24")), 9);
    }

    #[test]
    fn lm7_displayed_limit() {
        let cw = w("2025-03-10");
        let only_future = limits(&profile(None, None), &[ov("a@x.com", "2025-05-05", 7)]);
        let shown = only_future.displayed(cw);
        assert_eq!(
            (shown.client_limit_monthly, shown.source),
            (7, LimitSource::Upcoming)
        );
        assert_eq!(only_future.limit_at(cw), 6);
        let both = limits(
            &profile(None, None),
            &[
                ov("a@x.com", "2025-02-01", 2),
                ov("a@x.com", "2025-05-05", 7),
            ],
        );
        let shown = both.displayed(cw);
        assert_eq!(
            (shown.client_limit_monthly, shown.source),
            (2, LimitSource::Active)
        );
        let none = limits(&profile(None, None), &[]).displayed(cw);
        assert_eq!(
            (none.client_limit_monthly, none.source),
            (6, LimitSource::Base)
        );
    }
}
