//! The batch scan: whole files (and their rotations) memory-mapped and searched with a
//! literal multi-pattern prefilter (aho-corasick), split across cores. Only lines that
//! contain a marker are parsed, and the scan jumps to the next line after each hit, so a
//! line is counted once. For a person's command, not a daemon: a mapped file that is
//! truncated under it can SIGBUS the process (see `tail` for the daemon's reader).

use super::LogError;
use super::aggregate::{Aggregator, Group};
use super::classify::{AuthFailure, PREFILTER, classify_marked};
use super::format::json_time;
use std::path::{Path, PathBuf};

use crate::time::parse_time_ms;

#[derive(Debug, Default, serde::Serialize)]
pub struct Report {
    pub files: Vec<PathBuf>,
    pub bytes: u64,
    pub matched_lines: u64,
    pub unparsed_lines: u64,
    pub groups: Vec<Group>,
}

/// The log file and its rotated siblings that exist, oldest first (`.5` … `.1`, then the file).
pub fn with_rotations(file: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = (1..=5)
        .rev()
        .map(|n| PathBuf::from(format!("{}.{n}", file.display())))
        .filter(|p| p.is_file())
        .collect();
    files.push(file.to_path_buf());
    files
}

/// Scans `files` (missing files are an error) for events newer than `since_ms`.
pub fn scan_files(files: &[PathBuf], since_ms: Option<i64>) -> Result<Report, LogError> {
    let mut agg = Aggregator::default();
    let mut report = Report::default();
    for path in files {
        let file = std::fs::File::open(path).map_err(|source| LogError::Io {
            path: path.clone(),
            source,
        })?;
        let len = file
            .metadata()
            .map_err(|source| LogError::Io {
                path: path.clone(),
                source,
            })?
            .len();
        report.files.push(path.clone());
        report.bytes += len;
        if len == 0 {
            continue;
        }
        // SAFETY: the map is read-only and dropped before returning; a log being appended to
        // only grows past the mapped length, which we never read.
        let map =
            unsafe { memmap2::MmapOptions::new().populate().map(&file) }.map_err(|source| {
                LogError::Io {
                    path: path.clone(),
                    source,
                }
            })?;
        scan_parallel(&map, since_ms, &mut agg);
    }
    report.matched_lines = agg.matched;
    report.unparsed_lines = agg.unparsed;
    report.groups = agg.finish();
    Ok(report)
}

/// Splits `data` at line boundaries into one chunk per core and scans them concurrently.
fn scan_parallel(data: &[u8], since_ms: Option<i64>, agg: &mut Aggregator) {
    const MIN_CHUNK: usize = 16 << 20;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(data.len() / MIN_CHUNK)
        .max(1);
    if threads == 1 {
        return scan_bytes(data, since_ms, agg);
    }
    let mut bounds = vec![0];
    for i in 1..threads {
        let guess = data.len() * i / threads;
        let cut = data[guess..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(data.len(), |p| guess + p + 1);
        bounds.push(cut.max(*bounds.last().expect("non-empty")));
    }
    bounds.push(data.len());
    let parts: Vec<Aggregator> = std::thread::scope(|scope| {
        let handles: Vec<_> = bounds
            .windows(2)
            .map(|w| {
                let chunk = &data[w[0]..w[1]];
                scope.spawn(move || {
                    let mut local = Aggregator::default();
                    scan_bytes(chunk, since_ms, &mut local);
                    local
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("log scan thread"))
            .collect()
    });
    for part in parts {
        agg.merge(part);
    }
}

/// Scans one buffer of log text.
pub fn scan_bytes(data: &[u8], since_ms: Option<i64>, agg: &mut Aggregator) {
    let mut at = 0;
    while let Some(m) = PREFILTER.find(&data[at..]) {
        let hit = at + m.start();
        let start = memchr::memrchr(b'\n', &data[..hit]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &data[hit..]).map_or(data.len(), |i| hit + i);
        agg.matched += 1;
        // Fast path for the common event, an auth failure in a JSON line: read its tokens
        // straight from the raw text (they never need unescaping) without allocating.
        if m.pattern().as_usize() == 0
            && data[start] == b'{'
            && let Some(()) = fast_auth_failure(&data[start..end], hit - start, since_ms, agg)
        {
            at = end;
            if at >= data.len() {
                break;
            }
            continue;
        }
        agg.add_classified(classify_marked(&data[start..end]), since_ms);
        at = end;
        if at >= data.len() {
            break;
        }
    }
}

/// Counts an `unauthorized conn=` JSON line whose marker is at `hit`; `None` when the line
/// needs the general parser.
fn fast_auth_failure(
    line: &[u8],
    hit: usize,
    since_ms: Option<i64>,
    agg: &mut Aggregator,
) -> Option<()> {
    let line = std::str::from_utf8(line).ok()?;
    let rest = &line[hit..];
    let message = &rest[..rest.find('"')?];
    if message.contains('\\') {
        return None;
    }
    let time = parse_time_ms(json_time(line)?);
    if since_ms.is_some_and(|since| time.is_some_and(|t| t < since)) {
        return Some(());
    }
    agg.add_auth(&AuthFailure::parse(message), time);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logscan::fixtures::{TIME, auth_line, auth_message, json_line};
    use crate::logscan::{Classified, EventKind, GroupKey, classify_line};

    /// The fast path reads auth failures straight from the raw line; it must group them
    /// exactly as the classifier (which the tail uses) does.
    #[test]
    fn the_fast_path_groups_as_the_classifier_does() {
        let lines = [
            auth_line("token_mismatch", TIME),
            auth_line("token_mismatch", "2026-11-22T01:48:00.000+00:00"),
            json_line(
                &auth_message("scope_mismatch", "node-host node", 41984),
                TIME,
            ),
            json_line(
                "unauthorized conn=1 peer=[::1]:5->[::1]:18790 device=yes reason=rate_limited",
                TIME,
            ),
        ];
        let mut agg = Aggregator::default();
        scan_bytes(lines.join("\n").as_bytes(), None, &mut agg);
        let scanned: Vec<GroupKey> = agg.finish().into_iter().map(|g| g.key).collect();
        let mut classified: Vec<GroupKey> = lines
            .iter()
            .map(|l| match classify_line(l.as_bytes()) {
                Some(Classified::Event(e)) => e.key,
                other => panic!("{other:?}"),
            })
            .collect();
        classified.sort();
        classified.dedup();
        let mut scanned_sorted = scanned.clone();
        scanned_sorted.sort();
        assert_eq!(scanned_sorted, classified);
        assert_eq!(scanned.len(), 3, "{scanned:?}");
        assert!(scanned.iter().any(|k| k.client == "?/?" && k.peer == "::1"));
    }

    #[test]
    fn garbage_never_panics() {
        let mut agg = Aggregator::default();
        let junk: Vec<u8> = (0..20_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        scan_bytes(&junk, None, &mut agg);
        let mut text =
            b"unauthorized conn=\n{\"message\":\"unauthorized conn=x peer=->\"}\n".to_vec();
        text.extend_from_slice(b"closed before connect conn=\xff\xfe\ngateway ready");
        scan_bytes(&text, None, &mut agg);
        let groups = agg.finish();
        assert!(groups.iter().any(|g| g.key.kind == EventKind::Start));
    }

    #[test]
    fn console_lines_parse() {
        let mut agg = Aggregator::default();
        scan_bytes(
            b"2026-11-22T02:31:30.159+00:00 [gateway] ready\n\x1b[33m2026-11-22T02:32:30.159+00:00\x1b[0m [gateway] received SIGTERM; shutting down\n",
            None,
            &mut agg,
        );
        let groups = agg.finish();
        assert_eq!(groups.len(), 2, "{groups:?}");
        assert_eq!(groups[1].key.reason, "SIGTERM");
    }
}
