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
