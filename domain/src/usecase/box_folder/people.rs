//! Who the folder is for (http-api.md H2.2.3): the payload's names, completed from the CRM only
//! when the payload lacks a name and no explicit folder name was given. Payload values always win.

use super::naming::Person;
use crate::ports::{ContactNames, Contacts, UpstreamError};

/// Fills the blanks of `person` from the CRM's copy.
fn complete(person: &mut Person, found: &ContactNames) {
    let fill = |slot: &mut Option<String>, value: &Option<String>| {
        if slot.as_deref().is_none_or(|s| s.trim().is_empty()) {
            slot.clone_from(value);
        }
    };
    fill(&mut person.id, &Some(found.id.clone()));
    fill(&mut person.first_name, &found.first_name);
    fill(&mut person.last_name, &found.last_name);
    fill(&mut person.email, &found.email);
}

fn lacks_a_name(person: &Person) -> bool {
    !person.has_both_names()
}

fn known_id(person: &Person) -> Option<&str> {
    person
        .id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// H2.2.3: reads the CRM when `folder_name` is absent and the primary lacks a name.
pub async fn resolve_people<C: Contacts>(
    contacts: &C,
    deal_id: &str,
    explicit_name: bool,
    primary: &mut Person,
    partner: &mut Person,
) -> Result<(), UpstreamError> {
    if explicit_name || !lacks_a_name(primary) {
        return Ok(());
    }
    if let Some(id) = known_id(primary).map(str::to_owned) {
        if let Some(found) = contacts.contact(&id).await? {
            complete(primary, &found);
        }
        if let Some(id) = known_id(partner).map(str::to_owned)
            && lacks_a_name(partner)
            && let Some(found) = contacts.contact(&id).await?
        {
            complete(partner, &found);
        }
        return Ok(());
    }
    let links = match contacts.deal_contacts(deal_id).await {
        Err(UpstreamError::NotFound) => Vec::new(),
        other => other?,
    };
    let mut ids: Vec<u64> = links.iter().map(|l| l.contact_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let labelled_primary = links
        .iter()
        .filter(|l| {
            l.labels
                .iter()
                .any(|t| t.to_lowercase().contains("primary"))
        })
        .map(|l| l.contact_id)
        .min();
    let Some(primary_id) = labelled_primary.or_else(|| ids.first().copied()) else {
        return Ok(());
    };
    let partner_id = ids.iter().copied().find(|id| *id != primary_id);
    let wanted: Vec<String> = [Some(primary_id), partner_id]
        .into_iter()
        .flatten()
        .map(|id| id.to_string())
        .collect();
    let found = contacts.contacts(&wanted).await?;
    let by_id = |id: u64| found.iter().find(|c| c.id == id.to_string());
    if let Some(c) = by_id(primary_id) {
        complete(primary, c);
    }
    if let Some(c) = partner_id.and_then(by_id) {
        complete(partner, c);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{DealContactLink, MockContacts};
    use futures::executor::block_on;

    fn resolve(
        contacts: &MockContacts,
        explicit: bool,
        primary: &mut Person,
        partner: &mut Person,
    ) -> Result<(), UpstreamError> {
        block_on(resolve_people(contacts, "7", explicit, primary, partner))
    }

    fn names(id: &str, first: &str, last: &str) -> ContactNames {
        ContactNames {
            id: id.into(),
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            email: None,
        }
    }

    fn link(id: u64, label: Option<&str>) -> DealContactLink {
        DealContactLink {
            contact_id: id,
            labels: label.into_iter().map(String::from).collect(),
        }
    }

    #[test]
    fn h2_2_3_no_crm_read_when_the_payload_names_the_primary_or_a_name_is_given() {
        let contacts = MockContacts::new(); // any call would panic
        let mut primary = Person {
            first_name: Some("Ann".into()),
            last_name: Some("Lee".into()),
            ..Person::default()
        };
        let mut partner = Person::default();
        resolve(&contacts, false, &mut primary, &mut partner).unwrap();
        let mut blank = Person::default();
        resolve(&contacts, true, &mut blank, &mut partner).unwrap();
    }

    #[test]
    fn h2_2_3_known_ids_are_read_and_payload_values_win() {
        let mut contacts = MockContacts::new();
        contacts.expect_contact().returning(|id| {
            Ok(Some(match id {
                "501" => names("501", "Annie", "Lee"),
                _ => names("502", "Bob", "Lee"),
            }))
        });
        let mut primary = Person {
            id: Some("501".into()),
            first_name: Some("Ann".into()),
            ..Person::default()
        };
        let mut partner = Person {
            id: Some("502".into()),
            ..Person::default()
        };
        resolve(&contacts, false, &mut primary, &mut partner).unwrap();
        assert_eq!(primary.display_name().as_deref(), Some("Ann Lee"));
        assert_eq!(partner.display_name().as_deref(), Some("Bob Lee"));
    }

    #[test]
    fn h2_2_3_deal_contacts_primary_label_else_lowest_id_and_partner_lowest_remaining() {
        let mut contacts = MockContacts::new();
        contacts.expect_deal_contacts().returning(|_| {
            Ok(vec![
                link(900, None),
                link(700, Some("PRIMARY contact")),
                link(650, None),
            ])
        });
        contacts
            .expect_contacts()
            .withf(|ids| ids == ["700".to_string(), "650".to_string()])
            .returning(|_| Ok(vec![names("650", "Bob", "Kim"), names("700", "Ann", "Lee")]));
        let (mut primary, mut partner) = (Person::default(), Person::default());
        resolve(&contacts, false, &mut primary, &mut partner).unwrap();
        assert_eq!(primary.id.as_deref(), Some("700"));
        assert_eq!(partner.display_name().as_deref(), Some("Bob Kim"));
    }

    #[test]
    fn h2_2_3_a_crm_failure_is_returned_and_a_missing_deal_has_no_names() {
        let mut contacts = MockContacts::new();
        contacts
            .expect_deal_contacts()
            .returning(|_| Err(UpstreamError::unavailable("timeout")));
        let (mut primary, mut partner) = (Person::default(), Person::default());
        assert!(resolve(&contacts, false, &mut primary, &mut partner).is_err());
        let mut contacts = MockContacts::new();
        contacts
            .expect_deal_contacts()
            .returning(|_| Err(UpstreamError::NotFound));
        resolve(&contacts, false, &mut primary, &mut partner).unwrap();
        assert_eq!(primary, Person::default());
    }
}
