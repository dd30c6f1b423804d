//! The store contract suite against SQLite in a temporary folder, and what
//! is particular to the embedded backend.

use webchat_core::store::Store;
use webchat_store_sqlite::SqliteStore;

#[tokio::test]
async fn sqlite_keeps_the_store_contract() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path()).await.expect("opens");
    webchat_core::store_contract::run_all(&store).await;
    store.close().await;
}

#[tokio::test]
async fn reopening_keeps_data_and_migrations_run_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path()).await.expect("opens");
    let ann = store.create_guest("ann").await.expect("creates");
    store.close().await;
    let store = SqliteStore::open(dir.path()).await.expect("reopens");
    assert_eq!(store.user(ann.id).await.expect("reads"), ann);
    assert!(dir.path().join("webchat.db").exists());
    store.close().await;
}

#[tokio::test]
async fn accounts_made_before_skeletons_get_theirs_when_the_store_opens() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path()).await.expect("opens");
    store.create_account("walter", "h").await.expect("creates");
    store.close().await;
    // As a database of before migration 0004 would be: no skeletons.
    let pool = sqlx::SqlitePool::connect_with(
        sqlx::sqlite::SqliteConnectOptions::new().filename(dir.path().join("webchat.db")),
    )
    .await
    .expect("connects");
    sqlx::query("UPDATE users SET username_skeleton = NULL")
        .execute(&pool)
        .await
        .expect("clears");
    pool.close().await;
    let store = SqliteStore::open(dir.path()).await.expect("reopens");
    assert!(matches!(
        store.create_guest("WALTER").await,
        Err(webchat_core::store::StoreError::Conflict)
    ));
    store.close().await;
}
