import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { compileApp } from '../../compiler/synth';
import { readTree } from '../../compiler/tree-files';
import { BasicAuth, Credential, FailStrategy, MeshNamespace, PolicyApp, Waypoint, WasmPlugin } from '../../constructs';
import { gateFailures, review } from '../../review';
import { REPO_ROOT } from '../support/helpers';

const ACK = { literalCredentials: 'test', unpinnedModule: 'test' };

test('a plugin whose props leave failStrategy unset states FAIL_CLOSE in its manifest, so a takeover of a hand-made FAIL_OPEN plugin resets it', () => {
  const app = new PolicyApp();
  const shop = new MeshNamespace(app, 'shop');
  const w = new Waypoint(shop, 'waypoint');
  const auth = new BasicAuth(shop, 'auth', { targets: [w], rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('ok:test')] }], acknowledge: ACK });
  const raw = new WasmPlugin(shop, 'stats', { targets: [w], url: 'oci://example.com/stats:1', acknowledge: { unpinnedModule: 'test' } });
  const open = new BasicAuth(shop, 'open', {
    targets: [w],
    failStrategy: FailStrategy.FAIL_OPEN,
    rules: [{ prefix: '/status', methods: ['GET'], credentials: [Credential.insecureLiteral('ok:test')] }],
    acknowledge: { ...ACK, failOpen: 'status page must stay up' },
  });
  assert.equal(auth.failStrategy, FailStrategy.FAIL_CLOSE);
  assert.equal(raw.failStrategy, FailStrategy.FAIL_CLOSE);
  assert.equal(open.failStrategy, FailStrategy.FAIL_OPEN);
  const { files } = compileApp(app);
  const spec = (name: string) => files.get(`default/2-policies/shop/wasmplugin-${name}.yaml`) ?? assert.fail(`no ${name}: ${[...files.keys()]}`);
  assert.match(spec('auth'), /\n {2}failStrategy: FAIL_CLOSE\n/);
  assert.match(spec('stats'), /\n {2}failStrategy: FAIL_CLOSE\n/);
  assert.match(spec('open'), /\n {2}failStrategy: FAIL_OPEN\n/);
});

test('upgrading to manifests that state the default failStrategy changes no access in the review and passes --fail-on-widened', () => {
  const head = readTree(path.join(REPO_ROOT, 'dist'));
  const base = new Map([...head].map(([file, text]) => [file, text.replace(/\n {2}failStrategy: FAIL_CLOSE\n/, '\n')]));
  const changed = [...head.keys()].filter((f) => base.get(f) !== head.get(f));
  assert.ok(changed.length >= 3, `the committed dist/ states failStrategy in its plugins: ${changed}`);
  const r = review(base, head, { base: 'before', head: 'after' });
  assert.deepEqual(r.objects.map((o) => o.fields.map((f) => f.path)), changed.map(() => ['spec.failStrategy']));
  assert.deepEqual(r.effects.access.filter((a) => a.widened || a.narrowed), []);
  assert.deepEqual(r.effects.failsOpen, []);
  assert.deepEqual(gateFailures(r), []);
});

test('a plugin renamed in the same change as that upgrade is paired with its old self, with no field changed', () => {
  const head = readTree(path.join(REPO_ROOT, 'dist'));
  const base = new Map<string, string>();
  for (const [file, text] of head) {
    const old = text.replace(/\n {2}failStrategy: FAIL_CLOSE\n/, '\n');
    if (file.endsWith('/wasmplugin-basic-auth-at-waypoint.yaml')) base.set(file.replace('basic-auth-at-waypoint', 'old-auth'), old.replace('name: basic-auth-at-waypoint', 'name: old-auth'));
    else base.set(file, old);
  }
  const r = review(base, head, { base: 'before', head: 'after' });
  assert.deepEqual(
    r.effects.pluginMoves.map((m) => ({ from: m.from, to: m.to, renamed: m.renamed, changed: m.changed })),
    [{ from: 'WasmPlugin default/old-auth', to: 'WasmPlugin default/basic-auth-at-waypoint', renamed: true, changed: undefined }],
  );
  assert.deepEqual(gateFailures(r), []);
});
