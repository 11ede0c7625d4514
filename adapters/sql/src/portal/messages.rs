//! Chat messages (P1.8, P9).

use super::connections::find_connection;
use super::peers::connected_peers;
use super::{Refusal, count, settle, write_settling_races};
use crate::schema::portal::messages;
use crate::time::{instant, parse_instant};
use crate::{AnyConnection, SqlStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::dsl::{count_star, max};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use domain::ports::{
    ChatMessage, ChatWriteError, Conversation, HistoryCursor, HistoryPage, MarkReadResult,
    MessageStore, NewChatMessage, PostMessageOutcome, StoreError,
};
use std::collections::HashMap;

type MessageRow = (
    i64,
    i64,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
);

const MESSAGE_COLUMNS: (
    messages::id,
    messages::sender_id,
    messages::receiver_id,
    messages::body,
    messages::created_at,
    messages::read_at,
    messages::client_msg_id,
) = (
    messages::id,
    messages::sender_id,
    messages::receiver_id,
    messages::body,
    messages::created_at,
    messages::read_at,
    messages::client_msg_id,
);

fn message_from_row(row: MessageRow) -> Result<ChatMessage, DieselError> {
    let (id, sender_id, receiver_id, body, created_at, read_at, client_msg_id) = row;
    Ok(ChatMessage {
        id,
        sender_id,
        receiver_id,
        body,
        created_at: parse_instant(&created_at)?,
        read_at: read_at.as_deref().map(parse_instant).transpose()?,
        client_msg_id,
    })
}

fn load_messages(
    conn: &mut AnyConnection,
    query: messages::BoxedQuery<'static, crate::connection::MultiBackend>,
) -> Result<Vec<ChatMessage>, DieselError> {
    query
        .select(MESSAGE_COLUMNS)
        .load::<MessageRow>(conn)?
        .into_iter()
        .map(message_from_row)
        .collect()
}

/// Both directions between `a` and `b`.
fn between(a: i64, b: i64) -> messages::BoxedQuery<'static, crate::connection::MultiBackend> {
    messages::table
        .filter(
            (messages::sender_id.eq(a).and(messages::receiver_id.eq(b)))
                .or(messages::sender_id.eq(b).and(messages::receiver_id.eq(a))),
        )
        .into_boxed()
}

fn connected(conn: &mut AnyConnection, a: i64, b: i64) -> Result<bool, DieselError> {
    Ok(a != b && find_connection(conn, a, b)?.is_some())
}

/// P9.2 gate, `client_msg_id` replay, insert: in the caller's write transaction.
fn post_once(
    conn: &mut AnyConnection,
    new: &NewChatMessage,
    now: DateTime<Utc>,
) -> Result<Result<PostMessageOutcome, Refusal<ChatWriteError>>, DieselError> {
    if !connected(conn, new.sender_id, new.receiver_id)? {
        return Ok(Err(Refusal::Domain(ChatWriteError::NotConnected)));
    }
    let by_key = |key: &String| {
        messages::table
            .filter(messages::sender_id.eq(new.sender_id))
            .filter(messages::client_msg_id.eq(key.clone()))
            .into_boxed()
    };
    if let Some(key) = &new.client_msg_id
        && let Some(stored) = load_messages(conn, by_key(key))?.pop()
    {
        return Ok(Ok(PostMessageOutcome::Replayed(stored)));
    }
    let inserted = diesel::insert_into(messages::table)
        .values((
            messages::sender_id.eq(new.sender_id),
            messages::receiver_id.eq(new.receiver_id),
            messages::body.eq(&new.body),
            messages::created_at.eq(instant(now)),
            messages::client_msg_id.eq(&new.client_msg_id),
        ))
        .execute(conn);
    if let Err(raced) = settle(inserted)? {
        return Ok(Err(raced));
    }
    // Without a key, the sender's newest message to the receiver is this one: the transaction
    // sees no row committed after it began, and ids only grow.
    let query = match &new.client_msg_id {
        Some(key) => by_key(key),
        None => messages::table
            .filter(messages::sender_id.eq(new.sender_id))
            .filter(messages::receiver_id.eq(new.receiver_id))
            .order(messages::id.desc())
            .limit(1)
            .into_boxed(),
    };
    load_messages(conn, query)?
        .pop()
        .ok_or(DieselError::NotFound)
        .map(|m| Ok(PostMessageOutcome::Created(m)))
}

fn exists(
    conn: &mut AnyConnection,
    query: messages::BoxedQuery<'static, crate::connection::MultiBackend>,
) -> Result<bool, DieselError> {
    Ok(!query
        .select(messages::id)
        .limit(1)
        .load::<i64>(conn)?
        .is_empty())
}

/// P9.7: one page plus whether the pair has messages beyond each end.
fn history(
    conn: &mut AnyConnection,
    a: i64,
    b: i64,
    cursor: HistoryCursor,
    limit: u32,
) -> Result<HistoryPage, DieselError> {
    let page = i64::from(limit);
    let wanted = usize::try_from(limit).unwrap_or(usize::MAX);
    // One row beyond the page tells whether there is more in the paging direction.
    let (mut messages, more_in_direction, more_behind) = match cursor {
        HistoryCursor::Latest => {
            let found = load_messages(
                conn,
                between(a, b).order(messages::id.desc()).limit(page + 1),
            )?;
            (found, true, false)
        }
        HistoryCursor::Before(before) => {
            let found = load_messages(
                conn,
                between(a, b)
                    .filter(messages::id.lt(before))
                    .order(messages::id.desc())
                    .limit(page + 1),
            )?;
            let after = exists(conn, between(a, b).filter(messages::id.ge(before)))?;
            (found, true, after)
        }
        HistoryCursor::After(after) => {
            let found = load_messages(
                conn,
                between(a, b)
                    .filter(messages::id.gt(after))
                    .order(messages::id.asc())
                    .limit(page + 1),
            )?;
            let before = exists(conn, between(a, b).filter(messages::id.le(after)))?;
            (found, false, before)
        }
    };
    let more = messages.len() > wanted;
    messages.truncate(wanted);
    messages.sort_by_key(|m| m.id);
    Ok(if more_in_direction {
        // Paging backwards (newest first): `more` lies before the page.
        HistoryPage {
            messages,
            has_more_before: more,
            has_more_after: more_behind,
        }
    } else {
        HistoryPage {
            messages,
            has_more_before: more_behind,
            has_more_after: more,
        }
    })
}

/// Unread messages to `user`, per sender.
fn unread_by_sender(conn: &mut AnyConnection, user: i64) -> Result<HashMap<i64, u64>, DieselError> {
    Ok(messages::table
        .filter(messages::receiver_id.eq(user))
        .filter(messages::read_at.is_null())
        .group_by(messages::sender_id)
        .select((messages::sender_id, count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .map(|(sender, n)| (sender, count(n)))
        .collect())
}

/// Unread messages to `user` from current connections only (P9.6); shared with the dashboard.
pub(super) fn unread_from_connections(
    conn: &mut AnyConnection,
    user: i64,
) -> Result<u64, DieselError> {
    let unread = unread_by_sender(conn, user)?;
    Ok(connected_peers(conn, user)?
        .iter()
        .filter_map(|c| unread.get(&c.peer.id))
        .sum())
}

/// P9.8.
fn conversations(conn: &mut AnyConnection, user: i64) -> Result<Vec<Conversation>, DieselError> {
    let peers = connected_peers(conn, user)?;
    let unread = unread_by_sender(conn, user)?;
    // The newest message id per other user, in either direction.
    let mut last: HashMap<i64, i64> = HashMap::new();
    let sent = messages::table
        .filter(messages::sender_id.eq(user))
        .group_by(messages::receiver_id)
        .select((messages::receiver_id, max(messages::id)))
        .load::<(i64, Option<i64>)>(conn)?;
    let received = messages::table
        .filter(messages::receiver_id.eq(user))
        .group_by(messages::sender_id)
        .select((messages::sender_id, max(messages::id)))
        .load::<(i64, Option<i64>)>(conn)?;
    for (other, id) in sent.into_iter().chain(received) {
        if let Some(id) = id {
            let newest = last.entry(other).or_insert(id);
            *newest = (*newest).max(id);
        }
    }
    let wanted: Vec<i64> = peers
        .iter()
        .filter_map(|c| last.get(&c.peer.id).copied())
        .collect();
    let mut by_id: HashMap<i64, ChatMessage> = load_messages(
        conn,
        messages::table
            .filter(messages::id.eq_any(wanted))
            .into_boxed(),
    )?
    .into_iter()
    .map(|m| (m.id, m))
    .collect();
    // `peers` is in case-folded username order already; a stable sort keeps it for the
    // conversations without messages, which follow the others.
    let mut list: Vec<Conversation> = peers
        .into_iter()
        .map(|c| Conversation {
            last_message: last.get(&c.peer.id).and_then(|id| by_id.remove(id)),
            unread_count: unread.get(&c.peer.id).copied().unwrap_or(0),
            peer: c.peer,
        })
        .collect();
    list.sort_by_key(|c| std::cmp::Reverse(c.last_message.as_ref().map(|m| m.id)));
    Ok(list)
}

fn unread_from(conn: &mut AnyConnection, reader: i64, other: i64) -> Result<u64, DieselError> {
    messages::table
        .filter(messages::sender_id.eq(other))
        .filter(messages::receiver_id.eq(reader))
        .filter(messages::read_at.is_null())
        .count()
        .get_result::<i64>(conn)
        .map(count)
}

#[async_trait]
impl MessageStore for SqlStore {
    async fn post_message(
        &self,
        message: NewChatMessage,
        now: DateTime<Utc>,
    ) -> Result<PostMessageOutcome, ChatWriteError> {
        write_settling_races(&self.db, move |conn| post_once(conn, &message, now)).await?
    }

    async fn message_history(
        &self,
        user_id: i64,
        other_id: i64,
        cursor: HistoryCursor,
        limit: u32,
    ) -> Result<HistoryPage, StoreError> {
        self.db
            .read(move |conn| history(conn, user_id, other_id, cursor, limit))
            .await
    }

    async fn conversations(&self, user_id: i64) -> Result<Vec<Conversation>, StoreError> {
        self.db.read(move |conn| conversations(conn, user_id)).await
    }

    async fn mark_read(
        &self,
        reader_id: i64,
        other_id: i64,
        up_to: i64,
        now: DateTime<Utc>,
    ) -> Result<MarkReadResult, ChatWriteError> {
        self.db
            .write(move |conn| {
                if !connected(conn, reader_id, other_id)? {
                    return Ok(Err(ChatWriteError::NotConnected));
                }
                let updated = diesel::update(
                    messages::table
                        .filter(messages::sender_id.eq(other_id))
                        .filter(messages::receiver_id.eq(reader_id))
                        .filter(messages::id.le(up_to))
                        .filter(messages::read_at.is_null()),
                )
                .set(messages::read_at.eq(Some(instant(now))))
                .execute(conn)?;
                Ok(Ok(MarkReadResult {
                    updated: u64::try_from(updated).unwrap_or(0),
                    unread_count: unread_from(conn, reader_id, other_id)?,
                }))
            })
            .await?
    }

    async fn unread_total(&self, user_id: i64) -> Result<u64, StoreError> {
        self.db
            .read(move |conn| unread_from_connections(conn, user_id))
            .await
    }
}
