// One progress object drawn as HTML: phases, live facts, the outcome, the plan or the timing, the tables'
// decisions and what the user must know (left_out[], notices[]). Pure functions of the object's facts.
import { PHASES, FINAL, esc, num, bytes, seconds, targetWord } from './format.js';
import { isDryRun, outcomeOf, actionOf, decisionsOf, decisionWords, decisionSentence, tenseOf, bytesSent } from './facts.js';

/** The stepper: each phase done, current, skipped, stopped or still to come. */
export function phasesHtml(s) {
  const dry = isDryRun(s);
  const at = PHASES.findIndex(([k]) => k === s.phase);
  const final = FINAL.has(s.status);
  const done = ['completed', 'nothing_to_do'].includes(outcomeOf(s));
  const phaseSeconds = s.report?.phase_seconds || {};
  return PHASES.map(([key, label], i) => {
    let state = 'todo';
    let words = 'not started';
    if (done && !dry) {
      const ran = key in phaseSeconds || !s.report;
      state = ran ? 'done' : 'skipped'; words = ran ? 'done' : 'skipped';
    } else if (dry && final) {
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

/** Tables, rows and bytes so far, from the counters, the decisions and the report (never the message). */
export function factsHtml(s) {
  const facts = [];
  const decisions = decisionsOf(s);
  // tables left alone as unchanged count as completed on the wire, but nothing is loaded into them
  const unchanged = decisions.filter((d) => actionOf(d) === 'unchanged').length;
  const total = Math.max(0, (s.total_tables || 0) - unchanged);
  const loaded = Math.max(0, (s.tables_completed || 0) - unchanged);
  const alone = unchanged ? ` · ${num(unchanged)} unchanged, left alone` : '';
  const current = s.phase === 'importing' && s.current_table ? decisions.find((d) => d.table === s.current_table) : null;
  if (s.phase === 'importing' && s.current_table) {
    facts.push(['Table', `${Math.min(total, loaded + 1)} / ${total} · ${esc(s.current_table)}`]);
  } else {
    facts.push(['Tables loaded', `${num(loaded)} / ${num(total)}${alone}`]);
  }
  if (current && actionOf(current) === 'reload' && current.source_rows != null) {
    const before = (s.report?.tables || []).reduce((sum, t) => sum + (t.rows_loaded || 0), 0);
    const inTable = Math.max(0, Math.min(current.source_rows, (s.rows_synced || 0) - before));
    facts.push(['Rows in table', `${num(inTable)} / ${num(current.source_rows)}`]);
  }
  facts.push(['Rows', `${num(s.rows_synced)} / ${num(s.total_rows)}`]);
  if (s.phase === 'indexing' && s.report?.indexes?.length) facts.push(['Indexes rebuilt', num(s.report.indexes.length)]);
  if (s.bytes_transferred) facts.push(['Transferred', bytes(s.bytes_transferred)]);
  return facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('');
}

/** The end, said by its outcome. */
export function outcomeHtml(s, { cancelAsked } = {}) {
  const how = outcomeOf(s);
  if (!how) return '';
  const restore = s.operation === 'restore';
  const target = targetWord(s.direction);
  const decisions = decisionsOf(s);
  if (how === 'planned') {
    const changing = decisions.filter((d) => actionOf(d) !== 'unchanged').length;
    const left = decisions.length - changing;
    return `<div class="box plain" role="status"><p><strong>Dry run: nothing was changed.</strong> Validated and planned:
      ${num(s.total_rows)} rows in ${num(changing)} tables would replace those of the ${esc(target)} database${left ? `; ${num(left)} tables equal to the source would be left alone` : ''}.</p></div>`;
  }
  if (how === 'nothing_to_do') {
    return `<div class="box good" role="status"><p><strong>Nothing to sync.</strong> Every table already equals the source
      (fingerprints compared on both servers): no write transaction was opened on the ${esc(target)} database, nothing was written.</p></div>`;
  }
  if (how === 'completed') {
    const tables = s.report?.tables || [];
    // a table left alone as unchanged was fingerprint-checked under the lock: it holds the source's rows
    const unchanged = tables.filter((t) => t.format === 'unchanged').length;
    const matched = tables.filter((t) => t.format === 'unchanged' || t.rows_loaded === t.source_rows).length;
    return `<div class="box good" role="status"><p><strong>${restore ? 'Restore' : 'Sync'} completed.</strong> ${esc(s.message)}</p>
      <p>Verified before it committed: ${tables.length ? `${matched} of ${tables.length} tables have exactly the source's row count${unchanged ? ` (${unchanged} equal to the source and left alone, their fingerprints checked again under the lock)` : ''}, ` : ''}no foreign key points nowhere,
      every index is valid${s.report?.indexes ? ` (${s.report.indexes.length} rebuilt)` : ''}, every sequence is at the source's value.</p>
      ${(s.report?.warnings || []).map((w) => `<p class="muted">Note: ${esc(w)}</p>`).join('')}
      ${cancelAsked === s.sync_id ? '<p>Your cancel came too late: the sync had already begun to commit, so it completed.</p>' : ''}</div>`;
  }
  if (how === 'cancelled') {
    return `<div class="box warn" role="status"><p><strong>Cancelled.</strong> The ${esc(target)} database was left exactly as it was before.</p></div>`;
  }
  if (how === 'refused') {
    return `<div class="box bad" role="status"><p><strong>Refused before anything was touched.</strong></p>
      <ul>${(s.refusals?.length ? s.refusals : [{ message: s.error }]).map((r) => `<li>${esc(r.message)}</li>`).join('')}</ul></div>`;
  }
  return `<div class="box bad" role="status"><p><strong>${restore ? 'Restore' : 'Sync'} failed</strong> in ${esc((s.phase || '').replace('_', ' '))}. The ${esc(target)} database was left exactly as it was (nothing is committed unless all of it is verified).</p>
    <p>${esc(s.error || s.message || '')}</p></div>`;
}

/** A dry run's plan per table, or a finished sync's time per phase, per table and per index. */
export function reportHtml(s) {
  if (isDryRun(s) && s.plan) {
    const rows = s.plan.tables || [];
    return `<h3>The plan</h3><p class="muted">${s.plan.fresh_target ? 'The target has no Archon tables: they would be created from the source\'s schema. ' : ''}Tables in load order; rows the target has now would be replaced.</p>
      <div class="scroll"><table><thead><tr><th scope="col">Table</th><th scope="col" class="n">Rows to copy</th><th scope="col" class="n">Target now</th><th scope="col">What happens</th><th scope="col" class="hide-narrow">Copy</th></tr></thead>
      <tbody>${rows.map((t) => `<tr><th scope="row">${esc(t.table)}</th><td class="n">${num(t.source_rows)}</td><td class="n">${num(t.target_rows_before)}</td><td>${esc(decisionWords(t))}</td><td class="hide-narrow">${esc(String(t.format).toLowerCase())}</td></tr>`).join('')}</tbody></table></div>`;
  }
  const r = s.report;
  if (!FINAL.has(s.status) || !r || !r.phase_seconds) return '';
  const phases = PHASES.filter(([k]) => k in r.phase_seconds);
  const total = phases.reduce((sum, [k]) => sum + r.phase_seconds[k], 0) || 1;
  const slow = (r.tables || []).slice().sort((a, b) => b.seconds - a.seconds);
  return `<h3>Time per phase</h3>
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
 * Which tables are reloaded (and why), changed row by row (with counts) or left alone — from the decisions,
 * so it is there from the end of validation on — then the tables not in the set and the notices.
 */
export function decisionsHtml(s) {
  const all = decisionsOf(s);
  const dry = isDryRun(s);
  const showBytes = all.some((d) => d.bytes_sent != null);
  const tables = all.length ? `<h3>Tables</h3>
    <p id="decision-summary">${decisionSentence(all, tenseOf(s))}</p>
    ${dry ? '' : `<details><summary>Per table (${all.length})</summary><div class="scroll"><table><thead><tr><th scope="col">Table</th><th scope="col">What happens</th>${showBytes ? '<th scope="col" class="n">Sent</th>' : ''}</tr></thead>
      <tbody>${all.map((d) => `<tr><th scope="row">${esc(d.table)}</th><td>${esc(decisionWords(d))}</td>${showBytes ? `<td class="n">${bytesSent(d)}</td>` : ''}</tr>`).join('')}</tbody></table></div></details>`}` : '';
  return tables + noticesHtml(s.notices) + leftOutHtml(s.left_out);
}

/** Things the user must know that are not refusals (encrypted settings, schema brought along, …). */
export function noticesHtml(notices) {
  if (!notices?.length) return '';
  return `<div id="notices" class="box warn" role="note">${notices.map((n) => `<p data-code="${esc(n.code)}">${esc(n.message)}</p>`).join('')}</div>`;
}

/** The archon_* tables not in the synced set, and why each is not. */
export function leftOutHtml(leftOut) {
  if (!leftOut?.length) return '';
  return `<details id="left-out"><summary>Not synced (${leftOut.length})</summary><ul class="small">
    ${leftOut.map((t) => `<li><strong>${esc(t.table)}</strong>: ${esc(t.why)}</li>`).join('')}</ul></details>`;
}
