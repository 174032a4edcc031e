/**
 * `explain` on manifests with a null where a list item or a field should be:
 * the API server refuses or drops those, and explain must answer (or refuse
 * with exit 1), never crash with an internal error (exit 70).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import { main } from '../../cli/main';
import { captureIo, REPO_ROOT, tempDir } from '../support/helpers';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every manifest of the committed example (bookinfo: waypoints, plugins on a gateway, a waypoint and a Service). */
function exampleObjects(): { file: string; doc: Json }[] {
  const out: { file: string; doc: Json }[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name !== 'kustomization.yaml') for (const d of parseAllDocuments(fs.readFileSync(full, 'utf8'))) out.push({ file: path.relative(dir, full), doc: d.toJSON() as Json });
    }
  };
  walk(path.join(REPO_ROOT, 'dist', 'demo'));
  return out;
}

/** Each way to put one null into `doc`: as the first item of every list, and in place of every object field below metadata. */
function nullMutations(doc: Json, at: string[] = []): { where: string; doc: Json }[] {
  const out: { where: string; doc: Json }[] = [];
  const replaceAt = (root: Json, keys: string[], f: (v: Json) => Json): Json => {
    if (keys.length === 0) return f(root);
    const [k, ...rest] = keys;
    if (Array.isArray(root)) return root.map((v, i) => (String(i) === k ? replaceAt(v, rest, f) : v));
    if (root && typeof root === 'object') return { ...root, [k]: replaceAt(root[k], rest, f) };
    return root;
  };
  const visit = (v: Json, keys: string[]) => {
    if (Array.isArray(v)) {
      out.push({ where: `${keys.join('.')}[null first]`, doc: replaceAt(doc, keys, (list) => [null, ...(list as Json[])]) });
      v.forEach((item, i) => visit(item, [...keys, String(i)]));
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (keys.length === 0 && (k === 'apiVersion' || k === 'kind')) continue;
        if (keys.length > 0 || k !== 'metadata') out.push({ where: [...keys, k].join('.') + ' = null', doc: replaceAt(doc, [...keys, k], () => null) });
        visit(child, [...keys, k]);
      }
    }
  };
  visit(doc, at);
  return out;
}

/** What the CLI exits with on an internal error (a crash), as opposed to 1 (refused input). */
const INTERNAL_ERROR = 70;

/** Fields the example does not use, so that their lists are mutated too: a plugin's match, a selector's expressions. */
const EXTRA: { file: string; doc: Json }[] = [
  {
    file: 'extra-plugin.yaml',
    doc: {
      apiVersion: 'extensions.istio.io/v1alpha1',
      kind: 'WasmPlugin',
      metadata: { name: 'extra', namespace: 'default' },
      spec: {
        url: 'oci://ghcr.io/acme/extra:1.0.0',
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'bookinfo-gateway' }],
        match: [{ mode: 'CLIENT', ports: [{ number: 8080 }] }],
      },
    },
  },
  {
    file: 'shared-waypoint.yaml',
    doc: {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'shared', namespace: 'infra', labels: { 'istio.io/waypoint-for': 'service' } },
      spec: {
        gatewayClassName: 'istio-waypoint',
        listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE', allowedRoutes: { namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['shop'] }] } } } }],
      },
    },
  },
  {
    file: 'ratings.yaml',
    doc: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ratings', namespace: 'default', labels: { 'istio.io/use-waypoint': 'shared', 'istio.io/use-waypoint-namespace': 'infra' } } },
  },
];

const REQUESTS = [
  ['--to', 'default/productpage:9080', '--path', '/productpage'],
  ['--to', 'default/productpage:9080', '--via', 'default/bookinfo-gateway', '--path', '/productpage'],
  ['--to', 'default/reviews:9080', '--path', '/reviews/1', '-H', 'Authorization: Basic YWRtaW4zOmFkbWluMw=='],
  ['--to', 'default/ratings:9080', '--path', '/ratings/1'],
];

test('a null list item or field anywhere in the manifests never crashes explain', async () => {
  const objects = [...exampleObjects(), ...EXTRA];
  let runs = 0;
  const crashes: string[] = [];
  for (const [i, o] of objects.entries()) {
    for (const m of nullMutations(o.doc)) {
      const dir = tempDir('wp-null-');
      objects.forEach((other, j) => fs.writeFileSync(path.join(dir, `${j}.yaml`), stringify(j === i ? m.doc : other.doc)));
      for (const request of REQUESTS) {
        const io = captureIo();
        const code = await main(['explain', '--manifests', dir, ...request, '--json'], io);
        runs++;
        if (code === INTERNAL_ERROR || /internal error/.test(io.text())) crashes.push(`${o.file} ${m.where} (${request.join(' ')}): ${io.text().split('\n')[0]}`);
      }
    }
  }
  assert.ok(runs > 100, `${runs} runs`);
  assert.deepEqual(crashes, []);
});

test('a null pluginConfig is no config (the API server drops it): basic_auth then has no rules and lets the request pass, as validate accepts it', async () => {
  const statusWith = async (edit: (doc: Record<string, any>) => void) => {
    const dir = tempDir('wp-null-config-');
    for (const [j, o] of exampleObjects().entries()) {
      const doc = structuredClone(o.doc) as Record<string, any>;
      if (doc.kind === 'WasmPlugin' && doc.metadata.name === 'basic-auth-at-waypoint') edit(doc);
      fs.writeFileSync(path.join(dir, `${j}.yaml`), stringify(doc));
    }
    const io = captureIo();
    assert.equal(await main(['explain', '--manifests', dir, '--to', 'default/productpage:9080', '--path', '/productpage', '--json'], io), 0, io.text());
    return JSON.parse(io.stdout.join('\n')).status;
  };
  assert.equal(await statusWith(() => undefined), 401);
  assert.equal(await statusWith((doc) => delete doc.spec.pluginConfig), 200);
  assert.equal(await statusWith((doc) => (doc.spec.pluginConfig = null)), 200);
});
