//! Pure types and rules of general practice. See README.md.
//!
//! Every public value type has a validating constructor (`parse`), so the rest of the
//! program never holds an invalid ODS code, WTE or date range.

pub mod account;
pub mod arrs;
pub mod dates;
pub mod development;
pub mod error;
pub mod estates;
pub mod leave;
pub mod leave_balance;
pub mod org;
pub mod role;
pub mod room;
pub mod rota;
pub mod staff;
pub mod text;
pub mod training;
pub mod vacancy;
pub mod wellbeing;
pub mod words;

pub use error::{FieldError, FieldErrors};
