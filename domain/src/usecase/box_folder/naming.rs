//! The client folder's name (http-api.md H2.2.4): built from the primary contact and the partner,
//! then made safe for Box (U3.5: no `/`, `\`, control characters or trailing spaces and dots).

/// One person of the deal, names as received or read from the CRM.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Person {
    pub id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
}

/// The longest folder name, in characters.
pub const MAX_NAME_CHARS: usize = 120;

fn clean(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Person {
    pub fn first(&self) -> Option<&str> {
        clean(&self.first_name)
    }

    pub fn last(&self) -> Option<&str> {
        clean(&self.last_name)
    }

    pub fn has_both_names(&self) -> bool {
        self.first().is_some() && self.last().is_some()
    }

    /// Whichever names exist, joined by a space; `None` without any.
    pub fn display_name(&self) -> Option<String> {
        let parts: Vec<&str> = [self.first(), self.last()].into_iter().flatten().collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// H2.2.4 steps 1–4, then [`sanitise`].
pub fn folder_name(
    explicit: Option<&str>,
    primary: &Person,
    partner: &Person,
    deal_id: &str,
) -> String {
    let raw = match explicit.map(str::trim).filter(|s| !s.is_empty()) {
        Some(name) => name.to_owned(),
        None => match (
            primary.first(),
            primary.last(),
            partner.first(),
            partner.last(),
        ) {
            (Some(pf), Some(pl), Some(sf), Some(sl)) if pl.to_lowercase() == sl.to_lowercase() => {
                format!("{pf} & {sf} {pl}")
            }
            (Some(pf), Some(pl), Some(sf), Some(sl)) => format!("{pf} {pl} & {sf} {sl}"),
            (Some(pf), Some(pl), _, _) => format!("{pf} {pl}"),
            _ => primary
                .display_name()
                .unwrap_or_else(|| format!("Deal {deal_id}")),
        },
    };
    sanitise(&raw)
}

/// H2.2.4: forbidden characters and control characters → `_`, white space runs → one space,
/// trimmed, trailing dots stripped, empty → `Client Folder`, over 120 characters → 117 + `...`.
pub fn sanitise(raw: &str) -> String {
    let replaced: String = raw
        .chars()
        .map(|c| match c {
            '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let spaced = replaced.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = spaced.trim_end_matches('.').trim_end();
    if trimmed.is_empty() {
        return "Client Folder".to_owned();
    }
    if trimmed.chars().count() > MAX_NAME_CHARS {
        let head: String = trimmed.chars().take(MAX_NAME_CHARS - 3).collect();
        return format!("{head}...");
    }
    trimmed.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(first: &str, last: &str) -> Person {
        Person {
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            ..Person::default()
        }
    }

    #[test]
    fn h2_2_4_the_four_cases() {
        let none = Person::default();
        assert_eq!(
            folder_name(Some(" Mine "), &p("A", "B"), &none, "7"),
            "Mine"
        );
        assert_eq!(
            folder_name(None, &p("Ann", "Lee"), &p("Bob", "lee"), "7"),
            "Ann & Bob Lee"
        );
        assert_eq!(
            folder_name(None, &p("Ann", "Lee"), &p("Bob", "Kim"), "7"),
            "Ann Lee & Bob Kim"
        );
        assert_eq!(
            folder_name(None, &p("Ann", "Lee"), &p("Bob", " "), "7"),
            "Ann Lee"
        );
        assert_eq!(
            folder_name(None, &p(" ", "Lee"), &p("Bob", "Lee"), "7"),
            "Lee"
        );
        assert_eq!(folder_name(None, &none, &p("Bob", "Lee"), "7"), "Deal 7");
    }

    #[test]
    fn h2_2_4_sanitising() {
        assert_eq!(sanitise("a/b\\c:d*e?f\"g<h>i|j"), "a_b_c_d_e_f_g_h_i_j");
        assert_eq!(sanitise("  Ann \u{a0}  Lee.. "), "Ann Lee");
        assert_eq!(
            sanitise("Ann\tLee"),
            "Ann_Lee",
            "a tab is a control character"
        );
        assert_eq!(sanitise("a\u{7}b"), "a_b");
        assert_eq!(sanitise(" ... "), "Client Folder");
        let long = "x".repeat(130);
        let cut = sanitise(&long);
        assert_eq!(cut.chars().count(), 120);
        assert!(cut.ends_with("xx..."));
    }

    proptest! {
        /// U3.5: whatever comes in, the name is one Box accepts.
        #[test]
        fn h2_2_4_names_are_always_safe(raw in ".{0,200}") {
            let name = sanitise(&raw);
            prop_assert!(!name.is_empty());
            prop_assert!(name.chars().count() <= MAX_NAME_CHARS);
            prop_assert!(!name.contains(['/', '\\']));
            prop_assert!(!name.chars().any(char::is_control));
            prop_assert!(!name.ends_with(' '));
            prop_assert!(name != "." && name != "..");
            prop_assert!(!name.ends_with('.') || name.ends_with("..."));
        }
    }
}
