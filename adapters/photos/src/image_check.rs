//! Type by content and re-encoding with limits (P4.6 steps 4–6, S6.2).

use domain::ports::PhotoError;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// P4.6.5: at most 4096 pixels per side and 16,777,216 pixels.
pub const MAX_SIDE: u32 = 4096;
pub const MAX_PIXELS: u64 = 16_777_216;
/// S6.2: decoder memory.
pub const MAX_DECODER_BYTES: u64 = 64 * 1024 * 1024;

/// An accepted upload type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    Gif,
}

impl Kind {
    fn format(self) -> ImageFormat {
        match self {
            Kind::Jpeg => ImageFormat::Jpeg,
            Kind::Png => ImageFormat::Png,
            Kind::Gif => ImageFormat::Gif,
        }
    }

    /// P4.6.6: JPEG stays JPEG; PNG and GIF become PNG.
    pub fn stored(self) -> Kind {
        match self {
            Kind::Jpeg => Kind::Jpeg,
            Kind::Png | Kind::Gif => Kind::Png,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            Kind::Png | Kind::Gif => "png",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png | Kind::Gif => "image/png",
        }
    }
}

/// P4.6.4: magic bytes only; the name and declared type are never consulted.
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Kind::Jpeg)
    } else if bytes.starts_with(&[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(Kind::Png)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(Kind::Gif)
    } else {
        None
    }
}

fn decode(bytes: &[u8], kind: Kind) -> Result<DynamicImage, PhotoError> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODER_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    reader.limits(limits);
    let image = reader.decode().map_err(|_| PhotoError::Invalid)?;
    let pixels = u64::from(image.width()) * u64::from(image.height());
    if image.width() > MAX_SIDE || image.height() > MAX_SIDE || pixels > MAX_PIXELS {
        return Err(PhotoError::Invalid);
    }
    Ok(image)
}

/// Decodes (the first frame of a GIF) and re-encodes: JPEG at quality 85, else PNG. Only
/// pixels survive. Returns the bytes and their stored type.
pub fn reencode(bytes: &[u8], kind: Kind) -> Result<(Vec<u8>, Kind), PhotoError> {
    let image = decode(bytes, kind)?;
    let stored = kind.stored();
    let mut out = Vec::new();
    let written = match stored {
        Kind::Jpeg => {
            let rgb = DynamicImage::ImageRgb8(image.to_rgb8());
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
            rgb.write_with_encoder(encoder)
        }
        Kind::Png | Kind::Gif => image.write_to(&mut Cursor::new(&mut out), ImageFormat::Png),
    };
    written.map_err(|e| PhotoError::Io(format!("re-encoding failed: {e}")))?;
    Ok((out, stored))
}
