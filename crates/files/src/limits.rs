//! Bounds on what reading one file may cost, so that no upload, however built, can take the
//! server's memory or time: rows are streamed, workbooks are measured before they are opened,
//! and errors are kept up to a count.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// What a file may cost. `from_env` reads the configuration; `Default` is what ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// All parts of a workbook together, inflated (`LEAPFROG_XLSX_MAX_INFLATED_MB`).
    pub max_inflated_bytes: u64,
    /// The parts of a workbook read whole into memory (shared strings, styles), inflated
    /// (`LEAPFROG_XLSX_MAX_STRINGS_MB`); worksheets are streamed.
    pub max_held_bytes: u64,
    /// One row of a table as text (`LEAPFROG_MAX_ROW_KB`).
    pub max_row_bytes: u64,
    /// Errors kept for the answer; the rest are counted (`LEAPFROG_MAX_ERRORS`).
    pub max_errors: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_inflated_bytes: 1 << 30, max_held_bytes: 64 << 20, max_row_bytes: 1 << 20, max_errors: 200 }
    }
}

impl Limits {
    /// The shipped limits, with any the environment sets instead; a value that is not a positive
    /// whole number is an error naming the variable.
    pub fn from_env() -> Result<Limits, String> {
        let mut l = Limits::default();
        let read = |name: &str, unit: u64, into: &mut u64| -> Result<(), String> {
            if let Ok(v) = std::env::var(name) {
                let n: u64 = v
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("环境变量 {name}=“{v}”应为正整数 / {name} must be a positive whole number"))?;
                *into = n.saturating_mul(unit);
            }
            Ok(())
        };
        read("LEAPFROG_XLSX_MAX_INFLATED_MB", 1 << 20, &mut l.max_inflated_bytes)?;
        read("LEAPFROG_XLSX_MAX_STRINGS_MB", 1 << 20, &mut l.max_held_bytes)?;
        read("LEAPFROG_MAX_ROW_KB", 1 << 10, &mut l.max_row_bytes)?;
        let mut errors = l.max_errors as u64;
        read("LEAPFROG_MAX_ERRORS", 1, &mut errors)?;
        l.max_errors = errors.min(100_000) as usize;
        Ok(l)
    }
}

/// Megabytes for messages.
pub(crate) fn mb(bytes: u64) -> String {
    format!("{} MB", bytes.div_ceil(1 << 20))
}

pub use domain::shorten;

/// Counts the bytes read since the last row ended and fails once one row passes the limit: the
/// CSV reader would otherwise hold a single giant cell whole.
pub(crate) struct RowBound<R> {
    inner: R,
    since_row: Arc<AtomicU64>,
    limit: u64,
}

impl<R> RowBound<R> {
    /// The reader and the counter the table resets after every row.
    pub(crate) fn new(inner: R, limit: u64) -> (RowBound<R>, Arc<AtomicU64>) {
        let since_row = Arc::new(AtomicU64::new(0));
        (RowBound { inner, since_row: since_row.clone(), limit }, since_row)
    }
}

/// The CSV reader reads ahead by at most its buffer; a row is over the limit only beyond that.
const READ_AHEAD: u64 = 64 << 10;

impl<R: Read> Read for RowBound<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.since_row.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if total > self.limit + READ_AHEAD {
            return Err(io::Error::new(io::ErrorKind::InvalidData, RowTooLong(self.limit)));
        }
        Ok(n)
    }
}

#[derive(Debug)]
pub(crate) struct RowTooLong(pub u64);

impl std::fmt::Display for RowTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "一行超过 {} KB,文件中有异常大的单元格 / a row is longer than {} KB", self.0 >> 10, self.0 >> 10)
    }
}

impl std::error::Error for RowTooLong {}

/// Decodes GB18030 (GBK) into UTF-8 as it is read, so a file of any size costs a buffer.
pub(crate) struct Gb18030<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Box<[u8]>,
    start: usize,
    end: usize,
    input_done: bool,
    output: Box<[u8]>,
    out_start: usize,
    out_end: usize,
    finished: bool,
}

impl<R: Read> Gb18030<R> {
    pub(crate) fn new(inner: R) -> Self {
        Gb18030 {
            inner,
            decoder: encoding_rs::GB18030.new_decoder_without_bom_handling(),
            input: vec![0; 64 << 10].into_boxed_slice(),
            start: 0,
            end: 0,
            input_done: false,
            output: vec![0; 128 << 10].into_boxed_slice(),
            out_start: 0,
            out_end: 0,
            finished: false,
        }
    }
}

impl<R: Read> Read for Gb18030<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_start < self.out_end {
                let n = buf.len().min(self.out_end - self.out_start);
                buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if self.finished {
                return Ok(0);
            }
            if self.start == self.end && !self.input_done {
                self.end = self.inner.read(&mut self.input)?;
                self.start = 0;
                self.input_done = self.end == 0;
            }
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.start..self.end],
                &mut self.output,
                self.input_done,
            );
            self.start += read;
            self.out_start = 0;
            self.out_end = written;
            match result {
                encoding_rs::DecoderResult::Malformed(..) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "既不是 UTF-8 也不是 GB18030 编码 / neither UTF-8 nor GB18030",
                    ));
                }
                encoding_rs::DecoderResult::InputEmpty if self.input_done => self.finished = true,
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gb18030_is_decoded_as_a_stream_across_buffer_boundaries() {
        let text = "统一社会信用代码,月份\n".repeat(20_000);
        let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
        // One byte at a time from below, so every multi-byte character is split somewhere.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(buf.len()).min(7);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = String::new();
        Gb18030::new(Trickle(&bytes)).read_to_string(&mut out).unwrap();
        assert_eq!(out, text);
    }

    #[test]
    fn malformed_gb18030_is_an_error_not_a_replacement() {
        let mut out = String::new();
        let err = Gb18030::new(&[0xB9u8, 0xFF, 0x30][..]).read_to_string(&mut out).unwrap_err();
        assert!(err.to_string().contains("GB18030"), "{err}");
    }

    #[test]
    fn long_values_are_shortened_in_messages() {
        let long = "数".repeat(10_000);
        let s = shorten(&long);
        assert!(s.chars().count() < 100, "{s}");
        assert!(s.contains("10000"), "{s}");
        assert_eq!(shorten("2022-06"), "2022-06");
    }

    #[test]
    fn a_row_past_the_limit_fails_the_read() {
        let data = vec![b'x'; 300 << 10];
        let (mut r, _) = RowBound::new(&data[..], 100 << 10);
        let mut sink = Vec::new();
        let err = r.read_to_end(&mut sink).unwrap_err();
        assert!(err.to_string().contains("100 KB"), "{err}");
    }
}
