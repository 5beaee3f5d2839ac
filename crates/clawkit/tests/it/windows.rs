//! The Windows build, for real: `clawkit.exe` cross-built here (MinGW) and run under Wine on
//! real files: its version, `explain`, `config get`/`set` on a JSON5 config with comments
//! (every other byte kept), the doctor reading the access list of the secrets and on a
//! machine with no OpenClaw, and the Windows host backend's and parsers' unit tests (recorded `netstat -ano`, `tasklist`, `schtasks` output) run as a
//! Windows program.

use clawkit_testkit::cross::{WinePrefix, build_windows_clawkit, build_windows_unit_tests};
use std::path::PathBuf;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_windows_build_runs_under_wine_on_real_files() {
    let target_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("windows");
    let exe = build_windows_clawkit(&workspace(), &target_dir).unwrap();
    let wine = WinePrefix::new().unwrap();

    let v = wine.run(&exe, &["--version"], &[]).unwrap();
    assert_eq!(v.code, Some(0), "{v:?}");
    assert_eq!(v.stdout, format!("clawkit {}\n", env!("CARGO_PKG_VERSION")));

    let e = wine
        .run(
            &exe,
            &["explain", "unauthorized: gateway token mismatch"],
            &[],
        )
        .unwrap();
    assert_eq!(e.code, Some(0), "{e:?}");
    assert!(e.stdout.contains("gateway token mismatch"), "{e:?}");

    let home = tempfile::tempdir().unwrap();
    let state = home.path().join(".openclaw");
    std::fs::create_dir_all(&state).unwrap();
    let config = state.join("openclaw.json");
    let original = "// my gateway\n{\n  gateway: {\n    port: 18789, // the default\n    mode: 'local',\n  },\n}\n";
    std::fs::write(&config, original).unwrap();
    // Wine sets USERPROFILE to its own profile: name the state dir as a Windows user would.
    let win_state = wine.windows_path(&state);
    let env = [("OPENCLAW_STATE_DIR", win_state.as_str())];
    let get = wine
        .run(
            &exe,
            &["config", "get", "gateway.port", "--show-origin"],
            &env,
        )
        .unwrap();
    assert_eq!(get.code, Some(0), "{get:?}");
    assert!(get.stdout.contains("18789"), "{get:?}");
    let set = wine
        .run(&exe, &["config", "set", "gateway.port", "19999"], &env)
        .unwrap();
    assert_eq!(set.code, Some(0), "{set:?}");
    let after = std::fs::read_to_string(&config).unwrap();
    assert_eq!(
        after,
        original.replace("18789", "19999"),
        "only the value changed"
    );

    // Who else may read the secrets: Wine turns "others" mode bits into an Everyone entry in
    // the access list, which the doctor reads as Windows would.
    std::fs::write(&config, PLANTED_CONFIG).unwrap();
    set_modes(&state, 0o755, 0o644);
    let exposed = wine.run(&exe, &["doctor"], &env).unwrap();
    let win_config = wine.windows_path(&config);
    assert!(
        exposed.stdout.contains(&format!(
            "[config-permissions] {win_config} can be read by Everyone"
        )),
        "{exposed:?}"
    );
    assert!(
        exposed.stdout.contains(&format!(
            "icacls \"{win_config}\" /inheritance:d && icacls \"{win_config}\" /remove:g \"Everyone\""
        )),
        "{exposed:?}"
    );
    assert!(
        !exposed.stdout.contains("chmod"),
        "no Unix advice: {exposed:?}"
    );
    set_modes(&state, 0o700, 0o600);
    let private = wine.run(&exe, &["doctor"], &env).unwrap();
    assert!(!private.stdout.contains("permissions]"), "{private:?}");
    for run in [&exposed, &private] {
        assert!(!run.stdout.contains(PLANTED) && !run.stderr.contains(PLANTED));
    }

    let empty = tempfile::tempdir().unwrap();
    let win_empty = wine.windows_path(&empty.path().join(".openclaw"));
    let doctor = wine
        .run(
            &exe,
            &["doctor"],
            &[("OPENCLAW_STATE_DIR", win_empty.as_str())],
        )
        .unwrap();
    assert_eq!(doctor.code, Some(1), "{doctor:?}");
    assert!(
        doctor.stdout.to_lowercase().contains("openclaw"),
        "{doctor:?}"
    );
    assert!(!doctor.stderr.contains("panicked"), "{doctor:?}");
}

const PLANTED: &str = "wine-acl-planted-4e1f9c2b7d";
const PLANTED_CONFIG: &str =
    "{ gateway: { port: 28555, auth: { token: 'wine-acl-planted-4e1f9c2b7d' } } }\n";

fn set_modes(state: &std::path::Path, dir: u32, file: u32) {
    use std::os::unix::fs::PermissionsExt;
    let mode = |m| std::fs::Permissions::from_mode(m);
    std::fs::set_permissions(state.join("openclaw.json"), mode(file)).unwrap();
    std::fs::set_permissions(state, mode(dir)).unwrap();
}

/// The parsers of Windows' own tools (`netstat -ano` in several languages, `tasklist`,
/// `schtasks /Query`) on recorded output, and the Win32 host backend on this process and a
/// child, as unit tests compiled for Windows and run there.
#[test]
fn the_windows_backend_and_parsers_pass_their_tests_as_a_windows_program() {
    let target_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("windows");
    let tests = build_windows_unit_tests(&workspace(), &target_dir, "clawkit-core").unwrap();
    let wine = WinePrefix::new().unwrap();
    let filters = ["netstat", "tasklist", "state_parsers", "lsof", "host::"];
    let run = wine.run(&tests, &filters, &[]).unwrap();
    assert_eq!(run.code, Some(0), "{run:?}");
    for name in [
        "netstat_listeners_whatever_the_language",
        "tasklist_rows",
        "state_parsers",
        // The Win32 backend: its own listener, its own identity, a verified TerminateProcess,
        // an exit seen through the process handle, an access list read.
        "own_listener_is_found_with_this_pid",
        "this_process_is_described_by_itself",
        "an_exited_process_is_gone_though_a_handle_to_it_is_open",
        "a_child_is_stopped_and_reaped_state_does_not_matter",
        "an_exit_is_seen_and_a_running_process_is_not_taken_for_gone",
        "an_access_list_is_read_or_the_error_said",
    ] {
        assert!(
            run.stdout.contains(&format!("{name} ... ok")),
            "{name}: {}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("test result: ok"), "{}", run.stdout);
}
