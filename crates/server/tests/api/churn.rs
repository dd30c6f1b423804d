//! Clients that come and go leave nothing behind: once they have all left
//! and the grace periods are over, every map the server keeps for them
//! (hub subscribers, presence, typing, the registry, socket slots, pending
//! seed `Offline`s) and every connection task is back where it started.

use serde_json::json;

use crate::helpers::{Guest, TestApp, eventually, spawn_app_with};

/// One round: every guest connects over v1, subscribes, types and leaves;
/// as many seed clients connect, write and leave.
async fn round(app: &TestApp, guests: &[Guest], round: usize) {
    for (i, guest) in guests.iter().enumerate() {
        let mut v1 = app.ws_ready(&guest.token).await;
        v1.subscribe("lobby", None).await;
        v1.send_json(json!({"type": "typing", "room": "lobby", "active": true}))
            .await;
        v1.close().await;
        let mut seed = app.ws_anonymous(&format!("/ws/churn{i}")).await;
        seed.send_text(format!("round {round}")).await;
        seed.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_come_and_go_leave_nothing_behind() {
    let app = spawn_app_with(|config| {
        config.limits.rate_per_s = 10_000;
        config.limits.burst = 10_000;
        config.sign_ins_per_minute = 10_000;
        config.typing_per_s = 10_000;
        config.typing_burst = 10_000;
    })
    .await;
    let mut guests = Vec::new();
    for i in 0..8 {
        guests.push(app.guest(&format!("churner{i}")).await);
    }
    // A first round makes the users and the room's channel exist (a room
    // keeps its head once seen); what it leaves must go by itself.
    round(&app, &guests, 0).await;
    let idle = |footprint: webchat_server::state::Footprint| {
        footprint.registered == 0
            && footprint.sockets == 0
            && footprint.connection_tasks == 0
            && footprint.seed_departures == 0
            && footprint.hub.subscribers == 0
            && footprint.hub.replays == 0
            && footprint.hub.present == 0
            && footprint.hub.typing == 0
            && footprint.hub.pending_presence == 0
    };
    eventually("the first round is gone", || async {
        idle(app.state.footprint())
    })
    .await;
    let before = app.state.footprint();

    for n in 1..=15 {
        round(&app, &guests, n).await;
    }
    eventually("every client's traces are gone", || async {
        app.state.footprint() == before
    })
    .await;
    assert!(idle(before), "{before:?}");
}
