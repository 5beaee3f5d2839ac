//! Opening a URL in a browser: the platform's opener for a normal window, and the private or
//! fresh-profile command per browser family (no opener crate knows private windows). Commands
//! are argv vectors, never shell strings, so a URL is always one argument.

use std::path::{Path, PathBuf};

/// How to open the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Normal,
    /// A private window (shares the browser's one private session).
    Private,
    /// A new temporary profile (Chromium family or Firefox): storage empty for sure.
    FreshProfile,
}

/// The browser families whose flags differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Chromium,
    Edge,
    Firefox,
    Opera,
    Safari,
    Unknown,
}

/// Which family a browser command or desktop id belongs to.
pub fn family(name: &str) -> Family {
    let n = name.to_ascii_lowercase();
    let base = Path::new(&n)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or(n.clone());
    if base.contains("edge") {
        Family::Edge
    } else if base.contains("firefox") || base.contains("librewolf") || base.contains("waterfox") {
        Family::Firefox
    } else if base.contains("opera") {
        Family::Opera
    } else if base.contains("safari") {
        Family::Safari
    } else if ["chrom", "brave", "vivaldi"]
        .iter()
        .any(|k| base.contains(k))
    {
        Family::Chromium
    } else {
        Family::Unknown
    }
}

/// The command that opens `url` with `browser` in `window`; `Err` says why it cannot.
pub fn command(
    browser: &str,
    window: Window,
    url: &str,
    profile: &Path,
) -> Result<Vec<String>, String> {
    let fam = family(browser);
    let mut argv = vec![browser.to_string()];
    let flags: Vec<String> = match (window, fam) {
        (Window::Normal, _) => vec![],
        (Window::Private, Family::Chromium) => vec!["--incognito".into()],
        (Window::Private, Family::Edge) => vec!["--inprivate".into()],
        (Window::Private, Family::Firefox) => vec!["-private-window".into()],
        (Window::Private, Family::Opera) => vec!["--private".into()],
        (Window::FreshProfile, Family::Chromium | Family::Edge) => vec![
            format!("--user-data-dir={}", profile.display()),
            "--no-first-run".into(),
            "--no-default-browser-check".into(),
        ],
        (Window::FreshProfile, Family::Firefox) => vec![
            "-no-remote".into(),
            "-profile".into(),
            profile.display().to_string(),
        ],
        (_, Family::Safari) => {
            return Err(
                "Safari has no command-line flag for a private window: press ⇧⌘N in \
                        Safari and paste the URL, or name another browser with --browser"
                    .into(),
            );
        }
        (_, _) => {
            return Err(format!(
                "{browser}: not a browser clawkit knows the private-window flag of (Chromium, \
                 Chrome, Brave, Vivaldi, Edge, Firefox, Opera); name one with --browser PATH"
            ));
        }
    };
    argv.extend(flags);
    argv.push(url.to_string());
    Ok(argv)
}

/// The user's browser: `$BROWSER` (its first entry), else the default found on this OS.
pub fn default_browser(env_browser: Option<&str>) -> Option<String> {
    if let Some(b) = env_browser
        .and_then(|b| b.split(':').next())
        .filter(|b| !b.is_empty())
    {
        return Some(b.to_string());
    }
    #[cfg(target_os = "linux")]
    {
        let out = std::process::Command::new("xdg-settings")
            .args(["get", "default-web-browser"])
            .output()
            .ok()?;
        let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let exe = id.strip_suffix(".desktop")?;
        return Some(exe.to_string());
    }
    #[allow(unreachable_code)]
    None
}

/// The opener for a normal window on this OS.
pub fn opener(url: &str) -> Vec<String> {
    if cfg!(target_os = "macos") {
        vec!["open".into(), url.into()]
    } else if cfg!(windows) {
        vec![
            "rundll32".into(),
            "url.dll,FileProtocolHandler".into(),
            url.into(),
        ]
    } else {
        vec!["xdg-open".into(), url.into()]
    }
}

/// Whether a browser can appear here: not over SSH without a display.
pub fn has_display(get: impl Fn(&str) -> Option<String>) -> bool {
    if cfg!(any(target_os = "macos", windows)) {
        return true;
    }
    get("DISPLAY").is_some() || get("WAYLAND_DISPLAY").is_some()
}

/// Starts `argv` detached (its output discarded); the browser outlives clawkit.
pub fn spawn(argv: &[String]) -> Result<(), String> {
    let (exe, args) = argv.split_first().ok_or("no command")?;
    std::process::Command::new(exe)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| format!("{exe}: {e}"))
}

/// A fresh, empty profile directory for `Window::FreshProfile`.
pub fn fresh_profile_dir() -> PathBuf {
    std::env::temp_dir().join(format!(
        "clawkit-profile-{}",
        &crate::session::random_hex()[..12]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_family_gets_its_own_flag_and_the_url_stays_one_argument() {
        let url = "http://127.0.0.1:1/#bootstrapToken=x y";
        let p = Path::new("/tmp/p");
        let private = |b: &str| command(b, Window::Private, url, p).map(|a| a[1].clone());
        assert_eq!(private("/usr/bin/chromium").unwrap(), "--incognito");
        assert_eq!(private("google-chrome-stable").unwrap(), "--incognito");
        assert_eq!(private("brave-browser").unwrap(), "--incognito");
        assert_eq!(private("microsoft-edge").unwrap(), "--inprivate");
        assert_eq!(private("firefox").unwrap(), "-private-window");
        assert_eq!(private("opera").unwrap(), "--private");
        assert!(private("safari").unwrap_err().contains("⇧⌘N"));
        assert!(private("lynx").unwrap_err().contains("--browser"));
        let fresh = command("chromium", Window::FreshProfile, url, p).unwrap();
        assert_eq!(
            fresh,
            [
                "chromium",
                "--user-data-dir=/tmp/p",
                "--no-first-run",
                "--no-default-browser-check",
                url
            ]
        );
        let ff = command("firefox", Window::FreshProfile, url, p).unwrap();
        assert_eq!(ff, ["firefox", "-no-remote", "-profile", "/tmp/p", url]);
        assert_eq!(
            default_browser(Some("/opt/b/chrome:firefox")).as_deref(),
            Some("/opt/b/chrome")
        );
    }
}
