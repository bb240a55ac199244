//! Accounts and the record of log-in attempts used to slow down password guessing.
use crate::{Result, corrupt, new_id};
use domain::account::UserRole;
use sqlx::{AnyConnection, Row, any::AnyRow};

pub mod sessions;
pub mod tokens;
pub mod two_factor;

#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub role: UserRole,
    /// PCN code, practice ODS code or ICS code, by role.
    pub org_code: String,
    pub staff_id: Option<String>,
    pub display_name: String,
    pub demo: bool,
    /// A disabled account cannot log in, and its sessions end.
    pub disabled: bool,
    pub last_login_at: Option<String>,
    /// Raised to end every session of the account (a password change, a reset, disabling).
    pub session_epoch: i64,
}

pub async fn insert(conn: &mut AnyConnection, user: &UserRecord, now: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO users (id, email, password_hash, role, org_code, staff_id, display_name, demo, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&user.id)
    .bind(&user.email)
    .bind(&user.password_hash)
    .bind(user.role.code())
    .bind(&user.org_code)
    .bind(&user.staff_id)
    .bind(&user.display_name)
    .bind(i64::from(user.demo))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

const SELECT: &str =
    "SELECT id, email, password_hash, role, org_code, staff_id, display_name, demo,
     disabled, last_login_at, session_epoch FROM users";

fn from_row(row: AnyRow) -> Result<UserRecord> {
    let role: String = row.try_get(3)?;
    let demo: i64 = row.try_get(7)?;
    Ok(UserRecord {
        id: row.try_get(0)?,
        email: row.try_get(1)?,
        password_hash: row.try_get(2)?,
        role: UserRole::parse(&role).ok_or_else(|| corrupt(format!("user role '{role}'")))?,
        org_code: row.try_get(4)?,
        staff_id: row.try_get(5)?,
        display_name: row.try_get(6)?,
        demo: demo != 0,
        disabled: row.try_get::<i64, _>(8)? != 0,
        last_login_at: row.try_get(9)?,
        session_epoch: row.try_get(10)?,
    })
}

pub async fn find_by_email(conn: &mut AnyConnection, email: &str) -> Result<Option<UserRecord>> {
    let row = sqlx::query(&format!("{SELECT} WHERE email = $1"))
        .bind(email)
        .fetch_optional(conn)
        .await?;
    row.map(from_row).transpose()
}

pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Option<UserRecord>> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(from_row).transpose()
}

/// The demo accounts, in the order they were made.
pub async fn list_demo(conn: &mut AnyConnection) -> Result<Vec<UserRecord>> {
    let rows = sqlx::query(&format!("{SELECT} WHERE demo = 1 ORDER BY id"))
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(from_row).collect()
}

/// The practice and PCN managers' accounts, by email.
pub async fn list_managers(conn: &mut AnyConnection) -> Result<Vec<UserRecord>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE role IN ('practice_manager', 'pcn_manager') ORDER BY email"
    ))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(from_row).collect()
}

pub async fn set_email(conn: &mut AnyConnection, id: &str, email: &str) -> Result<()> {
    sqlx::query("UPDATE users SET email = $2 WHERE id = $1")
        .bind(id)
        .bind(email)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records a successful log-in.
pub async fn set_last_login(conn: &mut AnyConnection, id: &str, at: &str) -> Result<()> {
    sqlx::query("UPDATE users SET last_login_at = $2 WHERE id = $1")
        .bind(id)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every session of the account: a session started before is refused from now on.
pub async fn bump_session_epoch(conn: &mut AnyConnection, id: &str) -> Result<()> {
    sqlx::query("UPDATE users SET session_epoch = session_epoch + 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Every account, by email.
pub async fn list_all(conn: &mut AnyConnection) -> Result<Vec<UserRecord>> {
    let rows = sqlx::query(&format!("{SELECT} ORDER BY email"))
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(from_row).collect()
}

/// Takes the account's row lock for the rest of the transaction (PostgreSQL's row lock,
/// SQLite's write lock), so checks made after it, such as counting recent reset links,
/// cannot race with another request for the same account.
pub async fn lock(conn: &mut AnyConnection, id: &str) -> Result<()> {
    sqlx::query("UPDATE users SET session_epoch = session_epoch WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Disables or enables an account.
pub async fn set_disabled(conn: &mut AnyConnection, id: &str, disabled: bool) -> Result<()> {
    sqlx::query("UPDATE users SET disabled = $2 WHERE id = $1")
        .bind(id)
        .bind(i64::from(disabled))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_role(conn: &mut AnyConnection, id: &str, role: UserRole) -> Result<()> {
    sqlx::query("UPDATE users SET role = $2 WHERE id = $1")
        .bind(id)
        .bind(role.code())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_password_hash(conn: &mut AnyConnection, id: &str, hash: &str) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// The names of every ICS, PCN and practice by code, for pages that show organisations.
pub async fn organisation_names(conn: &mut AnyConnection) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT code, name FROM ics UNION ALL SELECT code, name FROM pcns
         UNION ALL SELECT ods_code, name FROM practices",
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

pub async fn count(conn: &mut AnyConnection) -> Result<i64> {
    Ok(sqlx::query("SELECT COUNT(*) FROM users")
        .fetch_one(conn)
        .await?
        .try_get(0)?)
}

pub async fn record_attempt(
    conn: &mut AnyConnection,
    client: &str,
    at: &str,
    succeeded: bool,
) -> Result<()> {
    sqlx::query("INSERT INTO login_attempts (id, client, at, succeeded) VALUES ($1, $2, $3, $4)")
        .bind(new_id())
        .bind(client)
        .bind(at)
        .bind(i64::from(succeeded))
        .execute(conn)
        .await?;
    Ok(())
}

/// Failed attempts from one client at or after `since`.
pub async fn failures_since(conn: &mut AnyConnection, client: &str, since: &str) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) FROM login_attempts WHERE client = $1 AND at >= $2 AND succeeded = 0",
    )
    .bind(client)
    .bind(since)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// How a log-in attempt ended, as `login_attempts.succeeded` stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// A wrong password or code; also an attempt still being checked.
    Failed = 0,
    SignedIn = 1,
    /// The password was right and a two-factor code is still to come: neither a failure
    /// nor a sign-in that clears the account's failures.
    PasswordOnly = 2,
}

/// Serialises log-in attempts on `key` (an address or an account) until the transaction
/// ends, so that counting recent failures and recording a new attempt is one step.
/// PostgreSQL takes a transaction-scoped advisory lock; on SQLite `Store::begin` already
/// holds the database's write lock.
pub async fn lock_attempts(conn: &mut AnyConnection, key: &str) -> Result<()> {
    if conn.backend_name().eq_ignore_ascii_case("postgresql") {
        // Selecting the void result inside a subquery keeps the Any driver to an integer.
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock(21, hashtext($1))) AS l")
            .bind(key)
            .fetch_one(conn)
            .await?;
    }
    Ok(())
}

/// Records an attempt for `account` (the email typed) from `client`; returns its id.
pub async fn record_account_attempt(
    conn: &mut AnyConnection,
    client: &str,
    account: &str,
    at: &str,
    outcome: AttemptOutcome,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO login_attempts (id, client, account, at, succeeded) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(client)
    .bind(account)
    .bind(at)
    .bind(outcome as i64)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Sets how an attempt recorded as failed (while it was being checked) ended.
pub async fn set_attempt_outcome(
    conn: &mut AnyConnection,
    id: &str,
    outcome: AttemptOutcome,
) -> Result<()> {
    sqlx::query("UPDATE login_attempts SET succeeded = $2 WHERE id = $1")
        .bind(id)
        .bind(outcome as i64)
        .execute(conn)
        .await?;
    Ok(())
}

/// When each failed attempt from `client` after `since` was made, oldest first.
pub async fn client_failures(
    conn: &mut AnyConnection,
    client: &str,
    since: &str,
) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT at FROM login_attempts WHERE client = $1 AND at > $2 AND succeeded = 0
         ORDER BY at",
    )
    .bind(client)
    .bind(since)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// When each failed attempt on `account` after `since`, and after its last
/// sign-in, was made, oldest first.
pub async fn account_failures(
    conn: &mut AnyConnection,
    account: &str,
    since: &str,
) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT at FROM login_attempts WHERE account = $1 AND at > $2 AND succeeded = 0
         AND at > COALESCE((SELECT MAX(at) FROM login_attempts
                             WHERE account = $3 AND succeeded = 1), '')
         ORDER BY at",
    )
    .bind(account)
    .bind(since)
    .bind(account)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Deletes log-in attempts made before `before` (they hold addresses); returns how many.
pub async fn purge_attempts(conn: &mut AnyConnection, before: &str) -> Result<u64> {
    let done = sqlx::query("DELETE FROM login_attempts WHERE at < $1")
        .bind(before)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
