// Offline checks of the images and manifests (run by scripts/lint-deploy.sh with the packages of
// package.json installed next to it). Exit 1 on any finding; prints one line per check.
//  1. Dockerfiles: dockerfile-utils' linter (the one behind VS Code's Dockerfile support) + the fields
//     this project requires (non-root, HEALTHCHECK, volumes, heap cap, OOM exit, pg clients 15 and 17, CLI).
//  2. Kubernetes: every kustomization rendered by a tiny renderer (resources + strategic-merge/delete
//     patches; anything else is refused so the rendering stays exact), every object validated against the
//     Kubernetes OpenAPI schemas bundled in kubernetes-models; the Archon patch applied to a sample Archon
//     Deployment and the result validated too.
//  3. Security and operations fields (a field test in place of checkov): restricted security context,
//     Recreate with the RWO volume, secrets by secretKeyRef, resources, probes that never look at a database.
'use strict';
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const { validate: lintDockerfile, ValidationSeverity } = require('dockerfile-utils');

const root = path.resolve(process.argv[2] || '.');
let failures = 0;
const ok = (what) => console.log(`ok    ${what}`);
const fail = (what, why) => { failures++; console.log(`FAIL  ${what}: ${why}`); };
const check = (what, cond, why) => (cond ? ok(what) : fail(what, why));

// ---------- 1. Dockerfiles ----------
function checkDockerfile(rel, { user, builder }) {
  const text = fs.readFileSync(path.join(root, rel), 'utf8');
  const problems = lintDockerfile(text, {}).filter((d) => d.severity === ValidationSeverity.ERROR || d.severity === 1 || d.severity === 2);
  check(`${rel}: dockerfile-utils lint`, problems.length === 0,
    problems.map((d) => `line ${d.range.start.line + 1}: ${d.message}`).join('; '));
  const stages = text.split(/^FROM /m).slice(1);
  const runtime = 'FROM ' + stages[stages.length - 1];
  // Both build inside Docker (an Archon user has Docker, not a JDK): the builder stage runs the Maven wrapper,
  // the slim runtime only copies its result.
  check(`${rel}: multi-stage (${builder.name} builder running ./mvnw package, slim runtime copying from it)`,
    stages.length === 2 && builder.image.test(stages[0]) && /AS build/.test(stages[0]) && /RUN \.\/mvnw [^\n]*package/.test(stages[0])
      && /slim/.test(runtime) && /COPY --from=build /.test(runtime) && !/COPY [^\n]*\btarget\//.test(runtime.replace(/COPY --from=build [^\n]*/g, '')),
    `${stages.length} stage(s)`);
  check(`${rel}: runs as non-root uid ${user}`, new RegExp(`^USER ${user}\\s*$`, 'm').test(runtime), 'no USER ' + user);
  check(`${rel}: HEALTHCHECK on /q/health/live`, /^HEALTHCHECK[\s\S]*?\/q\/health\/live/m.test(runtime), 'missing');
  check(`${rel}: work and backup dirs are volumes`,
    /^VOLUME .*\/var\/lib\/archon-db-sync\/work.*\/var\/lib\/archon-db-sync\/backups/m.test(runtime), 'missing');
  check(`${rel}: heap cap -Xmx256m and -XX:+ExitOnOutOfMemoryError`,
    /-Xmx256m/.test(runtime) && /-XX:\+ExitOnOutOfMemoryError/.test(runtime), 'missing');
  check(`${rel}: PostgreSQL client tools 15 and 17`,
    /PG_MAJORS="15 17"/.test(runtime) && /postgresql-client-\$m/.test(runtime), 'missing');
  check(`${rel}: bash, curl, python3, jq for the CLI`,
    ['bash', 'python3', 'jq', 'curl'].every((p) => new RegExp(`\\b${p}\\b`).test(runtime)) && !/purge[^\n]*curl/.test(runtime),
    'one is missing (or curl is purged)');
  check(`${rel}: the CLI is installed`, /scripts\/sync-databases\.sh \/usr\/local\/bin\/sync-databases/.test(runtime), 'missing');
}
// .dockerignore keeps target/, work/ and .git out of the build context; everything a Dockerfile COPYs from
// the context must still be in it (patterns here: `*` and `!path`, the last match wins).
function inContext(file) {
  const rules = fs.readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  let included = true;
  for (const rule of rules) {
    const neg = rule.startsWith('!');
    const pat = neg ? rule.slice(1) : rule;
    if (pat === '*' || file === pat || file.startsWith(pat + '/')) included = neg;
  }
  return included;
}
for (const rel of ['src/main/docker/Dockerfile.jvm', 'src/main/docker/Dockerfile.native']) {
  const sources = [...fs.readFileSync(path.join(root, rel), 'utf8').matchAll(/^COPY (?!.*--from)(?:--\S+ )*(\S+) /gm)].map((m) => m[1]);
  const missing = sources.filter((s) => !inContext(s.replace(/\/$/, '')) || !fs.existsSync(path.join(root, s)));
  check(`${rel}: every COPY source exists and is in the build context (.dockerignore): ${sources.join(' ')}`, missing.length === 0, missing.join(', '));
  check(`${rel}: target/, work/ and .git are not sent to the build`, ['target/quarkus-app', 'work/clusters', '.git'].every((f) => !inContext(f)), 'one is');
}
checkDockerfile('src/main/docker/Dockerfile.jvm', { user: 185, builder: { name: 'JDK 17', image: /eclipse-temurin:17-jdk/ } });
checkDockerfile('src/main/docker/Dockerfile.native', { user: 1001, builder: { name: 'Mandrel', image: /mandrel/i } });

// ---------- 2. Kubernetes: render and validate ----------
const KINDS = {
  'v1/ConfigMap': 'v1/ConfigMap', 'v1/Secret': 'v1/Secret', 'v1/Service': 'v1/Service',
  'v1/PersistentVolumeClaim': 'v1/PersistentVolumeClaim', 'apps/v1/Deployment': 'apps/v1/Deployment',
  'batch/v1/CronJob': 'batch/v1/CronJob',
};
function model(obj) {
  const key = `${obj.apiVersion}/${obj.kind}`;
  if (!KINDS[key]) throw new Error(`no schema for ${key}`);
  const mod = require(`kubernetes-models/${KINDS[key]}`);
  return new mod[obj.kind](obj);
}
const id = (o) => `${o.kind}/${o.metadata && o.metadata.name}`;
const readDocs = (file) => YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => {
  if (d.errors.length) throw new Error(`${file}: ${d.errors[0].message}`);
  return d.toJS();
}).filter(Boolean);

// Strategic merge as kubectl/kustomize do it for the fields used here: maps merge, lists of objects with
// `name` merge by name, other lists and scalars replace, null deletes, `$patch: replace|delete` honoured.
function merge(base, patch) {
  if (patch === null) return undefined;
  if (Array.isArray(patch)) {
    if (!Array.isArray(base) || !patch.every((p) => p && typeof p === 'object' && 'name' in p)) return patch;
    const out = base.map((b) => ({ ...b }));
    for (const p of patch) {
      const i = out.findIndex((b) => b.name === p.name);
      if (i < 0) out.push(p); else out[i] = merge(out[i], p);
    }
    return out;
  }
  if (typeof patch !== 'object') return patch;
  if (patch.$patch === 'replace') { const { $patch, ...rest } = patch; return rest; }
  const out = base && typeof base === 'object' && !Array.isArray(base) ? { ...base } : {};
  for (const [k, v] of Object.entries(patch)) {
    const m = merge(out[k], v);
    if (m === undefined) delete out[k]; else out[k] = m;
  }
  return out;
}

function render(dir) {
  const kfile = path.join(dir, 'kustomization.yaml');
  const k = YAML.parse(fs.readFileSync(kfile, 'utf8'));
  const unsupported = Object.keys(k).filter((key) => !['apiVersion', 'kind', 'resources', 'patches'].includes(key));
  if (unsupported.length) throw new Error(`${kfile}: this renderer handles resources and patches only, not ${unsupported}`);
  let objs = [];
  for (const r of k.resources || []) {
    const p = path.join(dir, r);
    objs = objs.concat(fs.statSync(p).isDirectory() ? render(p) : readDocs(p));
  }
  for (const entry of k.patches || []) {
    if (Object.keys(entry).some((key) => key !== 'path')) throw new Error(`${kfile}: only 'path' patches are handled`);
    for (const patch of readDocs(path.join(dir, entry.path))) {
      const i = objs.findIndex((o) => id(o) === id(patch));
      if (i < 0) throw new Error(`${kfile}: patch ${entry.path} matches nothing (${id(patch)})`);
      if (patch.$patch === 'delete') objs.splice(i, 1); else objs[i] = merge(objs[i], patch);
    }
  }
  return objs;
}

function validateAll(label, objs) {
  for (const o of objs) {
    try {
      model(o).validate();
      ok(`${label}: ${id(o)} valid (${o.apiVersion})`);
    } catch (e) {
      fail(`${label}: ${id(o)}`, e.message);
    }
  }
}

const rendered = {};
for (const dir of ['k8s/base', 'k8s/overlays/archon-sidecar', 'k8s/overlays/cronjob-backup']) {
  try {
    rendered[dir] = render(path.join(root, dir));
    ok(`${dir}: rendered ${rendered[dir].length} objects (${rendered[dir].map(id).join(', ')})`);
    validateAll(dir, rendered[dir]);
  } catch (e) {
    fail(dir, e.message);
  }
}
const sampleArchon = readDocs(path.join(__dirname, 'archon-deployment.sample.yaml'))[0];
const patch = readDocs(path.join(root, 'k8s/overlays/archon-sidecar/archon-deployment.patch.yaml'))[0];
const patched = merge(sampleArchon, patch);
validateAll('Archon Deployment + patch', [patched]);

// ---------- 3. Fields ----------
const find = (objs, kind, name) => (objs || []).find((o) => o.kind === kind && (!name || o.metadata.name === name));
const podOf = (o) => (o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec);
function restricted(label, pod, container) {
  const sc = container.securityContext || {};
  const psc = pod.securityContext || {};
  const nonRoot = sc.runAsNonRoot === true || (psc.runAsNonRoot === true && sc.runAsNonRoot !== false);
  const uid = sc.runAsUser ?? psc.runAsUser;
  const seccomp = (sc.seccompProfile || psc.seccompProfile || {}).type;
  check(`${label}: runAsNonRoot, uid ${uid} ≠ 0`, nonRoot && uid > 0, JSON.stringify({ nonRoot, uid }));
  check(`${label}: allowPrivilegeEscalation false`, sc.allowPrivilegeEscalation === false, String(sc.allowPrivilegeEscalation));
  check(`${label}: readOnlyRootFilesystem`, sc.readOnlyRootFilesystem === true, String(sc.readOnlyRootFilesystem));
  check(`${label}: capabilities drop ALL, none added`,
    JSON.stringify((sc.capabilities || {}).drop) === '["ALL"]' && !(sc.capabilities || {}).add, JSON.stringify(sc.capabilities));
  check(`${label}: seccomp RuntimeDefault`, seccomp === 'RuntimeDefault', String(seccomp));
  check(`${label}: /tmp is writable (emptyDir)`, (container.volumeMounts || []).some((m) => m.mountPath === '/tmp'
    && (pod.volumes || []).some((v) => v.name === m.name && v.emptyDir)), 'no emptyDir at /tmp');
  check(`${label}: resources requested and memory limited`,
    container.resources && container.resources.requests && container.resources.limits && container.resources.limits.memory,
    JSON.stringify(container.resources));
  const plain = (container.env || []).filter((e) => /URL$|KEY$|PASSWORD/.test(e.name) && e.name !== 'ARCHON_SYNC_URL' && !e.valueFrom);
  check(`${label}: secrets only by secretKeyRef`, plain.length === 0 && !(container.envFrom || []).some((e) => e.secretRef),
    plain.map((e) => e.name).join(', ') || 'envFrom secretRef');
}
function recreates(label, dep) {
  check(`${label}: Recreate (ReadWriteOnce volume)`, dep.spec.strategy && dep.spec.strategy.type === 'Recreate' && !dep.spec.strategy.rollingUpdate,
    JSON.stringify(dep.spec.strategy));
}
function syncContainer(label, dep, container) {
  const pod = podOf(dep);
  restricted(label, pod, container);
  const pvc = (pod.volumes || []).find((v) => v.persistentVolumeClaim);
  check(`${label}: data volume is the PVC at /var/lib/archon-db-sync`, pvc && (container.volumeMounts || [])
    .some((m) => m.name === pvc.name && m.mountPath === '/var/lib/archon-db-sync'), 'missing');
  const probe = (p) => p && p.httpGet && p.httpGet.path;
  check(`${label}: liveness /q/health/live, readiness /q/health/ready`,
    probe(container.livenessProbe) === '/q/health/live' && probe(container.readinessProbe) === '/q/health/ready',
    `${probe(container.livenessProbe)} / ${probe(container.readinessProbe)}`);
  const envNames = (container.env || []).map((e) => e.name);
  check(`${label}: URLs and API key from the Secret`, ['ARCHON_SYNC_LOCAL_URL', 'ARCHON_SYNC_REMOTE_URL', 'ARCHON_SYNC_API_KEY']
    .every((n) => envNames.includes(n)), envNames.join(','));
}
const base = rendered['k8s/base'] || [];
const own = find(base, 'Deployment', 'archon-db-sync');
if (own) { syncContainer('base Deployment', own, podOf(own).containers[0]); recreates('base Deployment', own); }
check('base: PVC is ReadWriteOnce', find(base, 'PersistentVolumeClaim')
  && JSON.stringify(find(base, 'PersistentVolumeClaim').spec.accessModes) === '["ReadWriteOnce"]', 'missing');
const side = rendered['k8s/overlays/archon-sidecar'] || [];
check('archon-sidecar: no Deployment of its own (Archon\'s is patched, never replaced)', !find(side, 'Deployment'), 'has one');
check('archon-sidecar: Service selects Archon\'s pods', JSON.stringify((find(side, 'Service') || { spec: {} }).spec.selector) === '{"app":"archon"}',
  JSON.stringify((find(side, 'Service') || { spec: {} }).spec.selector));
const pc = podOf(patched).containers;
check('Archon + patch: Archon\'s own container is still there, unchanged', JSON.stringify(pc[0]) === JSON.stringify(podOf(sampleArchon).containers[0]),
  pc.map((c) => c.name).join(','));
check('Archon + patch: Archon\'s volumes and labels kept', podOf(sampleArchon).volumes.every((v) => podOf(patched).volumes.some((w) => w.name === v.name))
  && JSON.stringify(patched.spec.template.metadata.labels) === JSON.stringify(sampleArchon.spec.template.metadata.labels), 'lost');
const added = pc.find((c) => c.name === 'archon-db-sync');
if (added) syncContainer('Archon + patch: archon-db-sync container', patched, added); else fail('Archon + patch', 'no archon-db-sync container');
// The patch adds a container and two volumes and changes nothing else of Archon's Deployment.
const without = (dep) => {
  const copy = JSON.parse(JSON.stringify(dep));
  const pod = podOf(copy);
  pod.containers = pod.containers.filter((c) => c.name !== 'archon-db-sync');
  pod.volumes = (pod.volumes || []).filter((v) => !v.name.startsWith('archon-db-sync-'));
  return copy;
};
check('Archon + patch: nothing of Archon\'s Deployment changed but the added container and volumes (strategy, pod securityContext kept)',
  JSON.stringify(without(patched)) === JSON.stringify(sampleArchon), 'the patch changes more');
const rwoPatch = readDocs(path.join(root, 'k8s/overlays/archon-sidecar/archon-deployment.rwo.patch.yaml'))[0];
const patchedRwo = merge(patched, rwoPatch);
validateAll('Archon + patch + optional rwo patch', [patchedRwo]);
recreates('Archon + patch + optional rwo patch', patchedRwo);
check('Archon + patch + optional rwo patch: fsGroup 185 with OnRootMismatch', podOf(patchedRwo).securityContext
  && podOf(patchedRwo).securityContext.fsGroup === 185 && podOf(patchedRwo).securityContext.fsGroupChangePolicy === 'OnRootMismatch',
  JSON.stringify(podOf(patchedRwo).securityContext));

// Every Service reaches the archon-db-sync container, in every layout: its targetPort (a number, or a
// port name) resolved in each pod the selector picks must be a port of that container, and the port the
// service listens on (PORT, else the image's 8091).
const listens = (c) => Number(((c.env || []).find((e) => e.name === 'PORT') || {}).value || 8091);
function servicesReachSync(label, objs) {
  const pods = objs.filter((o) => o.kind === 'Deployment').map((d) => ({ name: d.metadata.name, pod: podOf(d), labels: d.spec.template.metadata.labels || {} }));
  for (const svc of objs.filter((o) => o.kind === 'Service')) {
    const sel = svc.spec.selector || {};
    const picked = pods.filter((p) => Object.entries(sel).every(([k, v]) => p.labels[k] === v));
    check(`${label}: Service ${svc.metadata.name} selects a pod`, picked.length > 0, JSON.stringify(sel));
    for (const port of svc.spec.ports || []) {
      const tp = port.targetPort ?? port.port;
      for (const p of picked) {
        const owners = p.pod.containers.filter((c) => (c.ports || []).some((cp) => (typeof tp === 'number' ? cp.containerPort === tp : cp.name === tp)));
        const sync = owners.find((c) => c.name === 'archon-db-sync');
        const cport = sync && sync.ports.find((cp) => (typeof tp === 'number' ? cp.containerPort === tp : cp.name === tp));
        check(`${label}: Service ${svc.metadata.name}:${port.port} → targetPort ${tp} in ${p.name}'s pod is archon-db-sync's port ${cport ? cport.containerPort : '?'}`,
          owners.length === 1 && sync && cport.containerPort === listens(sync),
          `resolves to ${owners.map((c) => c.name).join(', ') || 'no container'}`);
      }
    }
  }
}
servicesReachSync('base', base);
servicesReachSync('archon-sidecar (with Archon\'s patched Deployment)', [...side, patched]);
servicesReachSync('archon-sidecar (with the optional rwo patch too)', [...side, patchedRwo]);
servicesReachSync('cronjob-backup', rendered['k8s/overlays/cronjob-backup'] || []);
// The same check against the layout before this fix (targetPort: http) must fail: proves it can.
{
  const oldSide = JSON.parse(JSON.stringify([...side, patched]));
  oldSide.find((o) => o.kind === 'Service').spec.ports[0].targetPort = 'http';
  const before = failures;
  const quiet = console.log; console.log = () => {};
  servicesReachSync('self-test', oldSide);
  console.log = quiet;
  const caught = failures > before; failures = before;
  check('the Service check catches targetPort "http" in the sidecar layout (it reached Archon\'s own container)', caught, 'not caught');
}
const cron = rendered['k8s/overlays/cronjob-backup'] || [];
const cj = find(cron, 'CronJob');
if (cj) {
  restricted('CronJob', podOf(cj), podOf(cj).containers[0]);
  check('CronJob: runs the CLI local-to-remote, never overlapping', JSON.stringify(podOf(cj).containers[0].command)
    === '["sync-databases","--direction=local-to-remote"]' && cj.spec.concurrencyPolicy === 'Forbid', JSON.stringify(podOf(cj).containers[0].command));
} else fail('cronjob-backup', 'no CronJob');
{
  const url = /^http:\/\/([^:/]+):(\d+)$/.exec((((cj && podOf(cj).containers[0].env) || []).find((e) => e.name === 'ARCHON_SYNC_URL') || {}).value || '');
  const svc = url && find(cron, 'Service', url[1]);
  check('CronJob: its ARCHON_SYNC_URL names the Service and its port', svc && svc.spec.ports.some((p) => p.port === Number(url[2])), url ? url[0] : 'no URL');
}
check('cronjob-backup: the in-process scheduler is off', (find(cron, 'ConfigMap') || { data: {} }).data.ARCHON_SYNC_SCHEDULE_ENABLED === 'false', 'on');

// ---------- 3b. Where kubectl is installed: its kustomize and strategic merge must agree with the renderer ----------
{
  const { spawnSync: run } = require('child_process');
  // order of keys, and of lists merged by name (kubectl puts a patch's new items first), carries no meaning
  const sortNamed = (o) => (Array.isArray(o) ? (o.every((x) => x && typeof x === 'object' && 'name' in x)
    ? [...o].sort((x, y) => String(x.name).localeCompare(String(y.name))) : o).map(sortNamed)
    : o && typeof o === 'object' ? Object.fromEntries(Object.entries(o).map(([k, v]) => [k, sortNamed(v)])) : o);
  const canon = (o) => JSON.stringify(sortNamed(o), Object.keys(flatKeys(o)).sort());
  function flatKeys(o, acc = {}) { if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) { acc[k] = 1; flatKeys(v, acc); } return acc; }
  const byId = (objs) => Object.fromEntries(objs.map((o) => [id(o), canon(o)]));
  const probe = run('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    console.log('note  no kubectl on this machine; the renderer above is the check');
  } else {
    for (const dir of Object.keys(rendered)) {
      const r = run('kubectl', ['kustomize', path.join(root, dir)], { encoding: 'utf8' });
      const theirs = r.status === 0 ? YAML.parseAllDocuments(r.stdout).map((d) => d.toJS()).filter(Boolean) : [];
      const a = byId(rendered[dir]); const b = byId(theirs);
      const differ = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);
      check(`${dir}: kubectl kustomize renders the same objects`, r.status === 0 && differ.length === 0, r.status === 0 ? `differ: ${differ}` : r.stderr.trim());
    }
    const pr = run('kubectl', ['patch', '--local', '-f', path.join(__dirname, 'archon-deployment.sample.yaml'), '--patch-file',
      path.join(root, 'k8s/overlays/archon-sidecar/archon-deployment.patch.yaml'), '-o', 'json'], { encoding: 'utf8' });
    check('Archon + patch: kubectl\'s own strategic merge (patch --local) gives the same Deployment', pr.status === 0 && canon(JSON.parse(pr.stdout)) === canon(patched),
      pr.status === 0 ? 'differs' : pr.stderr.trim());
  }
}

// ---------- 4. Compose next to Archon ----------
// deploy/docker-compose.archon-db-sync.yml merged with a compose file shaped like Archon v1's (all services on
// app-network; ARCHON_COMPOSE=<Archon's real docker-compose.yml> adds a run against that file), alone and with
// the optional Supabase network file. Rendered by compose.js; where docker compose is installed, its
// `config` must agree on the networks and the frontend's environment.
const compose = require('./compose');
const { spawnSync } = require('child_process');
const syncCompose = path.join(root, 'deploy/docker-compose.archon-db-sync.yml');
const supabaseNet = path.join(root, 'deploy/docker-compose.supabase-network.yml');
const composeEnv = {
  ARCHON_DB_SYNC_DIR: root,
  ARCHON_SYNC_LOCAL_URL: 'postgresql://postgres:postgres@host.docker.internal:54322/postgres',
  ARCHON_SYNC_REMOTE_URL: 'postgresql://postgres.ref:pw@aws-0-eu-central-1.pooler.supabase.com:5432/postgres',
  ARCHON_SYNC_API_KEY: 'lint-key',
};
const syncPort = (svc) => Number((svc.environment || {}).PORT
  || /^EXPOSE (\d+)/m.exec(fs.readFileSync(path.join(root, 'src/main/docker/Dockerfile.jvm'), 'utf8'))[1]);

function dockerComposeConfig(files, env) {
  for (const cmd of [['docker', 'compose'], ['docker-compose']]) {
    const args = [...cmd.slice(1), ...files.flatMap((f) => ['-f', f]), 'config'];
    const r = spawnSync(cmd[0], args, { env: { ...process.env, ...env }, encoding: 'utf8', cwd: path.dirname(files[0]) });
    if (r.error || (r.status !== 0 && /unknown (shorthand flag|command)|is not a docker command/.test(r.stderr))) continue;
    if (r.status !== 0) return { tool: cmd.join(' '), error: r.stderr.trim() };
    return { tool: cmd.join(' '), model: YAML.parse(r.stdout) };
  }
  return null;
}

function checkComposeNextToArchon(label, archonFile, extraFiles) {
  const files = [archonFile, syncCompose, ...extraFiles];
  let model;
  try {
    ({ model } = compose.render(files, composeEnv));
    ok(`${label}: ${files.length} files parsed and merged (${Object.keys(model.services).join(', ')})`);
  } catch (e) { fail(label, e.message); return; }
  const svc = model.services['archon-db-sync'];
  const mine = compose.networksOf(svc);
  for (const archon of ['archon-server', 'archon-frontend']) {
    const theirs = model.services[archon] ? compose.networksOf(model.services[archon]) : [];
    check(`${label}: archon-db-sync shares a network with ${archon}`, mine.some((n) => theirs.includes(n)),
      `archon-db-sync on ${mine}, ${archon} on ${theirs}`);
  }
  for (const net of mine) {
    check(`${label}: network ${net} of archon-db-sync is declared`, net === 'default' || (model.networks || {})[net] !== undefined,
      'not under top-level networks:');
  }
  const ui = model.services['archon-frontend'];
  const uiEnv = (ui && ui.environment) || {};
  const url = /^http:\/\/([^:/]+):(\d+)$/.exec(uiEnv.ARCHON_SYNC_URL || '');
  const shared = mine.filter((n) => compose.networksOf(ui || {}).includes(n));
  check(`${label}: archon-ui's ARCHON_SYNC_URL names archon-db-sync on a shared network, at its port`,
    url && shared.some((n) => compose.namesOn(model, 'archon-db-sync', n).includes(url[1])) && Number(url[2]) === syncPort(svc),
    `ARCHON_SYNC_URL=${uiEnv.ARCHON_SYNC_URL}, shared networks ${shared}`);
  check(`${label}: archon-ui's proxy key is the service's key`, uiEnv.ARCHON_SYNC_API_KEY === composeEnv.ARCHON_SYNC_API_KEY
    && svc.environment.ARCHON_SYNC_API_KEY === composeEnv.ARCHON_SYNC_API_KEY, 'differs or missing');
  check(`${label}: archon-ui keeps Archon's own environment (DOCKER_ENV=true)`, uiEnv.DOCKER_ENV === 'true', JSON.stringify(uiEnv));
  check(`${label}: no VITE_-prefixed sync variable (it would reach the browser)`,
    !Object.keys(uiEnv).some((k) => /^VITE_.*SYNC/.test(k)), Object.keys(uiEnv).join(','));
  const docker = dockerComposeConfig(files, composeEnv);
  if (!docker) { console.log(`note  ${label}: no docker compose on this machine; the renderer above is the check`); return; }
  if (docker.error) { fail(`${label}: ${docker.tool} config`, docker.error); return; }
  const theirNets = (s) => Object.keys(docker.model.services[s].networks || { default: null }).sort().join(',');
  const theirEnv = docker.model.services['archon-frontend'].environment || {};
  check(`${label}: ${docker.tool} config agrees (networks of archon-db-sync, archon-server, archon-frontend; archon-ui's ARCHON_SYNC_*)`,
    ['archon-db-sync', 'archon-server', 'archon-frontend'].every((s) => theirNets(s) === compose.networksOf(model.services[s]).sort().join(','))
      && theirEnv.ARCHON_SYNC_URL === uiEnv.ARCHON_SYNC_URL && theirEnv.ARCHON_SYNC_API_KEY === uiEnv.ARCHON_SYNC_API_KEY,
    JSON.stringify({ networks: ['archon-db-sync', 'archon-server', 'archon-frontend'].map(theirNets), env: theirEnv }));
}

const archonSample = path.join(__dirname, 'archon-compose.sample.yml');
checkComposeNextToArchon('compose + Archon-shaped', archonSample, []);
checkComposeNextToArchon('compose + Archon-shaped + Supabase network', archonSample, [supabaseNet]);
if (process.env.ARCHON_COMPOSE) checkComposeNextToArchon('compose + Archon\'s real file', path.resolve(process.env.ARCHON_COMPOSE), []);
{
  const { model } = compose.render([archonSample, syncCompose, supabaseNet], composeEnv);
  const svc = model.services['archon-db-sync'];
  const sb = model.networks.supabase || {};
  check('compose: the Supabase network is external, supabase_default unless SUPABASE_NETWORK names another',
    sb.external === true && sb.name === 'supabase_default', JSON.stringify(sb));
  check('compose: the port is published on 127.0.0.1 only', (svc.ports || []).every((p) => String(p).startsWith('127.0.0.1:')), JSON.stringify(svc.ports));
  check('compose: read-only, all capabilities dropped, no-new-privileges, /tmp tmpfs', svc.read_only === true
    && JSON.stringify(svc.cap_drop) === '["ALL"]' && (svc.security_opt || []).includes('no-new-privileges:true') && (svc.tmpfs || []).includes('/tmp'),
    JSON.stringify({ read_only: svc.read_only, cap_drop: svc.cap_drop, security_opt: svc.security_opt }));
  check('compose: backups and work files on named volumes', ['/var/lib/archon-db-sync/backups', '/var/lib/archon-db-sync/work']
    .every((t) => (svc.volumes || []).some((v) => String(v).endsWith(':' + t) && model.volumes[String(v).split(':')[0]] !== undefined)), JSON.stringify(svc.volumes));
  check('compose: builds from this repository with the JVM Dockerfile (Maven inside)', svc.build
    && fs.existsSync(path.join(svc.build.context, svc.build.dockerfile)) && /AS build/.test(fs.readFileSync(path.join(svc.build.context, svc.build.dockerfile), 'utf8')),
    JSON.stringify(svc.build));
  check('compose: the sign-in cookie is narrowed to the proxy prefix /api/db-sync', svc.environment.ARCHON_SYNC_COOKIE_PATH === '/api/db-sync',
    String(svc.environment.ARCHON_SYNC_COOKIE_PATH));
  check('compose: Archon\'s UI origin is allowed (the browser\'s Origin through the proxy)',
    String(svc.environment.ARCHON_SYNC_CORS_ORIGINS).split(',').includes('http://localhost:3737'), String(svc.environment.ARCHON_SYNC_CORS_ORIGINS));
  const missing = compose.render([archonSample, syncCompose], { ...composeEnv, ARCHON_SYNC_API_KEY: undefined }).errors;
  check('compose: a missing ARCHON_SYNC_API_KEY stops compose with a message saying what to set',
    missing.length > 0 && missing.every((e) => /^ARCHON_SYNC_API_KEY: set ARCHON_SYNC_API_KEY in Archon's \.env/.test(e)), JSON.stringify(missing));
}

// ---------- 5. The dashboard snippets (deploy/archon/) agree with the compose file ----------
{
  const insert = fs.readFileSync(path.join(root, 'deploy/archon/vite.config.insert.ts'), 'utf8');
  const card = fs.readFileSync(path.join(root, 'deploy/archon/DatabaseSyncCard.tsx'), 'utf8');
  const key = /^\s*proxyConfig\['([^']+)'\] = \{/m.exec(insert);
  const prefix = key && key[1].replace(/\/$/, '');
  const { model } = compose.render([archonSample, syncCompose], composeEnv);
  const svcEnv = model.services['archon-db-sync'].environment;
  check('vite insertion: its own prefix /api/db-sync/, not Archon\'s /api/database', prefix === '/api/db-sync', String(key && key[1]));
  check('vite insertion: the prefix is the cookie path the compose file sets', svcEnv.ARCHON_SYNC_COOKIE_PATH === prefix, `${svcEnv.ARCHON_SYNC_COOKIE_PATH} vs ${prefix}`);
  const rw = /rewrite: (\(p: string\) => [^\n]+),\n/.exec(insert);
  // eslint-disable-next-line no-new-func
  const rewrite = rw && new Function(`return ${rw[1].replace('(p: string)', '(p)')}`)();
  const cases = { '/api/db-sync/database/sync/current': '/api/database/sync/current', '/api/db-sync/database/session': '/api/database/session',
    '/api/db-sync/database/sync/history?limit=5': '/api/database/sync/history?limit=5', '/api/db-sync/archon-db-sync.js': '/archon-db-sync.js',
    '/api/db-sync/adbs/api.js': '/adbs/api.js', '/api/db-sync/databases.js': '/databases.js' };
  const wrong = rewrite ? Object.entries(cases).filter(([from, to]) => rewrite(from) !== to).map(([from]) => `${from} → ${rewrite(from)}`) : ['no rewrite'];
  check('vite insertion: rewrites the API to /api/database/… and the component\'s files to the service\'s root', wrong.length === 0, wrong.join('; '));
  check('vite insertion: in Docker it targets the compose service archon-db-sync at its port', new RegExp(`'http://archon-db-sync:${syncPort(model.services['archon-db-sync'])}'`).test(insert)
    && /process\.env\.ARCHON_SYNC_URL/.test(insert), 'missing');
  check('vite insertion: the key from ARCHON_SYNC_API_KEY as X-API-Key, never a VITE_ variable', /'X-API-Key': dbSyncKey/.test(insert)
    && /ARCHON_SYNC_API_KEY/.test(insert) && !/VITE_/.test(insert.replace(/^\s*\/\/.*$/gm, '')), 'missing or VITE_');
  check('card: loads the component and talks to the API under the same prefix', card.includes(`const DB_SYNC_PREFIX = "${prefix}";`)
    && /archon-db-sync\.js`/.test(card) && /api=\{`\$\{DB_SYNC_PREFIX\}\/database`\}/.test(card), 'prefix differs');
}

console.log(failures === 0 ? 'deploy lint: all checks passed' : `deploy lint: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
