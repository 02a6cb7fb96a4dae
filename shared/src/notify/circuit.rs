//! A circuit per receiver host: a host that keeps not answering is not sent to for a while, so a
//! hanging receiver population (every Slack webhook, say) holds only its own deliveries, never the
//! send slots the other receivers' deliveries need.
//!
//! Pure: the consumer keeps one per isolate and passes the time in. What it decides:
//! - a host whose last [`OPEN_AFTER`] tries in a row went unanswered (a timeout: a refused
//!   connection fails at once and holds nothing, so the consumer does not count it) is *open*: tries to it are not sent but failed at once, for
//!   [`FIRST_OPEN_MS`], doubling with each further silence up to [`MAX_OPEN_MS`];
//! - once that time has passed, one try goes through (half open) while the others wait up to
//!   [`PROBE_MS`]; an answer of any status closes the circuit, another silence opens it again for
//!   longer;
//! - a host with a try unanswered for [`SLOW_MS`] is *slow*: while that try is out, new tries to it
//!   are not sent but put off for [`DEFER_MS`] (not counted as failures: they were never sent), so a
//!   slow or newly hanging host has one try out at a time per isolate, never every send slot, even
//!   before its silences open the circuit (per-host concurrency; an answering host is never held);
//! - at most [`MAX_HOSTS`] hosts are remembered (the oldest forgotten first), so a receiver list
//!   cannot grow the consumer's memory.
//!
//! The store still decides everything about order and retries: a try failed here is reported as
//! failed like any other, and the store's retry schedule applies.

use std::collections::HashMap;

/// Unanswered tries in a row that open a host's circuit.
pub const OPEN_AFTER: u32 = 2;
/// How long a circuit first stays open.
pub const FIRST_OPEN_MS: i64 = 30_000;
/// The longest a circuit stays open before one try goes through.
pub const MAX_OPEN_MS: i64 = 5 * 60_000;
/// How long the one try of a half-open circuit holds the others back (a send's longest timeout
/// and a margin).
pub const PROBE_MS: i64 = 12_000;
/// Hosts remembered at most.
pub const MAX_HOSTS: usize = 1_024;
/// How long a try goes unanswered before its host counts as slow. Receivers answer in well under
/// a second (Slack's and Discord's hooks, a webhook that queues its work).
pub const SLOW_MS: i64 = 1_000;
/// How long a try to a slow host is put off.
pub const DEFER_MS: i64 = 5_000;
/// A try still noted as out after this long was abandoned without its end being heard (its
/// sender was stopped mid-send): it is forgotten, so it cannot keep its host busy.
pub const FORGET_SENDING_MS: i64 = super::delivery::SEND_TIMEOUT_MS as i64 + 5_000;

/// What to do with a try to a host now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Send it.
    Send,
    /// Do not send: the host has not answered lately; it is tried again from this instant (ms).
    Open { until: i64 },
    /// Do not send yet: a try to the host has been waiting for its answer for [`SLOW_MS`]; put this
    /// one off until this instant (ms), without counting it as a failure.
    Busy { until: i64 },
}

/// A try on its way to a host (from [`Circuits::begin`] to [`Circuits::end`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sending(u64);

/// What came of a try that was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Heard {
    /// The host answered (any status: it is there).
    Answered,
    /// No answer within the timeout.
    Silent,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Host {
    silent: u32,
    open_until: i64,
    open_for: i64,
    seen: i64,
    /// Tries out now, with when each was sent.
    sending: Vec<(u64, i64)>,
}

/// The circuits of the hosts one consumer sends to.
#[derive(Debug, Default)]
pub struct Circuits {
    hosts: HashMap<String, Host>,
    sent: u64,
}

impl Circuits {
    /// Whether a try to `host` may be sent at `now`. Once an open circuit's wait is over, one try
    /// goes through (half open) and the others wait until it is heard or [`PROBE_MS`] pass.
    pub fn gate(&mut self, host: &str, now: i64) -> Gate {
        if let Some(h) = self.hosts.get_mut(host) {
            h.sending.retain(|(_, at)| *at + FORGET_SENDING_MS > now);
        }
        match self.hosts.get_mut(host) {
            Some(h) if h.open_until > now => Gate::Open { until: h.open_until },
            Some(h) if h.sending.iter().any(|(_, at)| *at + SLOW_MS <= now) => Gate::Busy { until: now + DEFER_MS },
            Some(h) if h.open_until != 0 => {
                h.open_until = now + PROBE_MS;
                Gate::Send
            }
            _ => Gate::Send,
        }
    }

    /// A try to `host` is sent at `now` (after [`Circuits::gate`] said so).
    pub fn begin(&mut self, host: &str, now: i64) -> Sending {
        self.sent += 1;
        let sent = self.sent;
        self.host(host, now).sending.push((sent, now));
        Sending(sent)
    }

    /// The try `sending` to `host` ended at `now`: what was heard, or `None` when nothing can be
    /// said of the host (the connection was refused at once: it holds nothing).
    pub fn end(&mut self, host: &str, sending: Sending, heard: Option<Heard>, now: i64) {
        let entry = self.host(host, now);
        entry.sending.retain(|(n, _)| *n != sending.0);
        if let Some(heard) = heard {
            self.record(host, heard, now);
        }
    }

    fn host(&mut self, host: &str, now: i64) -> &mut Host {
        if !self.hosts.contains_key(host) && self.hosts.len() >= MAX_HOSTS {
            let oldest = self.hosts.iter().min_by_key(|(_, h)| h.seen).map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.hosts.remove(&oldest);
            }
        }
        let entry = self.hosts.entry(host.to_owned()).or_default();
        entry.seen = now;
        entry
    }

    /// Records what came of a try sent to `host` at `now`.
    pub fn record(&mut self, host: &str, heard: Heard, now: i64) {
        let entry = self.host(host, now);
        match heard {
            Heard::Answered => {
                let sending = std::mem::take(&mut entry.sending);
                *entry = Host { seen: now, sending, ..Host::default() };
            }
            Heard::Silent => {
                entry.silent += 1;
                if entry.silent >= OPEN_AFTER {
                    entry.open_for =
                        if entry.open_for == 0 { FIRST_OPEN_MS } else { (entry.open_for * 2).min(MAX_OPEN_MS) };
                    entry.open_until = now + entry.open_for;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn a_silent_host_is_left_alone_for_longer_each_time_and_an_answer_closes_it() {
        let mut c = Circuits::default();
        assert_eq!(c.gate("hooks.slack.com", 0), Gate::Send);
        c.record("hooks.slack.com", Heard::Silent, 0);
        assert_eq!(c.gate("hooks.slack.com", 1), Gate::Send, "one silence is not a pattern");
        c.record("hooks.slack.com", Heard::Silent, 10);
        assert_eq!(c.gate("hooks.slack.com", 11), Gate::Open { until: 10 + FIRST_OPEN_MS });
        assert_eq!(c.gate("example.com", 11), Gate::Send, "other hosts are not held");
        // Half open: one try after the wait, the others held; silence again opens it for twice as long.
        assert_eq!(c.gate("hooks.slack.com", 10 + FIRST_OPEN_MS), Gate::Send);
        assert_eq!(
            c.gate("hooks.slack.com", 11 + FIRST_OPEN_MS),
            Gate::Open { until: 10 + FIRST_OPEN_MS + PROBE_MS },
            "one try while half open"
        );
        c.record("hooks.slack.com", Heard::Silent, 40_000);
        assert_eq!(c.gate("hooks.slack.com", 40_001), Gate::Open { until: 40_000 + 2 * FIRST_OPEN_MS });
        for n in 0..10 {
            c.record("hooks.slack.com", Heard::Silent, 100_000 + n);
        }
        assert_eq!(c.gate("hooks.slack.com", 100_010), Gate::Open { until: 100_009 + MAX_OPEN_MS });
        c.record("hooks.slack.com", Heard::Answered, 500_000);
        assert_eq!(c.gate("hooks.slack.com", 500_001), Gate::Send);
        assert_eq!(c.gate("hooks.slack.com", 500_001), Gate::Send, "closed: every try goes");
        c.record("hooks.slack.com", Heard::Silent, 500_002);
        assert_eq!(c.gate("hooks.slack.com", 500_003), Gate::Send, "an answer starts the count again");
    }

    /// Review 2, finding 7 (per-host concurrency): while a try to a host waits for its answer past
    /// SLOW_MS, new tries to that host are put off, not sent; other hosts, and a host that answers,
    /// are not held.
    #[test]
    fn a_host_with_a_try_unanswered_for_a_second_gets_no_more_tries_until_it_ends() {
        let mut c = Circuits::default();
        let first = c.begin("hang.example", 0);
        let second = c.begin("hang.example", 10);
        assert_eq!(c.gate("hang.example", SLOW_MS - 1), Gate::Send, "not slow yet: several tries may be out");
        assert_eq!(c.gate("hang.example", SLOW_MS), Gate::Busy { until: SLOW_MS + DEFER_MS });
        assert_eq!(c.gate("ok.example", SLOW_MS), Gate::Send, "other hosts are not held");
        let fast = c.begin("ok.example", SLOW_MS);
        c.end("ok.example", fast, Some(Heard::Answered), SLOW_MS + 50);
        assert_eq!(c.gate("ok.example", 10 * SLOW_MS), Gate::Send, "a host that answers is never held");
        c.end("hang.example", first, Some(Heard::Silent), 10_000);
        assert_eq!(c.gate("hang.example", 10_001), Gate::Busy { until: 10_001 + DEFER_MS }, "one is still out");
        c.end("hang.example", second, Some(Heard::Silent), 10_010);
        assert_eq!(c.gate("hang.example", 10_011), Gate::Open { until: 10_010 + FIRST_OPEN_MS }, "two silences");
        // A refused connection ends its try and says nothing of the host.
        let refused = c.begin("down.example", 0);
        c.end("down.example", refused, None, 1);
        assert_eq!(c.gate("down.example", 5 * SLOW_MS), Gate::Send);
    }

    /// The hostile review of finding 7's fix: a try whose sender was stopped mid-send never ends;
    /// it must not keep its host busy for the life of the isolate.
    #[test]
    fn a_try_never_ended_is_forgotten_after_the_longest_send() {
        let mut c = Circuits::default();
        let _lost = c.begin("h.example", 0);
        assert_eq!(c.gate("h.example", SLOW_MS), Gate::Busy { until: SLOW_MS + DEFER_MS });
        assert_eq!(c.gate("h.example", FORGET_SENDING_MS), Gate::Send);
    }

    #[test]
    fn memory_is_bounded() {
        let mut c = Circuits::default();
        for n in 0..(MAX_HOSTS as i64 + 10) {
            c.record(&format!("h{n}.example.com"), Heard::Silent, n);
        }
        assert_eq!(c.hosts.len(), MAX_HOSTS);
        assert!(!c.hosts.contains_key("h0.example.com"), "the oldest went first");
    }
}
