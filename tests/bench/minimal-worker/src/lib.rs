//! The smallest workers-rs Worker: one fetch handler answering a fixed JSON body. `cargo xtask
//! bench edge` starts it in workerd beside sitrep's Worker to tell what workers-rs itself costs at
//! startup (instantiating the module, the shim) from what sitrep adds.

#[worker::event(fetch)]
async fn fetch(_req: worker::Request, _env: worker::Env, _ctx: worker::Context) -> worker::Result<worker::Response> {
    worker::Response::from_bytes(br#"{"status":"ok"}"#.to_vec())
}
