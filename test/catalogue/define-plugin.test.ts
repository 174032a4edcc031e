import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { z as z3 } from 'zod/v3';
import { analyze } from '../../analysis/analyze';
import { readManifests } from '../../compiler/read-manifests';
import {
  BasicAuth,
  CATALOGUE,
  definePlugin,
  GrpcAccessLogging,
  LocalRateLimit,
  OpenPolicyAgent,
  pluginDefinitionFor,
  PluginPhase,
  registeredPlugins,
} from '../../constructs';
import { handWrittenPlugin, REPO_ROOT, tempDir } from '../support/helpers';
import { assertConforms, compile, fixture, thrownFindings, thrownRules } from './helpers';

const TSX = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

test('the catalogue: every configurable module of wasm-extensions 1.12.0, with its phase', () => {
  assert.deepEqual(
    CATALOGUE.map((d) => [d.name, d.url, d.defaultPhase]),
    [
      ['basic-auth', 'oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0', PluginPhase.AUTHN],
      ['local-rate-limit', 'oci://ghcr.io/istio-ecosystem/wasm-extensions/local_rate_limit:1.12.0', PluginPhase.AUTHN],
      ['open-policy-agent', 'oci://ghcr.io/istio-ecosystem/wasm-extensions/open_policy_agent:1.12.0', PluginPhase.AUTHZ],
      ['grpc-logging', 'oci://ghcr.io/istio-ecosystem/wasm-extensions/grpc_logging:1.12.0', PluginPhase.STATS],
    ],
  );
  for (const cls of [BasicAuth, LocalRateLimit, OpenPolicyAgent, GrpcAccessLogging]) {
    assert.equal(pluginDefinitionFor(cls.definition.url), cls.definition);
    // Another tag or a digest of the same module is the same module.
    assert.equal(pluginDefinitionFor(`${cls.definition.url.replace(':1.12.0', ':1.13.0')}`), cls.definition);
  }
});

test('each catalogue entry carries a simulation note, except BasicAuth (which the simulator models)', () => {
  assert.equal(BasicAuth.definition.simulation, undefined);
  for (const cls of [LocalRateLimit, OpenPolicyAgent, GrpcAccessLogging]) {
    assert.ok(cls.definition.simulation && cls.definition.simulation.reason.length > 0, cls.definition.name);
  }
});

test('definePlugin: a typed construct, config validated at construction, output passes the real CRD', () => {
  const HeaderStamp = definePlugin({
    name: 'header-stamp',
    url: 'oci://registry.example.com/wasm/header-stamp:1.0.0',
    defaultPhase: PluginPhase.STATS,
    configSchema: z.object({ header: z.string().min(1), value: z.string() }),
    simulation: { supported: false, reason: 'adds a header; not modelled' },
  });
  const { app, ns, waypoint } = fixture();
  new HeaderStamp(ns, 'stamp', { targets: [waypoint], pluginConfig: { header: 'x-team', value: 'shop' } });
  const c = compile(app);
  assert.deepEqual(c.errors, []);
  const o = c.find('WasmPlugin', 'stamp');
  assert.deepEqual((o.spec as { pluginConfig: unknown }).pluginConfig, { header: 'x-team', value: 'shop' });
  assert.equal((o.spec as { phase: string }).phase, 'STATS');
  assertConforms(c.objects);
  assert.equal(HeaderStamp.name, 'HeaderStamp');
  assert.equal(pluginDefinitionFor('oci://registry.example.com/wasm/header-stamp@sha256:' + 'a'.repeat(64))?.name, 'header-stamp');

  const { ns: ns2, waypoint: w2 } = fixture();
  assert.deepEqual(thrownRules(() => new HeaderStamp(ns2, 'bad', { targets: [w2], pluginConfig: { header: '', value: 'x' } })), ['props/invalid']);
});

test('definePlugin: props are typed from the schema', () => {
  const Typed = definePlugin({
    name: 'typed-example',
    url: 'oci://registry.example.com/wasm/typed:1.0.0',
    defaultPhase: PluginPhase.AUTHZ,
    configSchema: z.object({ limit: z.number() }),
  });
  // Type-checked by `tsc` (test/ is in tsconfig), never run.
  const typeOnly = (scope: ReturnType<typeof fixture>) => {
    new Typed(scope.ns, 'ok', { targets: [scope.waypoint], pluginConfig: { limit: 1 } });
    // @ts-expect-error limit must be a number
    new Typed(scope.ns, 'bad', { targets: [scope.waypoint], pluginConfig: { limit: 'one' } });
    // @ts-expect-error pluginConfig is required
    new Typed(scope.ns, 'missing', { targets: [scope.waypoint] });
  };
  assert.equal(typeof typeOnly, 'function');
});

/** A config declared as an interface (no index signature), as teams often write it. */
interface QuotaConfig {
  readonly tenant: string;
  readonly max: number;
}

test('definePlugin: a config declared as an interface is accepted, with analyze typed by it', () => {
  const Quota = definePlugin<QuotaConfig>({
    name: 'tenant-quota',
    url: 'oci://registry.example.com/wasm/tenant-quota:1.0.0',
    defaultPhase: PluginPhase.AUTHZ,
    configSchema: z.object({ tenant: z.string().min(1), max: z.number().int().positive() }),
    analyze(config) {
      return config.max > 1000 ? [{ rule: 'tenant-quota/too-high', severity: 'warning', message: `max ${config.max} is above the tenant ceiling`, fix: 'Use 1000 or less.' }] : [];
    },
    rules: [{ id: 'tenant-quota/too-high', severity: 'warning', docs: { summary: 'Above the ceiling.', bad: '', message: '', fix: '' } }],
  });
  const { app, ns, waypoint } = fixture();
  new Quota(ns, 'quota', { targets: [waypoint], pluginConfig: { tenant: 'shop', max: 5000 }, sha256: 'a'.repeat(64) });
  const c = compile(app);
  assert.deepEqual(c.errors, []);
  assert.deepEqual(
    c.result.findings.filter((f) => f.rule.startsWith('tenant-quota/')).map((f) => f.message),
    ['tenant-quota pluginConfig: max 5000 is above the tenant ceiling'],
  );
});

test('definePlugin: a broken definition is a plugin/definition finding, not a stack trace', () => {
  const base = { name: 'ok-name', url: 'oci://x/y:1', defaultPhase: PluginPhase.AUTHN, configSchema: z.object({}) };
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ name: 'Header Stamp' }, /kebab-case/],
    [{ url: '' }, /url/],
    [{ defaultPhase: 'EARLY' }, /defaultPhase/],
    [{ configSchema: { header: 'string' } }, /zod schema/],
    // The project's own zod 3 (its `zod` dependency): a zod schema, but not one the library can read.
    [{ configSchema: z3.object({ header: z3.string() }) }, /configSchema: a zod 3 schema, and the library reads zod 4 ones: import \{ z \} from 'waypoint-policy'/],
    [{ sha256: 'sha256:abc' }, /64 lower-case hex/],
    [{ simulation: { supported: false } }, /simulation/],
  ];
  for (const [override, message] of cases) {
    const findings = thrownFindings(() => definePlugin({ ...base, ...override } as never));
    assert.deepEqual(findings.map((f) => f.rule), ['plugin/definition'], JSON.stringify(override));
    assert.match(findings[0].message, message);
  }
});


/** Whether a finding reports `rule` (under its own id, or inside plugin/config's message). */
const reports = (findings: readonly { rule: string; message: string }[], rule: string) =>
  findings.some((f) => f.rule === rule || f.message.includes(`[${rule}]`));

test('validate --manifests path: catalogue configs in hand-written YAML are checked through the registry', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'rl.yaml'), handWrittenPlugin('rl', 'oci://ghcr.io/istio-ecosystem/wasm-extensions/local_rate_limit:1.12.0', { max_tokens: 20, tokens_per_refill: 0, refill_interval_sec: 1 }));
  fs.writeFileSync(path.join(dir, 'opa.yaml'), handWrittenPlugin('opa', 'ghcr.io/istio-ecosystem/wasm-extensions/open_policy_agent:1.12.0', { opa_service_host: 'opa', opa_cluster_name: 'outbound|8181||opa', cache_valid_for_sec: 5 }));
  fs.writeFileSync(path.join(dir, 'log.yaml'), handWrittenPlugin('log', 'oci://ghcr.io/istio-ecosystem/wasm-extensions/grpc_logging:1.12.0', {}));
  fs.writeFileSync(path.join(dir, 'good.yaml'), handWrittenPlugin('good', 'oci://ghcr.io/istio-ecosystem/wasm-extensions/local_rate_limit:1.12.0', { max_tokens: '20', tokens_per_refill: '10', refill_interval_sec: '1' }));
  const { model } = readManifests(dir);
  const findings = analyze(model);
  assert.ok(reports(findings, 'local-rate-limit/no-tokens'), JSON.stringify(findings, null, 1));
  assert.ok(reports(findings, 'open-policy-agent/readme-cache-key'));
  assert.ok(reports(findings, 'grpc-logging/missing-field'));
  assert.ok(!findings.some((f) => f.object?.name === 'good' && f.severity === 'error' && /pluginConfig/.test(f.message)), 'the numeric-string config is accepted');
});

test("validate --manifests path: a team's own plugin with a config its schema refuses is told to read its definition, not the catalogue docs", () => {
  definePlugin({
    name: 'team-stamp',
    url: 'oci://registry.example.com/wasm/team-stamp:2.0.0',
    defaultPhase: PluginPhase.STATS,
    configSchema: z.object({ header: z.string().min(1) }),
  });
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'stamp.yaml'), handWrittenPlugin('stamp', 'oci://registry.example.com/wasm/team-stamp:2.0.0', { header: 7 }));
  const findings = analyze(readManifests(dir).model).filter((f) => f.rule === 'plugin/config');
  assert.equal(findings.length, 1, JSON.stringify(findings, null, 1));
  assert.match(findings[0].message, /^team-stamp pluginConfig header: /);
  assert.match(findings[0].fix!, /the configSchema of its definePlugin\(\) definition/);
});

test('a fresh process that never imported the catalogue still knows it (lazy registry)', () => {
  const script = `
    const { pluginDefinitionFor, registeredPlugins } = require(${JSON.stringify(path.join(REPO_ROOT, 'constructs', 'define-plugin.ts'))});
    const before = Object.keys(require.cache).filter((f) => f.includes('/constructs/plugins/')).length;
    const def = pluginDefinitionFor('oci://ghcr.io/istio-ecosystem/wasm-extensions/open_policy_agent:1.12.0');
    console.log(JSON.stringify({ before, name: def && def.name, ids: [...registeredPlugins().keys()].sort() }));
  `;
  const r = spawnSync(process.execPath, [TSX, '-e', script], { cwd: tempDir(), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim());
  assert.equal(out.before, 0, 'define-plugin alone does not load the catalogue at import');
  assert.equal(out.name, 'open-policy-agent');
  assert.deepEqual(out.ids, [
    'ghcr.io/istio-ecosystem/wasm-extensions/basic_auth',
    'ghcr.io/istio-ecosystem/wasm-extensions/grpc_logging',
    'ghcr.io/istio-ecosystem/wasm-extensions/local_rate_limit',
    'ghcr.io/istio-ecosystem/wasm-extensions/open_policy_agent',
  ]);
});

test("a user's definition for a catalogue module is kept when the catalogue loads later", () => {
  const script = `
    const { z } = require('zod');
    const dp = require(${JSON.stringify(path.join(REPO_ROOT, 'constructs', 'define-plugin.ts'))});
    const { PluginPhase } = require(${JSON.stringify(path.join(REPO_ROOT, 'constructs', 'wasm-plugin.ts'))});
    dp.definePlugin({ name: 'my-rate-limit-fork', url: 'oci://ghcr.io/istio-ecosystem/wasm-extensions/local_rate_limit:1.13.0', defaultPhase: PluginPhase.AUTHN, configSchema: z.object({}) });
    console.log(dp.pluginDefinitionFor('oci://ghcr.io/istio-ecosystem/wasm-extensions/local_rate_limit:1.12.0').name);
  `;
  const r = spawnSync(process.execPath, [TSX, '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'my-rate-limit-fork');
});

test('registeredPlugins lists catalogue and user definitions', () => {
  const ids = [...registeredPlugins().keys()];
  assert.ok(ids.includes('ghcr.io/istio-ecosystem/wasm-extensions/basic_auth'));
  assert.ok(ids.includes('registry.example.com/wasm/header-stamp'));
});
