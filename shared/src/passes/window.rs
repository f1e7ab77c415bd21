//! A cursor over one of Lever's timestamps (`updatedAt`, `deletedAt`), read as windows up to
//! a horizon. A first run reads everything up to the horizon as one window; a run cut short
//! halves the window it was in, so a large backfill advances over many runs instead of
//! restarting, and a window read to its end moves the cursor past it (the next window may be
//! twice as wide).

/// The narrowest window a cut-short run halves to.
const MIN_WINDOW_MS: i64 = 3600 * 1000;

/// Where a windowed read stands: from `start` (ms) up to `horizon`, all at once (`window`
/// `None`) or `window` ms at a time. Stored as `<start ms>` or `<start ms>/<window ms>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Windows {
    start: i64,
    window: Option<i64>,
    horizon: i64,
}

impl Windows {
    /// The stored cursor (absent or unreadable: from the beginning), read up to `horizon`.
    pub fn read(stored: Option<&str>, horizon: i64) -> Self {
        let mut parts = stored.unwrap_or_default().splitn(2, '/');
        let start = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        let window = parts.next().and_then(|p| p.parse().ok());
        Self {
            start,
            window,
            horizon,
        }
    }

    /// Start no earlier than `t`: nothing before it concerns the reader.
    pub fn skip_to(&mut self, t: i64) {
        self.start = self.start.max(t);
    }

    /// The window to read next, `(start, end)`; `None` once read up to the horizon.
    pub fn current(&self) -> Option<(i64, i64)> {
        (self.start < self.horizon).then(|| {
            let end = self
                .window
                .map_or(self.horizon, |w| (self.start + w).min(self.horizon));
            (self.start, end)
        })
    }

    /// Whether the window ending at `end` is the last before the horizon.
    pub fn is_last(&self, end: i64) -> bool {
        end >= self.horizon
    }

    /// The cursor to store when a run is cut short in the current window: the next run reads
    /// from its start, half as wide.
    pub fn cut_short(&self) -> String {
        let end = self.current().map_or(self.start, |(_, end)| end);
        format!(
            "{}/{}",
            self.start,
            ((end - self.start) / 2).max(MIN_WINDOW_MS)
        )
    }

    /// The current window was read to its end: move past it; returns the cursor to store.
    pub fn advance(&mut self) -> String {
        if let Some((_, end)) = self.current() {
            self.start = end;
            self.window = self.window.map(|w| w.saturating_mul(2));
        }
        match self.window {
            Some(w) if self.start < self.horizon => format!("{}/{w}", self.start),
            _ => self.start.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_reads_with_or_without_a_window() {
        let at = |stored: Option<&str>| Windows::read(stored, 10_000_000).current();
        assert_eq!(at(None), Some((0, 10_000_000)));
        assert_eq!(at(Some("1700")), Some((1700, 10_000_000)));
        assert_eq!(at(Some("1700/3600000")), Some((1700, 3_601_700)));
        assert_eq!(at(Some("garbage")), Some((0, 10_000_000)));
        assert_eq!(at(Some("10000000")), None, "read up to the horizon");
    }

    #[test]
    fn a_run_cut_short_halves_its_window_and_a_window_read_doubles_the_next() {
        let horizon = 100 * MIN_WINDOW_MS;
        let mut w = Windows::read(None, horizon);
        assert_eq!(w.cut_short(), format!("0/{}", 50 * MIN_WINDOW_MS));
        let mut w2 = Windows::read(Some(&w.cut_short()), horizon);
        assert_eq!(w2.current(), Some((0, 50 * MIN_WINDOW_MS)));
        assert!(!w2.is_last(50 * MIN_WINDOW_MS));
        assert_eq!(
            w2.advance(),
            format!("{}/{}", 50 * MIN_WINDOW_MS, 100 * MIN_WINDOW_MS)
        );
        assert_eq!(w2.current(), Some((50 * MIN_WINDOW_MS, horizon)));
        assert!(w2.is_last(horizon));
        assert_eq!(
            w2.advance(),
            horizon.to_string(),
            "the window is dropped at the horizon"
        );
        assert_eq!(w2.current(), None);
        // Never narrower than an hour.
        let narrow = Windows::read(Some("0/10"), horizon);
        assert_eq!(narrow.cut_short(), format!("0/{MIN_WINDOW_MS}"));
        // Read all at once.
        assert_eq!(w.advance(), horizon.to_string());
        assert_eq!(w.current(), None);
    }

    #[test]
    fn skipping_ahead_never_goes_back() {
        let mut w = Windows::read(Some("5000"), 10_000);
        w.skip_to(1000);
        assert_eq!(w.current(), Some((5000, 10_000)));
        w.skip_to(7000);
        assert_eq!(w.current(), Some((7000, 10_000)));
        w.skip_to(20_000);
        assert_eq!(w.current(), None);
    }
}
