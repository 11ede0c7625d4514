//! The Box fake: an in-memory folder tree behind the folder port. Copies and metadata writes are
//! recorded instead of sent; a name already used in the parent answers like Box's 409
//! `item_name_in_use` (upstreams.md U3.5), and metadata merges like U3.6 (never removes a key).

use async_trait::async_trait;
use domain::ports::{
    CopyOutcome, Folder, FolderMetadata, FolderStore, MetadataOutcome, UpstreamError,
};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// One recorded copy request and what it ended with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyRecord {
    pub source_id: String,
    pub parent_id: String,
    pub name: String,
    pub outcome: Result<CopyOutcome, UpstreamError>,
}

/// One recorded metadata write (the values as given).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetadataWrite {
    pub folder_id: String,
    pub values: FolderMetadata,
}

#[derive(Debug, Default)]
struct State {
    /// id → (parent id, name); the root `0` is implicit.
    folders: HashMap<String, (String, String)>,
    metadata: HashMap<String, FolderMetadata>,
    copies: Vec<CopyRecord>,
    metadata_writes: Vec<MetadataWrite>,
    next_id: u64,
    metadata_configured: bool,
    /// The next copies fail with these errors, first first.
    copy_failures: Vec<UpstreamError>,
    /// The next copy creates its folder but reports it as a 409 after an ambiguous retry.
    ambiguous_next_copy: bool,
}

/// An in-memory Box for the demo mode and the server's tests.
#[derive(Debug)]
pub struct RecordingBox {
    state: Mutex<State>,
}

impl Default for RecordingBox {
    fn default() -> Self {
        RecordingBox::new()
    }
}

impl RecordingBox {
    /// An empty Box with metadata configured.
    pub fn new() -> RecordingBox {
        RecordingBox {
            state: Mutex::new(State {
                next_id: 1000,
                metadata_configured: true,
                ..State::default()
            }),
        }
    }

    /// A Box holding these folder paths (e.g. `"Clients/Active"`, `"Templates/Client"`).
    pub fn with_paths(paths: &[&str]) -> RecordingBox {
        let fake = RecordingBox::new();
        for path in paths {
            fake.add_path(path);
        }
        fake
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock leaves usable data behind.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates every missing folder of `path`; returns the last one.
    pub fn add_path(&self, path: &str) -> Folder {
        let mut state = self.state();
        let mut parent = "0".to_owned();
        let mut folder = Folder {
            id: parent.clone(),
            name: "All Files".to_owned(),
        };
        for name in path.split('/').filter(|s| !s.is_empty()) {
            folder = match state.child(&parent, name) {
                Some(existing) => existing,
                None => state.create(&parent, name),
            };
            parent = folder.id.clone();
        }
        folder
    }

    /// Creates a folder in `parent_id` (e.g. a conflicting one) with optional metadata.
    pub fn add_folder(
        &self,
        parent_id: &str,
        name: &str,
        metadata: Option<FolderMetadata>,
    ) -> Folder {
        let mut state = self.state();
        let folder = state.create(parent_id, name);
        if let Some(values) = metadata {
            state.metadata.insert(folder.id.clone(), values);
        }
        folder
    }

    pub fn set_metadata_configured(&self, configured: bool) {
        self.state().metadata_configured = configured;
    }

    /// The next copies fail with these errors, in order (nothing is created).
    pub fn fail_copies_with(&self, errors: Vec<UpstreamError>) {
        self.state().copy_failures = errors;
    }

    /// The next copy creates its folder but answers like a 409 on the retry of an ambiguous
    /// attempt (U3.5): `NameInUse { after_ambiguous_retry: true }` naming the new folder.
    pub fn make_next_copy_ambiguous(&self) {
        self.state().ambiguous_next_copy = true;
    }

    pub fn copies(&self) -> Vec<CopyRecord> {
        self.state().copies.clone()
    }

    pub fn metadata_writes(&self) -> Vec<MetadataWrite> {
        self.state().metadata_writes.clone()
    }

    /// The folders in `parent_id`, by name.
    pub fn children(&self, parent_id: &str) -> Vec<Folder> {
        let state = self.state();
        let mut children: Vec<Folder> = state
            .folders
            .iter()
            .filter(|(_, (parent, _))| parent == parent_id)
            .map(|(id, (_, name))| Folder {
                id: id.clone(),
                name: name.clone(),
            })
            .collect();
        children.sort_by(|a, b| a.name.cmp(&b.name));
        children
    }

    /// The metadata stored on a folder.
    pub fn metadata_of(&self, folder_id: &str) -> Option<FolderMetadata> {
        self.state().metadata.get(folder_id).cloned()
    }
}

impl State {
    fn child(&self, parent_id: &str, name: &str) -> Option<Folder> {
        self.folders
            .iter()
            .find(|(_, (parent, n))| parent == parent_id && n == name)
            .map(|(id, (_, name))| Folder {
                id: id.clone(),
                name: name.clone(),
            })
    }

    fn create(&mut self, parent_id: &str, name: &str) -> Folder {
        self.next_id += 1;
        let id = self.next_id.to_string();
        self.folders
            .insert(id.clone(), (parent_id.to_owned(), name.to_owned()));
        Folder {
            id,
            name: name.to_owned(),
        }
    }

    fn copy(
        &mut self,
        source_id: &str,
        parent_id: &str,
        name: &str,
    ) -> Result<CopyOutcome, UpstreamError> {
        if !self.copy_failures.is_empty() {
            return Err(self.copy_failures.remove(0));
        }
        if !self.folders.contains_key(source_id) || !self.folders.contains_key(parent_id) {
            return Err(UpstreamError::NotFound);
        }
        if let Some(conflict) = self.child(parent_id, name) {
            return Ok(CopyOutcome::NameInUse {
                conflict,
                after_ambiguous_retry: false,
            });
        }
        let folder = self.create(parent_id, name);
        if std::mem::take(&mut self.ambiguous_next_copy) {
            return Ok(CopyOutcome::NameInUse {
                conflict: folder,
                after_ambiguous_retry: true,
            });
        }
        Ok(CopyOutcome::Created(folder))
    }
}

#[async_trait]
impl FolderStore for RecordingBox {
    async fn resolve_path(&self, path: &str) -> Result<Folder, UpstreamError> {
        let state = self.state();
        let mut folder = Folder {
            id: "0".to_owned(),
            name: "All Files".to_owned(),
        };
        for name in path.split('/').filter(|s| !s.is_empty()) {
            folder = state
                .child(&folder.id, name)
                .ok_or(UpstreamError::NotFound)?;
        }
        Ok(folder)
    }

    async fn copy_folder(
        &self,
        source_id: &str,
        parent_id: &str,
        name: &str,
    ) -> Result<CopyOutcome, UpstreamError> {
        let mut state = self.state();
        let outcome = state.copy(source_id, parent_id, name);
        state.copies.push(CopyRecord {
            source_id: source_id.to_owned(),
            parent_id: parent_id.to_owned(),
            name: name.to_owned(),
            outcome: outcome.clone(),
        });
        outcome
    }

    fn metadata_configured(&self) -> bool {
        self.state().metadata_configured
    }

    async fn folder_metadata(
        &self,
        folder_id: &str,
    ) -> Result<Option<FolderMetadata>, UpstreamError> {
        let state = self.state();
        if !state.metadata_configured {
            return Ok(None);
        }
        Ok(state.metadata.get(folder_id).cloned())
    }

    async fn apply_metadata(
        &self,
        folder_id: &str,
        values: &FolderMetadata,
    ) -> Result<MetadataOutcome, UpstreamError> {
        let mut state = self.state();
        if !state.metadata_configured {
            return Ok(MetadataOutcome::Skipped);
        }
        if !state.folders.contains_key(folder_id) {
            return Err(UpstreamError::NotFound);
        }
        state.metadata_writes.push(MetadataWrite {
            folder_id: folder_id.to_owned(),
            values: values.clone(),
        });
        // Create or merge: empty values are not written and nothing is removed (U3.6).
        let instance = state.metadata.entry(folder_id.to_owned()).or_default();
        for (field, value) in values.iter().filter(|(_, v)| !v.trim().is_empty()) {
            instance.insert(*field, value.clone());
        }
        Ok(MetadataOutcome::Applied)
    }

    fn folder_url(&self, folder_id: &str) -> String {
        format!("https://app.box.com/folder/{folder_id}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ports::MetadataField;

    #[tokio::test]
    async fn copies_conflict_like_box_and_metadata_merges() {
        let fake = RecordingBox::with_paths(&["Clients/Active", "Templates/Client"]);
        let active = fake.resolve_path("Clients/Active").await.unwrap();
        let template = fake.resolve_path("/Templates/Client").await.unwrap();
        assert_eq!(
            fake.resolve_path("Clients/Nope").await,
            Err(UpstreamError::NotFound)
        );

        let CopyOutcome::Created(folder) = fake
            .copy_folder(&template.id, &active.id, "Ann Lee")
            .await
            .unwrap()
        else {
            panic!("created");
        };
        let again = fake
            .copy_folder(&template.id, &active.id, "Ann Lee")
            .await
            .unwrap();
        assert_eq!(
            again,
            CopyOutcome::NameInUse {
                conflict: folder.clone(),
                after_ambiguous_retry: false
            }
        );
        fake.make_next_copy_ambiguous();
        let ambiguous = fake
            .copy_folder(&template.id, &active.id, "Bob")
            .await
            .unwrap();
        assert!(matches!(
            ambiguous,
            CopyOutcome::NameInUse {
                after_ambiguous_retry: true,
                ..
            }
        ));
        assert_eq!(fake.children(&active.id).len(), 2);
        assert_eq!(fake.copies().len(), 3);

        let deal = FolderMetadata::from([
            (MetadataField::HsDealRecordId, "1".to_owned()),
            (MetadataField::HouseholdType, "Couple".to_owned()),
        ]);
        fake.apply_metadata(&folder.id, &deal).await.unwrap();
        let update = FolderMetadata::from([
            (MetadataField::HsDealRecordId, "1".to_owned()),
            (MetadataField::HouseholdType, String::new()),
        ]);
        fake.apply_metadata(&folder.id, &update).await.unwrap();
        assert_eq!(fake.folder_metadata(&folder.id).await.unwrap(), Some(deal));
        assert_eq!(fake.metadata_writes().len(), 2);
    }
}
