//! The smallest workers-rs Worker that answers like sitrep's hot path: every request gets the same
//! 9,166-byte body (the summary's size in the bench) and four headers, from objects built once, and
//! it takes and returns the runtime's own request and response. `cargo xtask bench edge` runs it
//! beside sitrep's Worker and the bare JavaScript worker: its startup is the baseline, and its
//! throughput is the floor of any workers-rs Worker on this machine (the generated shim and the
//! async export around every call), so sitrep's figures can be split into what workers-rs costs and
//! what sitrep adds.

use std::cell::OnceCell;

use web_sys::{Headers, ResponseInit};

/// The body's length: the bench's summary.
const BODY_BYTES: usize = 9_166;

thread_local! {
    static PARTS: OnceCell<Option<(js_sys::Uint8Array, ResponseInit)>> = const { OnceCell::new() };
}

fn parts() -> Option<(js_sys::Uint8Array, ResponseInit)> {
    let headers = Headers::new().ok()?;
    for (name, value) in [
        ("content-type", "application/json; charset=utf-8"),
        ("etag", "\"minimal\""),
        ("cache-control", "public, max-age=30"),
        ("access-control-allow-origin", "*"),
    ] {
        headers.set(name, value).ok()?;
    }
    let init = ResponseInit::new();
    init.set_status(200);
    init.set_headers_headers(&headers);
    Some((js_sys::Uint8Array::from(vec![b' '; BODY_BYTES].as_slice()), init))
}

#[worker::event(fetch)]
async fn fetch(_req: web_sys::Request, _env: worker::Env, _ctx: worker::Context) -> worker::Result<web_sys::Response> {
    let response = PARTS.with(|cell| {
        let (body, init) = cell.get_or_init(parts).as_ref()?;
        web_sys::Response::new_with_opt_buffer_source_and_init(Some(body), init).ok()
    });
    response.ok_or_else(|| worker::Error::RustError("no response".into()))
}
