// <archon-db-sync>: the Database Sync page as one framework-free Web Component (ES modules, no build step).
// The service serves it at / on its own; Archon's dashboard mounts the very same element:
//
//   <script type="module" src="/archon-db-sync.js"></script>
//   <archon-db-sync api="/api/database" theme="auto" preset="archon"></archon-db-sync>
//
// Attribute `api`: where the service's /api/database routes are (default "/api/database", i.e. the
// same origin, or a proxy that adds X-API-Key). Sign-in: the key is POSTed once in X-API-Key and the
// service answers with an HttpOnly cookie; the key is never kept by the page or put in a URL.
// Attributes `theme` (light | dark | auto) and `preset` (archon): see adbs/theme.js.
//
// This file is the element: its state and what the user does. adbs/ holds the rest: api.js (HTTP and the
// event stream), facts.js (what a progress object says), render-*.js (HTML from data), theme.js and
// styles.js (the look), template.js (the markup), format.js (words and numbers).
import { Api, ApiError, explain } from './adbs/api.js';
import { FINAL, SIDE, DIRECTIONS, esc, pct, seconds, when, ago, directionWords, endpoint } from './adbs/format.js';
import { outcomeOf } from './adbs/facts.js';
import { phasesHtml, factsHtml, outcomeHtml, reportHtml, decisionsHtml, leftOutHtml } from './adbs/render-progress.js';
import { comparisonRowsHtml, losses, historyRowsHtml, lastSyncHtml, backupRowsHtml, restoreQuestionHtml, scheduleHtml } from './adbs/render-lists.js';
import { watchScheme } from './adbs/theme.js';
import { TEMPLATE } from './adbs/template.js';

const IDLE_POLL_MS = 15000;
/** Refusals that "Bring the schema along" answers. */
const SCHEMA_REFUSALS = new Set(['schema_drift', 'table_missing_on_target']);

export class ArchonDbSync extends HTMLElement {
  static get observedAttributes() { return ['api', 'theme', 'preset']; }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this.shadowRoot.innerHTML = TEMPLATE;
    this.$ = (id) => this.shadowRoot.getElementById(id);
    this.service = new Api(this.api, () => this.signedOut());
    this.comparison = null;
    this.job = null;           // the progress object of the sync this page shows
    this.stream = null;        // its EventSource
    this.retry = 0;            // reconnect attempts since the last event
    this.lastAnnounced = '';
    this.forceRequired = false;
    this.pendingRestore = null;
    this.history = [];
    this.decisionsShown = '';
    this.phasesShown = '';
  }

  get api() {
    return (this.getAttribute('api') || '/api/database').replace(/\/$/, '');
  }

  attributeChangedCallback(name) {
    if (name === 'api') this.service = new Api(this.api, () => this.signedOut());
    else this.scheme?.apply();
  }

  connectedCallback() {
    this.scheme = watchScheme(this);
    this.wire();
    this.checkSession();
  }

  disconnectedCallback() {
    this.scheme?.stop();
    this.scheme = null;
    this.closeStream();
    clearInterval(this.poller);
    clearTimeout(this.reconnectTimer);
  }

  call(path, options) {
    return this.service.call(path, options);
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
    if (this.wired) return; // moved in the document: connected again, listeners already there
    this.wired = true;
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
    if (!c) { table.hidden = true; this.$('loss').hidden = true; this.$('force-wrap').hidden = true; this.$('cmp-left-out').innerHTML = ''; return; }
    table.hidden = false;
    this.$('cmp-effect-h').textContent = dir ? `${SIDE[DIRECTIONS[dir].target]} after` : 'Difference';
    const key = dir === 'local-to-remote' ? 'local_to_remote' : 'remote_to_local';
    const lost = losses(c, dir);
    table.tBodies[0].innerHTML = comparisonRowsHtml(c, dir, new Set(lost.map((l) => l.table)));
    this.$('cmp-left-out').innerHTML = leftOutHtml(c.left_out);

    // the comparison's verdict per direction is a sentence of the service's (no refusal codes on /compare)
    const verdict = dir ? c[key] : '';
    const loss = this.$('loss');
    const needsForce = verdict.startsWith('needs force') || this.forceRequired;
    if (dir && verdict.startsWith('refused')) {
      loss.className = 'box bad';
      loss.innerHTML = `<p><strong>This direction cannot run:</strong> ${esc(verdict.replace(/^refused: /, ''))}.</p>`;
      loss.hidden = false;
    } else if (dir && needsForce) {
      const { target } = DIRECTIONS[dir];
      const total = lost.reduce((s, l) => s + l.lose, 0);
      loss.className = 'box warn';
      loss.innerHTML = `<p><strong>Data-loss warning.</strong> The ${SIDE[target].toLowerCase()} database has rows the other side does not have${total ? `: ${total.toLocaleString('en-US')} rows would be lost` : ''}.</p>
        ${lost.length ? `<ul>${lost.map((l) => `<li>${esc(l.table)}: ${l.lose.toLocaleString('en-US')} rows</li>`).join('')}</ul>` : `<p>${esc(verdict.replace(/^needs force: /, ''))}</p>`}
        <p>A backup of the ${SIDE[target].toLowerCase()} database is taken first when the backup option is on.</p>`;
      loss.hidden = false;
    } else {
      loss.hidden = true;
    }
    loss.setAttribute('role', loss.hidden ? 'none' : 'alert');
    this.$('force-wrap').hidden = !(dir && needsForce && !verdict.startsWith('refused'));
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
    this.$('start-error').innerHTML = '';
    this.$('start').disabled = true;
    const body = { direction: dir, backup: this.$('backup').checked, dry_run: this.$('dry').checked, full: this.$('full').checked,
      schema: this.$('schema').checked, force: !this.$('force-wrap').hidden && this.$('force').checked };
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
      const schemaHelps = !this.$('schema').checked && refusals.some((r) => SCHEMA_REFUSALS.has(r.code));
      errorBox.innerHTML = `<div class="box bad"><p><strong>${esc(explain(e))}</strong></p>
        <ul>${(refusals.length ? refusals : [{ message: p.detail }]).map((r) => `<li>${esc(r.message)}</li>`).join('')}</ul>
        ${schemaHelps ? '<p>Tick <strong>Bring the schema along</strong> to create what the target lacks from the source\'s schema.</p>' : ''}</div>`;
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
    this.$('confirm-h').textContent = `Restore the ${(SIDE[b.database] ?? b.database).toLowerCase()} database?`;
    this.$('confirm-body').innerHTML = restoreQuestionHtml(b);
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
    this.shadowRoot.querySelector(`input[name=direction][value="${direction}"]`).checked = true;
    this.renderDirection();
  }

  follow(id) {
    this.closeStream();
    this.stream = this.service.events(id, ['progress', ...FINAL], (state) => {
      this.retry = 0;
      this.$('conn').textContent = '';
      this.show(state);
      if (FINAL.has(state.status)) {
        this.closeStream();
        this.finished();
      }
    }, (es) => {
      if (this.stream !== es) return;
      // the stream ended early (network, proxy, restart): catch up from GET, then listen again
      this.closeStream();
      this.$('conn').textContent = 'Connection lost, reconnecting…';
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = setTimeout(() => this.catchUp(id), Math.min(10000, 500 * 2 ** this.retry++));
    });
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

  // ---- showing one progress object ---------------------------------------------------------

  show(s) {
    const fresh = !this.job || this.job.sync_id !== s.sync_id;
    this.job = s;
    const final = FINAL.has(s.status);
    const planned = outcomeOf(s) === 'planned';
    this.$('idle').hidden = true;
    this.$('run').hidden = false;
    const restore = s.operation === 'restore';
    const target = DIRECTIONS[s.direction]?.target;
    this.$('prog-h').textContent = final ? (planned ? 'Dry run: the plan' : restore ? 'Last restore' : 'Last sync')
      : restore ? `Restoring the ${SIDE[target]?.toLowerCase() ?? ''} database` : `Syncing ${directionWords(s.direction)}`;
    this.$('run-title').textContent = `${restore ? `Restore of backup ${s.backup_id}` : directionWords(s.direction)} · ${s.trigger ?? ''} · started ${when(s.started_at)} · id ${s.sync_id}`;

    this.$('meters').hidden = planned; // a plan has no progress to show
    // the stepper, like the decisions below, is redrawn only when it changes: its steps stay the same elements
    const phases = phasesHtml(s);
    if (phases !== this.phasesShown) { this.$('phases').innerHTML = phases; this.phasesShown = phases; }
    const bar = this.$('bar');
    const p = Math.max(0, Math.min(100, s.percent_complete || 0));
    bar.className = `bar ${final ? s.status : ''}`;
    bar.firstElementChild.style.width = `${p}%`;
    bar.setAttribute('aria-valuenow', String(Math.floor(p)));
    bar.setAttribute('aria-valuetext', `${pct(p)}, ${final ? s.status : (s.phase || '').replace('_', ' ')}`);
    this.$('percent').textContent = pct(p);
    this.$('eta').textContent = final ? `${s.status} after ${seconds(s.elapsed_seconds)}`
      : s.eta_seconds == null ? 'estimating time left…' : `about ${seconds(s.eta_seconds)} left · ${seconds(s.elapsed_seconds)} so far`;
    this.$('facts').innerHTML = factsHtml(s);
    this.$('message').textContent = s.message || '';
    this.$('message').hidden = final; // the outcome below says it in full
    const cancel = this.$('cancel');
    cancel.hidden = final;
    if (fresh || final) { cancel.disabled = false; cancel.textContent = 'Cancel'; }
    this.$('outcome').innerHTML = outcomeHtml(s, { cancelAsked: this.cancelAsked });
    this.$('report').innerHTML = reportHtml(s);
    // redrawn only when it changes: events come up to 5 a second, and an opened fold-out must stay open
    const decisions = decisionsHtml(s);
    if (decisions !== this.decisionsShown) { this.$('decisions').innerHTML = decisions; this.decisionsShown = decisions; }
    this.announce(s);
    this.$('strip-running').innerHTML = final ? 'Nothing'
      : `${restore ? 'Restore' : directionWords(s.direction)} · ${esc(pct(p))} · ${esc((s.phase || '').replace('_', ' '))}`;
    this.renderStartButton();
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
    body.innerHTML = historyRowsHtml(this.history);
    this.$('strip-last').innerHTML = lastSyncHtml(this.history);
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
    body.innerHTML = backupRowsHtml(this.backups);
    this.renderStartButton();
  }

  async loadSchedule() {
    const wrap = this.$('strip-next-wrap');
    try {
      const s = await this.call('/schedule');
      this.$('strip-next').innerHTML = scheduleHtml(s);
      wrap.hidden = false;
    } catch {
      wrap.hidden = true; // an older service has no schedule route: say nothing rather than guess
    }
  }
}

if (!customElements.get('archon-db-sync')) {
  customElements.define('archon-db-sync', ArchonDbSync);
}
