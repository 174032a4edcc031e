import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../analysis/analyze';
import type { Finding } from '../../analysis/finding';
import { compileApp } from '../../compiler/synth';
import { readManifests } from '../../compiler/read-manifests';
import { readTree } from '../../compiler/write';
import { DataplaneMode, MeshNamespace, MeshService, PolicyApp, Waypoint } from '../../constructs';
import { REPO_ROOT } from '../support/helpers';
import { findingsOf, freshDir, manifestDir, run, writeProgram } from './harness';

// A Namespace explicitly out of ambient (istio.io/dataplane-mode=none) whose use-waypoint labels name a
// waypoint: its pods are not captured by ztunnel, so as clients they skip every waypoint (facts §3.4; the
// warning of istioctl waypoint apply --enroll-namespace, §2.2).

const RULE = 'binding/not-enrolled';

/** The binding/not-enrolled findings of an app with a `legacy` namespace built by `build`. */
function notEnrolled(build: (app: PolicyApp) => void): Finding[] {
  const app = new PolicyApp();
  build(app);
  const result = compileApp(app, { root: REPO_ROOT });
  return result.findings.filter((f) => f.rule === RULE);
}

function lint(yaml: string): Finding[] {
  return analyze(readManifests(manifestDir({ 'all.yaml': yaml })).model).filter((f) => f.rule === RULE);
}

const TAIL = ': its pods are not captured, so their own requests skip every waypoint, and the plugins of legacy/waypoint run only for clients that are in the mesh (istioctl waypoint apply --enroll-namespace warns about such a namespace)';

test('binding/not-enrolled: dataplaneMode NONE with a namespace waypoint is a warning on the Namespace', () => {
  const found = notEnrolled((app) => {
    const legacy = new MeshNamespace(app, 'legacy', { dataplaneMode: DataplaneMode.NONE });
    legacy.useWaypoint(new Waypoint(legacy, 'waypoint'));
  });
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.equal(found[0].severity, 'warning');
  assert.deepEqual(found[0].object, { apiVersion: 'v1', kind: 'Namespace', namespace: undefined, name: 'legacy' });
  assert.equal(found[0].message, `Namespace legacy is out of the ambient mesh (istio.io/dataplane-mode=none) but its use-waypoint label names waypoint legacy/waypoint${TAIL}`);
  assert.match(found[0].fix ?? '', /dataplaneMode: DataplaneMode\.AMBIENT.*useWaypoint: 'none'/);
});

test('binding/not-enrolled: the useWaypoint prop of a NONE namespace, with a waypoint of another namespace, is reported too', () => {
  const found = notEnrolled((app) => {
    const shop = new MeshNamespace(app, 'shop');
    const waypoint = new Waypoint(shop, 'waypoint');
    new MeshNamespace(app, 'legacy', { dataplaneMode: DataplaneMode.NONE, useWaypoint: waypoint });
  });
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.match(found[0].message, /^Namespace legacy is out of the ambient mesh \(istio\.io\/dataplane-mode=none\) but its use-waypoint label names waypoint shop\/waypoint: /);
});

test('binding/not-enrolled: dataplaneMode NONE with only a Service label naming a waypoint is reported once, on the Namespace, naming the Service', () => {
  const found = notEnrolled((app) => {
    const legacy = new MeshNamespace(app, 'legacy', { dataplaneMode: DataplaneMode.NONE });
    const waypoint = new Waypoint(legacy, 'waypoint');
    MeshService.fromServiceName(legacy, 'cart', 'cart', { useWaypoint: waypoint });
  });
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.equal(found[0].object?.kind, 'Namespace');
  assert.equal(found[0].message, `Namespace legacy is out of the ambient mesh (istio.io/dataplane-mode=none) but the use-waypoint label of Service legacy/cart names waypoint legacy/waypoint${TAIL}`);
});

test('binding/not-enrolled: the namespace label and several Service labels make one finding that names them all', () => {
  const found = notEnrolled((app) => {
    const legacy = new MeshNamespace(app, 'legacy', { dataplaneMode: DataplaneMode.NONE });
    const waypoint = new Waypoint(legacy, 'waypoint');
    const other = new Waypoint(legacy, 'other');
    legacy.useWaypoint(waypoint);
    MeshService.fromServiceName(legacy, 'orders', 'orders', { useWaypoint: other });
    MeshService.fromServiceName(legacy, 'cart', 'cart', { useWaypoint: waypoint });
    MeshService.fromServiceName(legacy, 'health', 'health', { useWaypoint: 'none' });
  });
  assert.deepEqual(
    found.map((f) => f.message),
    [
      'Namespace legacy is out of the ambient mesh (istio.io/dataplane-mode=none) but its use-waypoint label and the use-waypoint labels of Service legacy/cart, Service legacy/orders name waypoints legacy/other, legacy/waypoint: its pods are not captured, so their own requests skip every waypoint, and the plugins of legacy/other, legacy/waypoint run only for clients that are in the mesh (istioctl waypoint apply --enroll-namespace warns about such a namespace)',
    ],
  );
});

test('binding/not-enrolled: not reported for an ambient namespace, one left to be enrolled elsewhere (enroll: false), or a NONE namespace that opts out', () => {
  const ambient = notEnrolled((app) => {
    const legacy = new MeshNamespace(app, 'legacy', { dataplaneMode: DataplaneMode.AMBIENT });
    const waypoint = new Waypoint(legacy, 'waypoint');
    legacy.useWaypoint(waypoint);
    MeshService.fromServiceName(legacy, 'cart', 'cart', { useWaypoint: waypoint });
  });
  assert.deepEqual(ambient, []);
  const byDefault = notEnrolled((app) => {
    const legacy = new MeshNamespace(app, 'legacy');
    legacy.useWaypoint(new Waypoint(legacy, 'waypoint'));
  });
  assert.deepEqual(byDefault, []);
  const elsewhere = notEnrolled((app) => {
    const legacy = new MeshNamespace(app, 'legacy', { enroll: false });
    const waypoint = new Waypoint(legacy, 'waypoint');
    legacy.useWaypoint(waypoint);
    MeshService.fromServiceName(legacy, 'cart', 'cart', { useWaypoint: waypoint });
  });
  assert.deepEqual(elsewhere, []);
  const optOut = notEnrolled((app) => {
    const legacy = new MeshNamespace(app, 'legacy', { dataplaneMode: DataplaneMode.NONE, useWaypoint: 'none' });
    new Waypoint(legacy, 'waypoint');
    MeshService.fromServiceName(legacy, 'health', 'health', { useWaypoint: 'none' });
  });
  assert.deepEqual(optOut, []);
  const bare = notEnrolled((app) => {
    new MeshNamespace(app, 'legacy', { dataplaneMode: DataplaneMode.NONE, owned: true });
  });
  assert.deepEqual(bare, []);
  // The control: the same NONE namespace naming its waypoint is reported.
  const control = notEnrolled((app) => {
    const legacy = new MeshNamespace(app, 'legacy', { dataplaneMode: DataplaneMode.NONE });
    legacy.useWaypoint(new Waypoint(legacy, 'waypoint'));
  });
  assert.equal(control.length, 1, 'control: a NONE namespace naming a waypoint is reported');
});

test('binding/not-enrolled in manifests: only an explicit dataplane-mode none is reported, not a missing label', () => {
  const yaml = (nsLabels: string) => `apiVersion: v1
kind: Namespace
metadata: { name: legacy, labels: { ${nsLabels} } }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: waypoint, namespace: legacy, labels: { istio.io/waypoint-for: service } }
spec: { gatewayClassName: istio-waypoint, listeners: [{ name: mesh, port: 15008, protocol: HBONE }] }
`;
  const none = lint(yaml('istio.io/dataplane-mode: none, istio.io/use-waypoint: waypoint'));
  assert.deepEqual(
    none.map((f) => `${f.severity} ${f.message}`),
    [`warning Namespace legacy is out of the ambient mesh (istio.io/dataplane-mode=none) but its use-waypoint label names waypoint legacy/waypoint${TAIL}`],
  );
  assert.deepEqual(lint(yaml('istio.io/use-waypoint: waypoint')), [], 'no dataplane-mode label: enrollment decided elsewhere');
  assert.deepEqual(lint(yaml('istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint')), []);
  assert.deepEqual(lint(yaml('istio.io/dataplane-mode: none, istio.io/use-waypoint: none')), []);
  assert.deepEqual(lint(yaml('istio.io/dataplane-mode: none')), []);
});

test('binding/not-enrolled is a warning: synth still writes the manifests, synth and check print it, and --strict fails on it', async () => {
  const dir = freshDir('not-enrolled-');
  const program = writeProgram(
    dir,
    `const legacy = new MeshNamespace(app, 'legacy', { dataplaneMode: DataplaneMode.NONE });
legacy.useWaypoint(new Waypoint(legacy, 'waypoint'));`,
  );
  const out = path.join(dir, 'dist');
  const synth = await run(['synth', '--app', program, '--outdir', out], dir);
  assert.equal(synth.code, 0, synth.text);
  assert.match(synth.text, /^warning\[binding\/not-enrolled\]: Namespace legacy is out of the ambient mesh/m);
  const written = [...readTree(out).entries()].find(([file, text]) => /namespace/i.test(file) && /name: legacy/.test(text));
  assert.ok(written, [...readTree(out).keys()].join('\n'));
  assert.match(written[1], /istio\.io\/dataplane-mode: none/);
  const check = await run(['check', '--app', program, '--outdir', out], dir);
  assert.equal(check.code, 0, check.text);
  assert.match(check.text, /^warning\[binding\/not-enrolled\]: Namespace legacy/m);
  const validate = await run(['validate', '--app', program, '--json'], dir);
  assert.equal(validate.code, 0, validate.text);
  assert.deepEqual(
    findingsOf(validate)
      .filter((f) => f.rule === RULE)
      .map((f) => f.severity),
    ['warning'],
  );
  const strict = await run(['validate', '--app', program, '--strict'], dir);
  assert.equal(strict.code, 1, strict.text);
});
