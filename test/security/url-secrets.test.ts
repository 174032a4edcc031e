/**
 * A module URL may carry a secret in its query (a mirror's token=, a
 * presigned URL's signature): findings and explanations print the names,
 * never the values.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { compileApp } from '../../compiler/synth';
import { MeshNamespace, PolicyApp, Waypoint, WasmPlugin } from '../../constructs';
import { formatFinding } from '../../analysis/finding';
import { captureIo, SHOP_MESH_YAML, tempDir } from '../support/helpers';

const TOKEN = 'S3cr3tTok-91x';
const URL = `http://mirror.example.com/wasm/stamp.wasm?token=${TOKEN}&X-Amz-Signature=${TOKEN}#${TOKEN}`;

test('findings about a module URL mask its query values and fragment', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  new WasmPlugin(ns, 'stamp', { url: URL, targets: [new Waypoint(ns, 'waypoint')] });
  const findings = compileApp(app).findings;
  const about = findings.filter((f) => f.rule.startsWith('supply-chain/'));
  assert.ok(about.length > 0, JSON.stringify(findings.map((f) => f.rule)));
  const text = findings.map(formatFinding).join('\n');
  assert.doesNotMatch(text, new RegExp(TOKEN));
  assert.match(text, /stamp\.wasm\?token=\*\*\*&X-Amz-Signature=\*\*\*#\*\*\*/);
});

test("explain's trace of a module it does not simulate masks the URL's query values", async () => {
  const dir = tempDir('wp-url-');
  fs.writeFileSync(
    path.join(dir, 'mesh.yaml'),
    `${SHOP_MESH_YAML}apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: stamp, namespace: shop }
spec:
  url: "${URL}"
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]
`,
  );
  for (const json of [false, true]) {
    const io = captureIo(dir);
    assert.equal(await main(['explain', '--manifests', dir, '--to', 'shop/cart:8080', ...(json ? ['--json'] : [])], io), 0, io.text());
    assert.doesNotMatch(io.text(), new RegExp(TOKEN));
    assert.match(io.text(), /token=\*\*\*/);
  }
});

test("an '@' in a query value, or a '?' or '#' in a password: which '@' ends a user:password is unclear, so what follows it is masked as query: never a secret shown", async () => {
  const { printableUrl } = await import('../../analysis/schema/go-url');
  const { secretPolicyFor } = await import('../../review/secrets');
  const url = `https://mirror.acme/x.wasm?owner=ci@acme.io&token=${TOKEN}`;
  assert.equal(printableUrl(url), 'https://***@***&token=***');
  const masked = secretPolicyFor({ apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'x' }, spec: { url } }).mask(['spec', 'url'], url);
  assert.doesNotMatch(masked, new RegExp(TOKEN));
  assert.match(masked, /^https:\/\/\*\*\*@sha256:[0-9a-f]+&token=sha256:[0-9a-f]+$/);
  assert.equal(printableUrl(`https://user:pa?ss@mirror.acme/x.wasm?token=${TOKEN}`), 'https://***@***&token=***');
  assert.equal(printableUrl('http://robot:s3cr#et@m.internal/auth.wasm'), 'http://***@***');
  // The usual cases keep the host and path in view.
  assert.equal(printableUrl(`https://robot:pw@mirror.acme/x.wasm?token=${TOKEN}#frag`), 'https://***@mirror.acme/x.wasm?token=***#***');
  assert.equal(printableUrl('oci://ghcr.io/acme/auth:1.0.0@sha256:abc'), 'oci://ghcr.io/acme/auth:1.0.0@sha256:abc');
});

test("a basic_auth rule's hosts entry holding a URL's user:password@ is masked in findings and in explain's trace", async () => {
  const dir = tempDir('wp-hosts-');
  fs.writeFileSync(
    path.join(dir, 'mesh.yaml'),
    `${SHOP_MESH_YAML}apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: auth, namespace: shop }
spec:
  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
  sha256: ${'a'.repeat(64)}
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]
  pluginConfig:
    basic_auth_rules:
      - { prefix: /, request_methods: [GET], credentials: ["ok:test"], hosts: ["robot:${TOKEN}@cart.shop:8080"] }
`,
  );
  const validate = captureIo(dir);
  assert.equal(await main(['validate', '--manifests', dir], validate), 1, validate.text());
  assert.match(validate.text(), /basic-auth\/host-with-port\]: .*host #1 "\*\*\*@cart\.shop:8080" has a port/);
  fs.writeFileSync(path.join(dir, 'mesh.yaml'), fs.readFileSync(path.join(dir, 'mesh.yaml'), 'utf8').replace(':8080"]', '"]'));
  for (const json of [false, true]) {
    const io = captureIo(dir);
    assert.equal(await main(['explain', '--manifests', dir, '--to', 'shop/cart:8080', ...(json ? ['--json'] : [])], io), 0, io.text());
    assert.match(io.text(), /hosts \\?"\*\*\*@cart\.shop\\?"/);
    assert.doesNotMatch(`${validate.text()}\n${io.text()}`, new RegExp(TOKEN));
  }
});
