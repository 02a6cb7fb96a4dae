// The status page's only script, and an optional one: the page is complete without JavaScript.
// It shows times in the reader's own zone (the edge renders them in the page's zone) and keeps the
// page live: every minute while the tab is visible it asks for the page again with its ETag, and
// puts in the new content when there is some (the edge answers 304 otherwise).
const POLL_MS = 60_000;
let etag = null;
let shown = document.querySelector(".page")?.innerHTML ?? "";

function localise(root) {
  let format;
  try {
    format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short",
    });
  } catch {
    return;
  }
  for (const element of root.querySelectorAll("time[datetime]")) {
    const date = new Date(element.getAttribute("datetime"));
    if (!Number.isNaN(date.getTime())) element.textContent = format.format(date);
  }
}

async function poll() {
  try {
    if (!document.hidden) {
      const response = await fetch(location.href, { headers: etag ? { "If-None-Match": etag } : {}, cache: "no-store" });
      if (response.status === 200 && (response.headers.get("content-type") ?? "").startsWith("text/html")) {
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
    // Offline or refused: the page keeps what it shows, and says how old it is in its times.
  }
  setTimeout(poll, POLL_MS * (0.8 + Math.random() * 0.4));
}

localise(document);
setTimeout(poll, POLL_MS);
