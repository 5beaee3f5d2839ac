//! `clawkit config path` must find the same config file, port and log file as OpenClaw itself
//! (`openclaw gateway status --json --no-probe`) for every precedence rule.

use crate::util::{clawkit_with_env, per_version, run};
use clawkit_testkit::ClientHome;
use std::path::PathBuf;

/// One machine setup: files to create (relative to HOME), env vars (values may use `{home}`),
/// and global flags given to both tools.
struct Setup {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    dirs: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    flags: &'static [&'static str],
}

const SETUPS: &[Setup] = &[
    Setup {
        name: "nothing configured",
        files: &[],
        dirs: &[],
        env: &[],
        flags: &[],
    },
    Setup {
        name: "config port and log file",
        files: &[(
            ".openclaw/openclaw.json",
            "{ gateway: { port: 3456 }, logging: { file: '{home}/gw.log' } }",
        )],
        dirs: &[],
        env: &[],
        flags: &[],
    },
    Setup {
        name: "env port beats config",
        files: &[(".openclaw/openclaw.json", "{ gateway: { port: 3456 } }")],
        dirs: &[],
        env: &[("OPENCLAW_GATEWAY_PORT", "127.0.0.1:2345")],
        flags: &[],
    },
    Setup {
        name: "state dir env",
        files: &[],
        dirs: &[],
        env: &[("OPENCLAW_STATE_DIR", "{home}/sd")],
        flags: &[],
    },
    Setup {
        name: "config path env",
        files: &[("custom.json5", "// custom\n{ gateway: { port: 4444 } }")],
        dirs: &[],
        env: &[("OPENCLAW_CONFIG_PATH", "{home}/custom.json5")],
        flags: &[],
    },
    Setup {
        name: "profile flag",
        files: &[],
        dirs: &[],
        env: &[],
        flags: &["--profile", "work"],
    },
    Setup {
        name: "profile flag keeps explicit state dir",
        files: &[],
        dirs: &[],
        env: &[("OPENCLAW_STATE_DIR", "{home}/sd")],
        flags: &["--profile", "work"],
    },
    Setup {
        name: "dev flag",
        files: &[],
        dirs: &[],
        env: &[],
        flags: &["--dev"],
    },
    Setup {
        name: "profile env only",
        files: &[],
        dirs: &[],
        env: &[("OPENCLAW_PROFILE", "work")],
        flags: &[],
    },
    Setup {
        name: "legacy clawdbot dir",
        files: &[],
        dirs: &[".clawdbot"],
        env: &[],
        flags: &[],
    },
    Setup {
        name: "legacy clawdbot config",
        files: &[(".clawdbot/clawdbot.json", "{ gateway: { port: 3457 } }")],
        dirs: &[],
        env: &[],
        flags: &[],
    },
    Setup {
        name: "OPENCLAW_HOME",
        files: &[],
        dirs: &["oh"],
        env: &[("OPENCLAW_HOME", "{home}/oh")],
        flags: &[],
    },
];

fn check(version: &str, setup: &Setup) {
    let mut client = ClientHome::new(version).unwrap();
    let home = client.home().to_path_buf();
    let fill = |s: &str| s.replace("{home}", &home.display().to_string());
    // ClientHome pre-creates ~/.openclaw; setups that need it absent remove it.
    let _ = std::fs::remove_dir_all(home.join(".openclaw"));
    for dir in setup.dirs {
        std::fs::create_dir_all(home.join(dir)).unwrap();
    }
    for (path, text) in setup.files {
        let path = home.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, fill(text)).unwrap();
    }
    for (k, v) in setup.env {
        client.set_env(k, &fill(v));
    }
    let mut args: Vec<&str> = setup.flags.to_vec();
    args.extend(["gateway", "status", "--json", "--no-probe"]);
    let real = client.openclaw(&args).unwrap();
    let real_json: serde_json::Value = serde_json::from_str(&real.stdout)
        .unwrap_or_else(|e| panic!("{}: openclaw printed no JSON ({e})\n{real}", setup.name));

    let mut ck_args: Vec<&str> = setup.flags.to_vec();
    ck_args.extend(["config", "path", "--json"]);
    let ours = run(clawkit_with_env(client.env()).args(&ck_args));
    assert_eq!(ours.code, Some(0), "{}: {ours}", setup.name);
    let ours = ours.json();

    let ctx = format!(
        "{} (openclaw {version})\nopenclaw: {}\nclawkit: {ours:#}",
        setup.name, real.stdout
    );
    assert_eq!(
        PathBuf::from(ours["config"]["path"].as_str().unwrap()),
        PathBuf::from(real_json["config"]["cli"]["path"].as_str().unwrap()),
        "config path differs: {ctx}"
    );
    assert_eq!(
        ours["port"]["port"], real_json["gateway"]["port"],
        "port differs: {ctx}"
    );
    assert_eq!(
        ours["logFile"]["path"], real_json["logFile"],
        "log file differs: {ctx}"
    );
}

per_version!(
    config_path_matches_openclaw_for_every_precedence_rule,
    |version| {
        for setup in SETUPS {
            check(version, setup);
        }
    }
);
