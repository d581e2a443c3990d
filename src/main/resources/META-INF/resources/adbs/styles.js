// The component's layout and look; every colour is a --adbs-* token (theme.js).
import { THEME_CSS } from './theme.js';

export const STYLE = `${THEME_CSS}
:host { display: block; container-type: inline-size;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--adbs-fg); }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.app { background: var(--adbs-bg); padding: 20px; min-height: 100%; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; margin-bottom: 12px; }
h1 { font-size: 1.5rem; margin: 0; }
h2 { font-size: 1.05rem; margin: 0 0 10px; }
h3 { font-size: .95rem; margin: 14px 0 6px; }
.sub { color: var(--adbs-muted); margin: 0; flex: 1 1 300px; }
.card { background: var(--adbs-card); border: 1px solid var(--adbs-line); border-radius: 10px; padding: 16px; min-width: 0; }
.strip { display: flex; flex-wrap: wrap; gap: 8px 28px; margin-bottom: 16px; padding: 10px 16px; }
.strip .k { display: block; font-size: .75rem; text-transform: uppercase; letter-spacing: .04em; color: var(--adbs-muted); }
.grid { display: grid; gap: 16px; grid-template-columns: minmax(0, 1fr); align-items: start; }
@container (min-width: 900px) {
  .grid { grid-template-columns: minmax(0, 1fr) minmax(0, 1.15fr); }
  .wide { grid-column: 1 / -1; }
}
.stack { display: grid; gap: 16px; align-content: start; min-width: 0; }
button { font: inherit; border-radius: 8px; border: 1px solid var(--adbs-line); background: var(--adbs-card); color: var(--adbs-fg);
  padding: 7px 14px; cursor: pointer; }
button.primary { background: var(--adbs-accent); border-color: var(--adbs-accent); color: var(--adbs-accent-fg); font-weight: 600; }
button.danger { border-color: var(--adbs-bad); color: var(--adbs-bad); }
button.danger.solid { background: var(--adbs-bad); color: var(--adbs-bad-fg); }
button:disabled { opacity: .5; cursor: not-allowed; }
button.link { border: none; background: none; color: var(--adbs-accent); padding: 2px 4px; }
:focus-visible { outline: 3px solid var(--adbs-focus); outline-offset: 2px; }
input[type=password] { font: inherit; padding: 7px 10px; border-radius: 8px; border: 1px solid var(--adbs-line);
  background: var(--adbs-bg); color: var(--adbs-fg); width: min(100%, 360px); }
fieldset { border: 0; padding: 0; margin: 0; display: grid; gap: 8px; grid-template-columns: repeat(auto-fit, minmax(210px, 1fr)); }
.choice { display: flex; gap: 10px; align-items: flex-start; border: 1px solid var(--adbs-line); border-radius: 8px;
  padding: 10px 12px; cursor: pointer; }
.choice:has(input:checked) { border-color: var(--adbs-accent); box-shadow: 0 0 0 1px var(--adbs-accent) inset; }
.choice small { display: block; color: var(--adbs-muted); }
.choice input { margin-top: 4px; }
.opt { display: flex; gap: 8px; align-items: flex-start; margin: 6px 0; }
.opt input { margin-top: 4px; }
.note { color: var(--adbs-muted); margin: 10px 0 0; }
.note strong { color: var(--adbs-fg); }
.row { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; }
.spread { justify-content: space-between; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--adbs-line); vertical-align: top; }
thead th { font-weight: 600; color: var(--adbs-muted); font-size: .74rem; text-transform: uppercase; letter-spacing: .03em; }
tbody th { font-weight: 500; }
.lose { color: var(--adbs-warn); font-weight: 600; }
.small { font-size: .82rem; }
.confirm { background: var(--adbs-warn-bg); border: 1px solid var(--adbs-warn); border-radius: 8px; padding: 8px 10px; font-weight: 600; }
td.n, th.n { text-align: right; white-space: nowrap; }
tr.loss > * { background: var(--adbs-warn-bg); }
.drift { color: var(--adbs-bad); }
.box { border-radius: 8px; padding: 10px 12px; margin: 10px 0; }
.box p { margin: 4px 0; }
.box ul { margin: 4px 0; padding-left: 20px; }
.warn { background: var(--adbs-warn-bg); color: var(--adbs-fg); border: 1px solid var(--adbs-warn); }
.bad { background: var(--adbs-bad-bg); border: 1px solid var(--adbs-bad); }
.good { background: var(--adbs-ok-bg); border: 1px solid var(--adbs-ok); }
.plain { background: var(--adbs-bg); border: 1px solid var(--adbs-line); }
.badge { display: inline-block; border-radius: 999px; padding: 0 8px; font-size: .78rem; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.s-completed { color: var(--adbs-ok); } .s-failed, .s-refused { color: var(--adbs-bad); } .s-cancelled, .s-skipped { color: var(--adbs-warn); } .s-running { color: var(--adbs-accent); }
.stepper { list-style: none; padding: 0; margin: 0 0 14px; display: grid; grid-template-columns: repeat(6, minmax(0, 1fr)); gap: 4px; counter-reset: step; }
.stepper li { font-size: .78rem; color: var(--adbs-muted); text-align: center; padding-top: 26px; position: relative; overflow-wrap: anywhere; }
.stepper li::before { counter-increment: step; content: counter(step); position: absolute; top: 0; left: 50%; transform: translateX(-50%);
  width: 22px; height: 22px; border-radius: 50%; border: 2px solid var(--adbs-line); background: var(--adbs-card); line-height: 18px; font-weight: 600; }
.stepper li.done { color: var(--adbs-fg); } .stepper li.done::before { content: "✓"; background: var(--adbs-ok); border-color: var(--adbs-ok); color: var(--adbs-ok-fg); }
.stepper li.current { color: var(--adbs-accent); font-weight: 600; } .stepper li.current::before { border-color: var(--adbs-accent); color: var(--adbs-accent); }
.stepper li.skipped { text-decoration: line-through; }
.stepper li.stopped::before { content: "✕"; background: var(--adbs-bad); border-color: var(--adbs-bad); color: var(--adbs-bad-fg); }
.bar { height: 12px; border-radius: 6px; background: var(--adbs-track); overflow: hidden; }
.bar > div { height: 100%; width: 0; background: var(--adbs-accent); transition: width .25s ease; }
.bar.completed > div { background: var(--adbs-ok); } .bar.failed > div, .bar.refused > div { background: var(--adbs-bad); } .bar.cancelled > div { background: var(--adbs-warn); }
.barline { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: baseline; margin: 6px 0 10px; }
.barline strong { font-size: 1.4rem; font-variant-numeric: tabular-nums; }
.muted { color: var(--adbs-muted); }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 12px; margin: 0 0 10px; font-size: .9rem; }
dl.facts dt { color: var(--adbs-muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
.msg { margin: 0 0 10px; overflow-wrap: anywhere; }
.share { display: inline-block; height: 8px; background: var(--adbs-accent); border-radius: 4px; vertical-align: middle; min-width: 1px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
dialog { border: 1px solid var(--adbs-line); border-radius: 12px; background: var(--adbs-card); color: var(--adbs-fg); max-width: min(520px, 92vw); padding: 20px; }
dialog::backdrop { background: var(--adbs-backdrop); }
details summary { cursor: pointer; color: var(--adbs-accent); margin-top: 8px; }
.empty { color: var(--adbs-muted); font-style: italic; }
@container (max-width: 560px) {
  .app { padding: 10px; }
  .hide-narrow { display: none; }
  .stepper li { font-size: 0; padding-top: 24px; }
  .stepper li.current { font-size: .72rem; }
  th, td { padding: 4px 5px; }
}
`;
