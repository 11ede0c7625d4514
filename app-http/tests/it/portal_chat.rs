//! Chat over HTTP (http-api.md H4.6; portal.md P9; P11 scenario 18).

use crate::portal_connections::{connect, four_users, setup};
use crate::portal_ws::{next_json, open, silent};
use domain::ports::{HistoryCursor, MessageStore};
use reqwest::Method;
use serde_json::{Value, json};

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

fn ids(page: &Value) -> Vec<i64> {
    page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn scenario_18_chat_gating_history_unread_removal() {
    let (app, clock, [alex, brett, ..]) = setup().await;
    let messages = format!("/api/portal/chat/conversations/{}/messages", brett.id);
    let (status, body) = app
        .post_json_as(&alex, &messages, json!({"body": "hello brett"}))
        .await;
    assert_eq!((status, code(&body)), (403, "not_connected"));
    let (status, body) = app.get_json_as(&alex, &messages).await;
    assert_eq!((status, code(&body)), (403, "not_connected"));
    assert!(
        body.get("messages").is_none(),
        "S14.5 item 6: no message data"
    );

    connect(&app, &alex, &brett).await;
    let mut alex_socket = open(&app, &alex).await;
    let (status, sent) = app
        .post_json_as(&alex, &messages, json!({"body": "hello brett"}))
        .await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(
        (sent["from"].as_i64(), sent["to"].as_i64()),
        (Some(alex.id), Some(brett.id))
    );
    assert_eq!(sent["sender_name"], "alex");
    assert_eq!(sent["read_at"], Value::Null);
    // H4.6: an HTTP send pushes the same frame to the sender's sockets.
    assert_eq!(next_json(&mut alex_socket).await["message"], sent);

    let (_, convs) = app
        .get_json_as(&brett, "/api/portal/chat/conversations")
        .await;
    assert_eq!(convs["conversations"][0]["user"]["username"], "alex");
    assert_eq!(convs["conversations"][0]["unread_count"], 1);
    assert_eq!(
        convs["conversations"][0]["last_message"]["body_preview"],
        "hello brett"
    );
    assert_eq!(convs["total_unread"], 1);
    let from_alex = format!("/api/portal/chat/conversations/{}/messages", alex.id);
    let (status, page) = app.get_json_as(&brett, &from_alex).await;
    assert_eq!(status, 200);
    assert_eq!(page["messages"][0]["body"], "hello brett");

    let read = format!("/api/portal/chat/conversations/{}/read", alex.id);
    let (status, body) = app
        .post_json_as(&brett, &read, json!({"up_to": sent["id"]}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["updated"].as_u64(), body["unread_count"].as_u64()),
        (Some(1), Some(0))
    );
    let receipt = next_json(&mut alex_socket).await;
    assert_eq!(receipt["type"], "read");
    assert_eq!(receipt["reader"], brett.id);
    assert_eq!(receipt["with"], alex.id);
    assert_eq!(receipt["up_to"], sent["id"]);
    let (_, convs) = app
        .get_json_as(&brett, "/api/portal/chat/conversations")
        .await;
    assert_eq!(convs["conversations"][0]["unread_count"], 0);
    // Idempotent: nothing changed, so no second receipt.
    let (_, again) = app
        .post_json_as(&brett, &read, json!({"up_to": sent["id"]}))
        .await;
    assert_eq!(again["updated"], 0);
    silent(&mut alex_socket, 150).await;

    for bad in ["", "   \n ", &"x".repeat(2001)] {
        let (status, body) = app
            .post_json_as(&alex, &messages, json!({"body": bad}))
            .await;
        assert_eq!((status, code(&body)), (400, "validation_failed"));
        assert!(body["error"]["details"]["fields"]["body"].is_string());
    }
    let (status, _) = app
        .post_json_as(&alex, &messages, json!({"body": "y".repeat(2000)}))
        .await;
    assert_eq!(status, 201);

    for i in 0..120 {
        let (status, body) = app
            .post_json_as(&alex, &messages, json!({"body": format!("m{i}")}))
            .await;
        if status == 429 {
            // P9.12: 60 per rolling minute; the manual clock moves on a minute.
            clock.advance(chrono::TimeDelta::seconds(61));
            let (status, body) = app
                .post_json_as(&alex, &messages, json!({"body": format!("m{i}")}))
                .await;
            assert_eq!(status, 201, "{body}");
        } else {
            assert_eq!(status, 201, "{body}");
        }
    }
    let (_, newest) = app
        .get_json_as(&alex, &format!("{messages}?limit=50"))
        .await;
    let newest_ids = ids(&newest);
    assert_eq!(newest_ids.len(), 50);
    assert!(newest_ids.windows(2).all(|w| w[0] < w[1]), "ascending");
    assert_eq!(newest["has_more_before"], true);
    assert_eq!(newest["has_more_after"], false);
    assert_eq!(newest["messages"][49]["body"], "m119");
    let (_, older) = app
        .get_json_as(
            &alex,
            &format!("{messages}?limit=50&before={}", newest_ids[0]),
        )
        .await;
    let older_ids = ids(&older);
    assert_eq!(older_ids.len(), 50);
    assert!(older_ids.windows(2).all(|w| w[0] < w[1]));
    assert!(older_ids[49] < newest_ids[0], "no overlap");
    assert_eq!(older["messages"][49]["body"], "m69");

    let remove = format!("/api/portal/connections/{}", alex.id);
    assert_eq!(app.send_as(&brett, Method::DELETE, &remove).await.0, 204);
    let (status, body) = app.send_as(&brett, Method::DELETE, &remove).await;
    assert_eq!((status, code(&body)), (404, "connection_not_found"));
    let (status, body) = app
        .post_json_as(&alex, &messages, json!({"body": "still?"}))
        .await;
    assert_eq!((status, code(&body)), (403, "not_connected"));
    let stored = app
        .state
        .store
        .message_history(alex.id, brett.id, HistoryCursor::Latest, 100)
        .await
        .unwrap();
    assert_eq!(stored.messages.len(), 100);
    assert!(stored.has_more_before, "P8.9: 122 messages kept");

    connect(&app, &alex, &brett).await;
    let mut all = Vec::new();
    let mut path = format!("{from_alex}?limit=100");
    loop {
        let (status, page) = app.get_json_as(&brett, &path).await;
        assert_eq!(status, 200, "{path} {page}");
        let mut page_ids = ids(&page);
        page_ids.extend(all);
        all = page_ids;
        if page["has_more_before"] != true {
            break;
        }
        path = format!("{from_alex}?limit=100&before={}", all[0]);
    }
    assert_eq!(all.len(), 122, "P8.9: the whole history is visible again");
}

/// H4.6: a repeated `client_msg_id` answers 200 with the stored message and pushes nothing;
/// P9.7: `before` and `after` together → 400; P9.2: oneself → 400, unknown user → 404.
#[tokio::test]
async fn h4_6_replay_and_query_rules() {
    let (app, [alex, brett, ..]) = four_users().await;
    connect(&app, &alex, &brett).await;
    let mut brett_socket = open(&app, &brett).await;
    let messages = format!("/api/portal/chat/conversations/{}/messages", brett.id);
    let input = json!({"body": "once", "client_msg_id": "c-1"});
    let (status, first) = app.post_json_as(&alex, &messages, input.clone()).await;
    assert_eq!(status, 201);
    assert_eq!(next_json(&mut brett_socket).await["message"], first);
    let (status, again) = app.post_json_as(&alex, &messages, input).await;
    assert_eq!((status, &again), (200, &first));
    silent(&mut brett_socket, 150).await;
    let (status, body) = app
        .post_json_as(
            &alex,
            &messages,
            json!({"body": "x", "client_msg_id": "bad id"}),
        )
        .await;
    assert_eq!(
        body["error"]["details"]["fields"]["client_msg_id"],
        "invalid_format"
    );
    assert_eq!(status, 400);

    let (status, _) = app
        .get_json_as(&alex, &format!("{messages}?before=5&after=1"))
        .await;
    assert_eq!(status, 400);
    let (status, _) = app
        .get_json_as(&alex, &format!("{messages}?limit=101"))
        .await;
    assert_eq!(status, 400);
    let own = format!("/api/portal/chat/conversations/{}/messages", alex.id);
    let (status, body) = app.post_json_as(&alex, &own, json!({"body": "me"})).await;
    assert_eq!((status, code(&body)), (400, "validation_failed"));
    let (status, body) = app
        .post_json_as(
            &alex,
            "/api/portal/chat/conversations/9999/messages",
            json!({"body": "?"}),
        )
        .await;
    assert_eq!((status, code(&body)), (404, "user_not_found"));
}

/// P9.6 over the socket: a `read` frame sends the receipt to the other user and to the caller's
/// other sockets, not back to the socket it came from.
#[tokio::test]
async fn p9_6_read_frame_receipt_goes_to_the_other_user_and_the_callers_other_tabs() {
    let (app, [alex, brett, ..]) = four_users().await;
    connect(&app, &alex, &brett).await;
    let mut alex_tab = open(&app, &alex).await;
    let mut brett_tab1 = open(&app, &brett).await;
    let mut brett_tab2 = open(&app, &brett).await;
    let path = format!("/api/portal/chat/conversations/{}/messages", brett.id);
    let (_, sent) = app
        .post_json_as(&alex, &path, json!({"body": "read me"}))
        .await;
    for ws in [&mut alex_tab, &mut brett_tab1, &mut brett_tab2] {
        assert_eq!(next_json(ws).await["message"], sent);
    }
    crate::portal_ws::send(
        &mut brett_tab1,
        json!({"type": "read", "with": alex.id, "up_to": sent["id"]}),
    )
    .await;
    let receipt = next_json(&mut alex_tab).await;
    assert_eq!(
        (receipt["type"].as_str(), receipt["reader"].as_i64()),
        (Some("read"), Some(brett.id))
    );
    assert!(receipt["read_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(next_json(&mut brett_tab2).await, receipt);
    silent(&mut brett_tab1, 150).await;
    let (_, convs) = app
        .get_json_as(&brett, "/api/portal/chat/conversations")
        .await;
    assert_eq!(convs["total_unread"], 0);
}
