//! The test build's fault switches that both sides read: whether this isolate sees the store and
//! KV as down. The production build has no switch: `store_down` is always false there.

#[cfg(feature = "fault-injection")]
thread_local! {
    static STORE_DOWN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the test-only switch says the store (KV and the Durable Object) is failing.
pub fn store_down() -> bool {
    #[cfg(feature = "fault-injection")]
    {
        STORE_DOWN.with(std::cell::Cell::get)
    }
    #[cfg(not(feature = "fault-injection"))]
    {
        false
    }
}

/// Makes this isolate see the store and KV as down or up (test builds only; see `switches`).
#[cfg(feature = "fault-injection")]
pub fn set_store_down(down: bool) {
    STORE_DOWN.with(|s| s.set(down));
}

#[cfg(feature = "fault-injection")]
thread_local! {
    /// Test builds: requests this isolate sent to the objects, by kind, since the last reset.
    /// Counted here rather than in the objects, whose memory goes when workerd evicts them.
    static CALLS: std::cell::RefCell<std::collections::BTreeMap<&'static str, u64>> = Default::default();
}

/// Test builds: counts one request of `kind` to an object.
#[cfg(feature = "fault-injection")]
pub fn count(kind: &'static str) {
    CALLS.with_borrow_mut(|calls| *calls.entry(kind).or_default() += 1);
}

/// Test builds: the requests this isolate sent to the objects since the last reset (then resets).
#[cfg(feature = "fault-injection")]
pub fn calls(reset: bool) -> serde_json::Value {
    CALLS.with_borrow_mut(|calls| {
        let value = serde_json::json!(calls);
        if reset {
            calls.clear();
        }
        value
    })
}

#[cfg(feature = "fault-injection")]
thread_local! {
    static PANIC_NEXT_READ: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Test builds: makes the next read document answered panic (`panic-next-read`), to show the Worker
/// recovers from a panic: worker-build's shim sees the trap and the next request gets a fresh instance.
#[cfg(feature = "fault-injection")]
pub fn panic_next_read() {
    PANIC_NEXT_READ.with(|p| p.set(true));
}

/// Test builds: panics once after [`panic_next_read`]; never in production.
pub fn maybe_panic_on_read() {
    #[cfg(feature = "fault-injection")]
    if PANIC_NEXT_READ.with(|p| p.replace(false)) {
        panic!("test switch: a panic while answering a read");
    }
}
