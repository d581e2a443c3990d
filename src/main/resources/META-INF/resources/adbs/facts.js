// What a progress object says, read from its facts — dry_run, outcome, decisions[] (with action, counts
// and bytes when the service sends them), report, left_out[], notices[] — never from its message.
// The page's one sentence builder for "reloaded / delta / left alone" lives here.
import { FINAL, esc, num, bytes } from './format.js';

export const isDryRun = (s) => s?.dry_run === true;

/** How the sync ended (completed, nothing_to_do, planned, refused, failed, cancelled); null while it runs. */
export function outcomeOf(s) {
  if (s.outcome) return s.outcome;
  return FINAL.has(s.status) ? s.status : null; // a service older than the outcome field
}

/** Reloaded, changed row by row ("delta") or left alone ("unchanged"). */
export const actionOf = (d) => d.action ?? (d.reload === false ? 'unchanged' : 'reload');

/** Why a table is reloaded, in the page's words (the service's reasons: SyncPlan's why). */
export const whyWords = (w) => ({ differs: 'differs from the source', 'fresh target': 'the target has no Archon tables yet',
  'full replace requested': 'full replace requested', unchanged: 'unchanged' }[w] ?? w ?? 'reload');

/** The decisions that apply to this progress object (a restore puts back whole tables: none to show). */
export const decisionsOf = (s) => (s.operation === 'restore' ? [] : s.decisions || []);

export function countsWords(d) {
  const parts = [];
  if (d.rows_inserted != null) parts.push(`${num(d.rows_inserted)} inserted`);
  if (d.rows_deleted != null) parts.push(`${num(d.rows_deleted)} deleted`);
  return parts.join(', ');
}

/** One table's decision in words: "reload: differs from the source", "delta: 12 inserted, 3 deleted", "left alone: unchanged". */
export function decisionWords(d) {
  const action = actionOf(d);
  if (action === 'unchanged') return 'left alone: unchanged';
  if (action === 'delta') return `delta: ${countsWords(d) || 'changed rows only'}`;
  return `reload: ${whyWords(d.why)}`;
}

const VERBS = {
  reload: { dry: 'Would reload', running: 'Reloading', done: 'Reloaded', stopped: 'Planned to reload' },
  delta: { dry: 'Would change rows in', running: 'Changing rows in', done: 'Changed rows in', stopped: 'Planned to change rows in' },
};

/** The tense of a progress object: a plan, running, done, or stopped before it was done. */
export function tenseOf(s) {
  if (isDryRun(s)) return 'dry';
  if (s.status === 'running') return 'running';
  return ['completed', 'nothing_to_do'].includes(outcomeOf(s)) ? 'done' : 'stopped';
}

/**
 * The sentence for the tables of a sync, e.g. "Reloading 1: archon_settings (differs from the source).
 * 16 unchanged tables (equal to the source) left alone." — escaped HTML.
 */
export function decisionSentence(decisions, tense) {
  const reload = decisions.filter((d) => actionOf(d) === 'reload');
  const delta = decisions.filter((d) => actionOf(d) === 'delta');
  const left = decisions.filter((d) => actionOf(d) === 'unchanged');
  const parts = [];
  if (!reload.length && !delta.length) parts.push('Nothing to reload.');
  if (reload.length) {
    const groups = new Map();
    reload.forEach((d) => groups.set(d.why, [...(groups.get(d.why) || []), d.table]));
    const verb = VERBS.reload[tense];
    const named = [...groups].map(([w, names]) => `${names.length > 4 ? `${names.length} tables` : names.join(', ')} (${whyWords(w)})`).join('; ');
    parts.push(groups.size === 1 && reload.length > 4 ? `${verb} ${reload.length} tables (${esc(whyWords(reload[0].why))}).` : `${verb} ${reload.length}: ${esc(named)}.`);
  }
  if (delta.length) {
    const named = delta.length > 4 ? `${delta.length} tables` : delta.map((d) => `${d.table}${countsWords(d) ? ` (${countsWords(d)})` : ''}`).join(', ');
    parts.push(`${VERBS.delta[tense]} ${delta.length}: ${esc(named)}.`);
  }
  if (left.length) parts.push(`${left.length} unchanged ${left.length === 1 ? 'table' : 'tables'} (equal to the source) left alone.`);
  return parts.join(' ');
}

/** Bytes of COPY data sent for a table, when the service says. */
export const bytesSent = (d) => (d.bytes_sent == null ? '–' : bytes(d.bytes_sent));
