//! Eligibility for a deal (EL1–EL4) and for the availability listing (AV1), and the display
//! name (SL9).

use super::config::HOUSEHOLD_EXEMPT_PACKAGES;
use super::input::{Activity, AdviserProfile, DealRequest};
use super::parse::TakingOnClients;
use super::result::ExcludedReason;

/// EL1 checks 1–3, the business checks (EL2). `None` means business-eligible.
pub fn business_check(profile: &AdviserProfile, deal: &DealRequest) -> Option<ExcludedReason> {
    if profile.taking_on_clients.state() != TakingOnClients::Yes {
        return Some(ExcludedReason::NotTakingOnClients);
    }
    let svc = deal.service_package().trim().to_lowercase();
    // EL3: norm never holds an empty value, so an empty package matches nobody.
    if !profile.service_packages.norm().contains(&svc) {
        return Some(ExcludedReason::ServicePackageMismatch);
    }
    // EL4
    let hh = deal.household_type().trim().to_lowercase();
    if !HOUSEHOLD_EXEMPT_PACKAGES.contains(&svc.as_str()) && !hh.is_empty() {
        let households = profile.household_types.norm();
        if !households.is_empty() && !households.contains(&hh) {
            return Some(ExcludedReason::HouseholdMismatch);
        }
    }
    None
}

/// AV1: whether the availability listing lists this adviser.
pub fn is_listed(profile: &AdviserProfile, include_no: bool) -> bool {
    match profile.taking_on_clients.state() {
        TakingOnClients::Yes => true,
        TakingOnClients::No => include_no,
        TakingOnClients::Blank => false,
    }
}

/// EL1 check 4: the business result combined with data availability.
pub(crate) fn with_activity(
    business: Option<ExcludedReason>,
    activity: &Activity,
) -> Option<ExcludedReason> {
    business.or(match activity {
        Activity::Available(_) => None,
        Activity::Unavailable(_) => Some(ExcludedReason::DataUnavailable),
    })
}

/// SL9: the given name, or one derived from the email when it is absent or blank.
pub fn display_name(name: Option<&str>, email: &str) -> String {
    if let Some(n) = name.filter(|n| !n.trim().is_empty()) {
        return n.to_owned();
    }
    let local = email.split('@').next().unwrap_or_default();
    let derived = local
        .split(['.', '_', '-'])
        .filter(|p| !p.is_empty())
        .map(capitalise)
        .collect::<Vec<_>>()
        .join(" ");
    if derived.is_empty() {
        email.to_owned()
    } else {
        derived
    }
}

/// SL9 step 3. The rest is lowercased as a string, not per character, so context-dependent
/// mappings hold (a final Σ becomes ς, as `str::to_lowercase` does).
fn capitalise(part: &str) -> String {
    let mut chars = part.chars();
    chars.next().map_or_else(String::new, |first| {
        first
            .to_uppercase()
            .chain(chars.as_str().to_lowercase().chars())
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocation::input::ActivityData;
    use crate::allocation::parse::{RawDealDate, RawFlag, RawMulti};

    fn deal(svc: &str, hh: Option<&str>) -> DealRequest {
        DealRequest::new(None, svc, hh, &RawDealDate::Missing, chrono_tz::UTC).unwrap()
    }
    fn adviser(taking: RawFlag, svc: &str, hh: Option<&str>) -> AdviserProfile {
        AdviserProfile {
            taking_on_clients: taking,
            service_packages: RawMulti::Text(svc.into()),
            household_types: hh.map_or(RawMulti::Missing, |h| RawMulti::Text(h.into())),
            ..AdviserProfile::new("a@x.com")
        }
    }
    const YES: RawFlag = RawFlag::Bool(true);

    #[test]
    fn el1_checks_run_in_order() {
        let a = adviser(RawFlag::Text("no".into()), "Seed", Some("Couple"));
        assert_eq!(
            business_check(&a, &deal("Series A", Some("Single"))),
            Some(ExcludedReason::NotTakingOnClients)
        );
        let a = adviser(YES, "Seed", Some("Couple"));
        assert_eq!(
            business_check(&a, &deal("Series A", Some("Single"))),
            Some(ExcludedReason::ServicePackageMismatch)
        );
        let a = adviser(YES, "Series A", Some("Couple"));
        assert_eq!(
            business_check(&a, &deal(" series a ", Some("Single"))),
            Some(ExcludedReason::HouseholdMismatch)
        );
        assert_eq!(business_check(&a, &deal("series a", Some(" couple"))), None);
        assert_eq!(
            with_activity(
                None,
                &Activity::Unavailable(crate::allocation::input::DataSource::Leave)
            ),
            Some(ExcludedReason::DataUnavailable)
        );
        assert_eq!(
            with_activity(None, &Activity::Available(ActivityData::default())),
            None
        );
    }

    #[test]
    fn el3_empty_package_matches_nobody() {
        let a = adviser(YES, "Seed;", None);
        assert_eq!(
            business_check(&a, &deal("  ", None)),
            Some(ExcludedReason::ServicePackageMismatch)
        );
    }

    #[test]
    fn el4_household_rule() {
        let a = adviser(YES, "IPO; Series C; Series B", Some("Couple"));
        // exempt packages
        assert_eq!(business_check(&a, &deal("IPO", Some("Single"))), None);
        assert_eq!(business_check(&a, &deal("Series C", Some("Single"))), None);
        // every other package is filtered
        assert_eq!(
            business_check(&a, &deal("Series B", Some("Single"))),
            Some(ExcludedReason::HouseholdMismatch)
        );
        // no household on the deal, or none on the adviser: passes
        assert_eq!(business_check(&a, &deal("Series B", None)), None);
        let any = adviser(YES, "Series B", None);
        assert_eq!(
            business_check(&any, &deal("Series B", Some("Family"))),
            None
        );
    }

    #[test]
    fn av1_listing() {
        assert!(is_listed(&adviser(YES, "", None), false));
        assert!(!is_listed(&adviser(RawFlag::Bool(false), "", None), false));
        assert!(is_listed(&adviser(RawFlag::Bool(false), "", None), true));
        assert!(!is_listed(&adviser(RawFlag::Missing, "", None), true));
    }

    #[test]
    fn sl9_names() {
        assert_eq!(
            display_name(None, "mary-jane.o_neil@x.com"),
            "Mary Jane O Neil"
        );
        assert_eq!(display_name(Some("  "), "ANA.alvarez@x.com"), "Ana Alvarez");
        assert_eq!(display_name(Some("Cat C"), "c@x.com"), "Cat C");
        assert_eq!(display_name(None, "..@x.com"), "..@x.com");
        assert_eq!(display_name(None, "@x.com"), "@x.com");
        assert_eq!(display_name(None, "ΟΔΟΣ.fay@x.com"), "Οδος Fay");
    }
}
