//! The queue consumer: each message wakes one subscription; the consumer asks the delivery object for its
//! next try, sends it, reports what came of it, and goes on while it has more.
//!
//! A send never decides anything: the delivery object built, signed and leased the try
//! (`delivery::claims`).
//! What the consumer guards is the Worker and the other subscribers:
//!
//! - the receiver URL is checked again before the request (`notify::target`), so a refused target
//!   never gets a packet;
//! - redirects are not followed (`redirect: "manual"`): a `Location` is a target nobody checked;
//! - the receiver has 10 s to answer (a chat hook 4 s; an `AbortSignal`), and its body is never
//!   read, only cancelled: a stalled or 10 MB answer costs one connection, not memory or time;
//! - a host that keeps not answering (its tries time out) is not sent to for a while (`notify::circuit`, one per
//!   isolate): its tries fail at once and the delivery object retries them later, so a hanging receiver
//!   population holds its own deliveries only, not the send slots everyone else's need;
//! - a host with a try unanswered for a second gets no other try from this isolate until that one
//!   ends (per-host concurrency): the others are put off for a few seconds, not sent and not
//!   counted as failures (`Outcome::Deferred`);
//! - subscriptions in one batch are delivered concurrently, each in its own order, so one slow
//!   receiver does not hold the others' sends. A batch is at most 6 messages (`wrangler.toml`):
//!   a Worker invocation has 6 connections open at once, and a 7th send would wait for a slot
//!   while its 10 s run; more batches run side by side instead;
//! - a batch is done after [`HOLD_MS`] even if some sends wait for their answers: those go on under
//!   `waitUntil` (the `queue_consumer_no_wait_for_wait_until` flag lets the queue hand out the next
//!   batch meanwhile), and their messages are acknowledged. A wake-up is only a nudge: a drain that
//!   dies after that is the lease's business (the delivery object hands the try out again).
//!
//! A message whose calls to the delivery object fail is retried by the queue, and after the queue's retries it goes
//! to the dead-letter queue; its alarm wakes the subscription again either way.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use futures_channel::oneshot;
use futures_util::FutureExt;
use futures_util::future::{Either, select, select_all};
use sitrep_shared::notify::circuit::{Circuits, Gate, Heard};
use sitrep_shared::notify::delivery::{Outcome, SEND_TIMEOUT_MS};
use sitrep_shared::notify::target::{self, Targets};
use worker::{Env, Headers, MessageBatch, MessageExt, Method, RequestInit, RequestRedirect};

use crate::delivery::deliver;
use crate::delivery::protocol::{DeliverCall, DeliverReply, Kick, Outgoing};
use crate::error::EdgeError;
use crate::store::notify_targets;

/// Tries one wake-up may send before it hands the rest to a new message (bounds one invocation).
const TRIES_PER_MESSAGE: usize = 50;
/// How long a batch waits for its drains before it lets the ones waiting on a receiver finish
/// under `waitUntil`: as long as a host takes to count as slow (`circuit::SLOW_MS`).
const HOLD_MS: u64 = 1_000;
/// How often, after that, a batch looks again whether its drains left all wait on receivers.
const RECHECK_MS: u64 = 100;

thread_local! {
    /// The circuits of the hosts this isolate sends to.
    static CIRCUITS: RefCell<Circuits> = RefCell::new(Circuits::default());
}

/// The consumer's entry point.
pub async fn consume(batch: MessageBatch<Kick>, env: Env, ctx: worker::Context) -> worker::Result<()> {
    let messages = batch.messages()?;
    let targets = notify_targets(&env);
    // Each drain runs under `waitUntil`, so it may outlive the batch; it says here how it ended.
    let mut ends = Vec::new();
    let mut drains = Vec::new();
    for (n, message) in messages.iter().enumerate() {
        let (said, end) = oneshot::channel::<bool>();
        let (env, subscription, page) = (env.clone(), message.body().subscription.clone(), message.body().page.clone());
        let state = Rc::new(Drain::default());
        drains.push(Rc::clone(&state));
        ctx.wait_until(async move {
            let result = drain(&env, &page, &subscription, targets, &state).await;
            if let Err(err) = &result {
                worker::console_warn!("delivering to {subscription} failed: {err}; the queue retries");
            }
            let _ = said.send(result.is_ok());
        });
        ends.push(end.map(move |ok| (n, ok.unwrap_or(false))));
    }
    let mut ended: Vec<Option<bool>> = vec![None; messages.len()];
    let mut hold = std::pin::pin!(worker::Delay::from(Duration::from_millis(HOLD_MS)));
    while !ends.is_empty() {
        match select(select_all(ends), hold.as_mut()).await {
            Either::Left((((n, ok), _, rest), _)) => {
                ended[n] = Some(ok);
                ends = rest;
            }
            Either::Right((_, rest)) => {
                // Only drains waiting on a receiver go on without the batch: one waiting on the
                // delivery object stays in it, so `max_concurrency` still bounds the requests
                // that can wait there.
                let running = drains.iter().zip(&ended).filter(|(_, ended)| ended.is_none());
                if running.clone().all(|(drain, _)| drain.sending.get()) {
                    for (drain, _) in running {
                        drain.detached.set(true);
                    }
                    break;
                }
                ends = rest.into_inner();
                hold.set(worker::Delay::from(Duration::from_millis(RECHECK_MS)));
            }
        }
    }
    for (message, ended) in messages.iter().zip(ended) {
        match ended {
            Some(false) => message.retry(),
            Some(true) | None => message.ack(),
        }
    }
    Ok(())
}

/// What the batch knows of one of its drains.
#[derive(Default)]
struct Drain {
    /// It is waiting for a receiver's answer.
    sending: Cell<bool>,
    /// The batch went on without it: after this send's report it stops and a new message carries
    /// on, so a drain outside its batch makes no more than that one call to the delivery object.
    detached: Cell<bool>,
}

/// Sends what one subscription of the page whose delivery object is `page` is owed, in order,
/// until that object has nothing it may send now.
async fn drain(env: &Env, page: &str, subscription: &str, targets: Targets, state: &Drain) -> Result<(), EdgeError> {
    let mut reply = deliver(env, page, DeliverCall::Claim { subscription: subscription.to_owned() }).await?;
    for n in 1..=TRIES_PER_MESSAGE {
        let DeliverReply::Send(outgoing) = reply else { return Ok(()) };
        if (crate::clock::now_ms() as i64) + i64::from(SEND_TIMEOUT_MS) + 2_000 > outgoing.lease_until {
            // Too late to finish within the lease: leave it to the claim after it (never two out).
            return Ok(());
        }
        state.sending.set(true);
        let outcome = send(&outgoing, targets).await;
        state.sending.set(false);
        let next = n < TRIES_PER_MESSAGE && !state.detached.get();
        let report =
            DeliverCall::Report { subscription: subscription.to_owned(), claim: outgoing.claim, outcome, next };
        reply = deliver(env, page, report).await?;
        if !next {
            break;
        }
    }
    // More may be owed: a new message carries on (this invocation has done its share).
    let queue = env.queue(crate::bindings::DELIVERY_BINDING)?;
    queue.send(Kick { subscription: subscription.to_owned(), page: page.to_owned() }).await?;
    Ok(())
}

/// Sends one try and says what came of it.
async fn send(outgoing: &Outgoing, targets: Targets) -> Outcome {
    let failed = |reason: String| Outcome::Failed { reason };
    // Checked again here: the policy is the deployment's, and a stored URL is not trusted twice.
    // A receiver is its host and port (locally every receiver is 127.0.0.1 on its own port).
    let host = match target::check(&outgoing.url, targets) {
        Ok(target) => target.port.map_or_else(|| target.host.clone(), |port| format!("{}:{port}", target.host)),
        Err(why) => return failed(format!("refused before sending: {why}")),
    };
    let now = crate::clock::now_ms() as i64;
    match CIRCUITS.with_borrow_mut(|c| c.gate(&host, now)) {
        Gate::Open { until } => {
            let wait = (until - now).max(0) / 1000;
            return failed(format!("not sent: {host} has not answered lately; it is tried again in {wait} s"));
        }
        Gate::Busy { until } if outgoing.may_defer => {
            let reason = format!("not sent yet: {host} is slow to answer an earlier delivery");
            return Outcome::Deferred { reason, until };
        }
        // Put off too often already: sent whatever the host's state.
        Gate::Send | Gate::Busy { .. } => {}
    }
    let request = match request(outgoing) {
        Ok(request) => request,
        Err(_) => return failed("the request could not be built from the stored URL".into()),
    };
    let timeout = outgoing.timeout_ms.clamp(1_000, SEND_TIMEOUT_MS);
    let signal = worker::AbortSignal::from(web_sys::AbortSignal::timeout_with_u32(timeout));
    let sending = CIRCUITS.with_borrow_mut(|c| c.begin(&host, now));
    let sent = worker::Fetch::Request(request).send_with_signal(&signal).await;
    // Only silence holds a send slot: a refused connection fails at once and opens nothing.
    let heard = match &sent {
        Ok(_) => Some(Heard::Answered),
        Err(_) if signal.aborted() => Some(Heard::Silent),
        Err(_) => None,
    };
    CIRCUITS.with_borrow_mut(|c| c.end(&host, sending, heard, crate::clock::now_ms() as i64));
    let response = match sent {
        Ok(response) => response,
        Err(_) if signal.aborted() => return failed(format!("no answer in {} s", timeout / 1000)),
        // The runtime's text can name the URL, whose path is a credential for Slack and Discord.
        Err(_) => return failed("no answer: the connection failed".into()),
    };
    let status = response.status_code();
    let location = response.headers().get("location").ok().flatten();
    // The body is never read: cancel it, whatever its size.
    let response: web_sys::Response = response.into();
    if let Some(body) = response.body() {
        let _ = body.cancel();
    }
    match status {
        200..=299 => Outcome::Delivered { status },
        300..=399 => {
            // Only scheme and host: a Location is the receiver's text (cleaned and cut when stored).
            let to = location.map(|l| target::redact(&l)).unwrap_or_else(|| "nowhere".into());
            failed(format!("answered {status}, a redirect to {to}: redirects are not followed"))
        }
        _ => failed(format!("answered {status}")),
    }
}

fn request(outgoing: &Outgoing) -> worker::Result<worker::Request> {
    let headers = Headers::new();
    for (name, value) in &outgoing.headers {
        headers.set(name, value)?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(outgoing.body.as_str().into()))
        .with_redirect(RequestRedirect::Manual);
    worker::Request::new_with_init(&outgoing.url, &init)
}
