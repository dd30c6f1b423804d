//! Throwaway databases for tests (feature `test-support`): each run gets a
//! database of its own on the machine's PostgreSQL, created empty and
//! dropped afterwards whether the test passed or not, so tests never share
//! a database nor leave one behind.
//!
//! The server is `postgres://postgres@127.0.0.1:5432/test` (trust auth), or
//! what `WEBCHAT_TEST_POSTGRES_URL` names. No PostgreSQL means the test
//! fails: it is not skipped.

use std::future::Future;

use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// The database tests connect to in order to create and drop theirs.
pub fn admin_url() -> String {
    std::env::var("WEBCHAT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// Runs `check` with the URL of a new empty database, then drops the
/// database; a panic in `check` is raised again after the drop.
///
/// # Panics
/// When PostgreSQL does not answer, or refuses to create or drop.
pub async fn with_database<F, Fut>(check: F)
where
    F: FnOnce(String) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    // Digits only: the one name that is not a bound parameter (a database
    // name cannot be one) cannot carry SQL.
    let name = format!("webchat_test_{}", rand::random::<u64>());
    let admin = admin_url();
    let mut connection = PgConnection::connect(&admin)
        .await
        .expect("PostgreSQL answers (see webchat_store_postgres::scratch)");
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut connection)
        .await
        .expect("creates the database");
    let (server, _) = admin.rsplit_once('/').expect("a database URL");
    let outcome = tokio::spawn(check(format!("{server}/{name}"))).await;
    // FORCE: a pool the check leaked must not keep the database alive.
    sqlx::query(AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)")))
        .execute(&mut connection)
        .await
        .expect("drops the database");
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}
