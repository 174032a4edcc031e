import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileApp } from '../../compiler/synth';
import { MeshNamespace, PolicyApp, Waypoint, WasmPlugin, WasmPluginProps } from '../../constructs';
import type { Finding } from '../../analysis/finding';

const DIGEST = 'a'.repeat(64);

function findingsFor(props: Partial<WasmPluginProps>, rule: string): Finding[] {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'default');
  new WasmPlugin(ns, 'p', { targets: [new Waypoint(ns, 'waypoint')], url: 'oci://ghcr.io/acme/auth:1.0.0', ...props });
  return compileApp(app).findings.filter((f) => f.rule === rule);
}

test('an OCI tag without sha256 is a warning', () => {
  const [f] = findingsFor({}, 'supply-chain/unpinned-module');
  assert.equal(f.severity, 'warning');
  assert.match(f.message, /pinned by tag only/);
});

test('sha256, or a digest in the url, pins the module: no finding', () => {
  assert.deepEqual(findingsFor({ sha256: DIGEST }, 'supply-chain/unpinned-module'), []);
  assert.deepEqual(findingsFor({ url: `oci://ghcr.io/acme/auth@sha256:${DIGEST}` }, 'supply-chain/unpinned-module'), []);
});

test(':latest and an untagged reference are errors unless acknowledged', () => {
  for (const url of ['oci://ghcr.io/acme/auth:latest', 'oci://ghcr.io/acme/auth', 'ghcr.io/acme/auth']) {
    const [f] = findingsFor({ url }, 'supply-chain/unpinned-module');
    assert.equal(f?.severity, 'error', url);
  }
  const [ack] = findingsFor({ url: 'oci://ghcr.io/acme/auth:latest', acknowledge: { unpinnedModule: 'dev cluster only' } }, 'supply-chain/unpinned-module');
  assert.equal(ack.severity, 'warning');
  assert.match(ack.message, /acknowledged: dev cluster only/);
});

test('a registry port is not mistaken for a tag', () => {
  const [f] = findingsFor({ url: 'oci://registry.local:5000/acme/auth' }, 'supply-chain/unpinned-module');
  assert.equal(f.severity, 'error');
  assert.match(f.message, /untagged reference/);
});

test('http:// is an error without sha256 and a warning with it', () => {
  assert.equal(findingsFor({ url: 'http://m.internal/auth.wasm' }, 'supply-chain/insecure-url')[0].severity, 'error');
  assert.equal(findingsFor({ url: 'http://m.internal/auth.wasm', sha256: DIGEST }, 'supply-chain/insecure-url')[0].severity, 'warning');
  assert.deepEqual(findingsFor({ url: 'https://m.internal/auth.wasm', sha256: DIGEST }, 'supply-chain/insecure-url'), []);
});

test('an https:// module without sha256 is unpinned (a warning naming what to hash); with sha256, or acknowledged, no finding; http:// stays insecure-url alone', () => {
  const [f] = findingsFor({ url: 'https://modules.example.com/auth.wasm' }, 'supply-chain/unpinned-module');
  assert.equal(f?.severity, 'warning');
  assert.match(f.message, /module https:\/\/modules\.example\.com\/auth\.wasm is not pinned: the file at that address can be replaced/);
  assert.match(f.fix!, /SHA-256 of the module file \(after unpacking gzip or tar\)/);
  assert.deepEqual(findingsFor({ url: 'https://modules.example.com/auth.wasm', sha256: DIGEST }, 'supply-chain/unpinned-module'), []);
  assert.deepEqual(findingsFor({ url: 'https://modules.example.com/auth.wasm', acknowledge: { unpinnedModule: 'internal CDN, immutable paths' } }, 'supply-chain/unpinned-module'), []);
  assert.deepEqual(findingsFor({ url: 'http://modules.example.com/auth.wasm' }, 'supply-chain/unpinned-module'), []);
});

test('a sha256 that disagrees with the url digest is an error', () => {
  const [f] = findingsFor({ url: `oci://ghcr.io/acme/auth@sha256:${DIGEST}`, sha256: 'b'.repeat(64) }, 'supply-chain/digest-mismatch');
  assert.equal(f.severity, 'error');
});

test('imagePullSecret is a bare Secret name, resolved in the plugin namespace', () => {
  // A namespaced reference is refused at construction (it is not a DNS subdomain).
  assert.throws(() => findingsFor({ imagePullSecret: 'istio-system/regcred' }, 'supply-chain/pull-secret'), /imagePullSecret/);
  assert.deepEqual(findingsFor({ imagePullSecret: 'regcred', sha256: DIGEST }, 'supply-chain/pull-secret'), []);
});

test("the module URL in a supply-chain message never shows the URL's user:password", () => {
  const cases: [string, string][] = [
    ['oci://robot:s3cr%40t@ghcr.io/acme/auth:latest', 'supply-chain/unpinned-module'],
    ['oci://robot:s3cr%40t@ghcr.io/acme/auth:1.0', 'supply-chain/unpinned-module'],
    ['http://robot:s3cr%40t@m.internal/auth.wasm', 'supply-chain/insecure-url'],
    ['http://robot:s3cr#et@m.internal/auth.wasm', 'supply-chain/insecure-url'],
    ['http://robot:s3cr/et?x@m.internal/auth.wasm', 'supply-chain/insecure-url'],
    ['oci://robot:s3cr#et@ghcr.io/acme/auth:1.0', 'supply-chain/unpinned-module'],
    ['https://robot:s3cr%40t@m.internal/auth.wasm', 'supply-chain/unpinned-module'],
  ];
  for (const [url, rule] of cases) {
    const [f] = findingsFor({ url }, rule);
    assert.ok(f, `${rule} for ${url}`);
    assert.equal(f.message.includes('s3cr'), false, f.message);
    assert.match(f.message, /:\/\/\*\*\*@/);
  }
});
