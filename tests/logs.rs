//! Log capture, so tests can prove no PII or secret leaks: [`capture`] collects one test's
//! log lines (its own thread's subscriber: a `#[tokio::test]` runs the hub, the dispatcher
//! and the fakes on that thread), [`install`] a process-wide subscriber for the rest.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn buffer() -> &'static Buffer {
    static B: OnceLock<Buffer> = OnceLock::new();
    B.get_or_init(Buffer::default)
}

/// Install the capturing subscriber (debug level, JSON like production) once per process.
pub fn install() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let _ = tracing_subscriber::fmt()
            .json()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_writer(buffer().clone())
            .try_init();
    });
}

/// The log lines of one test, from [`capture`] until it is dropped.
pub struct Capture {
    buffer: Buffer,
    _guard: tracing::subscriber::DefaultGuard,
}

impl Capture {
    /// Everything this test logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buffer.0.lock().unwrap_or_else(|p| p.into_inner()))
            .into_owned()
    }
}

/// Capture this thread's log lines (debug level, JSON like production) while the returned
/// value lives. Use it in a current-thread `#[tokio::test]`, so every task logs here.
pub fn capture() -> Capture {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
        .with_writer(buffer.clone())
        .finish();
    Capture {
        _guard: tracing::subscriber::set_default(subscriber),
        buffer,
    }
}
