/**
 * A plugin given `url` (a mirror of the same image) is still that plugin:
 * its config is checked and the simulator models it. And a refused plugin
 * leaves nothing in the construct tree, so a caller that catches the error
 * never synthesizes it half-built.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { compileApp } from '../../compiler/synth';
import { BasicAuth, Credential, definePlugin, PluginPhase, PolicyError, WasmPlugin } from '../../constructs';
import { simulate } from '../../simulator/simulate';
import { fixture } from './helpers';

const MIRROR = 'oci://mirror.acme.example/istio-ecosystem/basic-auth:1.12.0';
const SHA = 'a'.repeat(64);

test("BasicAuth from a mirror: the module's config checks still run at synth", () => {
  const { app, ns, waypoint } = fixture();
  // Unpadded base64: accepted by the module, but clients send padded values (a warning).
  new BasicAuth(ns, 'auth', { url: MIRROR, sha256: SHA, targets: [waypoint], rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('YWRtaW4zOmFkbWluMw')] }], acknowledge: { literalCredentials: 'test' } });
  const rules = compileApp(app).findings.map((f) => f.rule);
  assert.ok(rules.includes('basic-auth/unpadded-credential'), rules.join(', '));
});

test('BasicAuth from a mirror is simulated like the original module', () => {
  const { app, ns, waypoint } = fixture();
  new BasicAuth(ns, 'auth', { url: MIRROR, sha256: SHA, targets: [waypoint], rules: [{ prefix: '/admin', methods: ['GET'], credentials: [Credential.insecureLiteral('ok:test')] }], acknowledge: { literalCredentials: 'test' } });
  const { collected } = compileApp(app);
  const result = simulate(collected.model, { to: 'shop/cart:80', path: '/admin/x' }, { unlistedWaypoints: 'assume-present' });
  assert.equal(result.status, 401, JSON.stringify(result.trace, null, 2));
});

test('a mirror never replaces the definition a module already has', async () => {
  const { pluginDefinitionFor } = await import('../../constructs/define-plugin');
  const Own = definePlugin({ name: 'own-module', url: 'oci://registry.acme.example/wasm/own:1.0.0', defaultPhase: PluginPhase.STATS, configSchema: z.object({}) });
  const { ns, waypoint } = fixture();
  // Pointing BasicAuth at a module that has its own definition does not re-register it.
  new BasicAuth(ns, 'auth', { url: 'oci://registry.acme.example/wasm/own:2.0.0', sha256: SHA, targets: [waypoint], rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('ok:test')] }] });
  assert.equal(pluginDefinitionFor('oci://registry.acme.example/wasm/own:3.0.0')?.name, Own.definition.name);
});

test('a plugin refused at construction leaves nothing in the tree, and nothing is synthesized for it', () => {
  const Stamp = definePlugin({ name: 'refused-stamp', url: 'oci://registry.acme.example/wasm/stamp:1.0.0', defaultPhase: PluginPhase.STATS, configSchema: z.object({ header: z.string().min(1) }) });
  const { app, ns, waypoint } = fixture();
  const before = app.node.findAll().map((c) => c.node.path);
  assert.throws(() => new Stamp(ns, 'bad-config', { targets: [waypoint], sha256: SHA, pluginConfig: { header: '' } }), PolicyError);
  assert.throws(() => new WasmPlugin(ns, 'no-target', { url: 'oci://registry.acme.example/wasm/x:1.0.0', sha256: SHA }), PolicyError);
  assert.throws(() => new BasicAuth(ns, 'no-methods', { targets: [waypoint], sha256: SHA, rules: [{ prefix: '/', methods: [], credentials: [Credential.insecureLiteral('ok:test')] }] }), PolicyError);
  assert.deepEqual(
    app.node.findAll().map((c) => c.node.path),
    before,
  );
  // The same ids can be used again once the mistake is fixed.
  new Stamp(ns, 'bad-config', { targets: [waypoint], sha256: SHA, pluginConfig: { header: 'x-team' } });
  const plugins = compileApp(app).collected.model.objects.filter((o) => o.manifest.kind === 'WasmPlugin');
  assert.deepEqual(
    plugins.map((o) => o.manifest.metadata.name),
    ['bad-config'],
  );
});

test('the review sees a BasicAuth from a mirror: removing it is widened access', async () => {
  const { review } = await import('../../review');
  const build = (withAuth: boolean) => {
    const { app, ns, waypoint } = fixture();
    if (withAuth) new BasicAuth(ns, 'auth', { url: MIRROR, sha256: SHA, targets: [waypoint], rules: [{ prefix: '/admin', methods: ['GET'], credentials: [Credential.insecureLiteral('ok:test')] }], acknowledge: { literalCredentials: 'test' } });
    return compileApp(app).files;
  };
  const r = review(build(true), build(false), { base: 'base', head: 'head' });
  const open = r.effects.access.find((a) => a.path === '/admin' && a.credential === 'none');
  assert.deepEqual([open?.before, open?.after, open?.widened], [401, 200, true], JSON.stringify(r.effects.access));
});
