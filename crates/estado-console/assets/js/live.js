// Live updates: the server's event stream says *that* something advanced; the page then reads
// what changed through the public API. Without the stream (closed when the server requires
// signed requests, or unreachable) the page polls every 500 ms instead.

const POLL_MS = 500;

// Calls onChange() whenever `executionArn` (or, without one, anything) may have advanced.
// Returns a function that stops watching.
export function watch(executionArn, onChange) {
  let stopped = false;
  let timer = null;
  let source = null;
  let busy = false;
  let again = false;
  const fire = async () => {
    if (stopped) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      await onChange();
    } catch (e) {
      console.warn('live update failed', e);
    } finally {
      busy = false;
      if (again && !stopped) {
        again = false;
        fire();
      }
    }
  };
  const poll = () => {
    if (stopped || timer) return;
    timer = setInterval(fire, POLL_MS);
  };
  const url = executionArn ? `/console/stream?executionArn=${encodeURIComponent(executionArn)}` : '/console/stream';
  if (window.EventSource) {
    source = new EventSource(url);
    source.addEventListener('progress', fire);
    source.addEventListener('resync', fire);
    source.addEventListener('open', () => fire());
    source.addEventListener('error', () => {
      // Closed for good (403) or the server went away: fall back to polling.
      if (source.readyState === EventSource.CLOSED) poll();
    });
  } else {
    poll();
  }
  return () => {
    stopped = true;
    source?.close();
    if (timer) clearInterval(timer);
  };
}
