//! Bytes read from a growing file, cut into lines for the tail. A partial last line waits for
//! its newline; a line longer than the bound keeps only its head, so a writer that never ends
//! a line cannot make a long-running follower's memory grow.

/// The longest line kept whole; the rest of a longer line is dropped.
pub(super) const MAX_LINE: usize = 64 * 1024;

/// One complete line: its bytes (without the newline, cut to the bound) and where it lies in
/// the file (`end` is just past its newline).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Line<'a> {
    pub bytes: &'a [u8],
    pub start: u64,
    pub end: u64,
}

#[derive(Debug)]
pub(super) struct LineBuffer {
    max: usize,
    /// The head of the unfinished line, at most `max` bytes.
    partial: Vec<u8>,
    /// Whether the unfinished line already had more than `max` bytes.
    cut: bool,
    /// Where the unfinished line starts in the file.
    start: u64,
    /// The file offset just past the last byte pushed.
    end: u64,
}

impl LineBuffer {
    /// An empty buffer whose next byte is at `offset` in the file.
    pub fn new(offset: u64) -> LineBuffer {
        LineBuffer::with_max(offset, MAX_LINE)
    }

    fn with_max(offset: u64, max: usize) -> LineBuffer {
        LineBuffer {
            max,
            partial: Vec::new(),
            cut: false,
            start: offset,
            end: offset,
        }
    }

    /// Cuts `chunk` (the file's bytes from [`LineBuffer::end`] on) into lines and hands every
    /// complete one to `each`.
    pub fn push(&mut self, chunk: &[u8], mut each: impl FnMut(Line<'_>)) {
        let mut rest = chunk;
        while let Some(nl) = memchr::memchr(b'\n', rest) {
            let end = self.end + nl as u64 + 1;
            if self.partial.is_empty() && !self.cut {
                // The whole line is in this chunk: no copy.
                let whole = &rest[..nl];
                let bytes = if whole.len() > self.max {
                    utf8_head(&whole[..self.max])
                } else {
                    whole
                };
                each(Line {
                    bytes,
                    start: self.start,
                    end,
                });
            } else {
                self.keep(&rest[..nl]);
                each(self.pending(end));
                self.partial.clear();
                self.cut = false;
            }
            self.start = end;
            self.end = end;
            rest = &rest[nl + 1..];
        }
        self.keep(rest);
        self.end += rest.len() as u64;
    }

    /// Ends the unfinished line, if any, as it stands: its file will not grow any more (it was
    /// rotated away or truncated).
    pub fn finish(&mut self, mut each: impl FnMut(Line<'_>)) {
        if self.end > self.start {
            each(self.pending(self.end));
        }
        self.reset(self.end);
    }

    /// Forgets any unfinished line and continues at `offset`.
    pub fn reset(&mut self, offset: u64) {
        self.partial.clear();
        self.cut = false;
        self.start = offset;
        self.end = offset;
    }

    /// Where the first byte not yet handed out in a line lies: a reader that stops here and
    /// comes back later misses nothing and repeats nothing.
    pub fn resume_offset(&self) -> u64 {
        self.start
    }

    /// The file offset just past the last byte pushed: where the next read continues.
    pub fn end(&self) -> u64 {
        self.end
    }

    fn keep(&mut self, bytes: &[u8]) {
        let room = self.max - self.partial.len();
        if bytes.len() > room {
            self.cut = true;
        }
        self.partial
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    fn pending(&self, end: u64) -> Line<'_> {
        let bytes = if self.cut {
            utf8_head(&self.partial)
        } else {
            &self.partial
        };
        Line {
            bytes,
            start: self.start,
            end,
        }
    }

    #[cfg(test)]
    pub(super) fn buffered(&self) -> usize {
        self.partial.len()
    }
}

/// `bytes` without a UTF-8 sequence that the cut split in two, so a cut line stays text.
fn utf8_head(bytes: &[u8]) -> &[u8] {
    match std::str::from_utf8(bytes) {
        Err(e) if e.error_len().is_none() => &bytes[..e.valid_up_to()],
        _ => bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(buf: &mut LineBuffer, chunk: &[u8]) -> Vec<(String, u64, u64)> {
        let mut out = Vec::new();
        buf.push(chunk, |l| {
            out.push((
                String::from_utf8_lossy(l.bytes).into_owned(),
                l.start,
                l.end,
            ))
        });
        out
    }

    #[test]
    fn lines_across_chunks_keep_their_offsets() {
        let mut buf = LineBuffer::new(100);
        assert_eq!(lines(&mut buf, b"one\ntw"), [("one".to_string(), 100, 104)]);
        assert_eq!(buf.resume_offset(), 104);
        assert_eq!(buf.end(), 106);
        assert_eq!(lines(&mut buf, b"o"), []);
        assert_eq!(
            lines(&mut buf, b"\n\nthree\n"),
            [
                ("two".to_string(), 104, 108),
                (String::new(), 108, 109),
                ("three".to_string(), 109, 115)
            ]
        );
        assert_eq!((buf.resume_offset(), buf.end()), (115, 115));
    }

    #[test]
    fn a_long_line_keeps_its_head_and_its_true_end() {
        let mut buf = LineBuffer::with_max(0, 8);
        assert_eq!(lines(&mut buf, b"0123456789abc"), []);
        assert_eq!(buf.buffered(), 8);
        assert_eq!(lines(&mut buf, &[b'x'; 1000]), []);
        assert_eq!(buf.buffered(), 8, "the dropped tail is not kept");
        assert_eq!(
            lines(&mut buf, b"yz\nnext\n"),
            [
                ("01234567".to_string(), 0, 1016),
                ("next".to_string(), 1016, 1021)
            ]
        );
        // Whole in one chunk, too.
        assert_eq!(
            lines(&mut buf, b"0123456789\n"),
            [("01234567".to_string(), 1021, 1032)]
        );
    }

    #[test]
    fn a_cut_does_not_split_a_character() {
        let mut buf = LineBuffer::with_max(0, 8);
        // `é` is two bytes at offsets 7 and 8: the cut at 8 would split it.
        let got = lines(&mut buf, "abcdefgé and more\n".as_bytes());
        assert_eq!(got, [("abcdefg".to_string(), 0, 19)]);
    }

    #[test]
    fn finish_ends_a_partial_line_and_reset_forgets_it() {
        let mut buf = LineBuffer::new(0);
        assert_eq!(lines(&mut buf, b"done\nhalf"), [("done".to_string(), 0, 5)]);
        let mut ended = Vec::new();
        buf.finish(|l| ended.push((l.bytes.to_vec(), l.start, l.end)));
        assert_eq!(ended, [(b"half".to_vec(), 5, 9)]);
        buf.finish(|_| panic!("nothing is pending"));
        assert_eq!(lines(&mut buf, b"more"), []);
        buf.reset(0);
        assert_eq!((buf.resume_offset(), buf.end(), buf.buffered()), (0, 0, 0));
    }
}
