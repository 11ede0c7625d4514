//! The chat WebSocket (http-api.md H5; portal.md P9; security.md S5.3, S14.5; P11 scenario 19),
//! driven with a real WebSocket client against the bound server.

use crate::portal_client::PortalUser;
use crate::portal_connections::{connect, four_users};
use crate::support::TestApp;
use domain::ports::{HistoryCursor, MessageStore, SessionStore};
use futures::{SinkExt, StreamExt};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the chat socket with `cookie` and `origin` (either may be absent).
pub async fn try_open(
    app: &TestApp,
    cookie: Option<&str>,
    origin: Option<&str>,
) -> Result<Ws, WsError> {
    let mut request = format!("ws://{}/api/portal/chat/ws", app.addr)
        .into_client_request()
        .unwrap();
    if let Some(cookie) = cookie {
        request
            .headers_mut()
            .insert("cookie", cookie.parse().unwrap());
    }
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("origin", origin.parse().unwrap());
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(ws, _)| ws)
}

/// `user`'s socket, from the allowed Origin.
pub async fn open(app: &TestApp, user: &PortalUser) -> Ws {
    try_open(app, Some(&user.cookie), Some(&app.base))
        .await
        .unwrap()
}

/// The refused handshake's status and error code.
async fn refused(result: Result<Ws, WsError>) -> (u16, String) {
    match result {
        Err(WsError::Http(response)) => {
            let body: Value = serde_json::from_slice(response.body().as_deref().unwrap_or(b"{}"))
                .unwrap_or(Value::Null);
            (
                response.status().as_u16(),
                body["error"]["code"].as_str().unwrap_or("").to_owned(),
            )
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("the handshake was upgraded"),
    }
}

pub async fn send(ws: &mut Ws, frame: Value) {
    ws.send(Message::text(frame.to_string())).await.unwrap();
}

/// The next text frame as JSON (pings are answered by the client itself).
pub async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a frame within 5 s")
            .expect("the socket is open")
            .expect("a readable frame");
        match message {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Close(frame) => panic!("closed: {frame:?}"),
            _ => continue,
        }
    }
}

/// Nothing arrives within `ms`.
pub async fn silent(ws: &mut Ws, ms: u64) {
    if let Ok(Some(Ok(Message::Text(text)))) =
        tokio::time::timeout(Duration::from_millis(ms), ws.next()).await
    {
        panic!("unexpected frame {text}");
    }
}

/// The close code the server ends the socket with.
pub async fn close_code(ws: &mut Ws) -> u16 {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("closed within 5 s")
        {
            Some(Ok(Message::Close(Some(frame)))) => return u16::from(frame.code),
            Some(Ok(Message::Close(None))) | None => return 1005,
            Some(Ok(_)) => continue,
            Some(Err(e)) => panic!("read error before the close frame: {e}"),
        }
    }
}

async fn message_count(app: &TestApp, a: i64, b: i64) -> usize {
    app.state
        .store
        .message_history(a, b, HistoryCursor::Latest, 100)
        .await
        .unwrap()
        .messages
        .len()
}

#[tokio::test]
async fn scenario_19_real_time_authorisation() {
    let (app, [alex, brett, casey, _]) = four_users().await;
    connect(&app, &alex, &brett).await;
    let mut a = open(&app, &alex).await;
    let mut b = open(&app, &brett).await;

    send(
        &mut a,
        json!({"type": "send", "to": brett.id, "body": "hi", "client_msg_id": "m1"}),
    )
    .await;
    for ws in [&mut b, &mut a] {
        let frame = next_json(ws).await;
        assert_eq!(frame["type"], "message", "{frame}");
        let m = &frame["message"];
        assert_eq!(m["from"], alex.id);
        assert_eq!(m["to"], brett.id);
        assert_eq!(m["sender_name"], "alex");
        assert_eq!(m["client_msg_id"], "m1");
        assert_eq!(m["body"], "hi");
        assert!(m["created_at"].as_str().unwrap().ends_with('Z'));
        silent(ws, 150).await; // exactly one
    }

    // H5.1: Origin first, then the session, both before any upgrade.
    assert_eq!(
        refused(try_open(&app, None, Some(&app.base)).await).await,
        (401, "unauthenticated".into())
    );
    assert_eq!(
        refused(try_open(&app, Some(&alex.cookie), Some("https://evil.example")).await).await,
        (403, "origin_not_allowed".into())
    );

    // P9.2: casey is not connected to brett.
    let mut c = open(&app, &casey).await;
    send(
        &mut c,
        json!({"type": "send", "to": brett.id, "body": "psst"}),
    )
    .await;
    let error = next_json(&mut c).await;
    assert_eq!(
        (error["type"].as_str(), error["code"].as_str()),
        (Some("error"), Some("not_connected"))
    );
    silent(&mut b, 200).await;
    assert_eq!(message_count(&app, casey.id, brett.id).await, 0);

    // P9.1, H5.4: a frame naming a sender is refused and stores nothing.
    send(
        &mut a,
        json!({"type": "send", "to": brett.id, "body": "spoof", "from": brett.id}),
    )
    .await;
    let error = next_json(&mut a).await;
    assert_eq!(error["code"], "invalid_frame");
    assert_eq!(error["ref"], "send");
    assert_eq!(message_count(&app, alex.id, brett.id).await, 1);

    // P9.9.
    send(
        &mut a,
        json!({"type": "typing", "to": brett.id, "state": "start"}),
    )
    .await;
    assert_eq!(
        next_json(&mut b).await,
        json!({"type": "typing", "from": alex.id, "state": "start"})
    );

    // P8.8: removal revokes chat on a socket opened while connected.
    let removed = app
        .send_as(
            &brett,
            Method::DELETE,
            &format!("/api/portal/connections/{}", alex.id),
        )
        .await;
    assert_eq!(removed.0, 204);
    send(
        &mut a,
        json!({"type": "send", "to": brett.id, "body": "still there?"}),
    )
    .await;
    assert_eq!(next_json(&mut a).await["code"], "not_connected");

    // P9.11: alex logs out over HTTP; her socket closes with 4401 at her next frame.
    let (status, _) = app
        .send_as(&alex, Method::POST, "/api/portal/auth/logout")
        .await;
    assert_eq!(status, 204);
    send(
        &mut a,
        json!({"type": "typing", "to": brett.id, "state": "stop"}),
    )
    .await;
    assert_eq!(close_code(&mut a).await, 4401);
}

/// S5.3: a missing Origin is refused like a foreign one; an expired session like none.
#[tokio::test]
async fn s5_3_missing_origin_is_refused_before_upgrade() {
    let (app, [alex, ..]) = four_users().await;
    assert_eq!(
        refused(try_open(&app, Some(&alex.cookie), None).await).await,
        (403, "origin_not_allowed".into())
    );
    assert_eq!(
        refused(try_open(&app, Some("sid=bogus"), Some(&app.base)).await).await,
        (401, "unauthenticated".into())
    );
}

/// H5.2, H5.6: binary → 1003; over 16,384 bytes → 1009.
#[tokio::test]
async fn h5_2_binary_and_oversized_frames_close_the_socket() {
    let (app, [alex, ..]) = four_users().await;
    let mut ws = open(&app, &alex).await;
    ws.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
    assert_eq!(close_code(&mut ws).await, 1003);

    let mut ws = open(&app, &alex).await;
    let body = "x".repeat(16_385 - 40);
    let frame = json!({"type": "send", "to": 2, "body": body}).to_string();
    let padded = format!(
        "{frame}{}",
        " ".repeat(16_385usize.saturating_sub(frame.len()))
    );
    assert_eq!(padded.len(), 16_385);
    ws.send(Message::text(padded)).await.unwrap();
    assert_eq!(close_code(&mut ws).await, 1009);
}

/// H5.1 step 3: a sixth socket → 429; closing one frees a slot.
#[tokio::test]
async fn h5_1_a_sixth_socket_is_refused() {
    let (app, [alex, ..]) = four_users().await;
    let mut open_sockets = Vec::new();
    for _ in 0..5 {
        open_sockets.push(open(&app, &alex).await);
    }
    assert_eq!(
        refused(try_open(&app, Some(&alex.cookie), Some(&app.base)).await).await,
        (429, "rate_limited".into())
    );
    let mut first = open_sockets.remove(0);
    first.close(None).await.unwrap();
    drop(first);
    let mut reopened = None;
    for _ in 0..50 {
        if let Ok(ws) = try_open(&app, Some(&alex.cookie), Some(&app.base)).await {
            reopened = Some(ws);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(reopened.is_some(), "a slot frees when a socket closes");
}

/// H5.4: unknown types get `invalid_frame` and the socket stays open; more than 20 in 60 s → 1008.
#[tokio::test]
async fn h5_4_invalid_frames_then_policy_close() {
    let (app, [alex, brett, ..]) = four_users().await;
    connect(&app, &alex, &brett).await;
    let mut ws = open(&app, &alex).await;
    send(&mut ws, json!({"type": "join", "room": "lobby"})).await;
    let error = next_json(&mut ws).await;
    assert_eq!(
        (error["code"].as_str(), error["ref"].as_str()),
        (Some("invalid_frame"), Some("join"))
    );
    // Still open: a valid frame works.
    send(
        &mut ws,
        json!({"type": "send", "to": brett.id, "body": "<script>x</script>"}),
    )
    .await;
    assert_eq!(
        next_json(&mut ws).await["message"]["body"],
        "<script>x</script>"
    );
    // The manual clock stands still, so the token bucket (burst 20) runs out first: 18 more
    // tokens, then `rate_limited` errors (P9.12, S14.5 item 7).
    for _ in 0..18 {
        ws.send(Message::text("{}")).await.unwrap();
        assert_eq!(next_json(&mut ws).await["code"], "invalid_frame");
    }
    ws.send(Message::text("{}")).await.unwrap();
    assert_eq!(next_json(&mut ws).await["code"], "rate_limited");
}

/// H5.4: more than 20 invalid frames within 60 s → 1008 (the bucket refills on the real clock).
#[tokio::test]
async fn h5_4_more_than_twenty_invalid_frames_close_with_1008() {
    let app = TestApp::spawn().await;
    let alex = app.portal_user("alex").await;
    let mut ws = open(&app, &alex).await;
    let mut code = None;
    for i in 0..30 {
        if i % 15 == 14 {
            tokio::time::sleep(Duration::from_millis(1100)).await;
        }
        if ws.send(Message::text("{\"type\":\"nope\"}")).await.is_err() {
            break;
        }
        match tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .unwrap()
        {
            Some(Ok(Message::Text(t))) => assert!(t.contains("invalid_frame"), "{t}"),
            Some(Ok(Message::Close(Some(f)))) => {
                code = Some(u16::from(f.code));
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(code, Some(u16::from(CloseCode::Policy)));
}

/// H5.3: a repeated `client_msg_id` re-sends the stored frame to this socket only.
#[tokio::test]
async fn h5_3_replayed_client_msg_id_goes_to_this_socket_only() {
    let (app, [alex, brett, ..]) = four_users().await;
    connect(&app, &alex, &brett).await;
    let mut a = open(&app, &alex).await;
    let mut b = open(&app, &brett).await;
    let frame = json!({"type": "send", "to": brett.id, "body": "once", "client_msg_id": "dup-1"});
    send(&mut a, frame.clone()).await;
    let first = next_json(&mut a).await;
    assert_eq!(next_json(&mut b).await, first);
    send(&mut a, frame).await;
    assert_eq!(next_json(&mut a).await, first);
    silent(&mut b, 200).await;
    assert_eq!(message_count(&app, alex.id, brett.id).await, 1);
}

/// H5.2: a text frame that is not UTF-8 → 1007.
#[tokio::test]
async fn h5_2_invalid_utf8_closes_with_1007() {
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
    let (app, [alex, ..]) = four_users().await;
    let mut ws = open(&app, &alex).await;
    let raw = Frame::message(vec![b'{', 0xff, 0xfe, b'}'], OpCode::Data(Data::Text), true);
    ws.send(Message::Frame(raw)).await.unwrap();
    assert_eq!(close_code(&mut ws).await, 1007);
}

/// P9.11: a logged-out session closes its socket with 4401 within 60 s even without a frame;
/// H5.6: a client that never answers the 30 s ping is closed with 1001. (Takes about a minute.)
#[tokio::test]
async fn p9_11_session_timer_and_h5_6_missing_pong() {
    let (app, [alex, brett, ..]) = four_users().await;
    let mut a = open(&app, &alex).await;
    let mut b = open(&app, &brett).await;
    let hash = app_http::auth::cookies::sha256_hex(alex.cookie.trim_start_matches("sid="));
    assert!(app.state.store.delete_session(&hash).await.unwrap());
    let started = std::time::Instant::now();
    // Reading answers pings, so only the session timer can close alex's socket.
    let code = loop {
        match tokio::time::timeout(Duration::from_secs(70), a.next())
            .await
            .expect("closed within 70 s")
        {
            Some(Ok(Message::Close(Some(frame)))) => break u16::from(frame.code),
            Some(Ok(_)) => continue,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(code, 4401);
    assert!(started.elapsed() <= Duration::from_secs(61));
    // brett's client has read nothing, so it never answered the ping sent at 30 s.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(close_code(&mut b).await, 1001);
}

/// P9.12: past the burst, frames are dropped with `rate_limited`; more than 100 dropped in 10 s
/// closes the socket with 1008 (the manual clock stands still, so nothing refills).
#[tokio::test]
async fn p9_12_more_than_a_hundred_dropped_frames_close_with_1008() {
    let (app, [alex, ..]) = four_users().await;
    let mut ws = open(&app, &alex).await;
    let typing = json!({"type": "typing", "to": 9999, "state": "stop"});
    for _ in 0..20 {
        send(&mut ws, typing.clone()).await;
        assert_eq!(next_json(&mut ws).await["code"], "user_not_found");
    }
    for _ in 0..100 {
        send(&mut ws, typing.clone()).await;
        assert_eq!(next_json(&mut ws).await["code"], "rate_limited");
    }
    send(&mut ws, typing).await;
    assert_eq!(close_code(&mut ws).await, 1008);
}

/// H5.6: at shutdown every open socket closes with 1001.
#[tokio::test]
async fn h5_6_shutdown_closes_sockets_with_1001() {
    let (app, [alex, ..]) = four_users().await;
    let mut ws = open(&app, &alex).await;
    app.state.chat.shutdown();
    assert_eq!(close_code(&mut ws).await, 1001);
}
