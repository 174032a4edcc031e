import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { directories, filesUnder, K8sObject, keys, kustomize, synthProject } from './support';

let dist: string;
before(async () => {
  ({ dist } = await synthProject());
});

const STAGE_DIRS = ['1-waypoints', '2-policies', '3-enrollment'];

test('one program, several targets: dist/<target>/ each, with per-target values applied', () => {
  const top = fs.readdirSync(dist).sort();
  assert.deepEqual(top, ['delivery', 'dr', 'prod', 'staging']);
  // No kustomization.yaml at the root: dist/ is not one deployable unit.
  assert.equal(fs.existsSync(path.join(dist, 'kustomization.yaml')), false);

  const staging = kustomize(path.join(dist, 'staging'));
  const prod = kustomize(path.join(dist, 'prod'));
  const plugin = (os: K8sObject[]) => os.find((o) => o.kind === 'WasmPlugin')!;
  assert.equal(plugin(staging).metadata.namespace, 'shop-staging');
  assert.equal(plugin(prod).metadata.namespace, 'shop');
  assert.equal(plugin(staging).spec.pluginConfig.realm, 'staging');
  assert.equal(plugin(prod).spec.pluginConfig.realm, 'shop');
  const gw = (os: K8sObject[]) => os.find((o) => o.kind === 'Gateway' && o.metadata.name === 'waypoint' && o.metadata.namespace !== 'shop-internal')!;
  assert.equal(gw(staging).metadata.labels!['istio.io/waypoint-for'], 'service');
  assert.equal(gw(prod).metadata.labels!['istio.io/waypoint-for'], 'all');
});

test('every directory of every target builds with kubectl kustomize, and yields exactly the files under it', () => {
  let built = 0;
  for (const target of ['staging', 'prod', 'dr']) {
    for (const rel of directories(dist, target)) {
      assert.ok(fs.existsSync(path.join(dist, rel, 'kustomization.yaml')), `${rel} has a kustomization.yaml`);
      const out = kustomize(path.join(dist, rel));
      assert.deepEqual(keys(out), keys(filesUnder(dist, rel)), rel);
      built++;
    }
  }
  assert.ok(built >= 20, `built ${built} directories`);
});

test('each target has all three stage folders, and the target folder builds the union of its stages', () => {
  for (const target of ['staging', 'prod', 'dr']) {
    const stages = fs.readdirSync(path.join(dist, target)).filter((e) => e !== 'kustomization.yaml').sort();
    assert.deepEqual(stages, STAGE_DIRS, target);
    const union = STAGE_DIRS.flatMap((s) => kustomize(path.join(dist, target, s)));
    assert.deepEqual(keys(kustomize(path.join(dist, target))), keys(union), target);
  }
});

test('the objects of prod, stage by stage, as kustomize builds them', () => {
  assert.deepEqual(keys(kustomize(path.join(dist, 'prod', '1-waypoints'))), [
    'Gateway/shop-internal/waypoint',
    'Gateway/shop/reviews-waypoint',
    'Gateway/shop/waypoint',
    // prod owns this Namespace: it must exist before anything is created in it.
    'Namespace//shop-internal',
  ]);
  assert.deepEqual(keys(kustomize(path.join(dist, 'prod', '2-policies'))), ['WasmPlugin/shop/auth']);
  assert.deepEqual(keys(kustomize(path.join(dist, 'prod', '3-enrollment'))), [
    'Namespace//shop',
    'Service/shop-internal/ledger',
    'Service/shop/reviews',
  ]);
});

test('a declared target with no objects gets empty stage folders that build to nothing', () => {
  for (const s of STAGE_DIRS) assert.deepEqual(kustomize(path.join(dist, 'dr', s)), []);
  assert.deepEqual(kustomize(path.join(dist, 'dr')), []);
});

test('every delivery directory with a kustomization.yaml builds, and yields the delivery objects', () => {
  const built: Record<string, string[]> = {};
  for (const rel of directories(dist, 'delivery')) {
    if (!fs.existsSync(path.join(dist, rel, 'kustomization.yaml'))) continue;
    const out = kustomize(path.join(dist, rel));
    assert.deepEqual(keys(out), keys(filesUnder(dist, rel)), rel);
    built[rel] = keys(out);
  }
  assert.deepEqual(built, {
    'delivery/argocd': ['Application/argocd/shop-policy-dr', 'Application/argocd/shop-policy-prod', 'Application/argocd/shop-policy-staging'],
    'delivery/flux/dr': [
      'GitRepository/flux-system/shop-policy-dr',
      'Kustomization/flux-system/shop-policy-dr-enrollment',
      'Kustomization/flux-system/shop-policy-dr-policies',
      'Kustomization/flux-system/shop-policy-dr-waypoints',
    ],
    'delivery/flux/prod': [
      'GitRepository/flux-system/shop-policy-prod',
      'Kustomization/flux-system/shop-policy-prod-enrollment',
      'Kustomization/flux-system/shop-policy-prod-policies',
      'Kustomization/flux-system/shop-policy-prod-waypoints',
    ],
    'delivery/flux/staging': [
      'GitRepository/flux-system/shop-policy-staging',
      'Kustomization/flux-system/shop-policy-staging-enrollment',
      'Kustomization/flux-system/shop-policy-staging-policies',
      'Kustomization/flux-system/shop-policy-staging-waypoints',
    ],
  });
  // Never one kustomization joining both tools (or all clusters' Flux objects).
  assert.equal(fs.existsSync(path.join(dist, 'delivery', 'kustomization.yaml')), false);
  assert.equal(fs.existsSync(path.join(dist, 'delivery', 'flux', 'kustomization.yaml')), false);
});

test('every path the delivery objects point at is a folder that kustomize builds', () => {
  const repoRoot = path.dirname(dist); // the fixture's dist/ sits at its repo root
  const pointed: string[] = [];
  for (const o of filesUnder(dist, 'delivery')) {
    if (o.kind === 'Application') pointed.push(o.spec.source.path);
    if (o.kind === 'Kustomization') pointed.push(o.spec.path.replace(/^\.\//, ''));
  }
  assert.equal(pointed.length, 3 + 9);
  for (const p of pointed) kustomize(path.join(repoRoot, p));
});
