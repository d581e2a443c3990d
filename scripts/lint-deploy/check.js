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
  check(`${rel}: ${builder ? 'multi-stage (Mandrel builder, slim runtime)' : 'single stage'}`,
    builder ? stages.length === 2 && /mandrel/i.test(stages[0]) && /AS build/.test(stages[0]) && /slim/.test(runtime) : stages.length === 1,
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
checkDockerfile('src/main/docker/Dockerfile.jvm', { user: 185, builder: false });
checkDockerfile('src/main/docker/Dockerfile.native', { user: 1001, builder: true });

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
function syncContainer(label, dep, container) {
  const pod = podOf(dep);
  restricted(label, pod, container);
  check(`${label}: Recreate (ReadWriteOnce volume)`, dep.spec.strategy && dep.spec.strategy.type === 'Recreate' && !dep.spec.strategy.rollingUpdate,
    JSON.stringify(dep.spec.strategy));
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
if (own) syncContainer('base Deployment', own, podOf(own).containers[0]);
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
const cron = rendered['k8s/overlays/cronjob-backup'] || [];
const cj = find(cron, 'CronJob');
if (cj) {
  restricted('CronJob', podOf(cj), podOf(cj).containers[0]);
  check('CronJob: runs the CLI local-to-remote, never overlapping', JSON.stringify(podOf(cj).containers[0].command)
    === '["sync-databases","--direction=local-to-remote"]' && cj.spec.concurrencyPolicy === 'Forbid', JSON.stringify(podOf(cj).containers[0].command));
} else fail('cronjob-backup', 'no CronJob');
check('cronjob-backup: the in-process scheduler is off', (find(cron, 'ConfigMap') || { data: {} }).data.ARCHON_SYNC_SCHEDULE_ENABLED === 'false', 'on');

console.log(failures === 0 ? 'deploy lint: all checks passed' : `deploy lint: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
