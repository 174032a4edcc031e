import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { KUSTOMIZE_STRIPPED } from '../../compiler/gitops';
import { compileApp } from '../../compiler/synth';
import { MeshNamespace, MeshService, PolicyApp, Waypoint } from '../../constructs';
import { tempDir } from '../support/helpers';
import { kustomize } from './support';

// Each annotation kustomize keeps for itself, with a value, and what it does to the object.
const STRIPPED: [string, string][] = [...KUSTOMIZE_STRIPPED].map((key) => [key, 'x']);
const LEFT_OUT = ['true', 'True', '', 'no'];
// Look-alikes kustomize keeps: no finding.
const KEPT: [string, string][] = [
  ['config.kubernetes.io/local-config', 'false'],
  ['config.kubernetes.io/function', 'x'],
  ['config.k8s.io/index', 'x'],
  ['kustomize.config.k8s.io/behavior', 'merge'],
  ['example.com/config.kubernetes.io', 'x'],
  ['internal.config.kubernetes.io/anything', 'x'],
];

/** A mesh with one waypoint per annotation given, and the compile result. */
function compileWith(annotations: [string, string][]) {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  annotations.forEach(([key, value], i) => new Waypoint(ns, `waypoint-${i}`).apiObject.metadata.addAnnotation(key, value));
  // And another team's Service, label-only: its label would be lost with the object.
  const w = new Waypoint(ns, 'waypoint');
  MeshService.fromServiceName(ns, 'reviews', 'reviews', { useWaypoint: w }).apiObject!.metadata.addAnnotation('config.kubernetes.io/local-config', 'true');
  return compileApp(app);
}

test('an annotation kustomize strips, or local-config that has it leave the object out, is gitops/kustomize-reserved naming the object and the key; look-alikes it keeps pass', () => {
  const cases: [string, string][] = [...STRIPPED, ...LEFT_OUT.map((v): [string, string] => ['config.kubernetes.io/local-config', v])];
  const r = compileWith(cases);
  const found = r.findings.filter((f) => f.rule === 'gitops/kustomize-reserved');
  assert.equal(r.files.size, 0, 'an error writes nothing');
  assert.equal(found.length, cases.length + 1, found.map((f) => f.message).join('\n'));
  cases.forEach(([key], i) => {
    const f = found.find((x) => x.object?.name === `waypoint-${i}`);
    assert.ok(f, `${key}: no finding`);
    assert.equal(f.severity, 'error');
    assert.equal(f.path, `shop/waypoint-${i}`);
    assert.ok(f.message.includes(`the annotation ${key}`), f.message);
    assert.match(f.message, key.endsWith('local-config') ? /never applied/ : /strips it/);
  });
  assert.ok(found.some((f) => f.object?.kind === 'Service' && f.object.name === 'reviews' && /never applied/.test(f.message)), "another team's label-only Service too");

  const kept = compileWith(KEPT).findings.filter((f) => f.rule === 'gitops/kustomize-reserved');
  assert.deepEqual(kept.map((f) => f.object?.name), ['reviews'], 'only the Service that sets local-config=true');
});

test('the real kustomize strips exactly those annotations and leaves out an object marked local-config, as the rule says, and keeps the look-alikes', () => {
  const dir = tempDir('wp-kustomize-reserved-');
  const all: [string, string][] = [...STRIPPED, ...KEPT];
  const gateway = (name: string, annotations: Record<string, string>) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: 'shop', annotations },
    spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
  });
  const files = ['annotated.yaml', ...LEFT_OUT.map((_, i) => `left-out-${i}.yaml`)];
  fs.writeFileSync(path.join(dir, 'annotated.yaml'), stringify(gateway('annotated', Object.fromEntries(all))));
  LEFT_OUT.forEach((v, i) => fs.writeFileSync(path.join(dir, `left-out-${i}.yaml`), stringify(gateway(`left-out-${i}`, { 'config.kubernetes.io/local-config': v }))));
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: files }));
  const built = kustomize(dir);
  assert.deepEqual(built.map((o) => o.metadata.name), ['annotated'], 'every local-config value but "false" leaves the object out');
  const annotations = built[0].metadata.annotations ?? {};
  for (const [key] of STRIPPED) assert.equal(annotations[key], undefined, `${key} is stripped`);
  for (const [key, value] of KEPT) assert.equal(annotations[key], value, `${key} is kept`);
});
