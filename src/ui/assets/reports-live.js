// Keeps the status of reports in flight up to date without a reload: every ~2 s it asks
// /ui/reports.json for the ids still in flight on the page (rows or sections marked
// data-report-id and data-in-flight), updates their status badge and progress bar, and stops
// once none is left in flight. Without script the page shows the status as it was when loaded.
const POLL_MS = 2000;

function inFlight() {
  return [...document.querySelectorAll('[data-report-id][data-in-flight]')];
}

function shownTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function render(element, live) {
  const badge = element.querySelector('[data-live-badge]');
  if (badge) {
    badge.className = `badge badge-${live.status}`;
    badge.textContent = live.statusText;
  }
  const step = element.querySelector('[data-live-step]');
  if (step && live.inFlight) {
    const bar = step.querySelector('progress');
    bar.max = live.max;
    bar.value = live.value;
    step.querySelector('.live-step-text').textContent = live.stepText;
  } else if (step) {
    step.remove();
  }
  const updated = element.querySelector('[data-live-updated] time');
  if (updated && live.updatedAt) {
    updated.dateTime = live.updatedAt;
    updated.title = live.updatedAt;
    updated.textContent = shownTime(live.updatedAt);
  }
  if (!live.inFlight) {
    delete element.dataset.inFlight;
    element.dataset.settled = live.status;
    const settledNote = element.querySelector('[data-when-settled]');
    if (settledNote) settledNote.hidden = false;
  }
}

async function poll() {
  const elements = inFlight();
  if (elements.length === 0) return;
  const ids = [...new Set(elements.map((element) => element.dataset.reportId))];
  let answer;
  try {
    const response = await fetch(`/ui/reports.json?ids=${encodeURIComponent(ids.join(','))}`, { credentials: 'same-origin', cache: 'no-store' });
    // Signed out meanwhile, or the server refused: stop; the page still shows the last status.
    if (!response.ok || response.redirected) return;
    answer = await response.json();
  } catch {
    // The network dropped: try again at the next tick.
    setTimeout(poll, POLL_MS);
    return;
  }
  const byId = new Map(answer.reports.map((live) => [live.id, live]));
  for (const element of elements) {
    const live = byId.get(element.dataset.reportId);
    // A report no longer kept (expired meanwhile) is not asked about again.
    if (live) render(element, live);
    else delete element.dataset.inFlight;
  }
  if (inFlight().length > 0) setTimeout(poll, POLL_MS);
}

if (inFlight().length > 0) setTimeout(poll, POLL_MS);
