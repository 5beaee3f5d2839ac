//! macOS: no `/proc`, so the same questions are asked of `lsof` and `ps` through the command
//! runner. On Windows the Win32 backend answers, and this one (`netstat -ano`, `tasklist`) is
//! its fallback for listeners.

use super::Host;
use super::process::ProcessInfo;
use super::runner::CommandRunner;
use super::sockets::{Listener, parse_lsof, parse_netstat_ano};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(5);

pub struct CommandHost {
    runner: Box<dyn CommandRunner>,
    windows: bool,
}

impl CommandHost {
    pub fn new(runner: Box<dyn CommandRunner>) -> CommandHost {
        CommandHost {
            runner,
            windows: cfg!(windows),
        }
    }

    /// Runs a tool in the C locale, whose dates (`ps -o lstart`) have one fixed format.
    fn run(&self, program: &str, args: &[&str]) -> Option<String> {
        let out = self
            .runner
            .run(program, args, &[("LC_ALL", "C")], TIMEOUT)
            .ok()?;
        out.success().then_some(out.stdout)
    }
}

/// The `ps` columns clawkit asks for: `lstart` is the start time to the second, the PID-reuse
/// guard where there is no `/proc`.
const PS_COLUMNS: &str = "pid=,ppid=,uid=,user=,lstart=,command=";

/// One `ps -o pid=,ppid=,uid=,user=,lstart=,command=` row. The command is split on
/// whitespace (ps cannot tell argument boundaries), which is enough to recognise a gateway.
pub fn parse_ps_row(line: &str) -> Option<ProcessInfo> {
    let mut f = line.split_whitespace();
    let pid = f.next()?.parse().ok()?;
    let ppid = f.next()?.parse().ok();
    let uid = f.next()?.parse().ok();
    let user = f.next().map(str::to_string);
    let lstart: Vec<&str> = f.by_ref().take(5).collect();
    let started = started_at(&lstart);
    let cmdline: Vec<String> = f.map(str::to_string).collect();
    let name = cmdline
        .first()
        .map(|c| c.rsplit(['/', '\\']).next().unwrap_or(c).to_string())
        .unwrap_or_default();
    Some(ProcessInfo {
        pid,
        ppid,
        uid,
        user,
        name,
        cmdline,
        exe: None,
        start_ticks: started.map(|(civil, _)| civil),
        started_at_ms: started.map(|(_, ms)| ms),
    })
}

/// `Thu Dec  3 15:34:08 2026` (local time, C locale) as (seconds of the local civil time,
/// Unix milliseconds): the first is stable for the guard whatever the zone, the second is
/// the instant.
fn started_at(lstart: &[&str]) -> Option<(u64, i64)> {
    let [_, month, day, time, year] = lstart else {
        return None;
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| m == month)? as i8 + 1;
    let mut hms = time.split(':').map(|p| p.parse::<i8>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    let civil = jiff::civil::date(year.parse().ok()?, month, day.parse().ok()?).at(h, m, s, 0);
    let as_utc = civil.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
    let local = civil
        .to_zoned(jiff::tz::TimeZone::system())
        .ok()?
        .timestamp();
    Some((
        u64::try_from(as_utc.as_second()).ok()?,
        local.as_millisecond(),
    ))
}

/// `tasklist /FO CSV /NH` rows: `"node.exe","4242","Console","1","80,000 K"`.
pub fn parse_tasklist(text: &str) -> Vec<ProcessInfo> {
    text.lines()
        .filter_map(|line| {
            let cols: Vec<&str> = line.split("\",\"").map(|c| c.trim_matches('"')).collect();
            let pid = cols.get(1)?.parse().ok()?;
            Some(ProcessInfo {
                pid,
                ppid: None,
                uid: None,
                user: None,
                name: cols[0].to_string(),
                cmdline: vec![cols[0].to_string()],
                exe: None,
                start_ticks: None,
                started_at_ms: None,
            })
        })
        .collect()
}

impl Host for CommandHost {
    fn listeners(&self) -> std::io::Result<Vec<Listener>> {
        let text = if self.windows {
            self.run("netstat", &["-ano", "-p", "TCP"])
        } else {
            self.run("lsof", &["-nP", "-iTCP", "-sTCP:LISTEN", "-FpcLn"])
        };
        let text = text.ok_or_else(|| {
            std::io::Error::other(if self.windows {
                "`netstat -ano` failed"
            } else {
                "`lsof -nP -iTCP -sTCP:LISTEN` failed (is lsof installed?)"
            })
        })?;
        Ok(if self.windows {
            parse_netstat_ano(&text)
        } else {
            parse_lsof(&text).into_iter().map(|(l, _, _)| l).collect()
        })
    }

    fn process(&self, pid: u32) -> Option<ProcessInfo> {
        let pid_arg = pid.to_string();
        if self.windows {
            let filter = format!("PID eq {pid}");
            let text = self.run("tasklist", &["/FO", "CSV", "/NH", "/FI", &filter])?;
            return parse_tasklist(&text).into_iter().find(|p| p.pid == pid);
        }
        let text = self.run("ps", &["-o", PS_COLUMNS, "-p", &pid_arg])?;
        text.lines().find_map(parse_ps_row)
    }

    fn environ(&self, _pid: u32) -> Option<Vec<(String, String)>> {
        None
    }

    fn gateways(&self) -> Vec<ProcessInfo> {
        if self.windows {
            // tasklist cannot show command lines; gateways are found through their ports.
            return Vec::new();
        }
        self.run("ps", &["-ax", "-o", PS_COLUMNS])
            .map(|text| {
                text.lines()
                    .filter_map(parse_ps_row)
                    .filter(ProcessInfo::is_gateway)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn uid(&self) -> u32 {
        crate::openclaw::install::current_uid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::runner::{CommandOutput, RecordingRunner};

    #[test]
    fn macos_backend_asks_lsof_and_ps() {
        let runner = RecordingRunner::new()
            .reply(
                "lsof",
                CommandOutput::ok("p4242\ncnode\nLalice\nf20\nn127.0.0.1:18789\n"),
            )
            .reply(
                "ps -ax",
                CommandOutput::ok(concat!(
                    "  4242     1   501 alice    Thu Dec  3 15:34:08 2026 openclaw-gateway\n",
                    "  99 1 501 alice Mon Nov 30 09:01:02 2026 /bin/zsh -l\n"
                )),
            );
        let mut host = CommandHost::new(Box::new(runner));
        host.windows = false;
        let l = host.listeners().unwrap();
        assert_eq!(l[0].pid, Some(4242));
        let g = host.gateways();
        assert_eq!(g.len(), 1);
        assert_eq!((g[0].pid, g[0].uid), (4242, Some(501)));
        let civil = jiff::civil::date(2026, 12, 3).at(15, 34, 8, 0);
        let utc = civil.to_zoned(jiff::tz::TimeZone::UTC).unwrap();
        assert_eq!(g[0].start_ticks, Some(utc.timestamp().as_second() as u64));
        assert_eq!(g[0].cmdline, ["openclaw-gateway"]);
    }

    #[test]
    fn a_row_without_a_readable_start_time_keeps_the_rest() {
        let p = parse_ps_row("7 1 501 alice ?? ?? ?? ?? ?? /bin/zsh -l").unwrap();
        assert_eq!((p.start_ticks, p.name.as_str()), (None, "zsh"));
    }

    #[test]
    fn tasklist_rows() {
        let p = parse_tasklist("\"node.exe\",\"4242\",\"Console\",\"1\",\"80,000 K\"\n");
        assert_eq!((p[0].pid, p[0].name.as_str()), (4242, "node.exe"));
    }
}
