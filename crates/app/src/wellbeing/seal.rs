//! The seal on answers of an open period: AES-256-GCM under a key kept outside the
//! database (a key file beside it, or where `GPTEAM_WELLBEING_KEY_FILE` says), so a reader
//! of the database, its write-ahead log or a backup sees only boxes of equal length beside
//! the "who answered" markers. The box is bound to its questionnaire and period (the AEAD's
//! associated data), so it cannot be moved to another period unnoticed.
use domain::role::StaffGroup;
use domain::wellbeing::Answers;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use rand::RngCore;

/// Every box holds this many bytes before sealing, whatever the comment's length, so a
/// box's size says nothing about the answer (1,000 characters at worst 6 bytes each as
/// JSON, plus the scores, fit with room to spare).
pub const PLAIN_LEN: usize = 8192;
const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the wellbeing key file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the wellbeing key file {0} does not hold a key (64 hexadecimal digits)")]
    BadKey(PathBuf),
    #[error("a sealed wellbeing answer could not be opened with this key")]
    Open,
    #[error("a wellbeing answer is too long to seal")]
    TooLong,
}

/// The sealing key. Cheap to clone; never printed.
#[derive(Clone)]
pub struct SealKey(Arc<[u8; 32]>);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(hidden)")
    }
}

/// What a box holds: everything of an answer a report needs, nothing of who gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SealedAnswer {
    pub practice_ods: String,
    pub staff_group: String,
    pub scores: Vec<u8>,
    pub comment: Option<String>,
}

impl SealedAnswer {
    pub fn new(practice_ods: &str, staff_group: StaffGroup, answers: &Answers) -> SealedAnswer {
        SealedAnswer {
            practice_ods: practice_ods.to_string(),
            staff_group: staff_group.code().to_string(),
            scores: answers.scores.clone(),
            comment: answers.comment.clone(),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl SealKey {
    /// A fresh key, for tests and for a process that never needs to read back its boxes.
    pub fn random() -> SealKey {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        SealKey(Arc::new(key))
    }

    fn parse(text: &str) -> Option<SealKey> {
        let text = text.trim();
        if text.len() != 64 || !text.is_ascii() {
            return None;
        }
        let mut key = [0u8; 32];
        for (i, slot) in key.iter_mut().enumerate() {
            *slot = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(SealKey(Arc::new(key)))
    }

    /// Reads the key file, or makes it (readable by its owner only) when there is none.
    /// Two processes starting at once agree: only one can create the file.
    pub fn load_or_create(path: &Path) -> Result<SealKey, SealError> {
        let io = |source| SealError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(path) {
            Ok(mut file) => {
                let key = SealKey::random();
                std::io::Write::write_all(&mut file, format!("{}\n", hex(&key.0[..])).as_bytes())
                    .map_err(io)?;
                file.sync_all().map_err(io)?;
                Ok(key)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                // The other process may still be writing it.
                for _ in 0..50 {
                    let text = std::fs::read_to_string(path).map_err(io)?;
                    if let Some(key) = SealKey::parse(&text) {
                        return Ok(key);
                    }
                    if !text.is_empty() {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(SealError::BadKey(path.to_path_buf()))
            }
            Err(e) => Err(io(e)),
        }
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new_from_slice(&self.0[..]).expect("a 32-byte key")
    }

    /// Seals an answer into a box of fixed length, bound to `context` (questionnaire and
    /// period).
    pub(crate) fn seal(&self, context: &str, answer: &SealedAnswer) -> Result<String, SealError> {
        let mut plain = serde_json::to_vec(answer).map_err(|_| SealError::TooLong)?;
        if plain.len() > PLAIN_LEN {
            return Err(SealError::TooLong);
        }
        plain.resize(PLAIN_LEN, b' ');
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher()
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SealError::TooLong)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(base64::engine::general_purpose::STANDARD.encode(out))
    }

    /// Opens a box sealed for `context`; `Open` for another key, context or a changed box.
    pub(crate) fn open(&self, context: &str, sealed: &str) -> Result<SealedAnswer, SealError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .map_err(|_| SealError::Open)?;
        if bytes.len() <= NONCE_LEN {
            return Err(SealError::Open);
        }
        let (nonce, body) = bytes.split_at(NONCE_LEN);
        let plain = self
            .cipher()
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SealError::Open)?;
        serde_json::from_slice(&plain).map_err(|_| SealError::Open)
    }
}

/// The context a box is bound to.
pub(crate) fn context(questionnaire_id: &str, period_start: &str) -> String {
    format!("gpteam wellbeing answer|{questionnaire_id}|{period_start}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(comment: Option<&str>) -> SealedAnswer {
        SealedAnswer {
            practice_ods: "Y99901".into(),
            staff_group: "gp".into(),
            scores: vec![1, 5, 3],
            comment: comment.map(str::to_string),
        }
    }

    #[test]
    fn boxes_open_with_their_key_and_context_only_and_all_have_one_length() {
        let key = SealKey::random();
        let ctx = context("q", "2026-03-02");
        let short = key.seal(&ctx, &answer(None)).unwrap();
        let long_comment = "\u{1}".repeat(domain::wellbeing::MAX_COMMENT_CHARS);
        let long = key.seal(&ctx, &answer(Some(&long_comment))).unwrap();
        assert_eq!(
            short.len(),
            long.len(),
            "a box's size says nothing of the answer"
        );
        assert!(!long.contains("Y99901"));
        assert_eq!(key.open(&ctx, &short).unwrap(), answer(None));
        assert_eq!(
            key.open(&ctx, &long).unwrap().comment.as_deref(),
            Some(long_comment.as_str())
        );
        assert!(matches!(
            key.open(&context("q", "2026-03-30"), &short),
            Err(SealError::Open)
        ));
        assert!(matches!(
            SealKey::random().open(&ctx, &short),
            Err(SealError::Open)
        ));
        assert_ne!(
            key.seal(&ctx, &answer(None)).unwrap(),
            short,
            "a fresh nonce every time"
        );
    }

    #[test]
    fn the_key_file_is_made_once_and_read_back() {
        let dir = std::env::temp_dir().join(format!("gpteam-seal-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("wellbeing.key");
        let made = SealKey::load_or_create(&path).unwrap();
        let read = SealKey::load_or_create(&path).unwrap();
        assert_eq!(made.0, read.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "readable by its owner only");
        }
        std::fs::write(&path, "not a key").unwrap();
        assert!(matches!(
            SealKey::load_or_create(&path),
            Err(SealError::BadKey(_))
        ));
        std::fs::remove_dir_all(&dir).ok();
    }
}
