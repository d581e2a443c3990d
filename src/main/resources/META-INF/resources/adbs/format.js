// Words and numbers for people: the page's constants and formatters (no DOM, no state).

export const PHASES = [
  ['validating', 'Validating'],
  ['backing_up', 'Backing up'],
  ['exporting', 'Exporting'],
  ['importing', 'Importing'],
  ['indexing', 'Indexing'],
  ['verifying', 'Verifying'],
];
export const FINAL = new Set(['completed', 'failed', 'cancelled', 'refused']);
export const SIDE = { local: 'Local', remote: 'Cloud' };
export const DIRECTIONS = {
  'local-to-remote': { short: 'Local → Cloud', source: 'local', target: 'remote' },
  'remote-to-local': { short: 'Cloud → Local', source: 'remote', target: 'local' },
};

export const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
export const num = (n) => (n == null ? '–' : Number(n).toLocaleString('en-US'));
export const pct = (p) => `${(Math.floor((p || 0) * 10) / 10).toFixed(p >= 100 ? 0 : 1).replace(/\.0$/, '')}%`;

export function seconds(s) {
  if (s == null) return '–';
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
}

export function bytes(b) {
  if (b == null) return '–';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (b >= 1000 && i < units.length - 1) { b /= 1000; i++; }
  return `${b.toFixed(i ? 1 : 0)} ${units[i]}`;
}

export function when(iso) {
  if (!iso) return '–';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function ago(iso, now = Date.now()) {
  if (!iso) return '';
  const diff = (new Date(iso).getTime() - now) / 1000;
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  const abs = Math.abs(diff);
  if (abs < 60) return rtf.format(Math.round(diff), 'second');
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86400 * 2) return rtf.format(Math.round(diff / 3600), 'hour');
  return rtf.format(Math.round(diff / 86400), 'day');
}

export const directionWords = (d) => DIRECTIONS[d]?.short ?? d ?? '–';
export const targetWord = (direction) => SIDE[DIRECTIONS[direction]?.target]?.toLowerCase() ?? 'target';

/** The name of a database in a (redacted) libpq URL: host:port/db, never the user. */
export function endpoint(url) {
  if (!url) return '';
  const m = /@([^/?]+)\/([^?]+)/.exec(url) || /\/\/([^/?]+)\/([^?]+)/.exec(url);
  return m ? `${m[1]}/${m[2]}` : url;
}

export const statusBadge = (status) => `<span class="badge s-${esc(status)}">${esc(status)}</span>`;
