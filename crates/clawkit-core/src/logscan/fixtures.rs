//! Log lines in the shapes a 2026.9 gateway writes (copied from a real gateway's log), for
//! the tests of the classifier, the batch scan and the tail.

/// The time every fixture line carries unless told otherwise.
pub(super) const TIME: &str = "2026-11-22T01:47:22.075+00:00";

/// A tslog JSON line whose message is `msg` (`"1"` holds the same text, as tslog writes it).
pub(super) fn json_line(msg: &str, time: &str) -> String {
    format!(
        r#"{{"0":"{{\"subsystem\":\"gateway/ws\"}}","1":"{msg}","_meta":{{"runtime":"node","date":"{time}","logLevelId":4,"logLevelName":"WARN","name":"{{\"subsystem\":\"gateway/ws\"}}","parentNames":["openclaw"]}},"time":"{time}","hostname":"vm","message":"{msg}"}}"#
    )
}

/// The `unauthorized conn=` message of a client `client` (`<id> <mode>`) refused for `reason`
/// on gateway port `port`.
pub(super) fn auth_message(reason: &str, client: &str, port: u16) -> String {
    format!(
        "unauthorized conn=4d2f-95f5 peer=127.0.0.1:40412->127.0.0.1:{port} remote=127.0.0.1 client={client} v2026.9.6 role=operator scopes=0 auth=token device=no platform=linux instance=n/a host=127.0.0.1:{port} origin=n/a ua=n/a reason={reason} guidance=see docs"
    )
}

/// An auth failure as a JSON line at `time`.
pub(super) fn auth_line(reason: &str, time: &str) -> String {
    json_line(&auth_message(reason, "cli cli", 18789), time)
}

/// A handshake close with `cause` as a JSON line; the cause, client and device are in the
/// structured `"1"` object and the text is in `"2"`.
pub(super) fn close_line(cause: &str, time: &str) -> String {
    let msg = "closed before connect conn=4d2f-1 peer=[::1]:5->[::1]:18790 fwd=n/a origin=n/a host=[::1]:18790 ua=n/a code=1008 reason=pairing required phase=auth_validated";
    format!(
        r#"{{"0":"{{\"subsystem\":\"gateway/ws\"}}","1":{{"cause":"{cause}","client":"openclaw-control-ui","mode":"webchat","hasDeviceIdentity":true}},"2":"{msg}","_meta":{{"date":"{time}"}},"time":"{time}","hostname":"vm","message":"{msg}"}}"#
    )
}
