//! Profile photos on disk (portal.md P4.6–P4.8, security.md S6): the type is sniffed from the
//! content, the image is decoded with limits and re-encoded (which drops metadata and any
//! smuggled payload), and written under a random name via a temporary file, fsync and rename.
//! Decoding and file I/O run on the blocking pool.

mod image_check;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::ports::{Photo, PhotoError, PhotoStore};
use std::io::Write;
use std::path::{Path, PathBuf};

pub use image_check::{Kind, reencode, sniff};

/// Photos in one directory (`UPLOAD_DIR`).
#[derive(Clone, Debug)]
pub struct DiskPhotoStore {
    dir: PathBuf,
}

fn io(e: impl std::fmt::Display) -> PhotoError {
    PhotoError::Io(e.to_string())
}

/// S6.3: `<32 lowercase hex>.<jpg|png>`; anything else never reaches the file system.
pub fn is_photo_name(name: &str) -> bool {
    match name.split_once('.') {
        Some((stem, "jpg" | "png")) => {
            stem.len() == 32 && stem.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'))
        }
        _ => false,
    }
}

fn random_stem() -> Result<String, PhotoError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(io)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

impl DiskPhotoStore {
    /// Creates the directory (mode 0700, S6.3) when missing.
    pub fn open(dir: impl Into<PathBuf>) -> Result<DiskPhotoStore, PhotoError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(io)?;
        restrict(&dir, 0o700).map_err(io)?;
        Ok(DiskPhotoStore { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` as `name` via a temporary file in the same directory (S6.3).
    fn write_atomically(&self, name: &str, bytes: &[u8]) -> Result<(), PhotoError> {
        let temp = self.dir.join(format!(".tmp-{name}"));
        let result = (|| {
            let mut file = std::fs::File::create(&temp)?;
            restrict(&temp, 0o600)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            std::fs::rename(&temp, self.dir.join(name))
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        result.map_err(io)
    }

    fn store_blocking(&self, bytes: &[u8]) -> Result<Photo, PhotoError> {
        let kind = sniff(bytes).ok_or(PhotoError::Unsupported)?;
        let (encoded, stored) = reencode(bytes, kind)?;
        let filename = format!("{}.{}", random_stem()?, stored.extension());
        self.write_atomically(&filename, &encoded)?;
        Ok(Photo {
            filename,
            content_type: stored.content_type().to_owned(),
        })
    }

    fn sweep_blocking(
        &self,
        referenced: &[String],
        older_than: DateTime<Utc>,
    ) -> Result<u64, PhotoError> {
        let mut removed = 0;
        for entry in std::fs::read_dir(&self.dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if referenced.contains(&name) {
                continue;
            }
            let modified = entry
                .metadata()
                .and_then(|m| m.modified())
                .map(DateTime::<Utc>::from);
            let is_ours = is_photo_name(&name) || name.starts_with(".tmp-");
            if is_ours && modified.is_ok_and(|m| m < older_than) {
                std::fs::remove_file(entry.path()).map_err(io)?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, PhotoError> + Send + 'static,
) -> Result<T, PhotoError> {
    tokio::task::spawn_blocking(work).await.map_err(io)?
}

#[async_trait]
impl PhotoStore for DiskPhotoStore {
    async fn store_photo(&self, bytes: Vec<u8>) -> Result<Photo, PhotoError> {
        let store = self.clone();
        blocking(move || store.store_blocking(&bytes)).await
    }

    async fn read_photo(&self, filename: &str) -> Result<Option<Vec<u8>>, PhotoError> {
        if !is_photo_name(filename) {
            return Ok(None);
        }
        match tokio::fs::read(self.dir.join(filename)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    async fn delete_photo(&self, filename: &str) -> Result<(), PhotoError> {
        if !is_photo_name(filename) {
            return Ok(());
        }
        match tokio::fs::remove_file(self.dir.join(filename)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
            _ => Ok(()),
        }
    }

    async fn sweep_photos(
        &self,
        referenced: &[String],
        older_than: DateTime<Utc>,
    ) -> Result<u64, PhotoError> {
        let store = self.clone();
        let referenced = referenced.to_vec();
        blocking(move || store.sweep_blocking(&referenced, older_than)).await
    }
}

#[cfg(test)]
mod tests;
