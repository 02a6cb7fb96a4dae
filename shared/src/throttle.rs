//! Failed-login throttling for the write API: after [`LIMIT`] failures from one client within
//! [`WINDOW_MS`], that client is refused until the window ends, without its token being checked.
//!
//! The edge keeps one [`Throttle`] per isolate and counts failures across isolates with
//! Cloudflare's Rate Limiting binding; when that says a client failed too often, the isolate locks
//! the client with [`Throttle::lock`]. The admin token's entropy (at least 32 characters) is the
//! real protection; this keeps online guessing slow and the logs quiet.

/// Failures allowed per client per window.
pub const LIMIT: u32 = 10;
/// The window, in milliseconds.
pub const WINDOW_MS: u64 = 60_000;
/// Clients remembered; the stalest are forgotten first, so memory stays bounded under a flood.
pub const MAX_CLIENTS: usize = 4_096;

/// Failure counts per client key (an IP address), each in its own fixed window.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Throttle {
    clients: Vec<(String, u64, u32)>,
}

impl Throttle {
    /// `Err(seconds to wait)` when `client` has used up its failures in the current window.
    pub fn check(&self, client: &str, now_ms: u64) -> Result<(), u64> {
        match self.clients.iter().find(|(key, _, _)| key == client) {
            Some((_, start, count)) if *count >= LIMIT && now_ms < start + WINDOW_MS => {
                Err((start + WINDOW_MS - now_ms).div_ceil(1000).max(1))
            }
            _ => Ok(()),
        }
    }

    /// Counts a failed attempt by `client`.
    pub fn failed(&mut self, client: &str, now_ms: u64) {
        if let Some(entry) = self.clients.iter_mut().find(|(key, _, _)| key == client) {
            if now_ms >= entry.1 + WINDOW_MS {
                *entry = (entry.0.clone(), now_ms, 0);
            }
            entry.2 = entry.2.saturating_add(1);
            return;
        }
        if self.clients.len() >= MAX_CLIENTS {
            self.clients.retain(|(_, start, _)| now_ms < start + WINDOW_MS);
            if self.clients.len() >= MAX_CLIENTS {
                self.clients.sort_by_key(|(_, start, _)| *start);
                self.clients.drain(..MAX_CLIENTS / 4);
            }
        }
        self.clients.push((client.to_owned(), now_ms, 1));
    }

    /// Refuses `client` for a whole window from now (another isolate's count says it failed too often).
    pub fn lock(&mut self, client: &str, now_ms: u64) {
        self.succeeded(client);
        self.failed(client, now_ms);
        if let Some(entry) = self.clients.iter_mut().find(|(key, _, _)| key == client) {
            entry.2 = LIMIT;
        }
    }

    /// A correct token clears the client's failures.
    pub fn succeeded(&mut self, client: &str) {
        self.clients.retain(|(key, _, _)| key != client);
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_lock_refuses_for_a_whole_window() {
        let mut throttle = super::Throttle::default();
        throttle.lock("a", 1_000);
        assert_eq!(throttle.check("a", 1_000), Err(60));
        assert_eq!(throttle.check("b", 1_000), Ok(()));
        assert_eq!(throttle.check("a", 61_000), Ok(()));
    }

    use super::*;

    #[test]
    fn locks_a_client_after_the_limit_until_the_window_ends() {
        let mut t = Throttle::default();
        for n in 0..LIMIT {
            assert_eq!(t.check("a", 1_000 + u64::from(n)), Ok(()));
            t.failed("a", 1_000 + u64::from(n));
        }
        assert_eq!(t.check("a", 2_000), Err(59));
        assert_eq!(t.check("b", 2_000), Ok(()), "other clients are not affected");
        assert_eq!(t.check("a", 1_000 + WINDOW_MS), Ok(()), "a new window");
        t.failed("a", 1_000 + WINDOW_MS);
        assert_eq!(t.check("a", 1_000 + WINDOW_MS), Ok(()), "the count restarted");
    }

    #[test]
    fn success_clears_and_memory_stays_bounded() {
        let mut t = Throttle::default();
        for _ in 0..LIMIT {
            t.failed("a", 0);
        }
        t.succeeded("a");
        assert_eq!(t.check("a", 1), Ok(()));
        for n in 0..(MAX_CLIENTS as u64 * 2) {
            t.failed(&format!("flood-{n}"), 5);
        }
        assert!(t.clients.len() <= MAX_CLIENTS);
    }
}
