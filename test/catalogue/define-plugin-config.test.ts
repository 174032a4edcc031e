/**
 * How a team's definePlugin config is typed, emitted and checked: what a
 * team building its own plugin constructs relies on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { definePlugin, PluginPhase } from '../../constructs';
import { compile, fixture, thrownFindings } from './helpers';

const SHA = 'b'.repeat(64);

/** A pinned team plugin named `name`, with only what the test is about varying. */
function teamPlugin<C extends object, I>(name: string, configSchema: z.ZodType<C, I>, extra: { analyze?: (c: C) => never[] } = {}) {
  return definePlugin({ name, url: `oci://registry.example.com/wasm/${name}:1.0.0`, sha256: SHA, defaultPhase: PluginPhase.STATS, configSchema, ...extra });
}

test('definePlugin: a field with a default may be left out (typed from the schema input), and the manifest carries the default', () => {
  const Timeout = teamPlugin('timeout-default', z.object({ timeout_ms: z.number().int().default(1000), header: z.string() }));
  const { app, ns, waypoint } = fixture();
  // No timeout_ms: this line only typechecks because props are typed from the schema's input.
  new Timeout(ns, 't', { targets: [waypoint], pluginConfig: { header: 'x-timeout' } });
  const c = compile(app);
  assert.deepEqual(c.errors, []);
  assert.deepEqual((c.find('WasmPlugin', 't').spec as { pluginConfig: unknown }).pluginConfig, { header: 'x-timeout', timeout_ms: 1000 });
});

test('definePlugin: a config key the schema does not list is refused (zod would drop it from the manifest without a word)', () => {
  const Stamp = teamPlugin('header-stamp-keys', z.object({ header_name: z.string(), header_value: z.string() }));
  const { ns, waypoint } = fixture();
  // Built in a variable, as wrappers do: TypeScript's excess-property check does not see it.
  const config = { header_name: 'x-team', header_valeu: 'shop' } as unknown as { header_name: string; header_value: string };
  const [f] = thrownFindings(() => new Stamp(ns, 'stamp', { targets: [waypoint], pluginConfig: config }));
  assert.equal(f.rule, 'props/unknown');
  assert.equal(f.message, "header-stamp-keys pluginConfig has no prop 'header_valeu' (did you mean 'header_value'?)");
  assert.equal(f.path, 'shop/stamp');
  assert.equal(ns.node.tryFindChild('stamp'), undefined);

  // A schema that keeps unknown keys itself still does.
  const Open = teamPlugin('open-config', z.object({ a: z.string() }).passthrough());
  const { app, ns: ns2, waypoint: w2 } = fixture();
  new Open(ns2, 'open', { targets: [w2], pluginConfig: { a: 'x', extra: 1 } as { a: string } });
  assert.deepEqual((compile(app).find('WasmPlugin', 'open').spec as { pluginConfig: unknown }).pluginConfig, { a: 'x', extra: 1 });
});

test("definePlugin: passing the definition's own url keeps its pinned sha256; another url (a mirror, another tag) drops it", () => {
  const url = 'oci://registry.example.com/wasm/pinned:1.0.0';
  const Pinned = teamPlugin('pinned', z.object({}));
  const { app, ns, waypoint } = fixture();
  new Pinned(ns, 'same', { targets: [waypoint], pluginConfig: {}, url });
  new Pinned(ns, 'mirror', { targets: [waypoint], pluginConfig: {}, url: 'oci://mirror.example.com/wasm/pinned:1.0.0' });
  const c = compile(app);
  assert.equal((c.find('WasmPlugin', 'same').spec as { sha256?: string }).sha256, SHA);
  assert.equal((c.find('WasmPlugin', 'mirror').spec as { sha256?: string }).sha256, undefined);
  assert.equal(c.result.findings.some((f) => f.rule === 'supply-chain/unpinned-module' && f.path === 'shop/same'), false);
});

test("definePlugin: an analyze() that throws is the plugin definition's mistake, reported at the plugin as policy/exception, not an internal error", () => {
  const Quota = teamPlugin('quota-throws', z.object({ limits: z.record(z.string(), z.number()).optional() }), {
    // The team's bug: limits may be absent.
    analyze: (c) => (Object.keys(c.limits!).length > 0 ? [] : []),
  });
  const { app, ns, waypoint } = fixture();
  new Quota(ns, 'quota', { targets: [waypoint], pluginConfig: {} });
  const c = compile(app);
  const [f] = c.errors;
  assert.equal(c.errors.length, 1, JSON.stringify(c.errors));
  assert.equal(f.rule, 'policy/exception');
  assert.equal(f.object?.name, 'quota');
  assert.match(f.message, /^quota-throws plugin definition threw TypeError while checking this config: /);
  assert.match(f.fix ?? '', /analyze\(\) of the 'quota-throws' plugin definition/);
  assert.equal(c.result.files.size, 0);
});

test('definePlugin: a config key named __proto__ (JSON.parse makes one) is refused even under a record schema, whose copy would drop it without a word', () => {
  const Routes = teamPlugin('route-table', z.record(z.string(), z.string()));
  const { ns, waypoint } = fixture();
  const [top] = thrownFindings(() => new Routes(ns, 'routes', { targets: [waypoint], pluginConfig: JSON.parse('{"__proto__": "/admin", "/shop": "cart"}') }));
  assert.equal(top.rule, 'props/invalid');
  assert.match(top.message, /^route-table pluginConfig has a key named "__proto__"/);
  assert.equal(top.path, 'shop/routes');
  assert.equal(ns.node.tryFindChild('routes'), undefined);
  const Nested = teamPlugin('route-lists', z.object({ routes: z.array(z.record(z.string(), z.string())) }));
  const [deep] = thrownFindings(() => new Nested(ns, 'nested', { targets: [waypoint], pluginConfig: JSON.parse('{"routes": [{"__proto__": "x"}]}') }));
  assert.match(deep.message, /pluginConfig\.routes\[0\] has a key named "__proto__"/);
});
