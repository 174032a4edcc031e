/**
 * A plugin given `url` (a mirror of the same image) is still that plugin:
 * its config is checked and the simulator models it. And a refused plugin
 * leaves nothing in the construct tree, so a caller that catches the error
 * never synthesizes it half-built.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { Duration } from 'cdk8s';
import { z } from 'zod';
import { compileApp, synthToDirectory } from '../../compiler/synth';
import { readTree } from '../../compiler/write';
import { BasicAuth, Credential, definePlugin, LocalRateLimit, PluginPhase, PolicyError, WasmPlugin } from '../../constructs';
import { pluginDefinitionFor } from '../../constructs/define-plugin';
import { REPO_ROOT, tempDir } from '../support/helpers';
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

test('a mirror never replaces the definition a module already has', () => {
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

test('two mirrors in one registry, told apart only by tag, each keep their own definition', () => {
  const { app, ns, waypoint } = fixture();
  new LocalRateLimit(ns, 'limit', { url: 'oci://mirror.acme.internal/wasm:local-rate-limit-1.12.0', sha256: SHA, targets: [waypoint], maxTokens: 10, tokensPerRefill: 10, refillInterval: Duration.seconds(1) });
  // A priority, so that auth runs before the (unsimulated) limiter whichever is older.
  new BasicAuth(ns, 'auth', { url: 'oci://mirror.acme.internal/wasm:basic-auth-1.12.0', sha256: SHA, priority: 10, targets: [waypoint], rules: [{ prefix: '/admin', methods: ['GET'], credentials: [Credential.insecureLiteral('ok:test')] }], acknowledge: { literalCredentials: 'test' } });
  const { findings, collected } = compileApp(app);
  assert.deepEqual(
    findings.filter((f) => f.severity === 'error'),
    [],
  );
  assert.equal(pluginDefinitionFor('oci://mirror.acme.internal/wasm:basic-auth-1.12.0')?.name, 'basic-auth');
  assert.equal(pluginDefinitionFor('oci://mirror.acme.internal/wasm:local-rate-limit-1.12.0')?.name, 'local-rate-limit');
  // The module they share is claimed by two definitions: no guess for a third tag.
  assert.equal(pluginDefinitionFor('oci://mirror.acme.internal/wasm:other'), undefined);
  const result = simulate(collected.model, { to: 'shop/cart:80', path: '/admin/x' }, { unlistedWaypoints: 'assume-present' });
  assert.equal(result.status, 401, JSON.stringify(result.trace, null, 2));
});

test('the manifest names the module a mirror stands for, so a process that only reads manifests checks and simulates it as the original', () => {
  const { app, ns, waypoint } = fixture();
  const url = `oci://mirror.only-in-this-test.internal/wasm/basic-auth:${process.pid}`;
  new BasicAuth(ns, 'auth', { url, sha256: SHA, targets: [waypoint], rules: [{ prefix: '/admin', methods: ['GET'], credentials: [Credential.insecureLiteral('ok:test')] }], acknowledge: { literalCredentials: 'test' } });
  const dir = tempDir('wp-mirror-');
  synthToDirectory(app, { outdir: dir });
  const plugin = readTree(dir).get('default/2-policies/shop/wasmplugin-auth.yaml')!;
  assert.match(plugin, /waypoint-policy\.io\/mirror-of: oci:\/\/ghcr\.io\/istio-ecosystem\/wasm-extensions\/basic_auth:1\.12\.0/);
  // A fresh process has never seen the mirror: it learns it from the manifest.
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'cli', 'bin.cjs'), 'explain', '--manifests', dir, '--to', 'shop/cart:80', '--path', '/admin/x', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).status, 401, r.stdout);
});

test('a mirror is known by its exact reference only: another module under the same repository is not taken for it, and no registry credential reaches the manifest', () => {
  const { app, ns, waypoint } = fixture();
  new LocalRateLimit(ns, 'limit', { url: 'oci://mirror.exact-only.internal/wasm:local-rate-limit-1.12.0', sha256: SHA, targets: [waypoint], maxTokens: 10, tokensPerRefill: 10, refillInterval: Duration.seconds(1) });
  new WasmPlugin(ns, 'stamp', { url: 'oci://mirror.exact-only.internal/wasm:header-stamp-1.0.0', sha256: SHA, targets: [waypoint], pluginConfig: { header: 'x' } });
  assert.deepEqual(
    compileApp(app).findings.filter((f) => f.severity === 'error'),
    [],
  );
  const Private = definePlugin({ name: 'private-stamp', url: 'https://bot:S3CRET-TOKEN@artifacts.acme.internal/stamp.wasm', defaultPhase: PluginPhase.STATS, configSchema: z.object({}) });
  const second = fixture();
  new Private(second.ns, 'stamp', { url: 'oci://mirror.acme.internal/stamp:1', sha256: SHA, targets: [second.waypoint], pluginConfig: {} });
  const text = [...compileApp(second.app).files.values()].join('\n');
  assert.match(text, /waypoint-policy\.io\/mirror-of: https:\/\/artifacts\.acme\.internal\/stamp\.wasm/);
  assert.doesNotMatch(text, /S3CRET/);
  assert.equal(pluginDefinitionFor('oci://mirror.acme.internal/stamp:1')?.name, 'private-stamp');
});
