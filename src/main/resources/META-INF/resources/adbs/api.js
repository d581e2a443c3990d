// Talking to the service: JSON over fetch, the event stream, and errors in the user's words.

/** An answer of the API that is not 2xx, in the words of its problem document. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export class Api {
  /** @param base where the /api/database routes are; @param onSignedOut called on a 401 outside /session */
  constructor(base, onSignedOut) {
    this.base = base.replace(/\/$/, '');
    this.onSignedOut = onSignedOut;
  }

  get crossOrigin() {
    return new URL(this.base, document.baseURI).origin !== location.origin;
  }

  async call(path, { method = 'GET', body, headers = {} } = {}) {
    const init = {
      method,
      credentials: this.crossOrigin ? 'include' : 'same-origin',
      headers: { Accept: 'application/json', 'X-Requested-With': 'archon-db-sync', ...headers },
    };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await fetch(this.base + path, init);
    if (res.status === 204) return null;
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = { detail: `the service answered HTTP ${res.status} without JSON` }; }
    if (!res.ok) {
      if (res.status === 401 && !path.startsWith('/session')) this.onSignedOut();
      throw new ApiError(res.status, data || {});
    }
    return data;
  }

  /**
   * The progress events of one sync: onState(progress object) for each; onBroken() when the stream ends
   * early (network, proxy, restart). Returns the EventSource (its owner closes it).
   */
  events(id, names, onState, onBroken) {
    const es = new EventSource(`${this.base}/sync/${encodeURIComponent(id)}/events`, { withCredentials: this.crossOrigin });
    const onEvent = (e) => {
      let state;
      try { state = JSON.parse(e.data); } catch { return; }
      onState(state);
    };
    names.forEach((name) => es.addEventListener(name, onEvent));
    es.onerror = () => onBroken(es);
    return es;
  }
}

/** Plain words for an error, never a stack trace: the problem's own detail, said for a person. */
export function explain(err) {
  if (!(err instanceof ApiError)) {
    return 'The sync service cannot be reached. Is it running? (' + (err && err.message ? err.message : 'network error') + ')';
  }
  const p = err.problem || {};
  switch (err.status) {
    case 401: return 'You are signed out: enter the API key again.';
    case 403: return p.detail || 'The service refused the request.';
    case 409: return 'Another sync is running' + (p.sync_id ? ` (${p.sync_id})` : '') + ': wait for it to finish, or cancel it.';
    case 422: return (p.title || 'Refused') + ': nothing was changed.';
    case 502: return 'A database cannot be reached: ' + (p.detail || '');
    case 503: return 'The service is not ready: ' + (p.detail || '');
    default: return p.detail || p.title || `The service answered HTTP ${err.status}.`;
  }
}
