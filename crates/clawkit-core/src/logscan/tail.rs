//! Follows a live gateway log for a daemon (the monitor): each classified line is reported
//! once, as it is written, across rotations, truncation and OpenClaw's daily file name.
//!
//! It reads with `read()` from a saved offset and never maps the file, because a copy-truncate
//! rotation of a mapped file raises SIGBUS in the process that mapped it. A file is known by
//! its inode, so on every [`LogTail::poll`]:
//!
//! * bytes appended since the last poll are read and classified (by the same classifier as
//!   the batch scan);
//! * the path names another file (renamed away and recreated, or the source now names
//!   another path, such as the next day's log): the old handle is read to its end first, so
//!   lines written to it after the rename are not lost, then the new file is read from 0;
//! * the file is shorter than what was read (copy-truncate): reading restarts at 0. A file
//!   truncated and then regrown past the old offset between two polls cannot be told from
//!   an append (as with `tail -F`);
//! * the path does not exist (deleted, or today's file not yet written): the open handle, if
//!   any, is still read, and the file is picked up from 0 when it appears.
//!
//! A poll with nothing new costs a `stat`, an `fstat` and no read. The work is blocking: run
//! it on a blocking thread or a timer.

use super::LogError;
use super::classify::{Classified, LogEvent, classify_line};
use super::lines::{Line, LineBuffer};
use super::scan::with_rotations;
use std::fs::{File, Metadata};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Which file to follow: asked again on every poll.
pub enum Source {
    /// One path (rotations of it are followed).
    Fixed(PathBuf),
    /// A path that changes over time; see [`Source::daily`].
    Named(Box<dyn Fn() -> PathBuf + Send>),
}

impl Source {
    /// A file named after the host's local date (`YYYY-MM-DD`), as OpenClaw names its log:
    /// `path_for(date)` gives the path, e.g. from `InstallPaths::log_file`. The tail moves to
    /// the new day's file once it exists, after reading the old one to its end.
    pub fn daily(path_for: impl Fn(&str) -> PathBuf + Send + 'static) -> Source {
        Source::Named(Box::new(move || path_for(&crate::time::local_date())))
    }

    /// The path this source names now.
    pub fn current(&self) -> PathBuf {
        match self {
            Source::Fixed(path) => path.clone(),
            Source::Named(name) => name(),
        }
    }
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Fixed(path) => f.debug_tuple("Fixed").field(path).finish(),
            Source::Named(_) => f.debug_tuple("Named").field(&self.current()).finish(),
        }
    }
}

/// Where a new tail starts in the file that exists when it is made. Files that appear later
/// are always read from their start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// Everything already in the file.
    Beginning,
    /// Only what is written from now on.
    End,
}

/// A place in a log file, to save and resume from ([`LogTail::resume`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Position {
    /// The path the file was opened by (it may since have been renamed).
    pub path: PathBuf,
    /// The file's inode (0 where the platform has none).
    pub inode: u64,
    /// A byte offset in the file, at the start of a line.
    pub offset: u64,
}

/// One classified line of the followed log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TailEvent {
    #[serde(flatten)]
    pub event: LogEvent,
    /// Where the line starts in its file.
    pub line_start: u64,
    /// Just past the line: resuming from here reads the line after it.
    pub position: Position,
}

/// A follower of one log; see the module doc.
#[derive(Debug)]
pub struct LogTail {
    source: Source,
    followed: Option<Followed>,
    lines: LineBuffer,
    buf: Vec<u8>,
    unparsed: u64,
    bytes_read: u64,
}

/// The open file being read.
#[derive(Debug)]
struct Followed {
    file: File,
    path: PathBuf,
    inode: u64,
}

/// A file just opened, with what its handle says about it.
struct Opened {
    file: File,
    inode: u64,
    len: u64,
}

const READ_CHUNK: usize = 64 * 1024;

impl LogTail {
    /// Follows `source` from `start` in the file it names now. A missing file is not an
    /// error: it is read from its start once it appears.
    pub fn new(source: Source, start: Start) -> Result<LogTail, LogError> {
        let mut tail = LogTail::idle(source);
        let path = tail.source.current();
        if let Some(opened) = open(&path)? {
            let offset = match start {
                Start::Beginning => 0,
                Start::End => opened.len,
            };
            tail.follow(path, opened, offset)?;
        }
        Ok(tail)
    }

    /// Follows `source` again from a saved position. The saved file is found by its inode,
    /// under its path or a rotated name (`.1` … `.5`), and read on from the offset (from 0
    /// if it is now shorter); if it is gone, the file the source names now is read from 0.
    pub fn resume(source: Source, saved: &Position) -> Result<LogTail, LogError> {
        let mut tail = LogTail::idle(source);
        if let Some((path, opened)) = find_by_inode(saved)? {
            let offset = if opened.len < saved.offset {
                0
            } else {
                saved.offset
            };
            tail.follow(path, opened, offset)?;
        } else {
            let path = tail.source.current();
            if let Some(opened) = open(&path)? {
                tail.follow(path, opened, 0)?;
            }
        }
        Ok(tail)
    }

    /// The events written since the last poll, in file order.
    pub fn poll(&mut self) -> Result<Vec<TailEvent>, LogError> {
        let mut events = Vec::new();
        let want = self.source.current();
        if self.followed.is_none() {
            match open(&want)? {
                Some(opened) => self.follow(want.clone(), opened, 0)?,
                None => return Ok(events),
            }
        }
        // Look for a replacement before draining, so that lines the writer adds to the old
        // file until it reopens are read too.
        let next = self.replacement(&want)?;
        self.read_new(&mut events)?;
        if let Some(opened) = next {
            self.finish_line(&mut events);
            self.follow(want, opened, 0)?;
            self.read_new(&mut events)?;
        }
        Ok(events)
    }

    /// Where the next unread line starts, to save for [`LogTail::resume`]; `None` before a
    /// file was found.
    pub fn position(&self) -> Option<Position> {
        self.followed.as_ref().map(|f| Position {
            path: f.path.clone(),
            inode: f.inode,
            offset: self.lines.resume_offset(),
        })
    }

    /// Lines that held a marker but could not be read (the batch scan's `unparsed_lines`).
    pub fn unparsed_lines(&self) -> u64 {
        self.unparsed
    }

    /// Bytes read from log files so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    fn idle(source: Source) -> LogTail {
        LogTail {
            source,
            followed: None,
            lines: LineBuffer::new(0),
            buf: Vec::new(),
            unparsed: 0,
            bytes_read: 0,
        }
    }

    fn follow(&mut self, path: PathBuf, mut opened: Opened, offset: u64) -> Result<(), LogError> {
        opened
            .file
            .seek(SeekFrom::Start(offset))
            .map_err(io_error(&path))?;
        self.lines.reset(offset);
        self.followed = Some(Followed {
            file: opened.file,
            path,
            inode: opened.inode,
        });
        Ok(())
    }

    /// The file at `want`, opened, when it is not the one being read. The same file under a
    /// new name is just renamed, so nothing is read twice.
    fn replacement(&mut self, want: &Path) -> Result<Option<Opened>, LogError> {
        let Some(followed) = self.followed.as_mut() else {
            return Ok(None);
        };
        let Some(meta) = stat(want)? else {
            return Ok(None); // gone or not yet written: keep reading what is open
        };
        if inode(&meta) == followed.inode {
            if followed.path != want {
                followed.path = want.to_path_buf();
            }
            return Ok(None);
        }
        Ok(open(want)?.filter(|o| o.inode != followed.inode))
    }

    /// Reads what was appended to the followed file (from 0 if it was truncated).
    fn read_new(&mut self, events: &mut Vec<TailEvent>) -> Result<(), LogError> {
        let Some(followed) = self.followed.as_mut() else {
            return Ok(());
        };
        let len = followed
            .file
            .metadata()
            .map_err(io_error(&followed.path))?
            .len();
        if len < self.lines.end() {
            let at = At::of(followed);
            self.lines
                .finish(|line| emit(&line, &at, events, &mut self.unparsed));
            followed
                .file
                .seek(SeekFrom::Start(0))
                .map_err(io_error(&followed.path))?;
            self.lines.reset(0);
        }
        if len == self.lines.end() {
            return Ok(());
        }
        if self.buf.is_empty() {
            self.buf = vec![0; READ_CHUNK];
        }
        let at = At::of(followed);
        while self.lines.end() < len {
            let n = match followed.file.read(&mut self.buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_error(&followed.path)(e)),
            };
            self.bytes_read += n as u64;
            self.lines.push(&self.buf[..n], |line| {
                emit(&line, &at, events, &mut self.unparsed)
            });
        }
        Ok(())
    }

    /// Ends the followed file's unfinished last line: the tail is leaving the file.
    fn finish_line(&mut self, events: &mut Vec<TailEvent>) {
        if let Some(followed) = &self.followed {
            let at = At::of(followed);
            self.lines
                .finish(|line| emit(&line, &at, events, &mut self.unparsed));
        }
    }
}

/// The file an emitted line belongs to.
struct At {
    path: PathBuf,
    inode: u64,
}

impl At {
    fn of(followed: &Followed) -> At {
        At {
            path: followed.path.clone(),
            inode: followed.inode,
        }
    }
}

fn emit(line: &Line<'_>, at: &At, events: &mut Vec<TailEvent>, unparsed: &mut u64) {
    match classify_line(line.bytes) {
        None | Some(Classified::Counted) => {}
        Some(Classified::Unparsed) => *unparsed += 1,
        Some(Classified::Event(event)) => events.push(TailEvent {
            event,
            line_start: line.start,
            position: Position {
                path: at.path.clone(),
                inode: at.inode,
                offset: line.end,
            },
        }),
    }
}

/// The saved file, found under its path or a rotated name by its inode.
fn find_by_inode(saved: &Position) -> Result<Option<(PathBuf, Opened)>, LogError> {
    for path in with_rotations(&saved.path).into_iter().rev() {
        if stat(&path)?.is_some_and(|m| inode(&m) == saved.inode)
            && let Some(opened) = open(&path)?.filter(|o| o.inode == saved.inode)
        {
            return Ok(Some((path, opened)));
        }
    }
    Ok(None)
}

/// `path` opened for reading; `None` if it does not exist.
fn open(path: &Path) -> Result<Option<Opened>, LogError> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path)(e)),
    };
    let meta = file.metadata().map_err(io_error(path))?;
    Ok(Some(Opened {
        inode: inode(&meta),
        len: meta.len(),
        file,
    }))
}

fn stat(path: &Path) -> Result<Option<Metadata>, LogError> {
    match std::fs::metadata(path) {
        Ok(meta) => Ok(Some(meta)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error(path)(e)),
    }
}

#[cfg(unix)]
fn inode(meta: &Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

/// Without inodes a replaced file is seen only when it is shorter than what was read.
#[cfg(not(unix))]
fn inode(_: &Metadata) -> u64 {
    0
}

fn io_error(path: &Path) -> impl Fn(io::Error) -> LogError + '_ {
    move |source| LogError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests;
