//! Site photos: only JPEG and PNG that decode as such are taken, within a size and a pixel
//! count, and each gets a small JPEG thumbnail for the project page.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};

/// Photos larger than this are refused (a phone photo is 2-6 MB).
pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;
/// Nor more pixels than this, whatever the file's size (a 48-megapixel phone stays below).
const MAX_PIXELS: u64 = 64_000_000;
/// The thumbnail's longer side.
const THUMB_SIDE: u32 = 320;

/// A photo checked by decoding it, with its type and thumbnail.
#[derive(Debug)]
pub struct Photo {
    pub content_type: &'static str,
    pub thumbnail: Vec<u8>,
}

/// Checks a photo and makes its thumbnail; the error says why in words.
pub fn check_photo(bytes: &[u8]) -> Result<Photo, String> {
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(format!("照片超过{}MB / the photo is larger than {} MB", MAX_PHOTO_BYTES >> 20, MAX_PHOTO_BYTES >> 20));
    }
    let not_image = || "照片应为 JPEG 或 PNG 图片 / photos are JPEG or PNG images".to_string();
    let format = image::guess_format(bytes).map_err(|_| not_image())?;
    let content_type = match format {
        ImageFormat::Jpeg => "image/jpeg",
        ImageFormat::Png => "image/png",
        _ => return Err(not_image()),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4);
    reader.limits(limits);
    let (w, h) = reader.into_dimensions().map_err(|_| not_image())?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(format!("照片像素过多({w}×{h}) / the photo has too many pixels"));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4);
    reader.limits(limits);
    let img = reader.decode().map_err(|_| not_image())?;
    let thumb = img.thumbnail(THUMB_SIDE, THUMB_SIDE).to_rgb8();
    let mut out = Cursor::new(Vec::new());
    thumb.write_to(&mut out, ImageFormat::Jpeg).map_err(|e| format!("thumbnail: {e}"))?;
    Ok(Photo { content_type, thumbnail: out.into_inner() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_photo_is_checked_by_decoding_and_gets_a_thumbnail() {
        let p = check_photo(&png(1200, 800)).unwrap();
        assert_eq!(p.content_type, "image/png");
        let thumb = image::load_from_memory(&p.thumbnail).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (320, 213));
    }

    #[test]
    fn other_files_and_broken_images_are_refused() {
        assert!(check_photo(b"%PDF-1.7 not a photo").unwrap_err().contains("JPEG"));
        let mut cut = png(100, 100);
        cut.truncate(cut.len() / 2);
        assert!(check_photo(&cut).is_err(), "a truncated PNG");
        let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>";
        assert!(check_photo(svg).is_err());
        assert!(check_photo(&vec![0u8; MAX_PHOTO_BYTES + 1]).unwrap_err().contains("MB"));
    }
}
