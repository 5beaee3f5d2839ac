//! Holding a connection open to watch the gateway (the monitor): the next thing the socket
//! says, as one typed [`Frame`], and WebSocket pings to prove the gateway still answers.
//! A crash, a planned stop and a token rotation differ only in which of these arrive, so they
//! are kept apart here and classified by the caller.

use super::client::Connection;
use super::frames::{self, Incoming};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::io::ErrorKind;
use tokio_tungstenite::tungstenite::error::ProtocolError;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// Close code for a close frame that carried none (RFC 6455 §7.1.5).
pub const NO_STATUS: u16 = 1005;

/// What a held connection received next.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// A server push (`tick`, `health`, `shutdown`, …).
    Event { name: String, payload: Value },
    /// The answer to a [`Connection::ping`].
    Pong,
    /// A close frame ([`NO_STATUS`] when it had no code).
    Closed { code: u16, reason: String },
    /// The connection ended without a close frame (EOF or reset: the peer died).
    Eof,
    /// A transport or protocol error other than the peer vanishing.
    Error(String),
}

impl Connection {
    /// Waits for the next frame that says something about the gateway. Responses to no
    /// pending request, pings (answered by the WebSocket layer) and binary frames are skipped.
    /// Cancel-safe: dropping the future loses no frame.
    pub async fn next_frame(&mut self) -> Frame {
        loop {
            let Some(msg) = self.ws.next().await else {
                return Frame::Eof;
            };
            match msg {
                Ok(Message::Text(text)) => {
                    if let Incoming::Event { name, payload } = frames::parse(&text) {
                        return Frame::Event { name, payload };
                    }
                }
                Ok(Message::Pong(_)) => return Frame::Pong,
                Ok(Message::Close(frame)) => {
                    return match frame {
                        Some(f) => Frame::Closed {
                            code: u16::from(f.code),
                            reason: f.reason.to_string(),
                        },
                        None => Frame::Closed {
                            code: NO_STATUS,
                            reason: String::new(),
                        },
                    };
                }
                Ok(_) => {}
                Err(e) => return transport_end(e),
            }
        }
    }

    /// Sends a WebSocket ping; its [`Frame::Pong`] comes through [`Connection::next_frame`].
    pub async fn ping(&mut self) -> Result<(), String> {
        self.ws
            .send(Message::Ping(Vec::new().into()))
            .await
            .map_err(|e| e.to_string())
    }
}

/// An error that ends the stream: the peer vanishing is [`Frame::Eof`], anything else an error.
fn transport_end(e: WsError) -> Frame {
    match e {
        WsError::ConnectionClosed
        | WsError::AlreadyClosed
        | WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => Frame::Eof,
        WsError::Io(io)
            if matches!(
                io.kind(),
                ErrorKind::ConnectionReset | ErrorKind::BrokenPipe | ErrorKind::UnexpectedEof
            ) =>
        {
            Frame::Eof
        }
        other => Frame::Error(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vanished_peer_is_eof_and_other_errors_are_not() {
        let reset = std::io::Error::from(ErrorKind::ConnectionReset);
        assert_eq!(transport_end(WsError::Io(reset)), Frame::Eof);
        assert_eq!(
            transport_end(WsError::Protocol(
                ProtocolError::ResetWithoutClosingHandshake
            )),
            Frame::Eof
        );
        assert_eq!(transport_end(WsError::ConnectionClosed), Frame::Eof);
        let other = transport_end(WsError::Protocol(ProtocolError::NonZeroReservedBits));
        assert!(matches!(other, Frame::Error(_)), "{other:?}");
    }
}
