//! The app layer's one error type: what went wrong, in terms the web and CLI can show.
use domain::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not logged in, or the session's user no longer exists.
    #[error("log in to continue")]
    Unauthenticated,
    /// The user's role or organisation does not allow this.
    #[error("you do not have permission to do this")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// A form or record with problems per field.
    #[error("{0}")]
    Invalid(FieldErrors),
    /// A file with problems per row.
    #[error("{0}")]
    Import(#[from] import::ImportError),
    /// A unique rule refused the change (for example an email already used).
    #[error("{0}")]
    Conflict(String),
    #[error("email address or password is not correct")]
    BadCredentials,
    /// A wrong two-factor code, or one used already.
    #[error("the code is not correct, or it has been used already")]
    BadCode,
    /// Too many failed log-ins from the address or on the account: refused until `until`
    /// (a whole minute, so the time shown is true).
    #[error("Too many attempts. Try again after {}.", crate::clock::local(*.until).format("%H:%M"))]
    TooManyAttempts {
        until: chrono::DateTime<chrono::Utc>,
        /// Seconds from the refusal to `until`, for the `Retry-After` header.
        retry_after_seconds: i64,
    },
    #[error(transparent)]
    Store(store::StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<store::StoreError> for AppError {
    fn from(error: store::StoreError) -> Self {
        match error {
            store::StoreError::NotFound => AppError::NotFound,
            store::StoreError::Conflict(message) => AppError::Conflict(message),
            store::StoreError::Invalid(message) => {
                AppError::Invalid(domain::FieldError::new("record", message).into())
            }
            other => AppError::Store(other),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Invalid(errors)
    }
}

pub type AppResult<T> = Result<T, AppError>;
