//! Profile fields (portal.md P2.6–P2.10, P0.5): a PUT body becomes the normalised
//! [`ProfileFields`] a save replaces (P4.3), or the failing fields.

use super::fields::{FieldCode, FieldErrors, char_len, has_nul};
use super::profile::normalise_list;
use crate::ports::ProfileFields;

/// P2.10: at most 50 items of at most 100 characters after normalisation.
pub const MAX_LIST_ITEMS: usize = 50;
pub const MAX_ITEM_CHARS: usize = 100;
/// P2.6.
pub const MAX_URL_CHARS: usize = 500;

/// What a profile PUT sends (H4.2); every field optional (absent = null or `[]`, P4.3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileInput {
    pub headline: Option<String>,
    pub summary: Option<String>,
    pub skills: Option<Vec<String>>,
    pub certifications: Option<Vec<String>>,
    pub resume_link: Option<String>,
    pub experience: Option<String>,
}

/// P2.7–P2.9: trim; empty → null; at most `max` characters.
pub fn optional_text(value: Option<&str>, max: usize) -> Result<Option<String>, FieldCode> {
    let Some(value) = value else { return Ok(None) };
    if has_nul(value) {
        return Err(FieldCode::InvalidCharacters);
    }
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Ok(None)
    } else if char_len(trimmed) > max {
        Err(FieldCode::TooLong)
    } else {
        Ok(Some(trimmed.to_owned()))
    }
}

/// P2.6: trim; empty → null; ≤ 500 characters; an absolute http(s) URL with a host and no
/// user-info (WHATWG parsing). The trimmed text is kept as entered.
pub fn resume_link(value: Option<&str>) -> Result<Option<String>, FieldCode> {
    let Some(link) = optional_text(value, MAX_URL_CHARS)? else {
        return Ok(None);
    };
    let url = url::Url::parse(&link).map_err(|_| FieldCode::InvalidUrl)?;
    let ok = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some_and(|h| !h.is_empty())
        && url.username().is_empty()
        && url.password().is_none();
    if ok {
        Ok(Some(link))
    } else {
        Err(FieldCode::InvalidUrl)
    }
}

/// P2.10 with P4.2.
pub fn list(items: Option<&[String]>) -> Result<Vec<String>, FieldCode> {
    let items = items.unwrap_or_default();
    if items.iter().any(|i| has_nul(i)) {
        return Err(FieldCode::InvalidCharacters);
    }
    let list = normalise_list(items);
    if list.len() > MAX_LIST_ITEMS {
        Err(FieldCode::TooManyItems)
    } else if list.iter().any(|i| char_len(i) > MAX_ITEM_CHARS) {
        Err(FieldCode::ItemTooLong)
    } else {
        Ok(list)
    }
}

/// P2.6–P2.10, every field reported together.
pub fn validate_profile(input: &ProfileInput) -> Result<ProfileFields, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut check = |field: &'static str, result: Result<Option<String>, FieldCode>| {
        result.unwrap_or_else(|code| {
            errors.insert(field, code);
            None
        })
    };
    let headline = check("headline", optional_text(input.headline.as_deref(), 140));
    let summary = check("summary", optional_text(input.summary.as_deref(), 2000));
    let experience = check(
        "experience",
        optional_text(input.experience.as_deref(), 5000),
    );
    let resume_link = check("resume_link", resume_link(input.resume_link.as_deref()));
    let mut check_list = |field: &'static str, items: Option<&Vec<String>>| {
        list(items.map(Vec::as_slice)).unwrap_or_else(|code| {
            errors.insert(field, code);
            Vec::new()
        })
    };
    let skills = check_list("skills", input.skills.as_ref());
    let certifications = check_list("certifications", input.certifications.as_ref());
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ProfileFields {
        headline,
        summary,
        skills,
        certifications,
        resume_link,
        experience,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn links_follow_p2_6() {
        assert_eq!(
            resume_link(Some(" https://example.com/cv.pdf ")),
            Ok(Some("https://example.com/cv.pdf".into()))
        );
        assert_eq!(resume_link(Some("   ")), Ok(None));
        for bad in [
            "javascript://example.com/%0Aalert(1)",
            "ftp://example.com/cv",
            "data:text/html,x",
            "file:///etc/passwd",
            "https://user:pass@example.com/",
            "https://user@example.com/",
            "/relative/cv.pdf",
            "http://",
        ] {
            assert_eq!(resume_link(Some(bad)), Err(FieldCode::InvalidUrl), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(481));
        assert_eq!(resume_link(Some(&long)), Err(FieldCode::TooLong));
    }

    #[test]
    fn texts_and_lists_follow_p2_7_to_p2_10() {
        assert_eq!(optional_text(Some("  "), 140), Ok(None));
        assert_eq!(
            optional_text(Some(&"x".repeat(141)), 140),
            Err(FieldCode::TooLong)
        );
        assert_eq!(
            optional_text(Some("a\u{0}"), 140),
            Err(FieldCode::InvalidCharacters)
        );
        let many: Vec<String> = (0..51).map(|i| format!("s{i}")).collect();
        assert_eq!(list(Some(&many)), Err(FieldCode::TooManyItems));
        assert_eq!(list(Some(&["x".repeat(101)])), Err(FieldCode::ItemTooLong));
        assert_eq!(list(Some(&[",,,".to_owned()])), Ok(vec![]));
    }

    #[test]
    fn scenario_4_profile_normalises() {
        let input = ProfileInput {
            skills: Some(vec![" cooking , Food Safety, cooking,Food Safety ".into()]),
            certifications: Some(vec!["Food Handler Certification".into()]),
            resume_link: Some("https://example.com/cv.pdf".into()),
            experience: Some("5y".into()),
            ..ProfileInput::default()
        };
        let fields = validate_profile(&input).unwrap();
        assert_eq!(fields.skills, vec!["Food Safety", "cooking"]);
        assert_eq!(fields.headline, None);
    }

    #[test]
    fn every_failing_field_is_reported() {
        let input = ProfileInput {
            headline: Some("h".repeat(141)),
            resume_link: Some("ftp://x.y/".into()),
            summary: Some("\u{0}".into()),
            ..ProfileInput::default()
        };
        let errors = validate_profile(&input).unwrap_err();
        assert_eq!(errors.get("headline"), Some(&FieldCode::TooLong));
        assert_eq!(errors.get("resume_link"), Some(&FieldCode::InvalidUrl));
        assert_eq!(errors.get("summary"), Some(&FieldCode::InvalidCharacters));
        assert_eq!(errors.len(), 3);
    }

    proptest! {
        /// P2.6: whatever is accepted is an http(s) URL with a host.
        #[test]
        fn accepted_links_are_http_urls(s in "\\PC{0,60}") {
            if let Ok(Some(link)) = resume_link(Some(&s)) {
                let url = url::Url::parse(&link).unwrap();
                prop_assert!(matches!(url.scheme(), "http" | "https"));
                prop_assert!(url.host_str().is_some());
            }
        }

        /// P2.7: accepted text is trimmed, non-empty and within the limit.
        #[test]
        fn accepted_text_is_trimmed_and_bounded(s in "\\PC{0,200}") {
            if let Ok(Some(t)) = optional_text(Some(&s), 140) {
                prop_assert_eq!(t.trim(), t.as_str());
                prop_assert!(!t.is_empty() && t.chars().count() <= 140);
            }
        }
    }
}
