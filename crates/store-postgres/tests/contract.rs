//! The store contract suite against PostgreSQL, and what is particular to
//! it (several nodes on one database, prefix search), each test in a
//! database of its own ([`webchat_store_postgres::scratch`]). No PostgreSQL
//! means a failure, not a skip.

use webchat_core::store::{EventLog, Store};
use webchat_store_postgres::PgStore;
use webchat_store_postgres::scratch::with_database as with_fresh_database;

#[tokio::test]
async fn postgres_keeps_the_store_contract() {
    with_fresh_database(|url| async move {
        let store = PgStore::open(&url).await.expect("opens and migrates");
        webchat_core::store_contract::run_all(&store).await;
        store.close().await;
    })
    .await;
}

/// Two stores on one database stand for two nodes: seqs stay dense and
/// unique when both append to one room at once, and a nonce sent through
/// both makes one event.
#[tokio::test]
async fn two_nodes_appending_at_once_keep_seqs_dense_and_nonces_single() {
    use std::sync::Arc;
    use webchat_core::model::{NewEvent, NewRoom};
    use webchat_protocol::views::{EventKind, Visibility};

    with_fresh_database(|url| async move {
        let first = Arc::new(PgStore::open(&url).await.expect("first node opens"));
        let second = Arc::new(PgStore::open(&url).await.expect("second node opens"));
        let ann = first.create_guest("ann").await.expect("creates");
        first
            .create_room(&NewRoom {
                id: "busy".into(),
                name: "busy".into(),
                topic: String::new(),
                visibility: Visibility::Public,
                created_by: ann.id,
            })
            .await
            .expect("creates");
        let message = |body: String, nonce: Option<String>| NewEvent {
            room: "busy".into(),
            kind: EventKind::Message,
            author: ann.author(),
            body: Some(body),
            target: None,
            nonce,
            actor: None,
        };
        let mut writers = Vec::new();
        for (node, store) in [first.clone(), second.clone()].into_iter().enumerate() {
            for writer in 0..4 {
                let store = store.clone();
                let batch: Vec<_> = (0..10)
                    .map(|i| message(format!("{node}/{writer}/{i}"), None))
                    .chain([message("same".into(), Some("shared-nonce".into()))])
                    .collect();
                writers.push(tokio::spawn(async move {
                    store.append_batch(&batch).await.expect("commits")
                }));
            }
        }
        let mut fresh = Vec::new();
        for writer in writers {
            for result in writer.await.expect("writer ran") {
                let appended = result.expect("appended");
                if !appended.duplicate {
                    fresh.push(appended.event.seq);
                }
            }
        }
        fresh.sort_unstable();
        // 8 writers × 10 messages, and the shared nonce once.
        assert_eq!(fresh, (1..=81).collect::<Vec<u64>>());
        assert_eq!(
            first.room("busy").await.expect("reads").expect("room").head,
            81
        );
        second.close().await;
        first.close().await;
    })
    .await;
}

/// PostgreSQL's search beyond the contract: the last word matches as a
/// prefix (a search typed as you go), earlier words whole, and input that
/// looks like tsquery syntax is just words.
#[tokio::test]
async fn search_matches_the_last_word_as_a_prefix_and_reads_no_syntax() {
    use webchat_core::model::NewEvent;
    use webchat_protocol::views::EventKind;

    with_fresh_database(|url| async move {
        let store = PgStore::open(&url).await.expect("opens");
        let ann = store.create_guest("ann").await.expect("creates");
        let said = store
            .append_batch(&[NewEvent {
                room: "lobby".into(),
                kind: EventKind::Message,
                author: ann.author(),
                body: Some("Walruses basking on the ice".into()),
                target: None,
                nonce: None,
                actor: None,
            }])
            .await
            .expect("commits")
            .remove(0)
            .expect("appended")
            .event;
        let found = |query: &'static str| {
            let store = &store;
            async move {
                store
                    .search(ann.id, query, None, 10, 0)
                    .await
                    .expect("searches")
                    .events
                    .iter()
                    .map(|e| e.id)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(found("walrus").await, vec![said.id], "a prefix");
        assert_eq!(found("WALRUSES bask").await, vec![said.id], "any case");
        assert!(found("walrus bask").await.is_empty(), "earlier words whole");
        assert_eq!(
            found("ice & !walruses").await,
            vec![said.id],
            "`!` does not exclude: operators in the input are not syntax"
        );
        assert_eq!(found("ice | walruses:*").await, vec![said.id]);
        store.close().await;
    })
    .await;
}

/// Two nodes whose batches touch the same rooms in opposite orders: every
/// batch commits (none is failed by a deadlock) and each room's seqs stay
/// dense.
#[tokio::test]
async fn batches_touching_rooms_in_other_orders_on_two_nodes_all_commit() {
    use std::sync::Arc;
    use webchat_core::model::{NewEvent, NewRoom};
    use webchat_protocol::views::{EventKind, Visibility};

    with_fresh_database(|url| async move {
        let nodes = [
            Arc::new(PgStore::open(&url).await.expect("opens")),
            Arc::new(PgStore::open(&url).await.expect("opens")),
        ];
        let ann = nodes[0].create_guest("ann").await.expect("creates");
        for room in ["x", "y"] {
            nodes[0]
                .create_room(&NewRoom {
                    id: room.into(),
                    name: room.into(),
                    topic: String::new(),
                    visibility: Visibility::Public,
                    created_by: ann.id,
                })
                .await
                .expect("creates");
        }
        let message = |room: &str| NewEvent {
            room: room.into(),
            kind: EventKind::Message,
            author: ann.author(),
            body: Some("hi".into()),
            target: None,
            nonce: None,
            actor: None,
        };
        let mut writers = Vec::new();
        for (index, store) in nodes.iter().cycle().take(6).enumerate() {
            let store = store.clone();
            let batch = if index % 2 == 0 {
                vec![message("x"), message("y")]
            } else {
                vec![message("y"), message("x")]
            };
            writers.push(tokio::spawn(async move {
                for _ in 0..20 {
                    store.append_batch(&batch).await.expect("commits");
                }
            }));
        }
        for writer in writers {
            writer.await.expect("every batch committed");
        }
        for room in ["x", "y"] {
            assert_eq!(
                nodes[0]
                    .room(room)
                    .await
                    .expect("reads")
                    .expect("room")
                    .head,
                120
            );
        }
        for node in nodes {
            node.close().await;
        }
    })
    .await;
}
