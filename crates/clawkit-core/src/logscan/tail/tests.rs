//! The tail against real files in a temp dir: appends, partial lines, both rotation styles,
//! the daily name, bad bytes, over-long lines and resuming.

use super::*;
use crate::logscan::EventKind;
use crate::logscan::fixtures::{TIME, auth_line, close_line, json_line};
use crate::logscan::lines::MAX_LINE;
use std::io::Write;
use std::sync::{Arc, Mutex};

fn append(path: &Path, text: &str) {
    append_bytes(path, text.as_bytes());
}

fn append_bytes(path: &Path, bytes: &[u8]) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(bytes).unwrap();
}

fn len(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

/// An auth failure line for `reason`, with its newline.
fn auth(reason: &str) -> String {
    auth_line(reason, TIME) + "\n"
}

fn reasons(events: &[TailEvent]) -> Vec<&str> {
    events.iter().map(|e| e.event.key.reason.as_str()).collect()
}

fn inode_of(path: &Path) -> u64 {
    inode(&std::fs::metadata(path).unwrap())
}

#[test]
fn appended_lines_are_classified_once_with_their_positions() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("gateway.log");
    append(&log, &auth("old_before_start"));
    let mut tail = LogTail::new(Source::Fixed(log.clone()), Start::End).unwrap();
    assert_eq!(tail.poll().unwrap(), []);
    let start = len(&log);
    let health = json_line("health tick ok durationMs=3", TIME) + "\n";
    append(
        &log,
        &(auth("token_mismatch") + &health + &close_line("pairing-required", TIME) + "\n"),
    );
    let events = tail.poll().unwrap();
    assert_eq!(
        reasons(&events),
        ["token_mismatch", "pairing-required (code 1008)"]
    );
    assert_eq!(events[0].event.key.kind, EventKind::AuthFailure);
    assert_eq!(events[0].event.time.as_deref(), Some(TIME));
    assert_eq!(events[0].line_start, start);
    assert_eq!(
        events[0].position.offset,
        start + auth("token_mismatch").len() as u64
    );
    assert_eq!(events[1].event.key.kind, EventKind::Close);
    assert_eq!(
        events[1].position,
        Position {
            path: log.clone(),
            inode: inode_of(&log),
            offset: len(&log)
        }
    );
    assert_eq!(tail.position(), Some(events[1].position.clone()));
}

#[test]
fn start_beginning_reads_what_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("gateway.log");
    append(&log, &(auth("one") + &auth("two")));
    let mut tail = LogTail::new(Source::Fixed(log), Start::Beginning).unwrap();
    assert_eq!(reasons(&tail.poll().unwrap()), ["one", "two"]);
}

#[test]
fn nothing_changed_reads_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("gateway.log");
    append(&log, &auth("one"));
    let mut tail = LogTail::new(Source::Fixed(log.clone()), Start::Beginning).unwrap();
    assert_eq!(tail.poll().unwrap().len(), 1);
    let (read, at) = (tail.bytes_read(), tail.position());
    assert_eq!(read, len(&log));
    for _ in 0..3 {
        assert_eq!(tail.poll().unwrap(), []);
    }
    assert_eq!((tail.bytes_read(), tail.position()), (read, at));
}

#[test]
fn a_partial_line_waits_for_its_newline() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("gateway.log");
    append(&log, &auth("first"));
    let mut tail = LogTail::new(Source::Fixed(log.clone()), Start::Beginning).unwrap();
    assert_eq!(tail.poll().unwrap().len(), 1);
    let line = auth("second");
    let (head, rest) = line.split_at(line.len() / 2);
    let line_start = len(&log);
    append(&log, head);
    assert_eq!(tail.poll().unwrap(), []);
    assert_eq!(
        tail.position().unwrap().offset,
        line_start,
        "resume re-reads the half line"
    );
    append(&log, rest);
    let events = tail.poll().unwrap();
    assert_eq!(reasons(&events), ["second"]);
    assert_eq!(events[0].line_start, line_start);
}

#[test]
fn a_rename_rotation_reads_the_old_file_to_its_end_then_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("gateway.log");
    let rotated = dir.path().join("gateway.log.1");
    append(&log, &auth("before"));
    let mut tail = LogTail::new(Source::Fixed(log.clone()), Start::Beginning).unwrap();
    assert_eq!(reasons(&tail.poll().unwrap()), ["before"]);
    let old_inode = inode_of(&log);
    // The writer keeps its handle across the rename and writes once more before reopening.
    let mut writer = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    std::fs::rename(&log, &rotated).unwrap();
    writer.write_all(auth("after_rename").as_bytes()).unwrap();
    append(&log, &auth("new_file"));
    let events = tail.poll().unwrap();
    assert_eq!(reasons(&events), ["after_rename", "new_file"]);
    assert_eq!(events[0].position.inode, old_inode);
    assert_eq!(events[1].position.inode, inode_of(&log));
    assert_ne!(old_inode, inode_of(&log));
    assert_eq!(
        (events[1].line_start, events[1].position.path.clone()),
        (0, log.clone())
    );
    writer.write_all(auth("too_late").as_bytes()).unwrap();
    append(&log, &auth("next"));
    assert_eq!(reasons(&tail.poll().unwrap()), ["next"]);
}

#[test]
fn a_copy_truncate_restarts_at_zero() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("gateway.log");
    append(&log, &(auth("one") + &auth("two")));
    let mut tail = LogTail::new(Source::Fixed(log.clone()), Start::Beginning).unwrap();
    assert_eq!(tail.poll().unwrap().len(), 2);
    std::fs::copy(&log, dir.path().join("gateway.log.1")).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&log)
        .unwrap()
        .set_len(0)
        .unwrap();
    append(&log, &auth("three"));
    let events = tail.poll().unwrap();
    assert_eq!(reasons(&events), ["three"]);
    assert_eq!(events[0].line_start, 0);
    assert_eq!(tail.position().unwrap().offset, len(&log));
}

#[test]
fn the_daily_name_switches_once_the_new_file_exists() {
    let dir = tempfile::tempdir().unwrap();
    let day1 = dir.path().join("openclaw-2026-11-22.log");
    let day2 = dir.path().join("openclaw-2026-11-23.log");
    let name = Arc::new(Mutex::new(day1.clone()));
    let source = {
        let name = Arc::clone(&name);
        Source::Named(Box::new(move || name.lock().unwrap().clone()))
    };
    append(&day1, &auth("day1"));
    let mut tail = LogTail::new(source, Start::Beginning).unwrap();
    assert_eq!(reasons(&tail.poll().unwrap()), ["day1"]);
    *name.lock().unwrap() = day2.clone();
    append(&day1, &auth("late_day1"));
    assert_eq!(
        reasons(&tail.poll().unwrap()),
        ["late_day1"],
        "day 2 has no file yet"
    );
    append(&day1, "2026-11-22T23:59:59.999Z [gateway] ready");
    append(&day2, &auth("day2"));
    let events = tail.poll().unwrap();
    assert_eq!(
        reasons(&events),
        ["ready", "day2"],
        "the old day's last line ends too"
    );
    assert_eq!(events[1].position.path, day2);
    append(&day1, &auth("ignored"));
    append(&day2, &auth("more_day2"));
    assert_eq!(reasons(&tail.poll().unwrap()), ["more_day2"]);
}

#[test]
fn daily_names_the_file_for_the_local_date() {
    let dir = tempfile::tempdir().unwrap().path().to_path_buf();
    let source = Source::daily(move |date| dir.join(format!("openclaw-{date}.log")));
    let before = crate::time::local_date();
    let named = source.current();
    let after = crate::time::local_date();
    let name = named.file_name().unwrap().to_str().unwrap();
    assert!(
        name == format!("openclaw-{before}.log") || name == format!("openclaw-{after}.log"),
        "{name}"
    );
}

#[test]
fn garbage_bytes_are_skipped_and_counted_when_marked() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("gateway.log");
    let mut tail = LogTail::new(Source::Fixed(log.clone()), Start::End).unwrap();
    let junk: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    append_bytes(&log, &junk);
    append_bytes(&log, b"\n\xff\xfe unauthorized conn=\xc3\x28 reason=x\n");
    append(&log, &auth("after_junk"));
    let events = tail.poll().unwrap();
    assert_eq!(reasons(&events), ["after_junk"]);
    assert_eq!(tail.unparsed_lines(), 1);
}

#[test]
fn an_over_long_line_is_cut_and_the_next_line_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("gateway.log");
    let mut tail = LogTail::new(Source::Fixed(log.clone()), Start::End).unwrap();
    append(&log, "2026-11-22T01:47:22Z Gateway failed to start: ");
    let filler = "x".repeat(MAX_LINE);
    for _ in 0..4 {
        append(&log, &filler);
        assert_eq!(tail.poll().unwrap(), []);
        assert!(tail.lines.buffered() <= MAX_LINE);
    }
    append(&log, &("\n".to_string() + &auth("next")));
    let events = tail.poll().unwrap();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[1].event.key.reason, "next");
    assert_eq!(events[0].event.key.kind, EventKind::StartFailure);
    assert_eq!(events[0].event.key.reason, "x".repeat(120));
    assert_eq!(events[0].position.offset, events[1].line_start);
}

#[test]
fn resume_reads_on_from_a_saved_position() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("gateway.log");
    append(&log, &auth("seen"));
    let mut tail = LogTail::new(Source::Fixed(log.clone()), Start::Beginning).unwrap();
    assert_eq!(tail.poll().unwrap().len(), 1);
    let saved = serde_json::to_string(&tail.position().unwrap()).unwrap();
    drop(tail);
    append(&log, &auth("while_down"));
    let saved: Position = serde_json::from_str(&saved).unwrap();
    let mut tail = LogTail::resume(Source::Fixed(log.clone()), &saved).unwrap();
    assert_eq!(reasons(&tail.poll().unwrap()), ["while_down"]);
}

#[test]
fn resume_finds_a_file_rotated_while_down_by_its_inode() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("gateway.log");
    append(&log, &auth("seen"));
    let mut tail = LogTail::new(Source::Fixed(log.clone()), Start::Beginning).unwrap();
    assert_eq!(tail.poll().unwrap().len(), 1);
    let saved = tail.position().unwrap();
    drop(tail);
    append(&log, &auth("before_rotation"));
    std::fs::rename(&log, dir.path().join("gateway.log.1")).unwrap();
    append(&log, &auth("new_file"));
    let mut tail = LogTail::resume(Source::Fixed(log.clone()), &saved).unwrap();
    assert_eq!(
        reasons(&tail.poll().unwrap()),
        ["before_rotation", "new_file"]
    );
}

#[test]
fn resume_without_the_saved_file_reads_the_current_one_from_its_start() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("gateway.log");
    append(&log, &auth("current"));
    let gone = Position {
        path: dir.path().join("deleted.log"),
        inode: 1,
        offset: 4096,
    };
    let mut tail = LogTail::resume(Source::Fixed(log), &gone).unwrap();
    assert_eq!(reasons(&tail.poll().unwrap()), ["current"]);
}

#[test]
fn a_missing_file_is_read_from_its_start_once_it_appears() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("gateway.log");
    let mut tail = LogTail::new(Source::Fixed(log.clone()), Start::End).unwrap();
    assert_eq!((tail.poll().unwrap(), tail.position()), (vec![], None));
    append(&log, &auth("first"));
    assert_eq!(reasons(&tail.poll().unwrap()), ["first"]);
}

#[test]
fn a_tail_can_move_to_a_blocking_thread() {
    fn is_send<T: Send>() {}
    is_send::<LogTail>();
}
