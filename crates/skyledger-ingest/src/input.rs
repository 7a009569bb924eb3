//! Opening inputs: compression detection (gzip, zip), a decompression thread, and the prefix peek.

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;

use crate::error::IngestError;

/// What the first bytes say a stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Gzip,
    Zip,
    Parquet,
    Plain,
}

/// Classify by magic bytes.
pub fn container_of(head: &[u8]) -> Container {
    if head.starts_with(&[0x1f, 0x8b]) {
        Container::Gzip
    } else if head.starts_with(b"PK\x03\x04") {
        Container::Zip
    } else if head.starts_with(b"PAR1") {
        Container::Parquet
    } else {
        Container::Plain
    }
}

/// A byte stream fed by a thread (decompression runs on the second core).
pub struct ChannelReader {
    rx: Receiver<io::Result<Vec<u8>>>,
    cur: Vec<u8>,
    pos: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.cur.len() {
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    self.cur = chunk;
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.cur.len() - self.pos);
        out[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

const CHUNK: usize = 256 * 1024;

type Tx = SyncSender<io::Result<Vec<u8>>>;

/// Run a producer on a thread, handing its bytes over in bounded chunks (at most 4 in flight).
fn spawn_producer(f: impl FnOnce(&Tx) + Send + 'static) -> ChannelReader {
    let (tx, rx) = sync_channel::<io::Result<Vec<u8>>>(4);
    thread::spawn(move || f(&tx));
    ChannelReader {
        rx,
        cur: Vec::new(),
        pos: 0,
    }
}

/// Copy `src` into the channel in whole chunks; `false` once the consumer is gone or on error.
fn pump(src: &mut dyn Read, tx: &Tx) -> bool {
    loop {
        let mut buf = vec![0u8; CHUNK];
        let mut filled = 0;
        let res = loop {
            match src.read(&mut buf[filled..]) {
                Ok(0) => break Ok(true),
                Ok(n) => {
                    filled += n;
                    if filled == buf.len() {
                        break Ok(false);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        buf.truncate(filled);
        if filled > 0 && tx.send(Ok(buf)).is_err() {
            return false;
        }
        match res {
            Ok(true) => return true,
            Ok(false) => {}
            Err(e) => {
                let _ = tx.send(Err(e));
                return false;
            }
        }
    }
}

/// Decompress gzip (one or more members) on a thread.
pub fn gunzip_on_thread(src: Box<dyn Read + Send>) -> ChannelReader {
    spawn_producer(move |tx| {
        let mut d = flate2::read::MultiGzDecoder::new(src);
        pump(&mut d, tx);
    })
}

/// Stream the single file inside a zip archive on a thread (CUR `.zip` deliveries hold one
/// CSV); an archive holding several files is refused, naming the count.
pub fn unzip_on_thread(src: Box<dyn Read + Send>) -> ChannelReader {
    spawn_producer(move |tx| {
        let mut src = src;
        let mut files = 0usize;
        loop {
            match zip::read::read_zipfile_from_stream(&mut src) {
                Ok(Some(mut entry)) => {
                    if entry.is_dir() {
                        continue;
                    }
                    files += 1;
                    if files > 1 {
                        let _ = tx.send(Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            "the zip archive holds more than one file; give the files one by one or via the delivery manifest",
                        )));
                        return;
                    }
                    if !pump(&mut entry, tx) {
                        return;
                    }
                }
                Ok(None) => {
                    if files == 0 {
                        let _ = tx.send(Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            "the zip archive holds no file",
                        )));
                    }
                    return;
                }
                Err(e) => {
                    let _ = tx.send(Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        e.to_string(),
                    )));
                    return;
                }
            }
        }
    })
}

/// Read up to `max` bytes, stopping early once `stop` says enough was seen.
fn read_prefix(r: &mut dyn Read, max: usize, stop: impl Fn(&[u8]) -> bool) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(8192);
    let mut buf = [0u8; 8192];
    while prefix.len() < max && !stop(&prefix) {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        prefix.extend_from_slice(&buf[..n]);
    }
    Ok(prefix)
}

/// A plain (decompressed) text stream with its first bytes already read for sniffing.
pub struct Peeked {
    pub prefix: Vec<u8>,
    pub stream: Box<dyn Read + Send>,
}

impl Peeked {
    /// The whole stream again, prefix first.
    pub fn into_reader(self) -> Box<dyn Read + Send> {
        Box::new(Cursor::new(self.prefix).chain(self.stream))
    }
}

/// The opened input before format detection.
pub enum Opened {
    Parquet(File),
    /// Parquet bytes that came from a stream (Parquet needs random access).
    ParquetBytes(Vec<u8>),
    Text(Peeked),
}

/// Open `r`, undoing gzip/zip, and peek the first line(s) of text.
pub fn open_stream(
    name: &str,
    mut r: Box<dyn Read + Send>,
    file: Option<File>,
) -> Result<Opened, IngestError> {
    let head = read_prefix(&mut r, 4, |p| p.len() >= 4).map_err(|e| IngestError::io(name, e))?;
    if head.is_empty() {
        return Err(IngestError::Empty { file: name.into() });
    }
    let container = container_of(&head);
    let whole: Box<dyn Read + Send> = Box::new(Cursor::new(head).chain(r));
    let text: Box<dyn Read + Send> = match container {
        Container::Parquet => {
            return match file {
                Some(f) => Ok(Opened::Parquet(f)),
                None => {
                    let mut all = Vec::new();
                    let mut w = whole;
                    w.read_to_end(&mut all)
                        .map_err(|e| IngestError::io(name, e))?;
                    Ok(Opened::ParquetBytes(all))
                }
            };
        }
        Container::Gzip => Box::new(gunzip_on_thread(whole)),
        Container::Zip => Box::new(unzip_on_thread(whole)),
        Container::Plain => whole,
    };
    let mut text = text;
    let prefix = read_prefix(&mut text, 1 << 20, |p| p.contains(&b'\n'))
        .map_err(|e| IngestError::io(name, e))?;
    if prefix.iter().all(|b| b.is_ascii_whitespace()) && prefix.len() < (1 << 20) {
        return Err(IngestError::Empty { file: name.into() });
    }
    Ok(Opened::Text(Peeked {
        prefix,
        stream: text,
    }))
}

/// Open a file path.
pub fn open_path(path: &Path) -> Result<Opened, IngestError> {
    let name = path.display().to_string();
    let f = File::open(path).map_err(|e| IngestError::io(&name, e))?;
    let f2 = f.try_clone().map_err(|e| IngestError::io(&name, e))?;
    open_stream(
        &name,
        Box::new(io::BufReader::with_capacity(CHUNK, f)),
        Some(f2),
    )
}
