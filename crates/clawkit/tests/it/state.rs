//! The state readers on real OpenClaw state: the live SQLite database of a running 2026.9.6
//! gateway, the JSON files of a 2026.7.1 gateway, and planted pairing rows in each layout.

use base64::Engine;
use clawkit_core::openclaw::state::{DeviceState, Source};
use clawkit_testkit::{V2026_7, V2026_9, distinctive_secret, shared_gateway};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

/// Device id = hex SHA-256 of the raw Ed25519 key inside an SPKI PEM.
fn device_id_of_pem(pem: &str) -> String {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let raw = &der[der.len() - 32..];
    Sha256::digest(raw)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn reads_the_live_sqlite_state_of_a_running_2026_9_gateway() {
    let gw = shared_gateway(V2026_9).unwrap();
    let state = DeviceState::read(gw.state_dir()).unwrap();
    let identity = state.identity.expect("the gateway created its identity");
    let db = gw.state_dir().join("state/openclaw.sqlite");
    assert_eq!(identity.source, Source::Sqlite(db.clone()));
    let conn =
        Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let pem: String = conn
        .query_row(
            "SELECT public_key_pem FROM device_identities WHERE identity_key = 'primary'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(identity.device_id, device_id_of_pem(&pem));
}

/// A copy of the real database with rows planted the way the gateway writes them.
#[test]
fn planted_pairing_rows_in_the_real_schema() {
    let gw = shared_gateway(V2026_9).unwrap();
    let dir = tempfile_dir();
    let db_path = dir.join("state/openclaw.sqlite");
    std::fs::create_dir_all(db_path.parent().unwrap()).unwrap();
    let live = Connection::open_with_flags(
        gw.state_dir().join("state/openclaw.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    live.execute("VACUUM INTO ?1", [db_path.display().to_string()])
        .unwrap();

    let (old, new, other) = (
        distinctive_secret("devtok"),
        distinctive_secret("devtok"),
        distinctive_secret("devtok"),
    );
    let db = Connection::open(&db_path).unwrap();
    // Other tests pair devices on the shared gateway: start from empty pairing tables.
    for table in [
        "device_pairing_paired",
        "device_pairing_pending",
        "device_auth_tokens",
    ] {
        db.execute(&format!("DELETE FROM {table}"), []).unwrap();
    }
    let tokens = format!(
        r#"{{"operator":{{"token":"{new}","role":"operator","scopes":["operator.admin","operator.read","operator.write"],"createdAtMs":1000,"rotatedAtMs":5000}}}}"#
    );
    db.execute(
        "INSERT INTO device_pairing_paired (device_id, public_key, client_id, client_mode, role, roles_json, scopes_json, tokens_json, approved_via, created_at_ms, approved_at_ms) \
         VALUES ('dev-a', 'pk', 'cli', 'cli', 'operator', '[\"operator\"]', '[\"operator.admin\"]', ?1, 'silent', 1000, 1000)",
        [&tokens],
    )
    .unwrap();
    let revoked = format!(
        r#"{{"operator":{{"token":"{other}","role":"operator","scopes":[],"createdAtMs":1000,"revokedAtMs":6000}}}}"#
    );
    db.execute(
        "INSERT INTO device_pairing_paired (device_id, public_key, role, tokens_json, created_at_ms, approved_at_ms) VALUES ('dev-b', 'pk', 'operator', ?1, 2000, 2000)",
        [&revoked],
    )
    .unwrap();
    db.execute(
        "INSERT INTO device_auth_tokens (device_id, role, token, scopes_json, updated_at_ms) VALUES ('dev-a', 'operator', ?1, '[\"operator.admin\"]', 1500), ('dev-b', 'operator', ?2, '[]', 1500), ('dev-c', 'operator', ?2, '[]', 1500)",
        [&old, &other],
    )
    .unwrap();
    db.execute(
        "INSERT INTO device_pairing_pending (request_id, device_id, public_key, client_id, client_mode, role, is_repair, silent, ts) VALUES ('req-1', 'dev-a', 'pk2', 'cli', 'cli', 'operator', 1, 0, 7000)",
        [],
    )
    .unwrap();
    drop(db);

    let state = DeviceState::read(&dir).unwrap();
    assert_eq!(state.paired.len(), 2);
    let a = state.paired_device("dev-a").unwrap();
    assert_eq!(a.tokens[0].rotated_at_ms, Some(5000));
    assert_eq!(a.approved_via.as_deref(), Some("silent"));
    assert_eq!(state.pending.len(), 1);
    assert!(state.pending[0].is_repair);
    let stale: Vec<(String, &str)> = state
        .stale_cached_tokens()
        .into_iter()
        .map(|(c, why)| (c.device_id.clone(), why))
        .collect();
    assert_eq!(
        stale,
        [
            (
                "dev-a".to_string(),
                "rotated on the gateway since it was cached"
            ),
            ("dev-b".to_string(), "revoked on the gateway"),
            ("dev-c".to_string(), "device not paired on the gateway"),
        ]
    );
    let debug = format!("{state:?}");
    for secret in [&old, &new, &other] {
        assert!(
            !debug.contains(secret.as_str()),
            "a token leaked through Debug"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reads_the_json_layout_of_a_2026_7_gateway() {
    let gw = shared_gateway(V2026_7).unwrap();
    // 2026.7 creates its identity file on first use; a real CLI call on the host does that.
    let health = gw.openclaw_cli(&["gateway", "health"]).unwrap();
    assert!(health.success(), "{health}");
    let live = DeviceState::read(gw.state_dir()).unwrap();
    let identity = live
        .identity
        .clone()
        .expect("2026.7 writes identity/device.json");
    assert_eq!(
        identity.source,
        Source::Json(gw.state_dir().join("identity/device.json"))
    );
    let file: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(gw.state_dir().join("identity/device.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        identity.device_id,
        device_id_of_pem(file["publicKeyPem"].as_str().unwrap())
    );

    // The same state dir with pairing files planted in 2026.7's format.
    let dir = tempfile_dir();
    std::fs::create_dir_all(dir.join("identity")).unwrap();
    std::fs::create_dir_all(dir.join("devices")).unwrap();
    std::fs::copy(
        gw.state_dir().join("identity/device.json"),
        dir.join("identity/device.json"),
    )
    .unwrap();
    let id = &identity.device_id;
    let (cached, current) = (distinctive_secret("devtok"), distinctive_secret("devtok"));
    std::fs::write(
        dir.join("identity/device-auth.json"),
        format!(r#"{{"version":1,"deviceId":"{id}","tokens":{{"operator":{{"token":"{cached}","role":"operator","scopes":["operator.admin"],"updatedAtMs":100}}}}}}"#),
    )
    .unwrap();
    std::fs::write(
        dir.join("devices/paired.json"),
        format!(r#"{{"{id}":{{"deviceId":"{id}","publicKey":"pk","clientId":"cli","clientMode":"cli","role":"operator","roles":["operator"],"scopes":["operator.admin"],"tokens":{{"operator":{{"token":"{current}","role":"operator","scopes":["operator.admin"],"createdAtMs":50,"rotatedAtMs":200}}}},"createdAtMs":50,"approvedAtMs":50}}}}"#),
    )
    .unwrap();
    std::fs::write(
        dir.join("devices/pending.json"),
        format!(r#"{{"req-9":{{"requestId":"req-9","deviceId":"{id}","publicKey":"pk","role":"operator","isRepair":false,"ts":300}}}}"#),
    )
    .unwrap();
    let state = DeviceState::read(&dir).unwrap();
    assert_eq!(state.cached_tokens.len(), 1);
    assert_eq!(
        state.cached_source,
        Source::Json(dir.join("identity/device-auth.json"))
    );
    assert_eq!(state.paired[0].client_id.as_deref(), Some("cli"));
    assert_eq!(state.pending[0].request_id, "req-9");
    assert_eq!(state.stale_cached_tokens().len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn corrupt_state_is_an_error_naming_the_file() {
    let dir = tempfile_dir();
    std::fs::create_dir_all(dir.join("state")).unwrap();
    std::fs::write(
        dir.join("state/openclaw.sqlite"),
        b"this is not a database at all, just garbage bytes",
    )
    .unwrap();
    let err = DeviceState::read(&dir).unwrap_err().to_string();
    assert!(err.contains("state/openclaw.sqlite"), "{err}");
    std::fs::remove_file(dir.join("state/openclaw.sqlite")).unwrap();
    std::fs::create_dir_all(dir.join("devices")).unwrap();
    std::fs::write(dir.join("devices/paired.json"), "{ not json").unwrap();
    let err = DeviceState::read(&dir).unwrap_err().to_string();
    assert!(
        err.contains("devices/paired.json") && err.contains("not valid JSON"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("clawkit-state-{}", distinctive_secret("t")));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
