//! Configuration, in increasing priority: defaults → `gpteam.toml` → `GPTEAM_*` environment
//! variables → command-line flags. Secrets (the demo password) are never logged.
use anyhow::Context;
use serde::Deserialize;
use std::path::Path;

/// The default database: an SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://gpteam.db";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// What `gpteam.toml` may set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database_url: Option<String>,
    pub addr: Option<String>,
    pub secure_cookies: Option<bool>,
    /// The address people reach gpteam at, for links in emails.
    pub public_url: Option<String>,
}

impl FileConfig {
    /// Reads `gpteam.toml` from the working directory (or `GPTEAM_CONFIG`), if present.
    pub fn load() -> anyhow::Result<FileConfig> {
        let path = std::env::var("GPTEAM_CONFIG").unwrap_or_else(|_| "gpteam.toml".into());
        let path = Path::new(&path);
        if !path.exists() {
            return Ok(FileConfig::default());
        }
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("{} is not a valid gpteam configuration", path.display()))
    }
}

/// The database URL from a flag or `GPTEAM_DATABASE_URL` (clap reads both), else the file,
/// else the default.
pub fn database_url(flag: Option<String>, file: &FileConfig) -> String {
    flag.or_else(|| file.database_url.clone())
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string())
}

/// The address people reach gpteam at, for links in emails: the flag or
/// `GPTEAM_PUBLIC_URL` (clap reads both), else the file, else `http://<listen address>`.
pub fn public_url(flag: Option<String>, file: &FileConfig, local: std::net::SocketAddr) -> String {
    flag.or_else(|| file.public_url.clone())
        .map(|url| url.trim_end_matches('/').to_string())
        .unwrap_or_else(|| format!("http://{local}"))
}

/// Where the key sealing open wellbeing answers lives: `GPTEAM_WELLBEING_KEY_FILE`, else
/// beside an SQLite database (`gpteam.db.wellbeing-key`), else `gpteam-wellbeing.key` in the
/// working directory. `None` for an in-memory database, whose answers die with it. Never
/// inside the database: a reader of the database or of its backups must not hold it.
pub fn wellbeing_key_file(url: &str) -> Option<std::path::PathBuf> {
    if let Ok(path) = std::env::var("GPTEAM_WELLBEING_KEY_FILE")
        && !path.trim().is_empty()
    {
        return Some(path.into());
    }
    if url.starts_with("sqlite:") {
        return store::backup::sqlite_path(url).map(|db| {
            let mut name = db.clone().into_os_string();
            name.push(".wellbeing-key");
            std::path::PathBuf::from(name)
        });
    }
    Some("gpteam-wellbeing.key".into())
}

/// `gpteam serve` flags for signing in and keeping personal data (each also `GPTEAM_*`).
#[derive(Debug, clap::Args)]
pub struct SignInArgs {
    /// Proxies (CIDRs, comma-separated: `10.0.0.0/8,::1/128`) whose X-Forwarded-For header
    /// names the client. Without it the connecting address is the client, so log-in
    /// limits behind a reverse proxy would count everyone as one address.
    #[arg(long, env = "GPTEAM_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Hours a session lasts after log-in however active (8 idle hours end it sooner).
    #[arg(long, env = "GPTEAM_SESSION_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u64).range(1..=720))]
    pub session_hours: u64,
    /// Days log-in attempts (which hold addresses) are kept.
    #[arg(long, env = "GPTEAM_KEEP_LOGIN_ATTEMPTS_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub keep_login_attempts_days: u32,
    /// Days spent or expired invitation, reset and set-up links are kept.
    #[arg(long, env = "GPTEAM_KEEP_ACCOUNT_LINKS_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub keep_account_links_days: u32,
}

impl SignInArgs {
    pub fn policy(&self) -> web::SignInPolicy {
        web::SignInPolicy {
            trusted_proxies: self.trusted_proxies.clone(),
            session_lifetime: std::time::Duration::from_secs(self.session_hours * 3600),
        }
    }

    pub fn retention(&self) -> app::housekeeping::Retention {
        app::housekeeping::Retention {
            login_attempts: chrono::Duration::days(self.keep_login_attempts_days.into()),
            account_tokens: chrono::Duration::days(self.keep_account_links_days.into()),
        }
    }
}

/// Purges old log-in attempts, spent account links and expired sessions at start-up and
/// then hourly (`App::housekeeping` is safe to run from several servers).
pub async fn housekeeping_loop(
    app: app::App,
    sessions: store::accounts::sessions::SessionBackend,
    retention: app::housekeeping::Retention,
) {
    loop {
        match app.housekeeping(Some(&sessions), &retention).await {
            Ok(purged) => tracing::info!(
                "housekeeping: {} log-in attempts and {} account links deleted",
                purged.login_attempts,
                purged.account_tokens
            ),
            Err(error) => tracing::warn!("housekeeping failed: {error}"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::FileConfig;

    #[test]
    fn a_config_file_sets_every_field_and_an_unknown_one_is_refused() {
        let file: FileConfig = toml::from_str(
            "database_url = \"postgres://db/gpteam\"\naddr = \"0.0.0.0:8080\"\n\
             secure_cookies = true\npublic_url = \"https://gpteam.example\"\n",
        )
        .unwrap();
        assert_eq!(file.database_url.as_deref(), Some("postgres://db/gpteam"));
        assert_eq!(file.addr.as_deref(), Some("0.0.0.0:8080"));
        assert_eq!(file.secure_cookies, Some(true));
        assert_eq!(file.public_url.as_deref(), Some("https://gpteam.example"));
        assert!(toml::from_str::<FileConfig>("port = 8080").is_err());
    }
}
