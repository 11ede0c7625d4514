//! [`BoxFiles`]: the domain's folder port over Box (upstreams.md U3).

use crate::config::{BoxConfig, BoxConfigError};
use crate::folders::{self, PathCache};
use crate::http::BoxHttp;
use crate::metadata;
use async_trait::async_trait;
use domain::ports::{
    CopyOutcome, Folder, FolderMetadata, FolderStore, MetadataOutcome, UpstreamError,
};

/// The Box client. One per process: it holds the HTTP client, the token and the path cache.
#[derive(Debug)]
pub struct BoxFiles {
    http: BoxHttp,
    config: BoxConfig,
    paths: PathCache,
}

impl BoxFiles {
    /// Checks the configuration and decrypts the private key (a failure means Box is
    /// `not_configured`). Sends nothing.
    pub fn new(config: &BoxConfig) -> Result<BoxFiles, BoxConfigError> {
        Ok(BoxFiles {
            http: BoxHttp::new(config)?,
            paths: PathCache::new(config.path_cache_ttl),
            config: config.clone(),
        })
    }

    /// The circuit breaker's state now (U0.6: one for Box, the token endpoint included), for
    /// `/readyz` (H2.11).
    pub fn breaker_state(&self) -> upstream_http::BreakerState {
        self.http.api.breaker_state()
    }
}

#[async_trait]
impl FolderStore for BoxFiles {
    async fn resolve_path(&self, path: &str) -> Result<Folder, UpstreamError> {
        folders::resolve_path(&self.http, &self.paths, path).await
    }

    async fn copy_folder(
        &self,
        source_id: &str,
        parent_id: &str,
        name: &str,
    ) -> Result<CopyOutcome, UpstreamError> {
        folders::copy_folder(
            &self.http,
            self.config.copy_timeout,
            source_id,
            parent_id,
            name,
        )
        .await
    }

    fn metadata_configured(&self) -> bool {
        self.config.metadata_configured()
    }

    async fn folder_metadata(
        &self,
        folder_id: &str,
    ) -> Result<Option<FolderMetadata>, UpstreamError> {
        metadata::read(&self.http, &self.config, folder_id).await
    }

    async fn apply_metadata(
        &self,
        folder_id: &str,
        values: &FolderMetadata,
    ) -> Result<MetadataOutcome, UpstreamError> {
        metadata::apply(&self.http, &self.config, folder_id, values).await
    }

    fn folder_url(&self, folder_id: &str) -> String {
        format!(
            "{}/folder/{folder_id}",
            self.config.web_base_url.trim().trim_end_matches('/')
        )
    }
}
