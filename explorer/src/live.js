// live.js — the node's server-sent events (/v1/events), shared by every page.
// EventSource reconnects by itself (resuming with Last-Event-ID); when the node closes the stream
// for good (e.g. 503 with too many clients) we open a new one after a backoff. The user can pause
// the feed; the indicator says live / paused / reconnecting.

const listeners = new Set();
const stateListeners = new Set();
let source = null;
let paused = false;
let state = 'connecting';
let retryMs = 1000;
let retryTimer = null;
let lastId = null;

function setState(s) {
  state = s;
  for (const fn of stateListeners) fn(s);
}

function connect() {
  if (source || paused) return;
  const url = lastId === null ? '/v1/events' : `/v1/events?last_event_id=${encodeURIComponent(lastId)}`;
  source = new EventSource(url);
  source.onopen = () => {
    retryMs = 1000;
    setState('live');
  };
  source.onerror = () => {
    if (paused) return;
    if (source && source.readyState === EventSource.CLOSED) {
      source = null;
      setState('reconnecting');
      clearTimeout(retryTimer);
      retryTimer = setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 15000);
    } else {
      setState('reconnecting');
    }
  };
  for (const type of ['block', 'tx', 'gap', 'reset']) {
    source.addEventListener(type, (ev) => {
      if (ev.lastEventId) lastId = ev.lastEventId;
      let data = null;
      try {
        data = JSON.parse(ev.data);
      } catch {
        return;
      }
      for (const fn of listeners) fn(type, data);
    });
  }
}

function disconnect() {
  clearTimeout(retryTimer);
  if (source) source.close();
  source = null;
}

export function onEvent(fn) {
  listeners.add(fn);
  connect();
  return () => listeners.delete(fn);
}

export function onState(fn) {
  stateListeners.add(fn);
  fn(state);
  return () => stateListeners.delete(fn);
}

export function setPaused(p) {
  paused = p;
  if (p) {
    disconnect();
    setState('paused');
  } else {
    setState('connecting');
    connect();
  }
}

export const isPaused = () => paused;
