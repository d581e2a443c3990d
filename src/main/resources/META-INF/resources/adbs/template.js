// The page's markup: one shadow root, filled by the render-* modules.
import { STYLE } from './styles.js';

export const TEMPLATE = `
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
        <label class="opt"><input type="checkbox" id="schema">
          <span>Bring the schema along <small class="muted">(create the tables the target lacks from the source's schema, in the same transaction)</small></span></label>
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
        <div id="cmp-left-out"></div>
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
