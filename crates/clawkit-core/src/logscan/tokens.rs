//! The `key=value` tokens of a gateway message (`peer=`, `remote=`, `client=<id> <mode>`, …),
//! read without allocating.

/// The token after ` key=` (up to the next space), or `None`.
pub(super) fn field<'a>(message: &'a str, key: &str) -> Option<&'a str> {
    let bytes = message.as_bytes();
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&bytes[from..], key.as_bytes()) {
        let at = from + i;
        let after = at + key.len();
        if at > 0 && bytes[at - 1] == b' ' && bytes.get(after) == Some(&b'=') {
            let rest = &message[after + 1..];
            return Some(rest.split(' ').next().unwrap_or(rest));
        }
        from = at + 1;
    }
    None
}

/// (client address, gateway port) from `remote=<ip>` and `peer=<ip:port>-><ip:port>`.
pub(super) fn peer_and_port(message: &str) -> (&str, Option<u16>) {
    let peer = field(message, "peer");
    let port = peer
        .and_then(|p| p.split_once("->"))
        .and_then(|(_, to)| to.rsplit_once(':'))
        .and_then(|(_, p)| p.parse().ok());
    let remote = field(message, "remote").or_else(|| {
        let from = peer?.split("->").next()?;
        Some(
            from.rsplit_once(':')
                .map_or(from, |(host, _)| host)
                .trim_matches(['[', ']']),
        )
    });
    (remote.unwrap_or("?"), port)
}

/// `client=<id> <mode> v<version>` → (`<id>`, `<mode>`), `?` for a missing part.
pub(super) fn client_and_mode(message: &str) -> Option<(&str, &str)> {
    let i = message.find(" client=")?;
    let mut parts = message[i + 8..].split(' ');
    Some((parts.next().unwrap_or("?"), parts.next().unwrap_or("?")))
}
