//! Evidence files for training records: PDF or image, checked by size, by name and by
//! what the bytes really are (`infer` reads the magic numbers), so a file cannot claim a
//! type it is not.
use domain::FieldError;

/// The largest evidence file accepted.
pub const MAX_EVIDENCE_BYTES: usize = 5 * 1024 * 1024;

/// The kinds of evidence accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceKind {
    Pdf,
    Png,
    Jpeg,
}

impl EvidenceKind {
    pub fn mime_type(self) -> &'static str {
        match self {
            EvidenceKind::Pdf => "application/pdf",
            EvidenceKind::Png => "image/png",
            EvidenceKind::Jpeg => "image/jpeg",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EvidenceKind::Pdf => "PDF",
            EvidenceKind::Png => "PNG image",
            EvidenceKind::Jpeg => "JPEG image",
        }
    }

    fn from_extension(extension: &str) -> Option<EvidenceKind> {
        match extension.to_ascii_lowercase().as_str() {
            "pdf" => Some(EvidenceKind::Pdf),
            "png" => Some(EvidenceKind::Png),
            "jpg" | "jpeg" => Some(EvidenceKind::Jpeg),
            _ => None,
        }
    }

    fn from_mime(mime: &str) -> Option<EvidenceKind> {
        match mime {
            "application/pdf" => Some(EvidenceKind::Pdf),
            "image/png" => Some(EvidenceKind::Png),
            "image/jpeg" => Some(EvidenceKind::Jpeg),
            _ => None,
        }
    }
}

/// A file name safe to show and to offer for download: the last path part, with only
/// letters, digits, spaces, dots, dashes and underscores kept.
pub fn safe_file_name(file_name: &str) -> String {
    let last = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim();
    let cleaned: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    if cleaned.trim_matches(['.', ' ', '_']).is_empty() {
        "evidence".into()
    } else {
        cleaned
    }
}

/// Checks an uploaded evidence file. `declared` is the content type the browser sent, if any.
pub fn check_evidence(
    file_name: &str,
    declared: Option<&str>,
    bytes: &[u8],
) -> Result<EvidenceKind, FieldError> {
    let shown = safe_file_name(file_name);
    if bytes.is_empty() {
        return Err(FieldError::new("evidence", format!("'{shown}' is empty")));
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(FieldError::new(
            "evidence",
            format!(
                "'{shown}' is {:.1} MB; the largest file accepted is {} MB",
                bytes.len() as f64 / (1024.0 * 1024.0),
                MAX_EVIDENCE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let extension = shown.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    let Some(claimed) = EvidenceKind::from_extension(extension) else {
        return Err(FieldError::new(
            "evidence",
            format!("'{shown}' is not a PDF, PNG or JPEG file"),
        ));
    };
    let actual = infer::get(bytes);
    let actual_kind = actual.and_then(|t| EvidenceKind::from_mime(t.mime_type()));
    if actual_kind != Some(claimed) {
        let what = match actual {
            Some(t) => format!("its contents are {} ({})", t.mime_type(), t.extension()),
            None => "its contents are not a recognised file type".to_string(),
        };
        return Err(FieldError::new(
            "evidence",
            format!("'{shown}' is named as a {} but {what}", claimed.label()),
        ));
    }
    if let Some(declared) = declared.filter(|d| !d.is_empty() && *d != "application/octet-stream") {
        let declared_kind =
            EvidenceKind::from_mime(declared.split(';').next().unwrap_or("").trim());
        if declared_kind != Some(claimed) {
            return Err(FieldError::new(
                "evidence",
                format!(
                    "'{shown}' was sent as {declared} but its contents are a {}",
                    claimed.label()
                ),
            ));
        }
    }
    Ok(claimed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";
    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    #[test]
    fn accepts_what_the_bytes_are() {
        assert_eq!(
            check_evidence("cert.pdf", Some("application/pdf"), PDF),
            Ok(EvidenceKind::Pdf)
        );
        assert_eq!(check_evidence("CERT.PNG", None, PNG), Ok(EvidenceKind::Png));
    }

    #[test]
    fn refuses_files_that_claim_a_type_they_are_not() {
        let err = check_evidence("cert.pdf", None, PNG).unwrap_err();
        assert_eq!(err.field, "evidence");
        assert_eq!(
            err.message,
            "'cert.pdf' is named as a PDF but its contents are image/png (png)"
        );
        let err = check_evidence("cert.pdf", None, b"MZ\x90\x00 not a pdf").unwrap_err();
        assert!(
            err.message
                .contains("application/vnd.microsoft.portable-executable"),
            "{}",
            err.message
        );
        let err = check_evidence("cert.png", Some("application/pdf"), PNG).unwrap_err();
        assert!(err.message.contains("was sent as application/pdf"));
    }

    #[test]
    fn refuses_wrong_types_empty_and_oversized_files() {
        assert_eq!(
            check_evidence("notes.docx", None, PDF).unwrap_err().message,
            "'notes.docx' is not a PDF, PNG or JPEG file"
        );
        assert_eq!(
            check_evidence("a.pdf", None, b"").unwrap_err().message,
            "'a.pdf' is empty"
        );
        let mut big = PDF.to_vec();
        big.resize(MAX_EVIDENCE_BYTES + 1, b' ');
        assert_eq!(
            check_evidence("big.pdf", None, &big).unwrap_err().message,
            "'big.pdf' is 5.0 MB; the largest file accepted is 5 MB"
        );
    }

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(
            safe_file_name("C:\\Users\\me\\BLS 2026.pdf"),
            "BLS 2026.pdf"
        );
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("<script>.pdf"), "_script_.pdf");
        assert_eq!(safe_file_name("..."), "evidence");
    }
}
