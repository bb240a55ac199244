//! Fresh, migrated databases for tests, on SQLite or PostgreSQL.
//!
//! PostgreSQL tests read the server's URL from `GPTEAM_TEST_POSTGRES_URL` (the test script
//! sets it) and create a database of their own, so tests run in parallel without seeing
//! each other's rows.
use crate::{Backend, Result, Store};
use sqlx::{Connection, Executor};

/// The environment variable naming the PostgreSQL server used by tests.
pub const POSTGRES_URL_VAR: &str = "GPTEAM_TEST_POSTGRES_URL";

/// A database made for one test. Keep it alive for the test's length.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    drop_pg: Option<(String, String)>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("gpteam.db").display());
                let store = Store::connect(&url).await.expect("open SQLite");
                store.migrate().await.expect("migrate SQLite");
                TestDb {
                    store,
                    url,
                    _dir: Some(dir),
                    drop_pg: None,
                }
            }
            Backend::Postgres => {
                let server = std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| {
                    panic!("{POSTGRES_URL_VAR} is not set: run the tests through scripts/test.sh, which starts PostgreSQL")
                });
                let name = format!("gpteam_t_{}", uuid::Uuid::new_v4().simple());
                let mut admin = sqlx::PgConnection::connect(&server)
                    .await
                    .expect("connect to PostgreSQL");
                admin
                    .execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let url = with_database(&server, &name);
                let store = Store::connect(&url).await.expect("open PostgreSQL");
                store.migrate().await.expect("migrate PostgreSQL");
                TestDb {
                    store,
                    url,
                    _dir: None,
                    drop_pg: Some((server, name)),
                }
            }
        }
    }

    /// Drops a PostgreSQL test database (SQLite's file goes with the temp dir).
    pub async fn cleanup(self) -> Result<()> {
        self.store.close().await;
        if let Some((server, name)) = &self.drop_pg {
            let mut admin = sqlx::PgConnection::connect(server).await?;
            admin
                .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                .await?;
            admin.close().await.ok();
        }
        Ok(())
    }
}

/// Creates an empty database `name` on a PostgreSQL server (for soaks and load tests) and
/// returns its URL.
pub async fn create_postgres_database(server_url: &str, name: &str) -> Result<String> {
    let mut admin = sqlx::PgConnection::connect(server_url).await?;
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await?;
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    admin.close().await.ok();
    Ok(with_database(server_url, name))
}

/// Drops a database `create_postgres_database` made.
pub async fn drop_postgres_database(server_url: &str, name: &str) -> Result<()> {
    let mut admin = sqlx::PgConnection::connect(server_url).await?;
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await?;
    admin.close().await.ok();
    Ok(())
}

/// Replaces the database name in a PostgreSQL URL.
pub fn with_database(server_url: &str, database: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server_url, None),
    };
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{root}/{database}?{query}"),
        None => format!("{root}/{database}"),
    }
}

/// Makes `Store::total_changes` count on PostgreSQL as SQLite's `total_changes()` does:
/// a row trigger on every table of the schema advances a sequence, and a sequence is not
/// rolled back, so a write undone by a rollback is still counted. For tests that show a
/// refused request wrote nothing. Does nothing on SQLite, which counts by itself.
pub async fn install_write_probe(store: &Store) -> Result<()> {
    if store.backend() != Backend::Postgres {
        return Ok(());
    }
    let mut conn = store.conn().await?;
    for statement in [
        "CREATE SEQUENCE IF NOT EXISTS gpteam_write_probe",
        "CREATE OR REPLACE FUNCTION gpteam_write_probe() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN PERFORM nextval('gpteam_write_probe'); RETURN NULL; END $$",
        "DO $$ DECLARE t record; BEGIN \
           FOR t IN SELECT tablename FROM pg_tables \
             WHERE schemaname = current_schema() AND tablename <> '_sqlx_migrations' LOOP \
             EXECUTE format('DROP TRIGGER IF EXISTS gpteam_write_probe ON %I', t.tablename); \
             EXECUTE format('CREATE TRIGGER gpteam_write_probe AFTER INSERT OR UPDATE OR DELETE \
               ON %I FOR EACH ROW EXECUTE FUNCTION gpteam_write_probe()', t.tablename); \
           END LOOP; END $$",
    ] {
        sqlx::raw_sql(statement).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Every row of a table with each value as text (integers and floats printed), by column
/// name: for tests that look for a value anywhere in a table.
pub async fn rows_as_text(
    store: &Store,
    table: &str,
) -> Result<Vec<std::collections::BTreeMap<String, Option<String>>>> {
    use sqlx::{Column, Row};
    let mut conn = store.conn().await?;
    let rows = sqlx::query(&format!("SELECT * FROM {table}"))
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut values = std::collections::BTreeMap::new();
        for (i, column) in row.columns().iter().enumerate() {
            let value = match row.try_get::<Option<String>, _>(i) {
                Ok(v) => v,
                Err(_) => match row.try_get::<Option<i64>, _>(i) {
                    Ok(v) => v.map(|v| v.to_string()),
                    Err(_) => row.try_get::<Option<f64>, _>(i)?.map(|v| v.to_string()),
                },
            };
            values.insert(column.name().to_string(), value);
        }
        out.push(values);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            super::with_database("postgres://u@h:5432/test", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://u@h:5432/test?sslmode=disable", "x"),
            "postgres://u@h:5432/x?sslmode=disable"
        );
        assert_eq!(super::with_database("postgres://h", "x"), "postgres://h/x");
    }
}
