// The lists beside a sync: the comparison of both sides, the history, the backups and the schedule.
import { SIDE, DIRECTIONS, esc, num, bytes, seconds, when, ago, directionWords, statusBadge } from './format.js';

/** What the chosen direction does to one table's row count in the target, in a few characters. */
export function change(t, dir) {
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

export function comparisonRowsHtml(c, dir, lossy) {
  const key = dir === 'local-to-remote' ? 'local_to_remote' : 'remote_to_local';
  return c.tables.map((t) => {
    const drift = (t.drift || []).map((d) => `<div class="drift">${esc(d)}</div>`).join('');
    return `<tr class="${lossy.has(t.table) ? 'loss' : ''}"><th scope="row">${esc(t.table)}${drift}</th>
      <td class="n">${t.local_rows == null ? '<span class="muted">missing</span>' : num(t.local_rows)}</td>
      <td class="n">${t.remote_rows == null ? '<span class="muted">missing</span>' : num(t.remote_rows)}</td>
      <td class="n" title="${esc(dir ? t[key] : '')}">${change(t, dir)}</td></tr>`;
  }).join('');
}

/** Rows the target has and the source has not, per table, for a direction. */
export function losses(comparison, dir) {
  if (!comparison || !dir) return [];
  const { source, target } = DIRECTIONS[dir];
  return comparison.tables
    .map((t) => ({ table: t.table, lose: (t[`${target}_rows`] ?? 0) - (t[`${source}_rows`] ?? 0) }))
    .filter((t) => t.lose > 0);
}

export function historyRowsHtml(history) {
  if (!history.length) return '<tr><td colspan="7" class="empty">No syncs yet.</td></tr>';
  return history.map((h) => {
    const dir = h.operation === 'restore' ? `Restore ${SIDE[DIRECTIONS[h.direction]?.target]?.toLowerCase() ?? ''}` : directionWords(h.direction);
    const details = h.error || h.message || '';
    return `<tr><td>${esc(when(h.started_at))}</td><td>${esc(dir)}${h.dry_run ? ' <span class="muted">(dry run)</span>' : ''}</td>
      <td class="hide-narrow">${esc(h.trigger)}</td><td>${statusBadge(h.status)}</td><td class="n">${seconds(h.duration_seconds)}</td>
      <td class="n hide-narrow">${num(h.rows_synced)}</td><td class="hide-narrow">${esc(details)}</td></tr>`;
  }).join('');
}

export function lastSyncHtml(history) {
  const last = history.find((h) => h.status !== 'running' && !h.dry_run);
  return last
    ? `${statusBadge(last.status)} ${esc(last.operation === 'restore' ? 'restore' : directionWords(last.direction))} · ${esc(ago(last.finished_at || last.started_at))}`
    : 'never';
}

export function backupRowsHtml(backups) {
  if (!backups.length) return '<tr><td colspan="5" class="empty">No backups yet: a sync with “Back up the target first” makes one.</td></tr>';
  return backups.map((b) => {
    const rows = Object.values(b.tables || {}).reduce((s, n) => s + n, 0);
    const db = SIDE[b.database] ?? b.database;
    return `<tr><td>${esc(when(b.created_at))} <span class="muted">${esc(ago(b.created_at))}</span></td>
      <td>${esc(db)} <span class="muted hide-narrow">${esc(b.endpoint)}</span></td><td class="n">${num(rows)}</td><td class="n hide-narrow">${bytes(b.size_bytes)}</td>
      <td><button class="danger" data-backup="${esc(b.id)}" aria-label="Restore the ${esc(db.toLowerCase())} database from the backup of ${esc(when(b.created_at))}">Restore…</button></td></tr>`;
  }).join('');
}

/** The confirmation of a restore: which tables, where, how many rows, and what is lost. */
export function restoreQuestionHtml(b) {
  const db = (SIDE[b.database] ?? b.database).toLowerCase();
  const names = Object.keys(b.tables || {});
  const which = names.length <= 4 ? names.join(', ') : `${names.length} of Archon's tables`;
  return `<p>The rows of ${esc(which)} in the
    <strong>${esc(db)} database</strong> (${esc(b.endpoint)}) will be replaced by this backup, taken ${esc(when(b.created_at))}
    (${num(b.total_rows ?? Object.values(b.tables || {}).reduce((s, n) => s + n, 0))} rows).</p>
    <p>Anything written there since then is lost. A safety backup of the database as it is now is taken first;
    the restore is all or nothing and verified before it commits.</p>`;
}

/** The nightly run, as the strip says it; null when the service has no schedule route. */
export function scheduleHtml(s) {
  let html;
  if (!s.enabled) html = 'none (the nightly backup is off)';
  else if (s.next_fire_at) html = `${esc(when(s.next_fire_at))} (${esc(ago(s.next_fire_at))}) · local → cloud`;
  else html = 'not planned';
  const a = s.last_attempt;
  if (a && a.status !== 'completed') html += ` · last nightly run ${statusBadge(a.status)} <span class="muted">${esc(a.message || '')}</span>`;
  return html;
}
