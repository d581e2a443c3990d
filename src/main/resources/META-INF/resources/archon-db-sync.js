// <archon-db-sync>: the Database Sync page as one framework-free Web Component (no build step).
// The service serves it at / on its own; Archon's dashboard mounts the very same element.
//
//   <script type="module" src="/archon-db-sync.js"></script>
//   <archon-db-sync api="/api/database"></archon-db-sync>
//
// Attribute `api`: where the service's /api/database routes are (default "/api/database", i.e. the
// same origin, or a proxy that adds X-API-Key). Sign-in: the key is POSTed once in X-API-Key and the
// service answers with an HttpOnly cookie; the key is never kept by the page or put in a URL.

const PHASES = [
  ['validating', 'Validating'],
  ['backing_up', 'Backing up'],
  ['exporting', 'Exporting'],
  ['importing', 'Importing'],
  ['indexing', 'Indexing'],
  ['verifying', 'Verifying'],
];
const FINAL = new Set(['completed', 'failed', 'cancelled', 'refused']);
const SIDE = { local: 'Local', remote: 'Cloud' };
const DIRECTIONS = {
  'local-to-remote': { short: 'Local → Cloud', source: 'local', target: 'remote' },
  'remote-to-local': { short: 'Cloud → Local', source: 'remote', target: 'local' },
};
const IDLE_POLL_MS = 15000;

const STYLE = `
:host { display: block; container-type: inline-size; color-scheme: light dark;
  --bg: #f6f7f9; --card: #ffffff; --fg: #1b1f24; --muted: #5b6470; --line: #d9dde3;
  --accent: #2563eb; --accent-fg: #ffffff; --ok: #15803d; --ok-bg: #e8f6ec; --warn: #9a5b00; --warn-bg: #fff4de;
  --bad: #b42318; --bad-bg: #fdecea; --track: #e5e8ee; --focus: #93b4ff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); }
@media (prefers-color-scheme: dark) {
  :host { --bg: #111418; --card: #1a1f26; --fg: #e7eaee; --muted: #9aa4b1; --line: #2f3742;
    --accent: #5b8def; --accent-fg: #0b1020; --ok: #4ade80; --ok-bg: #12301d; --warn: #fbbf24; --warn-bg: #33270c;
    --bad: #f87171; --bad-bg: #3a1616; --track: #2a313b; --focus: #3b6fd8; }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.app { background: var(--bg); padding: 20px; min-height: 100%; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; margin-bottom: 12px; }
h1 { font-size: 1.5rem; margin: 0; }
h2 { font-size: 1.05rem; margin: 0 0 10px; }
h3 { font-size: .95rem; margin: 14px 0 6px; }
.sub { color: var(--muted); margin: 0; flex: 1 1 300px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px; min-width: 0; }
.strip { display: flex; flex-wrap: wrap; gap: 8px 28px; margin-bottom: 16px; padding: 10px 16px; }
.strip .k { display: block; font-size: .75rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.grid { display: grid; gap: 16px; grid-template-columns: minmax(0, 1fr); align-items: start; }
@container (min-width: 900px) {
  .grid { grid-template-columns: minmax(0, 1fr) minmax(0, 1.15fr); }
  .wide { grid-column: 1 / -1; }
}
.stack { display: grid; gap: 16px; align-content: start; min-width: 0; }
button { font: inherit; border-radius: 8px; border: 1px solid var(--line); background: var(--card); color: var(--fg);
  padding: 7px 14px; cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-fg); font-weight: 600; }
button.danger { border-color: var(--bad); color: var(--bad); }
button.danger.solid { background: var(--bad); color: #fff; }
button:disabled { opacity: .5; cursor: not-allowed; }
button.link { border: none; background: none; color: var(--accent); padding: 2px 4px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
input[type=password] { font: inherit; padding: 7px 10px; border-radius: 8px; border: 1px solid var(--line);
  background: var(--bg); color: var(--fg); width: min(100%, 360px); }
fieldset { border: 0; padding: 0; margin: 0; display: grid; gap: 8px; grid-template-columns: repeat(auto-fit, minmax(210px, 1fr)); }
.choice { display: flex; gap: 10px; align-items: flex-start; border: 1px solid var(--line); border-radius: 8px;
  padding: 10px 12px; cursor: pointer; }
.choice:has(input:checked) { border-color: var(--accent); box-shadow: 0 0 0 1px var(--accent) inset; }
.choice small { display: block; color: var(--muted); }
.choice input { margin-top: 4px; }
.opt { display: flex; gap: 8px; align-items: flex-start; margin: 6px 0; }
.opt input { margin-top: 4px; }
.note { color: var(--muted); margin: 10px 0 0; }
.note strong { color: var(--fg); }
.row { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; }
.spread { justify-content: space-between; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-weight: 600; color: var(--muted); font-size: .74rem; text-transform: uppercase; letter-spacing: .03em; }
tbody th { font-weight: 500; }
.lose { color: var(--warn); font-weight: 600; }
.small { font-size: .82rem; }
.confirm { background: var(--warn-bg); border: 1px solid var(--warn); border-radius: 8px; padding: 8px 10px; font-weight: 600; }
td.n, th.n { text-align: right; white-space: nowrap; }
tr.loss > * { background: var(--warn-bg); }
.drift { color: var(--bad); }
.box { border-radius: 8px; padding: 10px 12px; margin: 10px 0; }
.box p { margin: 4px 0; }
.box ul { margin: 4px 0; padding-left: 20px; }
.warn { background: var(--warn-bg); color: var(--fg); border: 1px solid var(--warn); }
.bad { background: var(--bad-bg); border: 1px solid var(--bad); }
.good { background: var(--ok-bg); border: 1px solid var(--ok); }
.plain { background: var(--bg); border: 1px solid var(--line); }
.badge { display: inline-block; border-radius: 999px; padding: 0 8px; font-size: .78rem; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.s-completed { color: var(--ok); } .s-failed, .s-refused { color: var(--bad); } .s-cancelled, .s-skipped { color: var(--warn); } .s-running { color: var(--accent); }
.stepper { list-style: none; padding: 0; margin: 0 0 14px; display: grid; grid-template-columns: repeat(6, minmax(0, 1fr)); gap: 4px; counter-reset: step; }
.stepper li { font-size: .78rem; color: var(--muted); text-align: center; padding-top: 26px; position: relative; overflow-wrap: anywhere; }
.stepper li::before { counter-increment: step; content: counter(step); position: absolute; top: 0; left: 50%; transform: translateX(-50%);
  width: 22px; height: 22px; border-radius: 50%; border: 2px solid var(--line); background: var(--card); line-height: 18px; font-weight: 600; }
.stepper li.done { color: var(--fg); } .stepper li.done::before { content: "✓"; background: var(--ok); border-color: var(--ok); color: #fff; }
.stepper li.current { color: var(--accent); font-weight: 600; } .stepper li.current::before { border-color: var(--accent); color: var(--accent); }
.stepper li.skipped { text-decoration: line-through; }
.stepper li.stopped::before { content: "✕"; background: var(--bad); border-color: var(--bad); color: #fff; }
.bar { height: 12px; border-radius: 6px; background: var(--track); overflow: hidden; }
.bar > div { height: 100%; width: 0; background: var(--accent); transition: width .25s ease; }
.bar.completed > div { background: var(--ok); } .bar.failed > div, .bar.refused > div { background: var(--bad); } .bar.cancelled > div { background: var(--warn); }
.barline { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: baseline; margin: 6px 0 10px; }
.barline strong { font-size: 1.4rem; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 12px; margin: 0 0 10px; font-size: .9rem; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
.msg { margin: 0 0 10px; overflow-wrap: anywhere; }
.share { display: inline-block; height: 8px; background: var(--accent); border-radius: 4px; vertical-align: middle; min-width: 1px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
dialog { border: 1px solid var(--line); border-radius: 12px; background: var(--card); color: var(--fg); max-width: min(520px, 92vw); padding: 20px; }
dialog::backdrop { background: rgb(0 0 0 / .45); }
details summary { cursor: pointer; color: var(--accent); margin-top: 8px; }
.empty { color: var(--muted); font-style: italic; }
@container (max-width: 560px) {
  .app { padding: 10px; }
  .hide-narrow { display: none; }
  .stepper li { font-size: 0; padding-top: 24px; }
  .stepper li.current { font-size: .72rem; }
  th, td { padding: 4px 5px; }
}
`;

const TEMPLATE = `
<style>${STYLE}</style>
<div class="app">
  <header>
    <h1>Database Sync</h1>
    <p class="sub">Archon's tables between this machine's Supabase and Supabase Cloud: all or nothing, verified before it commits.</p>
    <button id="signout" class="link" hidden>Sign out</button>
  </header>

  <section id="strip" class="card strip" aria-label="Status">
    <div><span class="k">Running now</span><span id="strip-running">…</span></div>
    <div><span class="k">Last sync</span><span id="strip-last">…</span></div>
    <div id="strip-next-wrap" hidden><span class="k">Next scheduled run</span><span id="strip-next"></span></div>
  </section>

  <section id="login" class="card" hidden aria-labelledby="login-h">
    <h2 id="login-h">Sign in</h2>
    <form id="login-form" class="row">
      <label for="key">API key</label>
      <input id="key" name="key" type="password" autocomplete="current-password" required aria-describedby="login-hint login-error">
      <button type="submit" class="primary" id="login-submit">Sign in</button>
    </form>
    <p id="login-error" role="alert" class="drift"></p>
    <p id="login-hint" class="note">The key is the service's <code>ARCHON_SYNC_API_KEY</code>. It is sent once; the service answers with a
      session cookie that scripts cannot read, so the key is not stored in this browser.</p>
  </section>

  <div id="main" class="grid" hidden>
    <div class="stack">
      <section class="card" aria-labelledby="dir-h">
        <h2 id="dir-h">1 · Direction</h2>
        <fieldset>
          <legend class="sr-only">Direction of the sync</legend>
          <label class="choice"><input type="radio" name="direction" value="local-to-remote">
            <span><strong>Local → Cloud</strong><small>Back up this machine to Supabase Cloud</small></span></label>
          <label class="choice"><input type="radio" name="direction" value="remote-to-local">
            <span><strong>Cloud → Local</strong><small>Restore this machine from Supabase Cloud</small></span></label>
        </fieldset>
        <p id="overwrite" class="note">Choose a direction to see what will be overwritten.</p>
      </section>

      <section class="card" aria-labelledby="run-h">
        <h2 id="run-h">2 · Sync</h2>
        <div id="loss" class="box warn" hidden></div>
        <label id="force-wrap" class="opt confirm" hidden><input type="checkbox" id="force">
          <span>I understand: replace anyway and lose those rows</span></label>
        <label class="opt"><input type="checkbox" id="backup" checked>
          <span>Back up the target first <small class="muted">(a restorable copy, listed under Backups)</small></span></label>
        <label class="opt"><input type="checkbox" id="dry">
          <span>Dry run <small class="muted">(show the plan, change nothing)</small></span></label>
        <label class="opt"><input type="checkbox" id="full">
          <span>Replace every table <small class="muted">(full sync; otherwise tables equal to the source are left alone)</small></span></label>
        <div class="row" style="margin-top:10px"><button id="start" class="primary" disabled>Sync now</button>
          <span id="start-hint" class="muted">Choose a direction first.</span></div>
        <div id="start-error" role="alert"></div>
      </section>
    </div>

    <div class="stack">
      <section id="progress" class="card" aria-labelledby="prog-h">
        <h2 id="prog-h">Progress</h2>
        <p id="idle" class="muted">Nothing is running. Choose a direction and press <strong>Sync now</strong>.</p>
        <div id="run" hidden>
          <p id="run-title" class="muted small"></p>
          <div id="meters">
          <ol id="phases" class="stepper" aria-label="Phases"></ol>
          <div id="bar" class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0" aria-label="Overall progress"><div></div></div>
          <p class="barline"><strong id="percent">0%</strong><span id="eta" class="muted"></span><span id="conn" class="muted"></span></p>
          <dl class="facts" id="facts"></dl>
          <p id="message" class="msg"></p>
          </div>
          <div class="row"><button id="cancel" class="danger">Cancel</button></div>
          <div id="outcome"></div>
          <div id="report"></div>
          <div id="decisions"></div>
        </div>
        <p id="live" class="sr-only" aria-live="polite" aria-atomic="true"></p>
      </section>

      <section class="card" aria-labelledby="cmp-h">
        <div class="row spread"><h2 id="cmp-h">Compare</h2><button id="refresh-compare" class="link">Refresh</button></div>
        <p id="cmp-status" role="status" class="muted"></p>
        <div class="scroll"><table id="cmp" hidden>
          <caption class="sr-only">Rows per table in the local and the cloud database</caption>
          <thead><tr><th scope="col">Table</th><th scope="col" class="n">Local</th><th scope="col" class="n">Cloud</th><th scope="col" class="n" id="cmp-effect-h">Difference</th></tr></thead>
          <tbody></tbody></table></div>
      </section>
    </div>

    <section class="card wide" aria-labelledby="hist-h">
      <div class="row spread"><h2 id="hist-h">History</h2><button id="refresh-history" class="link">Refresh</button></div>
      <div class="scroll"><table id="history">
        <caption class="sr-only">Past syncs, newest first</caption>
        <thead><tr><th scope="col">When</th><th scope="col">Direction</th><th scope="col" class="hide-narrow">Trigger</th><th scope="col">Status</th>
          <th scope="col" class="n">Duration</th><th scope="col" class="n hide-narrow">Rows</th><th scope="col" class="hide-narrow">Details</th></tr></thead>
        <tbody></tbody></table></div>
    </section>

    <section class="card wide" aria-labelledby="bk-h">
      <div class="row spread"><h2 id="bk-h">Backups</h2><button id="refresh-backups" class="link">Refresh</button></div>
      <p class="muted" style="margin-top:0">Taken before each sync of the database it overwrote: the tables that sync replaced. Restoring one puts those tables back, all or nothing, verified.</p>
      <div class="scroll"><table id="backups">
        <caption class="sr-only">Backups, newest first</caption>
        <thead><tr><th scope="col">Taken</th><th scope="col">Database</th><th scope="col" class="n">Rows</th><th scope="col" class="n hide-narrow">Size</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead>
        <tbody></tbody></table></div>
      <div id="backup-error" role="alert"></div>
    </section>
  </div>

  <dialog id="confirm" aria-labelledby="confirm-h" aria-describedby="confirm-body">
    <h2 id="confirm-h">Restore this backup?</h2>
    <div id="confirm-body"></div>
    <div class="row" style="justify-content:flex-end;margin-top:14px">
      <button id="confirm-no" value="cancel">Keep things as they are</button>
      <button id="confirm-yes" class="danger solid" value="ok">Restore</button>
    </div>
  </dialog>
</div>`;

/** An answer of the API that is not 2xx, in the words of its problem document. */
class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const num = (n) => (n == null ? '–' : Number(n).toLocaleString('en-US'));
/** Why a table is reloaded, in the page's words (the service's reasons: see SyncPlan.TablePlan.why). */
const why = (w) => ({ differs: 'differs from the source', 'fresh target': 'the target has no Archon tables yet',
  'full replace requested': 'full replace requested', unchanged: 'unchanged' }[w] ?? w ?? 'reload');
const pct = (p) => `${(Math.floor((p || 0) * 10) / 10).toFixed(p >= 100 ? 0 : 1).replace(/\.0$/, '')}%`;

function seconds(s) {
  if (s == null) return '–';
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
}

function bytes(b) {
  if (b == null) return '–';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (b >= 1000 && i < units.length - 1) { b /= 1000; i++; }
  return `${b.toFixed(i ? 1 : 0)} ${units[i]}`;
}

function when(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function ago(iso, now = Date.now()) {
  if (!iso) return '';
  const diff = (new Date(iso).getTime() - now) / 1000;
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  const abs = Math.abs(diff);
  if (abs < 60) return rtf.format(Math.round(diff), 'second');
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86400 * 2) return rtf.format(Math.round(diff / 3600), 'hour');
  return rtf.format(Math.round(diff / 86400), 'day');
}

function directionWords(d) {
  return DIRECTIONS[d]?.short ?? d ?? '–';
}

/** The name of a database in a (redacted) libpq URL: host:port/db, never the user. */
function endpoint(url) {
  if (!url) return '';
  const m = /@([^/?]+)\/([^?]+)/.exec(url) || /\/\/([^/?]+)\/([^?]+)/.exec(url);
  return m ? `${m[1]}/${m[2]}` : url;
}

function statusBadge(status) {
  return `<span class="badge s-${esc(status)}">${esc(status)}</span>`;
}

/** Plain words for an error, never a stack trace: the problem's own detail, said for a person. */
function explain(err) {
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

export class ArchonDbSync extends HTMLElement {
  static get observedAttributes() { return ['api']; }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this.shadowRoot.innerHTML = TEMPLATE;
    this.$ = (id) => this.shadowRoot.getElementById(id);
    this.comparison = null;
    this.job = null;           // the progress object of the sync this page shows
    this.stream = null;        // its EventSource
    this.retry = 0;            // reconnect attempts since the last event
    this.lastAnnounced = '';
    this.forceRequired = false;
    this.pendingRestore = null;
    this.history = [];
  }

  get api() {
    return (this.getAttribute('api') || '/api/database').replace(/\/$/, '');
  }

  get crossOrigin() {
    return new URL(this.api, document.baseURI).origin !== location.origin;
  }

  connectedCallback() {
    this.wire();
    this.checkSession();
  }

  disconnectedCallback() {
    this.closeStream();
    clearInterval(this.poller);
    clearTimeout(this.reconnectTimer);
  }

  // ---- talking to the service -------------------------------------------------------------

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
    const res = await fetch(this.api + path, init);
    if (res.status === 204) return null;
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = { detail: `the service answered HTTP ${res.status} without JSON` }; }
    if (!res.ok) {
      const err = new ApiError(res.status, data || {});
      if (res.status === 401 && !path.startsWith('/session')) this.signedOut();
      throw err;
    }
    return data;
  }

  // ---- sign-in -----------------------------------------------------------------------------

  async checkSession() {
    try {
      const who = await this.call('/session');
      this.signedIn(who && who.via === 'cookie');
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) this.signedOut();
      else this.fatal(explain(e));
    }
  }

  async login(key) {
    const error = this.$('login-error');
    error.textContent = '';
    try {
      await this.call('/session', { method: 'POST', headers: { 'X-API-Key': key } });
      this.$('key').value = '';
      this.signedIn(true);
    } catch (e) {
      error.textContent = e instanceof ApiError && e.status === 401
        ? 'That API key was not accepted. Check ARCHON_SYNC_API_KEY of the service and try again.'
        : explain(e);
      this.$('key').select();
      this.$('key').focus();
    }
  }

  signedOut() {
    this.closeStream();
    clearInterval(this.poller);
    this.$('main').hidden = true;
    this.$('signout').hidden = true;
    this.$('login').hidden = false;
    this.$('strip-running').textContent = '–';
    this.$('strip-last').textContent = '–';
    this.$('key').focus();
  }

  /** @param byCookie signed in on this page (else a proxy in front adds the key: nothing to sign out of) */
  signedIn(byCookie) {
    this.$('login').hidden = true;
    this.$('main').hidden = false;
    this.$('signout').hidden = !byCookie;
    this.refreshAll();
    clearInterval(this.poller);
    this.poller = setInterval(() => this.idlePoll(), IDLE_POLL_MS);
  }

  async logout() {
    try { await this.call('/session', { method: 'DELETE' }); } catch { /* signed out either way */ }
    this.signedOut();
  }

  fatal(text) {
    this.$('login').hidden = true;
    this.$('main').hidden = true;
    this.$('strip-running').textContent = text;
  }

  // ---- wiring ------------------------------------------------------------------------------

  wire() {
    const $ = this.$;
    $('login-form').addEventListener('submit', (e) => { e.preventDefault(); this.login($('key').value); });
    $('signout').addEventListener('click', () => this.logout());
    this.shadowRoot.querySelectorAll('input[name=direction]').forEach((r) => r.addEventListener('change', () => {
      $('force').checked = false;
      this.forceRequired = false;
      $('start-error').innerHTML = '';
      this.renderDirection();
    }));
    $('force').addEventListener('change', () => this.renderStartButton());
    $('dry').addEventListener('change', () => this.renderStartButton());
    $('start').addEventListener('click', () => this.start());
    $('cancel').addEventListener('click', () => this.cancel());
    $('refresh-compare').addEventListener('click', () => this.loadComparison());
    $('refresh-history').addEventListener('click', () => this.loadHistory());
    $('refresh-backups').addEventListener('click', () => this.loadBackups());
    $('backups').addEventListener('click', (e) => {
      const b = e.target.closest('button[data-backup]');
      if (b) this.askRestore(b.dataset.backup);
    });
    $('confirm-no').addEventListener('click', () => $('confirm').close('cancel'));
    $('confirm-yes').addEventListener('click', () => $('confirm').close('ok'));
    $('confirm').addEventListener('close', () => {
      if ($('confirm').returnValue === 'ok' && this.pendingRestore) this.restore(this.pendingRestore);
      this.pendingRestore = null;
    });
  }

  async refreshAll() {
    this.loadHistory();
    this.loadBackups();
    this.loadSchedule();
    await this.attachToRunning();
    this.loadComparison();
  }

  async idlePoll() {
    if (document.hidden) return;
    this.loadSchedule();
    if (!this.running()) {
      this.attachToRunning();
      this.loadHistory();
    }
  }

  running() {
    return this.job && !FINAL.has(this.job.status);
  }

  direction() {
    return this.shadowRoot.querySelector('input[name=direction]:checked')?.value ?? null;
  }

  // ---- comparison and direction ------------------------------------------------------------

  async loadComparison() {
    const status = this.$('cmp-status');
    if (this.running()) {
      // the sync holds its target's tables locked until it commits: counting now would only wait
      status.textContent = 'The counts are refreshed when the running sync has finished.';
      return;
    }
    status.textContent = 'Counting the rows on both sides…';
    try {
      this.comparison = await this.call('/compare');
      status.textContent = '';
    } catch (e) {
      this.comparison = null;
      status.textContent = explain(e);
    }
    this.renderDirection();
  }

  /** Rows the target has and the source has not, per table, for the chosen direction. */
  losses(dir) {
    if (!this.comparison || !dir) return [];
    const { source, target } = DIRECTIONS[dir];
    return this.comparison.tables
      .map((t) => ({ table: t.table, lose: (t[`${target}_rows`] ?? 0) - (t[`${source}_rows`] ?? 0) }))
      .filter((t) => t.lose > 0);
  }

  renderDirection() {
    const dir = this.direction();
    const c = this.comparison;
    const over = this.$('overwrite');
    if (!dir) {
      over.textContent = 'Choose a direction to see what will be overwritten.';
    } else {
      const { source, target } = DIRECTIONS[dir];
      const where = c ? ` (${esc(endpoint(c[target]))})` : '';
      const from = c ? ` (${esc(endpoint(c[source]))})` : '';
      over.innerHTML = `This replaces the rows of Archon's ${c ? c.tables.length : 17} tables in the <strong>${SIDE[target].toLowerCase()} database</strong>${where}
        with those of the ${SIDE[source].toLowerCase()} database${from}. The ${SIDE[source].toLowerCase()} database is only read.`;
    }
    this.renderComparison(dir);
    this.renderStartButton();
  }

  renderComparison(dir) {
    const c = this.comparison;
    const table = this.$('cmp');
    if (!c) { table.hidden = true; this.$('loss').hidden = true; this.$('force-wrap').hidden = true; return; }
    table.hidden = false;
    this.$('cmp-effect-h').textContent = dir ? `${SIDE[DIRECTIONS[dir].target]} after` : 'Difference';
    const key = dir === 'local-to-remote' ? 'local_to_remote' : 'remote_to_local';
    const lossy = new Set(this.losses(dir).map((l) => l.table));
    table.tBodies[0].innerHTML = c.tables.map((t) => {
      const drift = (t.drift || []).map((d) => `<div class="drift">${esc(d)}</div>`).join('');
      return `<tr class="${lossy.has(t.table) ? 'loss' : ''}"><th scope="row">${esc(t.table)}${drift}</th>
        <td class="n">${t.local_rows == null ? '<span class="muted">missing</span>' : num(t.local_rows)}</td>
        <td class="n">${t.remote_rows == null ? '<span class="muted">missing</span>' : num(t.remote_rows)}</td>
        <td class="n" title="${esc(dir ? t[key] : '')}">${this.change(t, dir)}</td></tr>`;
    }).join('');

    const verdict = dir ? c[key] : '';
    const loss = this.$('loss');
    const losses = this.losses(dir);
    const needsForce = verdict.startsWith('needs force') || this.forceRequired;
    if (dir && verdict.startsWith('refused')) {
      loss.className = 'box bad';
      loss.innerHTML = `<p><strong>This direction cannot run:</strong> ${esc(verdict.replace(/^refused: /, ''))}.</p>`;
      loss.hidden = false;
    } else if (dir && needsForce) {
      const { target } = DIRECTIONS[dir];
      const total = losses.reduce((s, l) => s + l.lose, 0);
      loss.className = 'box warn';
      loss.innerHTML = `<p><strong>Data-loss warning.</strong> The ${SIDE[target].toLowerCase()} database has rows the other side does not have${total ? `: ${num(total)} rows would be lost` : ''}.</p>
        ${losses.length ? `<ul>${losses.map((l) => `<li>${esc(l.table)}: ${num(l.lose)} rows</li>`).join('')}</ul>` : `<p>${esc(verdict.replace(/^needs force: /, ''))}</p>`}
        <p>A backup of the ${SIDE[target].toLowerCase()} database is taken first when the backup option is on.</p>`;
      loss.hidden = false;
    } else {
      loss.hidden = true;
    }
    loss.setAttribute('role', loss.hidden ? 'none' : 'alert');
    this.$('force-wrap').hidden = !(dir && needsForce && !verdict.startsWith('refused'));
  }

  /** What the chosen direction does to one table's row count in the target, in a few characters. */
  change(t, dir) {
    const l = t.local_rows;
    const r = t.remote_rows;
    if (!dir) return l === r ? '=' : `more on ${esc(SIDE[t.more_on]?.toLowerCase() ?? t.more_on)}`;
    const { source, target } = DIRECTIONS[dir];
    const from = t[`${source}_rows`];
    const to = t[`${target}_rows`];
    if (from == null) return '<span class="drift">missing on the source</span>';
    if (to == null) return `new table, ${num(from)}`;
    if (from === to) return '<span class="muted">same count</span>';
    return from < to ? `<span class="lose">−${num(to - from)} rows</span>` : `+${num(from - to)} rows`;
  }

  renderStartButton() {
    const dir = this.direction();
    const start = this.$('start');
    const hint = this.$('start-hint');
    const dry = this.$('dry').checked;
    start.textContent = dry ? 'Show the plan' : 'Sync now';
    this.$('backup').disabled = dry;
    let why = '';
    if (this.running()) why = 'A sync is running: wait for it, or cancel it.';
    else if (!dir) why = 'Choose a direction first.';
    else if (!dry && !this.$('force-wrap').hidden && !this.$('force').checked) why = 'Confirm the data-loss warning first.';
    start.disabled = Boolean(why);
    hint.textContent = why;
    this.shadowRoot.querySelectorAll('button[data-backup]').forEach((b) => { b.disabled = Boolean(this.running()); });
  }

  // ---- starting, cancelling, restoring -----------------------------------------------------

  async start() {
    const dir = this.direction();
    const dry = this.$('dry').checked;
    const errorBox = this.$('start-error');
    errorBox.innerHTML = '';
    this.$('start').disabled = true;
    const body = { direction: dir, backup: this.$('backup').checked, dry_run: dry, full: this.$('full').checked,
      force: !this.$('force-wrap').hidden && this.$('force').checked };
    try {
      const state = await this.call('/sync', { method: 'POST', body });
      this.show(state);
      if (!FINAL.has(state.status)) this.follow(state.sync_id);
      else this.finished();
    } catch (e) {
      this.showStartError(e);
    }
    this.renderStartButton();
  }

  showStartError(e) {
    const errorBox = this.$('start-error');
    const p = e.problem || {};
    if (e instanceof ApiError && e.status === 422) {
      const refusals = p.refusals || [];
      errorBox.innerHTML = `<div class="box bad"><p><strong>${esc(explain(e))}</strong></p>
        <ul>${(refusals.length ? refusals : [{ message: p.detail }]).map((r) => `<li>${esc(r.message)}</li>`).join('')}</ul></div>`;
      if (refusals.some((r) => r.code === 'data_loss')) {
        // the guard knows more than the counts (rows changed since the last sync): ask, then force
        this.forceRequired = true;
        this.renderComparison(this.direction());
      }
      this.loadHistory();
    } else if (e instanceof ApiError && e.status === 409 && p.sync_id) {
      errorBox.innerHTML = `<div class="box warn"><p>${esc(explain(e))}</p></div>`;
      this.attachToRunning();
    } else {
      errorBox.innerHTML = `<div class="box bad"><p>${esc(explain(e))}</p></div>`;
    }
  }

  async cancel() {
    if (!this.job) return;
    const button = this.$('cancel');
    button.disabled = true;
    button.textContent = 'Cancelling…';
    this.cancelAsked = this.job.sync_id;
    try {
      const state = await this.call(`/sync/${encodeURIComponent(this.job.sync_id)}/cancel`, { method: 'POST' });
      if (state) this.show(state);
    } catch (e) {
      // too late (the COMMIT has begun): the final event will say completed; show what the service says
      if (e.problem && e.problem.sync) this.show(e.problem.sync);
      this.$('message').textContent = e instanceof ApiError && e.status === 409
        ? 'Too late to cancel: the sync was already committing. Its final status below is the truth.'
        : explain(e);
    }
  }

  askRestore(id) {
    const b = (this.backups || []).find((x) => x.id === id);
    if (!b) return;
    this.pendingRestore = id;
    const db = SIDE[b.database] ?? b.database;
    this.$('confirm-h').textContent = `Restore the ${db.toLowerCase()} database?`;
    const names = Object.keys(b.tables || {});
    const which = names.length <= 4 ? names.join(', ') : `${names.length} of Archon's tables`;
    this.$('confirm-body').innerHTML = `<p>The rows of ${esc(which)} in the
      <strong>${esc(db.toLowerCase())} database</strong> (${esc(b.endpoint)}) will be replaced by this backup, taken ${esc(when(b.created_at))}
      (${num(b.total_rows ?? Object.values(b.tables || {}).reduce((s, n) => s + n, 0))} rows).</p>
      <p>Anything written there since then is lost. A safety backup of the database as it is now is taken first;
      the restore is all or nothing and verified before it commits.</p>`;
    this.$('confirm').showModal();
    this.$('confirm-no').focus();
  }

  async restore(id) {
    const box = this.$('backup-error');
    box.innerHTML = '';
    try {
      // the user has just confirmed the replacement in the dialog: that is the service's "force"; the safety backup stays on
      const state = await this.call(`/backups/${encodeURIComponent(id)}/restore`, { method: 'POST', body: { force: true, backup: true } });
      this.show(state);
      if (!FINAL.has(state.status)) this.follow(state.sync_id);
      else this.finished();
      this.$('progress').scrollIntoView({ block: 'nearest' });
    } catch (e) {
      box.innerHTML = `<div class="box bad"><p>${esc(explain(e))}</p>${(e.problem?.refusals || []).map((r) => `<p>${esc(r.message)}</p>`).join('')}</div>`;
    }
  }

  // ---- following a sync: stream, reconnect, catch up ---------------------------------------

  async attachToRunning() {
    if (this.running()) return;
    try {
      const state = await this.call('/sync/current');
      if (state && !FINAL.has(state.status)) {
        this.show(state);
        this.follow(state.sync_id);
        this.preselect(state.direction);
      } else {
        this.$('strip-running').textContent = 'Nothing';
      }
    } catch (e) {
      this.$('strip-running').textContent = e instanceof ApiError && e.status === 401 ? '–' : explain(e);
    }
  }

  /** A page opened mid-sync shows that sync's direction (unless the user already chose one). */
  preselect(direction) {
    if (this.direction() || !DIRECTIONS[direction]) return;
    const radio = this.shadowRoot.querySelector(`input[name=direction][value="${direction}"]`);
    radio.checked = true;
    this.renderDirection();
  }

  follow(id) {
    this.closeStream();
    const url = `${this.api}/sync/${encodeURIComponent(id)}/events`;
    const es = new EventSource(url, { withCredentials: this.crossOrigin });
    this.stream = es;
    const onEvent = (e) => {
      this.retry = 0;
      this.$('conn').textContent = '';
      let state;
      try { state = JSON.parse(e.data); } catch { return; }
      this.show(state);
      if (FINAL.has(state.status)) {
        this.closeStream();
        this.finished();
      }
    };
    ['progress', ...FINAL].forEach((name) => es.addEventListener(name, onEvent));
    es.onerror = () => {
      if (this.stream !== es) return;
      // the stream ended early (network, proxy, restart): catch up from GET, then listen again
      this.closeStream();
      this.$('conn').textContent = 'Connection lost, reconnecting…';
      const delay = Math.min(10000, 500 * 2 ** this.retry++);
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = setTimeout(() => this.catchUp(id), delay);
    };
  }

  async catchUp(id) {
    try {
      const state = await this.call(`/sync/${encodeURIComponent(id)}`);
      this.show(state);
      if (FINAL.has(state.status)) { this.$('conn').textContent = ''; this.finished(); } else this.follow(id);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        // the service restarted and forgot it: the history has the truth
        this.$('conn').textContent = 'The service no longer knows this sync (restarted?); see History.';
        this.job = { ...this.job, status: 'failed' };
        this.finished();
      } else if (!(e instanceof ApiError && e.status === 401)) {
        this.$('conn').textContent = `${explain(e)} Retrying…`;
        clearTimeout(this.reconnectTimer);
        this.reconnectTimer = setTimeout(() => this.catchUp(id), Math.min(10000, 500 * 2 ** this.retry++));
      }
    }
  }

  closeStream() {
    if (this.stream) { this.stream.close(); this.stream = null; }
  }

  finished() {
    this.renderStartButton();
    this.loadHistory();
    // the history row is written in the background at the end: read it again once it has landed
    clearTimeout(this.historyTimer);
    this.historyTimer = setTimeout(() => this.loadHistory(), 2000);
    this.loadBackups();
    this.loadComparison();
    this.loadSchedule();
  }

  // ---- rendering one progress object -------------------------------------------------------

  show(s) {
    const fresh = !this.job || this.job.sync_id !== s.sync_id;
    this.job = s;
    const final = FINAL.has(s.status);
    const dry = Boolean(s.plan) && s.status === 'completed' && (s.message || '').startsWith('Dry run');
    this.$('idle').hidden = true;
    this.$('run').hidden = false;
    const restore = s.operation === 'restore';
    const target = DIRECTIONS[s.direction]?.target;
    this.$('prog-h').textContent = final ? (dry ? 'Dry run: the plan' : restore ? 'Last restore' : 'Last sync')
      : restore ? `Restoring the ${SIDE[target]?.toLowerCase() ?? ''} database` : `Syncing ${directionWords(s.direction)}`;
    this.$('run-title').textContent = `${restore ? `Restore of backup ${s.backup_id}` : directionWords(s.direction)} · ${s.trigger ?? ''} · started ${when(s.started_at)} · id ${s.sync_id}`;

    this.$('meters').hidden = dry; // a plan has no progress to show
    this.renderPhases(s, dry);
    const bar = this.$('bar');
    const p = Math.max(0, Math.min(100, s.percent_complete || 0));
    bar.className = `bar ${final ? s.status : ''}`;
    bar.firstElementChild.style.width = `${p}%`;
    bar.setAttribute('aria-valuenow', String(Math.floor(p)));
    bar.setAttribute('aria-valuetext', `${pct(p)}, ${final ? s.status : (s.phase || '').replace('_', ' ')}`);
    this.$('percent').textContent = pct(p);
    this.$('eta').textContent = final ? `${s.status} after ${seconds(s.elapsed_seconds)}`
      : s.eta_seconds == null ? 'estimating time left…' : `about ${seconds(s.eta_seconds)} left · ${seconds(s.elapsed_seconds)} so far`;
    this.renderFacts(s);
    this.$('message').textContent = s.message || '';
    this.$('message').hidden = final; // the outcome below says it in full
    const cancel = this.$('cancel');
    cancel.hidden = final;
    if (fresh || final) { cancel.disabled = false; cancel.textContent = 'Cancel'; }
    this.renderOutcome(s, dry);
    this.renderReport(s, dry);
    this.renderDecisions(s, dry);
    this.announce(s);
    this.$('strip-running').innerHTML = final ? 'Nothing'
      : `${restore ? 'Restore' : directionWords(s.direction)} · ${esc(pct(p))} · ${esc((s.phase || '').replace('_', ' '))}`;
    this.renderStartButton();
  }

  renderPhases(s, dry) {
    const at = PHASES.findIndex(([k]) => k === s.phase);
    const final = FINAL.has(s.status);
    const phaseSeconds = s.report?.phase_seconds || {};
    this.$('phases').innerHTML = PHASES.map(([key, label], i) => {
      let state = 'todo';
      let words = 'not started';
      if (s.status === 'completed' && !dry) {
        const ran = key in phaseSeconds || !s.report;
        state = ran ? 'done' : 'skipped'; words = ran ? 'done' : 'skipped';
      } else if (dry) {
        state = i === 0 ? 'done' : 'todo'; words = i === 0 ? 'done' : 'not run (dry run)';
      } else if (i < at) {
        const skipped = key === 'backing_up' && s.report && !(key in phaseSeconds);
        state = skipped ? 'skipped' : 'done'; words = skipped ? 'skipped' : 'done';
      } else if (i === at) {
        state = final ? 'stopped' : 'current'; words = final ? s.status : 'in progress';
      }
      const current = state === 'current' ? ' aria-current="step"' : '';
      return `<li class="${state}"${current} data-phase="${key}"><span>${label}</span><span class="sr-only"> (${words})</span></li>`;
    }).join('');
  }

  renderFacts(s) {
    const facts = [];
    const rowMsg = /^Syncing (\S+): ([\d,]+) \/ ([\d,]+) rows/.exec(s.message || '');
    const idxMsg = /Building index (\S+) on (\S+) \((\d+)\/(\d+)(?:, ([^)]+))?\)/.exec(s.message || '');
    // tables left alone as unchanged (issue 14) count as completed on the wire, but nothing is loaded into them
    const unchanged = s.operation === 'restore' ? 0 : (s.decisions || []).filter((d) => !d.reload).length;
    const total = Math.max(0, (s.total_tables || 0) - unchanged);
    const loaded = Math.max(0, (s.tables_completed || 0) - unchanged);
    const alone = unchanged ? ` · ${num(unchanged)} unchanged, left alone` : '';
    if (s.phase === 'importing' && s.current_table) {
      facts.push(['Table', `${Math.min(total, loaded + 1)} / ${total} · ${esc(s.current_table)}`]);
    } else {
      facts.push(['Tables loaded', `${num(loaded)} / ${num(total)}${alone}`]);
    }
    if (rowMsg) facts.push(['Rows in table', `${rowMsg[2]} / ${rowMsg[3]}`]);
    facts.push(['Rows', `${num(s.rows_synced)} / ${num(s.total_rows)}`]);
    if (idxMsg) facts.push(['Index', `${idxMsg[3]} / ${idxMsg[4]} · ${esc(idxMsg[1])}${idxMsg[5] ? ` (${esc(idxMsg[5])})` : ''}`]);
    if (s.bytes_transferred) facts.push(['Transferred', bytes(s.bytes_transferred)]);
    this.$('facts').innerHTML = facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('');
  }

  renderOutcome(s, dry) {
    const box = this.$('outcome');
    if (!FINAL.has(s.status)) { box.innerHTML = ''; return; }
    const restore = s.operation === 'restore';
    const target = SIDE[DIRECTIONS[s.direction]?.target]?.toLowerCase() ?? 'target';
    let html;
    if (dry) {
      const reload = (s.decisions || []).filter((d) => d.reload).length;
      const left = (s.decisions || []).length - reload;
      html = `<div class="box plain" role="status"><p><strong>Dry run: nothing was changed.</strong> Validated and planned:
        ${num(s.total_rows)} rows in ${num(reload)} tables would replace those of the ${esc(target)} database${left ? `; ${num(left)} tables equal to the source would be left alone` : ''}.</p></div>`;
    } else if (s.status === 'completed' && !restore && s.report && !('importing' in (s.report.phase_seconds || {}))) {
      // issue 14: every table already equal to the source — the target was only read
      html = `<div class="box good" role="status"><p><strong>Nothing to sync.</strong> Every table already equals the source
        (fingerprints compared on both servers): no write transaction was opened on the ${esc(target)} database, nothing was written.</p></div>`;
    } else if (s.status === 'completed') {
      const tables = s.report?.tables || [];
      // a table left alone as unchanged was fingerprint-checked under the lock: it holds the source's rows
      const unchanged = tables.filter((t) => t.format === 'unchanged').length;
      const matched = tables.filter((t) => t.format === 'unchanged' || t.rows_loaded === t.source_rows).length;
      html = `<div class="box good" role="status"><p><strong>${restore ? 'Restore' : 'Sync'} completed.</strong> ${esc(s.message)}</p>
        <p>Verified before it committed: ${tables.length ? `${matched} of ${tables.length} tables have exactly the source's row count${unchanged ? ` (${unchanged} equal to the source and left alone, their fingerprints checked again under the lock)` : ''}, ` : ''}no foreign key points nowhere,
        every index is valid${s.report?.indexes ? ` (${s.report.indexes.length} rebuilt)` : ''}, every sequence is at the source's value.</p>
        ${(s.report?.warnings || []).map((w) => `<p class="muted">Note: ${esc(w)}</p>`).join('')}
        ${this.cancelAsked === s.sync_id ? '<p>Your cancel came too late: the sync had already begun to commit, so it completed.</p>' : ''}</div>`;
    } else if (s.status === 'cancelled') {
      html = `<div class="box warn" role="status"><p><strong>Cancelled.</strong> The ${esc(target)} database was left exactly as it was before.</p></div>`;
    } else if (s.status === 'refused') {
      html = `<div class="box bad" role="status"><p><strong>Refused before anything was touched.</strong></p>
        <ul>${(s.refusals?.length ? s.refusals : [{ message: s.error }]).map((r) => `<li>${esc(r.message)}</li>`).join('')}</ul></div>`;
    } else {
      html = `<div class="box bad" role="status"><p><strong>${restore ? 'Restore' : 'Sync'} failed</strong> in ${esc((s.phase || '').replace('_', ' '))}. The ${esc(target)} database was left exactly as it was (nothing is committed unless all of it is verified).</p>
        <p>${esc(s.error || s.message || '')}</p></div>`;
    }
    box.innerHTML = html;
  }

  renderReport(s, dry) {
    const box = this.$('report');
    if (dry && s.plan) {
      const rows = s.plan.tables || [];
      box.innerHTML = `<h3>The plan</h3><p class="muted">${s.plan.fresh_target ? 'The target has no Archon tables: they would be created from the source\'s schema. ' : ''}Tables in load order; rows the target has now would be replaced.</p>
        <div class="scroll"><table><thead><tr><th scope="col">Table</th><th scope="col" class="n">Rows to copy</th><th scope="col" class="n">Target now</th><th scope="col">What happens</th><th scope="col" class="hide-narrow">Copy</th></tr></thead>
        <tbody>${rows.map((t) => `<tr><th scope="row">${esc(t.table)}</th><td class="n">${num(t.source_rows)}</td><td class="n">${num(t.target_rows_before)}</td><td>${esc(t.reload === false ? 'left alone: unchanged' : `reload: ${why(t.why)}`)}</td><td class="hide-narrow">${esc(String(t.format).toLowerCase())}</td></tr>`).join('')}</tbody></table></div>`;
      return;
    }
    const r = s.report;
    if (!FINAL.has(s.status) || !r || !r.phase_seconds) { box.innerHTML = ''; return; }
    const phases = PHASES.filter(([k]) => k in r.phase_seconds);
    const total = phases.reduce((sum, [k]) => sum + r.phase_seconds[k], 0) || 1;
    const slow = (r.tables || []).slice().sort((a, b) => b.seconds - a.seconds);
    box.innerHTML = `<h3>Time per phase</h3>
      <table id="timing"><thead><tr><th scope="col">Phase</th><th scope="col" class="n">Seconds</th><th scope="col" class="hide-narrow">Share</th></tr></thead>
      <tbody>${phases.map(([k, label]) => `<tr><th scope="row">${label}</th><td class="n">${seconds(r.phase_seconds[k])}</td>
        <td class="hide-narrow"><span class="share" style="width:${Math.round(120 * r.phase_seconds[k] / total)}px"></span> ${Math.round(100 * r.phase_seconds[k] / total)}%</td></tr>`).join('')}
      <tr><th scope="row">Total</th><td class="n">${seconds(s.elapsed_seconds)}</td><td class="hide-narrow"></td></tr></tbody></table>
      ${slow.length ? `<details><summary>Per table (${slow.length})</summary><div class="scroll"><table><thead><tr><th scope="col">Table</th><th scope="col" class="n">Rows</th><th scope="col" class="n">Was</th><th scope="col" class="n">Seconds</th></tr></thead>
        <tbody>${slow.map((t) => `<tr><th scope="row">${esc(t.table)}</th><td class="n">${num(t.rows_loaded)}</td><td class="n">${num(t.target_rows_before)}</td><td class="n">${seconds(t.seconds)}</td></tr>`).join('')}</tbody></table></div></details>` : ''}
      ${r.indexes?.length ? `<details><summary>Indexes rebuilt (${r.indexes.length})</summary><div class="scroll"><table><thead><tr><th scope="col">Index</th><th scope="col">Method</th><th scope="col" class="n">Seconds</th></tr></thead>
        <tbody>${r.indexes.slice().sort((a, b) => b.seconds - a.seconds).map((i) => `<tr><th scope="row">${esc(i.index)}</th><td>${esc(i.method)}</td><td class="n">${seconds(i.seconds)}</td></tr>`).join('')}</tbody></table></div></details>` : ''}`;
  }

  /**
   * Issue 14: which tables are reloaded and why, which are left alone as equal to the source — from the
   * plan, so it is there from the end of validation on (live, after a reload, and in the final state).
   */
  renderDecisions(s, dry) {
    const box = this.$('decisions');
    const all = s.operation === 'restore' ? [] : s.decisions || [];
    if (!all.length) { box.innerHTML = ''; this.decisionsHtml = ''; return; }
    const reload = all.filter((d) => d.reload);
    const left = all.filter((d) => !d.reload);
    const groups = new Map();
    reload.forEach((d) => groups.set(d.why, [...(groups.get(d.why) || []), d.table]));
    const verb = dry ? 'Would reload' : s.status === 'completed' ? 'Reloaded' : s.status === 'running' ? 'Reloading' : 'Planned to reload';
    const named = [...groups].map(([w, names]) => `${names.length > 4 ? `${names.length} tables` : names.join(', ')} (${why(w)})`).join('; ');
    const html = `<h3>Tables</h3>
      <p id="decision-summary">${!reload.length ? 'Nothing to reload. ' : groups.size === 1 && reload.length > 4
        ? `${verb} ${reload.length} tables (${esc(why(reload[0].why))}). ` : `${verb} ${reload.length}: ${esc(named)}. `}
        ${left.length ? `${left.length} unchanged ${left.length === 1 ? 'table' : 'tables'} (equal to the source) left alone.` : ''}</p>
      ${dry ? '' : `<details><summary>Per table (${all.length})</summary><div class="scroll"><table><thead><tr><th scope="col">Table</th><th scope="col">What happens</th></tr></thead>
        <tbody>${all.map((d) => `<tr><th scope="row">${esc(d.table)}</th><td>${esc(d.reload ? `reload: ${why(d.why)}` : 'left alone: unchanged')}</td></tr>`).join('')}</tbody></table></div></details>`}`;
    // redrawn only when it changes: events come up to 5 a second, and an opened fold-out must stay open
    if (html !== this.decisionsHtml) { box.innerHTML = html; this.decisionsHtml = html; }
  }

  /** What a screen reader hears: phase changes, every tenth percent, and the outcome. */
  announce(s) {
    const tenth = Math.floor((s.percent_complete || 0) / 10) * 10;
    const key = FINAL.has(s.status) ? s.status : `${s.phase}:${tenth}`;
    if (key === this.lastAnnounced) return;
    this.lastAnnounced = key;
    this.$('live').textContent = FINAL.has(s.status)
      ? `${s.operation === 'restore' ? 'Restore' : 'Sync'} ${s.status}. ${s.status === 'completed' ? s.message || '' : s.error || s.message || ''}`
      : `${(s.phase || '').replace('_', ' ')}, ${tenth} percent`;
  }

  // ---- history, backups, schedule ----------------------------------------------------------

  async loadHistory() {
    const body = this.$('history').tBodies[0];
    try {
      this.history = await this.call('/sync/history?limit=15');
    } catch (e) {
      body.innerHTML = `<tr><td colspan="7">${esc(explain(e))}</td></tr>`;
      return;
    }
    body.innerHTML = this.history.length ? this.history.map((h) => {
      const dir = h.operation === 'restore' ? `Restore ${SIDE[DIRECTIONS[h.direction]?.target]?.toLowerCase() ?? ''}` : directionWords(h.direction);
      const details = h.error || h.message || '';
      return `<tr><td>${esc(when(h.started_at))}</td><td>${esc(dir)}${h.dry_run ? ' <span class="muted">(dry run)</span>' : ''}</td>
        <td class="hide-narrow">${esc(h.trigger)}</td><td>${statusBadge(h.status)}</td><td class="n">${seconds(h.duration_seconds)}</td>
        <td class="n hide-narrow">${num(h.rows_synced)}</td><td class="hide-narrow">${esc(details)}</td></tr>`;
    }).join('') : '<tr><td colspan="7" class="empty">No syncs yet.</td></tr>';
    const last = this.history.find((h) => h.status !== 'running' && !h.dry_run);
    this.$('strip-last').innerHTML = last
      ? `${statusBadge(last.status)} ${esc(last.operation === 'restore' ? 'restore' : directionWords(last.direction))} · ${esc(ago(last.finished_at || last.started_at))}`
      : 'never';
    // a row still 'running' for the sync this page saw end is the history catching up, not another sync
    const elsewhere = this.history.find((h) => h.status === 'running' && h.sync_id !== this.job?.sync_id);
    if (elsewhere && !this.running()) {
      this.$('strip-running').textContent = `${directionWords(elsewhere.direction)} (started ${ago(elsewhere.started_at)} by ${elsewhere.trigger}, in another instance)`;
    }
  }

  async loadBackups() {
    const body = this.$('backups').tBodies[0];
    try {
      this.backups = await this.call('/backups');
    } catch (e) {
      body.innerHTML = `<tr><td colspan="5">${esc(explain(e))}</td></tr>`;
      return;
    }
    body.innerHTML = this.backups.length ? this.backups.map((b) => {
      const rows = Object.values(b.tables || {}).reduce((s, n) => s + n, 0);
      const db = SIDE[b.database] ?? b.database;
      return `<tr><td>${esc(when(b.created_at))} <span class="muted">${esc(ago(b.created_at))}</span></td>
        <td>${esc(db)} <span class="muted hide-narrow">${esc(b.endpoint)}</span></td><td class="n">${num(rows)}</td><td class="n hide-narrow">${bytes(b.size_bytes)}</td>
        <td><button class="danger" data-backup="${esc(b.id)}" aria-label="Restore the ${esc(db.toLowerCase())} database from the backup of ${esc(when(b.created_at))}">Restore…</button></td></tr>`;
    }).join('') : '<tr><td colspan="5" class="empty">No backups yet: a sync with “Back up the target first” makes one.</td></tr>';
    this.renderStartButton();
  }

  async loadSchedule() {
    const wrap = this.$('strip-next-wrap');
    let s;
    try {
      s = await this.call('/schedule');
    } catch {
      wrap.hidden = true; // an older service has no schedule route: say nothing rather than guess
      return;
    }
    wrap.hidden = false;
    const next = this.$('strip-next');
    if (!s.enabled) {
      next.textContent = 'none (the nightly backup is off)';
    } else if (s.next_fire_at) {
      next.textContent = `${when(s.next_fire_at)} (${ago(s.next_fire_at)}) · local → cloud`;
    } else {
      next.textContent = 'not planned';
    }
    const a = s.last_attempt;
    if (a && a.status !== 'completed') {
      next.innerHTML += ` · last nightly run ${statusBadge(a.status)} <span class="muted">${esc(a.message || '')}</span>`;
    }
  }
}

if (!customElements.get('archon-db-sync')) {
  customElements.define('archon-db-sync', ArchonDbSync);
}
