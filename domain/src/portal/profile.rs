//! Profile lists and completeness (portal.md P4.2, P4.4).

use crate::ports::ProfileFields;

/// P4.2: split every element on `,`, trim, drop blanks, remove duplicates case-insensitively
/// (the first spelling wins), then sort by code point.
pub fn normalise_list<S: AsRef<str>>(items: &[S]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<String> = items
        .iter()
        .flat_map(|item| item.as_ref().split(','))
        .map(str::trim)
        .filter(|piece| !piece.is_empty())
        .filter(|piece| seen.insert(piece.to_lowercase()))
        .map(str::to_owned)
        .collect();
    out.sort();
    out
}

/// The four completeness items of P4.4, in their reporting order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileItem {
    ResumeLink,
    Experience,
    Skills,
    Certifications,
}

impl ProfileItem {
    pub const ALL: [ProfileItem; 4] = [
        ProfileItem::ResumeLink,
        ProfileItem::Experience,
        ProfileItem::Skills,
        ProfileItem::Certifications,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProfileItem::ResumeLink => "resume_link",
            ProfileItem::Experience => "experience",
            ProfileItem::Skills => "skills",
            ProfileItem::Certifications => "certifications",
        }
    }
}

/// P4.4: `complete` exactly when `missing` is empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completeness {
    pub complete: bool,
    pub missing: Vec<ProfileItem>,
}

/// P4.4 for a saved profile, or for none (P4.1: everything is missing).
pub fn completeness(fields: Option<&ProfileFields>) -> Completeness {
    let missing: Vec<ProfileItem> = match fields {
        None => ProfileItem::ALL.to_vec(),
        Some(f) => ProfileItem::ALL
            .into_iter()
            .filter(|item| match item {
                ProfileItem::ResumeLink => f.resume_link.is_none(),
                ProfileItem::Experience => f.experience.is_none(),
                ProfileItem::Skills => f.skills.is_empty(),
                ProfileItem::Certifications => f.certifications.is_empty(),
            })
            .collect(),
    };
    Completeness {
        complete: missing.is_empty(),
        missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_p4_2_examples() {
        assert_eq!(
            normalise_list(&[" cooking , Food Safety, cooking,Food Safety "]),
            vec!["Food Safety", "cooking"]
        );
        assert_eq!(normalise_list(&["Cooking, cooking"]), vec!["Cooking"]);
        assert!(normalise_list(&[",,,"]).is_empty());
    }

    #[test]
    fn completeness_lists_what_is_missing_in_order() {
        let none = completeness(None);
        assert!(!none.complete);
        assert_eq!(none.missing, ProfileItem::ALL.to_vec());
        let mut f = ProfileFields {
            resume_link: Some("https://example.com/cv.pdf".into()),
            experience: Some("5y".into()),
            skills: vec!["cooking".into()],
            certifications: vec![],
            ..ProfileFields::default()
        };
        assert_eq!(
            completeness(Some(&f)).missing,
            vec![ProfileItem::Certifications]
        );
        f.certifications.push("Food Handler Certification".into());
        assert!(completeness(Some(&f)).complete);
    }

    proptest! {
        // P5.10.6 (shared with P4.2): normalisation is idempotent; no blanks, no case-folded
        // duplicates, no commas survive, and the result is sorted.
        #[test]
        fn normalisation_is_idempotent(items in prop::collection::vec(".{0,12}", 0..8)) {
            let once = normalise_list(&items);
            prop_assert_eq!(normalise_list(&once), once.clone());
            let mut folded: Vec<String> = once.iter().map(|s| s.to_lowercase()).collect();
            folded.dedup();
            let mut unique = folded.clone();
            unique.sort();
            unique.dedup();
            prop_assert_eq!(unique.len(), once.len());
            prop_assert!(once.iter().all(|s| !s.trim().is_empty() && !s.contains(',') && s.trim() == s));
            prop_assert!(once.windows(2).all(|w| w[0] <= w[1]));
        }
    }
}
