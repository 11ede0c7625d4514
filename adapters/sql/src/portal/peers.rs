//! Who a user is connected with or has pending requests with, as the lists show them (P8.10),
//! with usernames from the accounts.

use crate::AnyConnection;
use crate::schema::accounts::users;
use crate::schema::portal::{connection_requests, connections};
use crate::time::parse_instant;
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use domain::ports::{ConnectedPeer, Peer, PendingRequest};

/// The other members of `user`'s connections, with their usernames.
pub(super) fn connected_peers(
    conn: &mut AnyConnection,
    user: i64,
) -> Result<Vec<ConnectedPeer>, DieselError> {
    let mut rows: Vec<(i64, String, String, String)> = connections::table
        .inner_join(users::table.on(users::id.eq(connections::user_high_id)))
        .filter(connections::user_low_id.eq(user))
        .select((
            users::id,
            users::username,
            users::username_key,
            connections::created_at,
        ))
        .load(conn)?;
    rows.extend(
        connections::table
            .inner_join(users::table.on(users::id.eq(connections::user_low_id)))
            .filter(connections::user_high_id.eq(user))
            .select((
                users::id,
                users::username,
                users::username_key,
                connections::created_at,
            ))
            .load::<(i64, String, String, String)>(conn)?,
    );
    // `username_key` is the ASCII-lowercased username, and usernames are ASCII (P2.1), so this
    // is the case-folded order P8.10 asks for.
    rows.sort_by(|a, b| (&a.2, a.0).cmp(&(&b.2, b.0)));
    rows.into_iter()
        .map(|(id, username, _, created_at)| {
            Ok(ConnectedPeer {
                peer: Peer { id, username },
                connected_at: parse_instant(&created_at)?,
            })
        })
        .collect()
}

/// Pending requests received (`incoming`) or sent by `user`, newest first.
pub(super) fn pending(
    conn: &mut AnyConnection,
    user: i64,
    incoming: bool,
) -> Result<Vec<PendingRequest>, DieselError> {
    let rows: Vec<(i64, i64, String, String)> = if incoming {
        connection_requests::table
            .inner_join(users::table.on(users::id.eq(connection_requests::sender_id)))
            .filter(connection_requests::receiver_id.eq(user))
            .select((
                connection_requests::id,
                users::id,
                users::username,
                connection_requests::created_at,
            ))
            .order((
                connection_requests::created_at.desc(),
                connection_requests::id.desc(),
            ))
            .load(conn)?
    } else {
        connection_requests::table
            .inner_join(users::table.on(users::id.eq(connection_requests::receiver_id)))
            .filter(connection_requests::sender_id.eq(user))
            .select((
                connection_requests::id,
                users::id,
                users::username,
                connection_requests::created_at,
            ))
            .order((
                connection_requests::created_at.desc(),
                connection_requests::id.desc(),
            ))
            .load(conn)?
    };
    rows.into_iter()
        .map(|(id, peer_id, username, created_at)| {
            Ok(PendingRequest {
                id,
                peer: Peer {
                    id: peer_id,
                    username,
                },
                created_at: parse_instant(&created_at)?,
            })
        })
        .collect()
}
