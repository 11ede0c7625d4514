//! Contacts for Box folder naming (upstreams.md U1.7): one contact, a deal's associated contacts
//! (v4 associations, all pages) and a batch read of several contacts' names.

use crate::crm::HubSpotCrm;
use crate::users::{MAX_PAGES, list_pages};
use crate::wire::{Page, Record};
use async_trait::async_trait;
use domain::ports::{ContactNames, Contacts, DealContactLink, UpstreamError};
use serde::Deserialize;
use serde_json::json;

const CONTACT_PROPERTIES: [&str; 3] = ["firstname", "lastname", "email"];
/// U1.7: at most 100 inputs per batch read.
const BATCH_SIZE: usize = 100;

/// One association of the v4 listing.
#[derive(Debug, Deserialize)]
struct Association {
    #[serde(rename = "toObjectId")]
    to_object_id: u64,
    #[serde(default, rename = "associationTypes")]
    association_types: Vec<AssociationType>,
}

#[derive(Debug, Deserialize)]
struct AssociationType {
    #[serde(default)]
    label: Option<String>,
}

/// A batch read answer (200 or 207); per-input errors are missing contacts.
#[derive(Debug, Deserialize)]
struct BatchAnswer {
    results: Vec<Record>,
}

fn names(record: &Record) -> ContactNames {
    let text = |name: &str| record.text(name).filter(|v| !v.trim().is_empty());
    ContactNames {
        id: record.id.clone(),
        first_name: text("firstname"),
        last_name: text("lastname"),
        email: text("email"),
    }
}

#[async_trait]
impl Contacts for HubSpotCrm {
    async fn contact(&self, id: &str) -> Result<Option<ContactNames>, UpstreamError> {
        let url = self.http.url(&["crm", "v3", "objects", "contacts", id]);
        let query = [("properties", "firstname,lastname,email")];
        match self
            .http
            .get::<Record>("/crm/v3/objects/contacts/{id}", &url, &query)
            .await
        {
            Ok(record) => Ok(Some(names(&record))),
            Err(UpstreamError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn deal_contacts(&self, deal_id: &str) -> Result<Vec<DealContactLink>, UpstreamError> {
        const LABEL: &str = "/crm/v4/objects/deals/{id}/associations/contacts";
        let url = self.http.url(&[
            "crm",
            "v4",
            "objects",
            "deals",
            deal_id,
            "associations",
            "contacts",
        ]);
        let (http, url) = (&self.http, &url);
        let links = list_pages(MAX_PAGES, LABEL, |after| async move {
            let mut query = vec![("limit", "500")];
            query.extend(after.as_deref().map(|a| ("after", a)));
            http.get::<Page<Association>>(LABEL, url, &query).await
        })
        .await?;
        Ok(links
            .into_iter()
            .map(|a| DealContactLink {
                contact_id: a.to_object_id,
                labels: a
                    .association_types
                    .into_iter()
                    .filter_map(|t| t.label)
                    .collect(),
            })
            .collect())
    }

    async fn contacts(&self, ids: &[String]) -> Result<Vec<ContactNames>, UpstreamError> {
        let url = self
            .http
            .url(&["crm", "v3", "objects", "contacts", "batch", "read"]);
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_SIZE) {
            let inputs: Vec<_> = chunk.iter().map(|id| json!({ "id": id })).collect();
            let body = json!({ "properties": CONTACT_PROPERTIES, "inputs": inputs });
            let answer: BatchAnswer = self
                .http
                .post_read("/crm/v3/objects/contacts/batch/read", &url, &body)
                .await?;
            found.extend(answer.results.iter().map(names));
        }
        Ok(found)
    }
}
