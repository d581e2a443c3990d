// A small docker compose renderer for the deploy lint: variable interpolation and the merge of several
// compose files as the Compose Specification describes it (docs.docker.com, "Merge Compose files"), for the
// fields compose files next to Archon use. It exists because CI has no Docker; where `docker compose` or
// `docker-compose` is installed, check.js also asks it for `config` and compares the two renderings.
'use strict';
const fs = require('fs');
const YAML = require('yaml');

// ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}, $NAME, $$ — defaults may
// themselves hold ${…} (Archon's file does). A missing required variable is collected in `errors`.
function interpolateString(text, env, errors) {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '$') { out += c; i++; continue; }
    if (text[i + 1] === '$') { out += '$'; i += 2; continue; }
    if (text[i + 1] !== '{') {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
      if (!m) { out += c; i++; continue; }
      out += env[m[0]] ?? '';
      i += 1 + m[0].length;
      continue;
    }
    // find the matching closing brace
    let depth = 0;
    let j = i + 1;
    for (; j < text.length; j++) {
      if (text[j] === '{') depth++;
      else if (text[j] === '}' && --depth === 0) break;
    }
    if (j >= text.length) throw new Error(`unclosed \${ in "${text}"`);
    const inner = text.slice(i + 2, j);
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([\s\S]*))?$/.exec(inner);
    if (!m) throw new Error(`bad substitution \${${inner}}`);
    const [, name, op, arg] = m;
    const value = env[name];
    const unset = value === undefined;
    const emptyOrUnset = unset || value === '';
    if (!op) out += value ?? '';
    else if (op === ':-') out += emptyOrUnset ? interpolateString(arg, env, errors) : value;
    else if (op === '-') out += unset ? interpolateString(arg, env, errors) : value;
    else if ((op === ':?' && emptyOrUnset) || (op === '?' && unset)) {
      errors.push(`${name}: ${interpolateString(arg, env, errors) || 'required'}`);
    } else out += value;
    i = j + 1;
  }
  return out;
}

function interpolate(value, env, errors) {
  if (typeof value === 'string') return interpolateString(value, env, errors);
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env, errors));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, errors)]));
  }
  return value;
}

// Lists that compose merges as a mapping keyed by name (KEY=VALUE lists become mappings).
function asMap(value, sep) {
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) return { ...value };
  const out = {};
  for (const entry of value) {
    const s = String(entry);
    const at = s.indexOf(sep);
    if (at < 0) out[s] = null; else out[s.slice(0, at)] = s.slice(at + 1);
  }
  return out;
}
const networksAsMap = (value) => (Array.isArray(value) ? Object.fromEntries(value.map((n) => [n, null])) : { ...(value || {}) });
const volumeTarget = (v) => (typeof v === 'string' ? v.split(':')[1] || v.split(':')[0] : v.target);
const union = (a, b) => [...(a || []), ...(b || []).filter((x) => !(a || []).some((y) => JSON.stringify(y) === JSON.stringify(x)))];

function mergeMaps(a, b) {
  const out = { ...(a || {}) };
  for (const [k, v] of Object.entries(b || {})) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object' && !Array.isArray(out[k])
      ? mergeMaps(out[k], v) : v;
  }
  return out;
}

function mergeService(a, b) {
  const out = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const mine = out[key];
    if (key === 'environment' || key === 'labels' || key === 'annotations') out[key] = { ...asMap(mine, '='), ...asMap(value, '=') };
    else if (key === 'networks') out[key] = mergeMaps(networksAsMap(mine), networksAsMap(value));
    else if (key === 'volumes') {
      const byTarget = new Map((mine || []).map((v) => [volumeTarget(v), v]));
      for (const v of value || []) byTarget.set(volumeTarget(v), v);
      out[key] = [...byTarget.values()];
    } else if (key === 'build') {
      const norm = (x) => (typeof x === 'string' ? { context: x } : x);
      out[key] = mergeMaps(norm(mine), norm(value));
    } else if (['command', 'entrypoint'].includes(key)) out[key] = value;
    else if (Array.isArray(value) && (Array.isArray(mine) || mine === undefined)) out[key] = union(mine, value);
    else if (value && typeof value === 'object' && mine && typeof mine === 'object') out[key] = mergeMaps(mine, value);
    else out[key] = value;
  }
  return out;
}

function readCompose(file) {
  const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
  if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
  return doc.toJS() || {};
}

// Merges the files in order (later ones override and extend), then interpolates with env.
// Returns { model, errors } where errors lists the required variables that were missing.
function render(files, env) {
  let model = {};
  for (const file of files) {
    const doc = readCompose(file);
    const services = { ...(model.services || {}) };
    for (const [name, svc] of Object.entries(doc.services || {})) {
      services[name] = services[name] ? mergeService(services[name], svc || {}) : { ...svc };
    }
    model = {
      ...model,
      ...Object.fromEntries(Object.entries(doc).filter(([k]) => !['services', 'networks', 'volumes'].includes(k))),
      services,
      networks: mergeMaps(model.networks, doc.networks),
      volumes: mergeMaps(model.volumes, doc.volumes),
    };
  }
  const errors = [];
  model = interpolate(model, env, errors);
  for (const svc of Object.values(model.services)) {
    if (svc.environment) svc.environment = asMap(svc.environment, '=');
    svc.networks = networksAsMap(svc.networks);
  }
  return { model, errors };
}

// The networks a service is on (compose puts a service without any on `default`).
const networksOf = (svc) => (Object.keys(svc.networks || {}).length ? Object.keys(svc.networks) : ['default']);

// The names other containers on network `net` resolve to service `name`: the service name, its
// container_name and the network's aliases.
function namesOn(model, name, net) {
  const svc = model.services[name];
  const aliases = ((svc.networks || {})[net] || {}).aliases || [];
  return [name, svc.container_name, ...aliases].filter(Boolean);
}

module.exports = { render, networksOf, namesOn, interpolateString, readCompose };
