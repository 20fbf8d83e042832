//! Checks of the file itself, before calamine reads a byte of it: its kind, macros,
//! encryption, and how far its zip container expands (a zip bomb is refused here, from what
//! the entries really expand to, not from the sizes they declare).

use std::io::{Cursor, Read};

use crate::WorkbookError;

/// The largest file read, in bytes. A filled self-assessment of a few hundred questions is
/// well under 1 MiB.
pub const MAX_FILE_BYTES: usize = 20 << 20;
/// The most entries a zip container may have.
pub const MAX_ENTRIES: usize = 1_000;
/// The most bytes all entries together may expand to.
pub const MAX_UNCOMPRESSED_BYTES: u64 = 100 << 20;
/// The highest compression ratio of an entry above [`RATIO_FLOOR`] bytes. Spreadsheet XML
/// compresses about 10:1; a zip bomb, thousands to one.
pub const MAX_RATIO: u64 = 200;
/// Entries smaller than this are not held to [`MAX_RATIO`] (a few kilobytes of repeated
/// markup can compress very well and expand to nothing dangerous).
const RATIO_FLOOR: u64 = 1 << 20;

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const ZIP_MAGIC: [u8; 4] = *b"PK\x03\x04";
const ODS_MIMETYPE: &str = "application/vnd.oasis.opendocument.spreadsheet";

/// The kind of a spreadsheet that passed the checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    /// Office Open XML (.xlsx), without macros.
    Xlsx,
    /// OpenDocument spreadsheet (.ods).
    Ods,
}

/// Checks `bytes` and says which reader may open it.
pub(crate) fn inspect(bytes: &[u8]) -> Result<Container, WorkbookError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(WorkbookError::TooLarge {
            size: bytes.len(),
            max: MAX_FILE_BYTES,
        });
    }
    if bytes.starts_with(&OLE_MAGIC) {
        // An encrypted .xlsx is an OLE compound file holding an `EncryptionInfo` stream;
        // any other OLE file here is a legacy .xls.
        let marker: Vec<u8> = "EncryptionInfo"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        return Err(if bytes.windows(marker.len()).any(|w| w == marker) {
            WorkbookError::Encrypted
        } else {
            WorkbookError::LegacyXls
        });
    }
    if !bytes.starts_with(&ZIP_MAGIC) {
        return Err(WorkbookError::NotASpreadsheet(
            "it is neither an .xlsx nor an .ods file".into(),
        ));
    }
    let damaged = |e: zip::result::ZipError| {
        WorkbookError::NotASpreadsheet(format!("its zip container is damaged ({e})"))
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
    if archive.len() > MAX_ENTRIES {
        return Err(WorkbookError::ZipBomb(format!(
            "{} entries (at most {MAX_ENTRIES})",
            archive.len()
        )));
    }
    let mut names = Vec::with_capacity(archive.len());
    let mut declared_total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(damaged)?;
        let name = entry.name().map_err(damaged)?.to_string();
        if entry.encrypted() {
            return Err(WorkbookError::Encrypted);
        }
        let lower = name.to_ascii_lowercase();
        if lower.ends_with("vbaproject.bin")
            || lower.contains("/macrosheets/")
            || lower.starts_with("basic/")
            || lower.ends_with("vbadata.xml")
        {
            return Err(WorkbookError::Macros(name));
        }
        declared_total = declared_total.saturating_add(entry.size());
        if entry.size() > RATIO_FLOOR && entry.size() / entry.compressed_size().max(1) > MAX_RATIO {
            return Err(WorkbookError::ZipBomb(format!(
                "{name} expands {} times (at most {MAX_RATIO})",
                entry.size() / entry.compressed_size().max(1)
            )));
        }
        names.push(name);
    }
    if declared_total > MAX_UNCOMPRESSED_BYTES {
        return Err(WorkbookError::ZipBomb(format!(
            "its entries declare {declared_total} bytes (at most {MAX_UNCOMPRESSED_BYTES})"
        )));
    }
    // The declared sizes may lie: expand every entry, counting, and stop at the cap.
    let mut total: u64 = 0;
    let mut content_types = String::new();
    let mut mimetype = String::new();
    let mut manifest = String::new();
    for (i, name) in names.iter().enumerate() {
        let entry = archive.by_index(i).map_err(damaged)?;
        let declared = entry.size();
        let allowed = (MAX_UNCOMPRESSED_BYTES - total).min(declared) + 1;
        let mut buf = Vec::new();
        let keep = matches!(
            name.as_str(),
            "[Content_Types].xml" | "mimetype" | "META-INF/manifest.xml"
        );
        let read = if keep {
            entry.take(allowed).read_to_end(&mut buf)
        } else {
            std::io::copy(&mut entry.take(allowed), &mut std::io::sink()).map(|n| n as usize)
        }
        .map_err(|e| WorkbookError::NotASpreadsheet(format!("{name} cannot be expanded ({e})")))?
            as u64;
        if read > declared {
            return Err(WorkbookError::ZipBomb(format!(
                "{name} expands beyond the {declared} bytes it declares"
            )));
        }
        total += read;
        let text = String::from_utf8_lossy(&buf).into_owned();
        match name.as_str() {
            "[Content_Types].xml" => content_types = text,
            "mimetype" => mimetype = text,
            "META-INF/manifest.xml" => manifest = text,
            _ => {}
        }
    }
    if mimetype.trim() == ODS_MIMETYPE {
        if manifest.contains("encryption-data") {
            return Err(WorkbookError::Encrypted);
        }
        return Ok(Container::Ods);
    }
    if content_types.to_ascii_lowercase().contains("macroenabled") {
        return Err(WorkbookError::Macros("a macro-enabled content type".into()));
    }
    if !content_types.is_empty() && names.iter().any(|n| n == "xl/workbook.xml") {
        return Ok(Container::Xlsx);
    }
    Err(WorkbookError::NotASpreadsheet(
        "the zip file holds no workbook".into(),
    ))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;

    use super::*;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut w = zip::ZipWriter::new(&mut out);
        let options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            w.start_file(*name, options).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_expands() {
        let zeros = vec![0u8; 200 << 20];
        let bomb = zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<workbook/>"),
            ("xl/worksheets/sheet1.xml", &zeros),
        ]);
        assert!(bomb.len() < 1 << 20, "{}", bomb.len());
        let err = inspect(&bomb).unwrap_err();
        assert!(matches!(err, WorkbookError::ZipBomb(_)), "{err}");
    }

    #[test]
    fn macros_encryption_and_strangers_are_refused() {
        let xlsm = zip_of(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<workbook/>"),
            ("xl/vbaProject.bin", b"\x00\x01"),
        ]);
        assert!(matches!(inspect(&xlsm), Err(WorkbookError::Macros(_))));
        let mut ole = OLE_MAGIC.to_vec();
        ole.extend("EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes));
        assert!(matches!(inspect(&ole), Err(WorkbookError::Encrypted)));
        assert!(matches!(inspect(&OLE_MAGIC), Err(WorkbookError::LegacyXls)));
        assert!(matches!(
            inspect(b"hello"),
            Err(WorkbookError::NotASpreadsheet(_))
        ));
        assert!(matches!(
            inspect(b"PK\x03\x04garbage"),
            Err(WorkbookError::NotASpreadsheet(_))
        ));
    }
}
