use super::*;
use image::{ImageFormat, RgbImage};
use std::io::Cursor;

fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(RgbImage::new(width, height))
        .write_to(&mut Cursor::new(&mut out), format)
        .unwrap();
    out
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn png_with_a_trailing_payload_is_reencoded_p4_6() {
    let dir = tempfile::tempdir().unwrap();
    let store = DiskPhotoStore::open(dir.path().join("up")).unwrap();
    let mut bytes = encoded(8, 8, ImageFormat::Png);
    bytes.extend_from_slice(b"<script>alert(1)</script>");
    let photo = store.store_photo(bytes).await.unwrap();
    assert!(is_photo_name(&photo.filename) && photo.filename.ends_with(".png"));
    assert_eq!(photo.content_type, "image/png");
    let stored = store.read_photo(&photo.filename).await.unwrap().unwrap();
    assert!(!stored.windows(8).any(|w| w == b"<script>"));
    assert_eq!(names(store.dir()), vec![photo.filename.clone()]);
    store.delete_photo(&photo.filename).await.unwrap();
    store.delete_photo(&photo.filename).await.unwrap();
    assert!(names(store.dir()).is_empty());
}

#[tokio::test]
async fn jpeg_stays_jpeg_and_gif_becomes_png_p4_6() {
    let dir = tempfile::tempdir().unwrap();
    let store = DiskPhotoStore::open(dir.path()).unwrap();
    let jpeg = store
        .store_photo(encoded(4, 4, ImageFormat::Jpeg))
        .await
        .unwrap();
    assert!(jpeg.filename.ends_with(".jpg") && jpeg.content_type == "image/jpeg");
    let gif = store
        .store_photo(encoded(4, 4, ImageFormat::Gif))
        .await
        .unwrap();
    assert!(gif.filename.ends_with(".png") && gif.content_type == "image/png");
}

#[tokio::test]
async fn refused_content_p4_6() {
    let dir = tempfile::tempdir().unwrap();
    let store = DiskPhotoStore::open(dir.path()).unwrap();
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec();
    assert_eq!(store.store_photo(svg).await, Err(PhotoError::Unsupported));
    assert_eq!(
        store.store_photo(b"just text".to_vec()).await,
        Err(PhotoError::Unsupported)
    );
    let mut broken = encoded(4, 4, ImageFormat::Png);
    broken.truncate(20);
    assert_eq!(store.store_photo(broken).await, Err(PhotoError::Invalid));
    let wide = encoded(4097, 1, ImageFormat::Png);
    assert_eq!(store.store_photo(wide).await, Err(PhotoError::Invalid));
    assert!(names(store.dir()).is_empty(), "nothing written");
}

#[tokio::test]
async fn the_sweep_removes_only_old_unreferenced_photos_p4_7() {
    let dir = tempfile::tempdir().unwrap();
    let store = DiskPhotoStore::open(dir.path()).unwrap();
    let kept = store
        .store_photo(encoded(2, 2, ImageFormat::Png))
        .await
        .unwrap();
    let orphan = store
        .store_photo(encoded(2, 2, ImageFormat::Png))
        .await
        .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not ours").unwrap();
    let past = Utc::now() - chrono::TimeDelta::hours(1);
    assert_eq!(
        store.sweep_photos(&[], past).await.unwrap(),
        0,
        "young files stay"
    );
    let future = Utc::now() + chrono::TimeDelta::minutes(1);
    let removed = store
        .sweep_photos(std::slice::from_ref(&kept.filename), future)
        .await
        .unwrap();
    assert_eq!(removed, 1);
    let left = names(store.dir());
    assert!(left.contains(&kept.filename) && !left.contains(&orphan.filename));
    assert!(left.contains(&"notes.txt".to_owned()));
}

#[test]
fn names_are_checked_before_any_file_call_s6_3() {
    assert!(is_photo_name("0123456789abcdef0123456789abcdef.jpg"));
    assert!(!is_photo_name("../0123456789abcdef0123456789abcd.png"));
    assert!(!is_photo_name("0123456789ABCDEF0123456789abcdef.png"));
    assert!(!is_photo_name("0123456789abcdef0123456789abcdef.svg"));
}
