//! Writes a synthetic OpenClaw gateway log (JSON lines, the 2026.9 format) of about the given
//! size, for the `clawkit logs` benchmark. Line shapes are copied from a real gateway's log;
//! of every EVERY lines (on average) one is an auth failure and one a handshake close.
//!
//! Usage: cargo run --release -p clawkit-core --example gen_gateway_log -- OUT.log [MEGABYTES] [EVERY]

use std::io::{BufWriter, Write};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .expect("usage: gen_gateway_log OUT.log [MEGABYTES]");
    let megabytes: u64 = args
        .next()
        .map_or(1024, |s| s.parse().expect("MEGABYTES is a number"));
    let every: u64 = args
        .next()
        .map_or(40, |s| s.parse().expect("EVERY is a number"))
        .max(4);
    let target = megabytes * 1024 * 1024;
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    let mut written = 0u64;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut n = 0u64;
    let reasons = [
        "token_mismatch",
        "device_token_mismatch",
        "token_missing",
        "scope_mismatch",
    ];
    let clients = [
        ("cli", "cli"),
        ("openclaw-control-ui", "webchat"),
        ("node-host", "node"),
    ];
    while written < target {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        n += 1;
        let secs = 1_795_300_000 + n / 20;
        let time = format!(
            "2026-11-22T{:02}:{:02}:{:02}.{:03}+00:00",
            secs / 3600 % 24,
            secs / 60 % 60,
            secs % 60,
            n % 1000
        );
        let meta = |level: &str, id: u8, subsystem: &str| {
            format!(
                r#""_meta":{{"runtime":"node","runtimeVersion":"26.10.0","hostname":"vm","date":"{time}","logLevelId":{id},"logLevelName":"{level}","name":"{{\"subsystem\":\"{subsystem}\"}}","parentNames":["openclaw"]}}"#
            )
        };
        let line = match seed % every {
            0 => {
                let reason = reasons[(seed >> 8) as usize % reasons.len()];
                let (client, mode) = clients[(seed >> 16) as usize % clients.len()];
                let msg = format!(
                    "unauthorized conn={n:08x}-95f5-4161-ba7a-f108295f7129 peer=127.0.0.1:{}->127.0.0.1:18789 remote=127.0.0.1 client={client} {mode} v2026.9.6 role=operator scopes=0 auth=token device=no platform=linux instance=ec696356-d891-47c2-8746-003edea016f6 host=127.0.0.1:18789 origin=n/a ua=n/a reason={reason} guidance=unauthorized: see docs",
                    40000 + seed % 20000
                );
                format!(
                    r#"{{"0":"{{\"subsystem\":\"gateway/ws\"}}","1":"{msg}",{},"time":"{time}","hostname":"vm","message":"{msg}"}}"#,
                    meta("WARN", 4, "gateway/ws")
                )
            }
            1 => {
                let msg = format!(
                    "closed before connect conn={n:08x}-1 peer=127.0.0.1:5->127.0.0.1:18789 remote=127.0.0.1 fwd=n/a origin=n/a host=127.0.0.1:18789 ua=n/a code=1008 reason=pairing required phase=auth_validated"
                );
                format!(
                    r#"{{"0":"{{\"subsystem\":\"gateway/ws\"}}","1":{{"cause":"pairing-required","client":"openclaw-control-ui","mode":"webchat","hasDeviceIdentity":true}},"2":"{msg}",{},"time":"{time}","hostname":"vm","message":"{msg}"}}"#,
                    meta("WARN", 4, "gateway/ws")
                )
            }
            r if r % 2 == 0 => {
                let msg = format!(
                    "health tick ok durationMs={} sessions={} eventLoop.delayP99Ms={}",
                    seed % 50,
                    seed % 7,
                    seed % 30
                );
                format!(
                    r#"{{"0":"{{\"subsystem\":\"gateway/health\"}}","1":"{msg}",{},"time":"{time}","hostname":"vm","message":"{msg}"}}"#,
                    meta("DEBUG", 2, "gateway/health")
                )
            }
            _ => {
                let msg = format!(
                    "ws message handled method=chat.send conn={n:08x} durationMs={} bytes={}",
                    seed % 900,
                    seed % 65536
                );
                format!(
                    r#"{{"0":"{{\"subsystem\":\"gateway/ws\"}}","1":"{msg}",{},"time":"{time}","hostname":"vm","message":"{msg}"}}"#,
                    meta("INFO", 3, "gateway/ws")
                )
            }
        };
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
        written += line.len() as u64 + 1;
    }
    out.flush()
}
