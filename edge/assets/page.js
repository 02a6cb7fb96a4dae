// The status page's only script, and an optional one: the page is complete without JavaScript.
// It shows times in the reader's own zone (the edge renders them in the page's zone) and keeps the
// page live: every minute while the tab is visible it asks for the page again with its ETag, and
// puts in the new content when there is some (the edge answers 304 otherwise). When its polls keep
// failing (offline, or the edge unreachable) for three intervals, it shows the page's own "may be
// out of date" notice, as the widget does, and hides it again once a poll succeeds.
const POLL_MS = 60_000;
const STALE_AFTER_FAILURES = 3;
let etag = null;
let failures = 0;
let markedStale = false;
let shown = document.querySelector(".page")?.innerHTML ?? "";

// Every time on the page in the reader's zone, said once: the times (updates, timelines), the
// windows (`.range`: an incident's span, a maintenance window, an impact window) and the note
// naming the zone. Without JavaScript all of them are in the page's zone, which the note names.
function localise(root) {
  let format;
  let zone;
  try {
    format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit",
    });
    zone = format.resolvedOptions().timeZone;
  } catch {
    return;
  }
  const date = (text) => {
    const value = new Date(text);
    return Number.isNaN(value.getTime()) ? null : value;
  };
  for (const element of root.querySelectorAll("time[datetime]")) {
    const at = date(element.getAttribute("datetime"));
    if (at) element.textContent = format.format(at);
  }
  for (const element of root.querySelectorAll(".range[data-start]")) {
    const start = date(element.dataset.start);
    const end = element.dataset.end ? date(element.dataset.end) : null;
    if (!start) continue;
    try {
      element.textContent = end ? format.formatRange(start, end) : format.format(start);
    } catch {
      element.textContent = end ? `${format.format(start)} – ${format.format(end)}` : format.format(start);
    }
  }
  if (zone) for (const element of root.querySelectorAll("[data-zone]")) element.textContent = zone;
}

/** Shows or hides the notice this script owns (one the edge rendered stays as the edge said). */
function markStale(stale) {
  const notice = document.querySelector(".page > .stale-copy");
  if (!notice || stale === markedStale) return;
  markedStale = stale;
  notice.hidden = !stale;
}

async function poll() {
  try {
    if (!document.hidden) {
      const response = await fetch(location.href, { headers: etag ? { "If-None-Match": etag } : {}, cache: "no-store" });
      const html = (response.headers.get("content-type") ?? "").startsWith("text/html");
      if (response.status === 304 || (response.status === 200 && html)) {
        failures = 0;
        markStale(false);
      } else {
        failures += 1;
      }
      if (response.status === 200 && html) {
        etag = response.headers.get("etag");
        const next = new DOMParser().parseFromString(await response.text(), "text/html").querySelector(".page");
        const current = document.querySelector(".page");
        if (next && current && next.innerHTML !== shown) {
          shown = next.innerHTML;
          // Groups and postmortems the reader opened stay open.
          const open = new Set([...current.querySelectorAll("details[open] > summary")].map((s) => s.textContent));
          for (const summary of next.querySelectorAll("details > summary")) {
            if (open.has(summary.textContent)) summary.parentElement.open = true;
          }
          localise(next);
          current.replaceWith(document.adoptNode(next));
        }
      }
    }
  } catch {
    // Offline or refused: the page keeps what it shows, and says so once it has for a while.
    failures += 1;
  }
  if (failures >= STALE_AFTER_FAILURES) markStale(true);
  setTimeout(poll, POLL_MS * (0.8 + Math.random() * 0.4));
}

localise(document);
setTimeout(poll, POLL_MS);
