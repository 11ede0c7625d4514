//! The WebSocket frames of http-api.md H5.3–H5.5. Client frames are parsed strictly: an unknown
//! `type`, a missing or extra field (`from`, `sender_id`, `room`, ...) or a wrong JSON type is an
//! `invalid_frame` (H5.4, P9.1): nothing a client sends can name a sender.

use crate::explain::instant;
use crate::routes::portal::chat::MessageView;
use domain::ports::{ChatEvent, TypingState};
use serde::Deserialize;
use serde_json::{Value, json};

/// H5.3.
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum ClientFrame {
    Send {
        to: i64,
        body: String,
        #[serde(default)]
        client_msg_id: Option<String>,
    },
    Typing {
        to: i64,
        state: TypingWire,
    },
    Read {
        with: i64,
        up_to: i64,
    },
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TypingWire {
    Start,
    Stop,
}

impl From<TypingWire> for TypingState {
    fn from(t: TypingWire) -> Self {
        match t {
            TypingWire::Start => TypingState::Start,
            TypingWire::Stop => TypingState::Stop,
        }
    }
}

/// Parses one text frame; `None` is an `invalid_frame`.
pub fn parse(text: &str) -> Option<ClientFrame> {
    serde_json::from_str(text).ok()
}

/// The `type` of a frame that did not parse, for the error's `ref` (when it has one).
pub fn frame_type(text: &str) -> Option<String> {
    let value: Value = serde_json::from_str(text).ok()?;
    value.get("type")?.as_str().map(str::to_owned)
}

/// H5.5 for a hub event.
pub fn event(event: &ChatEvent) -> String {
    let value = match event {
        ChatEvent::Message {
            message,
            sender_name,
        } => json!({ "type": "message", "message": MessageView::new(message, sender_name) }),
        ChatEvent::Typing { from, state } => {
            json!({ "type": "typing", "from": from, "state": state.as_str() })
        }
        ChatEvent::Read {
            reader,
            with,
            up_to,
            read_at,
        } => json!({
            "type": "read", "reader": reader, "with": with, "up_to": up_to,
            "read_at": instant(*read_at),
        }),
    };
    value.to_string()
}

/// H5.5 `error`.
pub fn error(code: &str, message: &str, reference: Option<&str>) -> String {
    json!({ "type": "error", "code": code, "message": message, "ref": reference }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h5_4_frames_are_parsed_strictly() {
        assert_eq!(
            parse(r#"{"type":"send","to":2,"body":"hi","client_msg_id":"m1"}"#),
            Some(ClientFrame::Send {
                to: 2,
                body: "hi".into(),
                client_msg_id: Some("m1".into())
            })
        );
        assert_eq!(
            parse(r#"{"type":"read","with":2,"up_to":9}"#),
            Some(ClientFrame::Read { with: 2, up_to: 9 })
        );
        for bad in [
            r#"{"type":"send","to":2,"body":"hi","from":1}"#,
            r#"{"type":"send","to":2,"body":"hi","sender_id":1}"#,
            r#"{"type":"typing","to":2,"state":"start","room":"x"}"#,
            r#"{"type":"join","room":"x"}"#,
            r#"{"type":"send","to":"2","body":"hi"}"#,
            r#"{"type":"send","body":"hi"}"#,
            r#"{"type":"typing","to":2,"state":"maybe"}"#,
            r#"["send"]"#,
            "not json",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert_eq!(frame_type(r#"{"type":"join"}"#).as_deref(), Some("join"));
    }
}
