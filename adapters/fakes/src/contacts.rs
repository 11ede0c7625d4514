//! The CRM's contacts, in memory (upstreams.md U1.7): the demo mode starts empty (so folders are
//! named from the payload), tests add contacts and deal associations.

use async_trait::async_trait;
use domain::ports::{ContactNames, Contacts, DealContactLink, UpstreamError};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

#[derive(Debug, Default)]
struct State {
    contacts: HashMap<String, ContactNames>,
    deals: HashMap<String, Vec<DealContactLink>>,
    reads: usize,
}

/// Contacts and deal associations held in memory; counts the reads it answers.
#[derive(Debug, Default)]
pub struct MemoryContacts {
    state: Mutex<State>,
}

impl MemoryContacts {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn add_contact(&self, contact: ContactNames) {
        self.state().contacts.insert(contact.id.clone(), contact);
    }

    pub fn associate(&self, deal_id: &str, contact_id: u64, labels: &[&str]) {
        self.state()
            .deals
            .entry(deal_id.to_owned())
            .or_default()
            .push(DealContactLink {
                contact_id,
                labels: labels.iter().map(|l| (*l).to_owned()).collect(),
            });
    }

    /// How many reads were answered (a replay must make none).
    pub fn reads(&self) -> usize {
        self.state().reads
    }
}

#[async_trait]
impl Contacts for MemoryContacts {
    async fn contact(&self, id: &str) -> Result<Option<ContactNames>, UpstreamError> {
        let mut state = self.state();
        state.reads += 1;
        Ok(state.contacts.get(id).cloned())
    }

    async fn deal_contacts(&self, deal_id: &str) -> Result<Vec<DealContactLink>, UpstreamError> {
        let mut state = self.state();
        state.reads += 1;
        Ok(state.deals.get(deal_id).cloned().unwrap_or_default())
    }

    async fn contacts(&self, ids: &[String]) -> Result<Vec<ContactNames>, UpstreamError> {
        let mut state = self.state();
        state.reads += 1;
        Ok(ids
            .iter()
            .filter_map(|id| state.contacts.get(id).cloned())
            .collect())
    }
}
