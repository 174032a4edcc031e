import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Duration } from 'cdk8s';
import {
  analyzeLocalRateLimitConfig,
  LOCAL_RATE_LIMIT_URL,
  LocalRateLimit,
  localRateLimitConfigSchema,
  LocalRateLimitConfig,
  PluginPhase,
} from '../../constructs';
import { assertConforms, compile, fixture, thrownFindings, thrownRules, wireRules } from './helpers';

// The configs the module's own repository uses (wasm-extensions 1.12.0):
// extensions/local_rate_limit/config/gateway-filter.yaml and
// test/localratelimit/testdata/server_filter.yaml.tmpl.
const UPSTREAM_EXAMPLE = { max_tokens: 50, tokens_per_refill: 20, refill_interval_sec: 60 };
const UPSTREAM_TEST = { max_tokens: 20, tokens_per_refill: 10, refill_interval_sec: 1 };

test('the upstream documented configs are valid and raise no warning', () => {
  for (const config of [UPSTREAM_EXAMPLE, UPSTREAM_TEST]) {
    assert.deepEqual(wireRules(localRateLimitConfigSchema, config), []);
    assert.deepEqual(analyzeLocalRateLimitConfig(config), []);
  }
});

test('numeric strings are accepted, as JsonValueAs<uint64_t> does (SimpleAtoi)', () => {
  assert.deepEqual(wireRules(localRateLimitConfigSchema, { max_tokens: '20', tokens_per_refill: ' +10 ', refill_interval_sec: '1' }), []);
  assert.deepEqual(wireRules(localRateLimitConfigSchema, { ...UPSTREAM_TEST, max_tokens: '18446744073709551615' }), []);
  // SimpleAtoi strips only ASCII whitespace (absl::ascii_isspace): the module refuses a no-break or ideographic space.
  assert.deepEqual(wireRules(localRateLimitConfigSchema, { ...UPSTREAM_TEST, max_tokens: '\t20\v\f\r\n' }), []);
  for (const s of ['\u00a020', '20\u3000', '\ufeff20']) {
    assert.deepEqual(wireRules(localRateLimitConfigSchema, { ...UPSTREAM_TEST, max_tokens: s }), ['local-rate-limit/not-uint64'], JSON.stringify(s));
  }
});

test('each of the three keys is required', () => {
  for (const key of Object.keys(UPSTREAM_TEST)) {
    const config: Record<string, unknown> = { ...UPSTREAM_TEST };
    delete config[key];
    assert.deepEqual(wireRules(localRateLimitConfigSchema, config), ['local-rate-limit/missing-field'], key);
  }
  assert.deepEqual(wireRules(localRateLimitConfigSchema, {}), Array(3).fill('local-rate-limit/missing-field'));
});

test('values the module refuses or misreads are errors', () => {
  const cases: Array<[unknown, string]> = [
    [-1, 'negative: the module would read 2^64-1'],
    [1.5, 'a fraction: the module would read 1'],
    ['ten', 'not a number'],
    ['-3', 'a negative string'],
    ['18446744073709551616', 'beyond uint64'],
    [true, 'a boolean'],
    [[20], 'an array'],
    [2 ** 60, 'a number JavaScript cannot hold exactly'],
  ];
  for (const [value, why] of cases) {
    assert.deepEqual(wireRules(localRateLimitConfigSchema, { ...UPSTREAM_TEST, max_tokens: value }), ['local-rate-limit/not-uint64'], why);
  }
});

test('a config that is not an object is refused', () => {
  for (const config of [null, 'max_tokens: 20', [UPSTREAM_TEST]]) {
    assert.deepEqual(wireRules(localRateLimitConfigSchema, config), ['local-rate-limit/config-type']);
  }
});

test('configs that can only answer 429 are errors', () => {
  assert.deepEqual(wireRules(localRateLimitConfigSchema, { ...UPSTREAM_TEST, tokens_per_refill: 0 }), ['local-rate-limit/no-tokens']);
  assert.deepEqual(wireRules(localRateLimitConfigSchema, { ...UPSTREAM_TEST, max_tokens: '0' }), ['local-rate-limit/zero-max-tokens']);
  assert.deepEqual(wireRules(localRateLimitConfigSchema, { ...UPSTREAM_TEST, refill_interval_sec: 0 }), ['local-rate-limit/zero-interval']);
  assert.deepEqual(wireRules(localRateLimitConfigSchema, { ...UPSTREAM_TEST, refill_interval_sec: '18446744074' }), ['local-rate-limit/interval-overflow']);
  assert.deepEqual(wireRules(localRateLimitConfigSchema, { ...UPSTREAM_TEST, refill_interval_sec: 18446744073 }), []);
});

test('warnings: a refill above the bucket size, and keys the module ignores', () => {
  const above = analyzeLocalRateLimitConfig({ max_tokens: 5, tokens_per_refill: 10, refill_interval_sec: 1 });
  assert.deepEqual(above.map((i) => `${i.severity}:${i.rule}`), ['warning:local-rate-limit/refill-above-max']);
  assert.match(above[0].message, /starts with 10 tokens/);
  const typo = analyzeLocalRateLimitConfig({ ...UPSTREAM_TEST, fill_interval_seconds: 10 } as LocalRateLimitConfig);
  assert.deepEqual(typo.map((i) => i.rule), ['local-rate-limit/unknown-key']);
});

test('LocalRateLimit compiles camelCase props to the wire config, phase AUTHN, the 1.12.0 module', () => {
  const { app, ns, waypoint } = fixture();
  const plugin = new LocalRateLimit(ns, 'rate-limit', { targets: [waypoint], maxTokens: 20, tokensPerRefill: 10, refillInterval: Duration.seconds(1) });
  assert.equal(plugin.phase, PluginPhase.AUTHN);
  const c = compile(app);
  assert.deepEqual(c.errors, []);
  const o = c.find('WasmPlugin', 'rate-limit', 'shop');
  assert.deepEqual(o.spec, {
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }],
    url: LOCAL_RATE_LIMIT_URL,
    phase: 'AUTHN',
    failStrategy: 'FAIL_CLOSE',
    pluginConfig: UPSTREAM_TEST,
  });
  assert.equal(LOCAL_RATE_LIMIT_URL, 'oci://ghcr.io/istio-ecosystem/wasm-extensions/local_rate_limit:1.12.0');
  assertConforms(c.objects);
});

test('LocalRateLimit: minutes become seconds; phase, priority and url can be overridden', () => {
  const { app, ns, waypoint } = fixture();
  new LocalRateLimit(ns, 'rl', {
    targets: [waypoint],
    maxTokens: 50,
    tokensPerRefill: 20,
    refillInterval: Duration.minutes(1),
    phase: PluginPhase.UNSPECIFIED,
    priority: 100,
    url: 'oci://registry.example.com/mirror/local_rate_limit:1.12.0',
  });
  const o = compile(app).find('WasmPlugin', 'rl');
  assert.deepEqual((o.spec as { pluginConfig: unknown }).pluginConfig, UPSTREAM_EXAMPLE);
  assert.equal((o.spec as { phase: string }).phase, 'UNSPECIFIED_PHASE');
  assert.equal((o.spec as { priority: number }).priority, 100);
  assertConforms([o]);
});

test('LocalRateLimit: invalid props fail at construction with rule ids, at the plugin path', () => {
  const make = (props: Partial<{ maxTokens: number; tokensPerRefill: number; refillInterval: unknown }>) => () => {
    const { ns, waypoint } = fixture();
    new LocalRateLimit(ns, 'rl', { targets: [waypoint], maxTokens: 20, tokensPerRefill: 10, refillInterval: Duration.seconds(1), ...props } as never);
  };
  assert.deepEqual(thrownRules(make({ tokensPerRefill: 0 })), ['local-rate-limit/no-tokens']);
  assert.deepEqual(thrownRules(make({ maxTokens: -5 })), ['local-rate-limit/not-uint64']);
  assert.deepEqual(thrownRules(make({ refillInterval: Duration.millis(1500) })), ['local-rate-limit/not-uint64']);
  assert.deepEqual(thrownRules(make({ refillInterval: Duration.millis(0) })), ['local-rate-limit/zero-interval']);
  assert.deepEqual(thrownRules(make({ refillInterval: 5 })), ['props/invalid']);
  const [f] = thrownFindings(make({ tokensPerRefill: 0 }));
  assert.equal(f.path, 'shop/rl');
});

test('the simulator is told the plugin is not simulated per request', () => {
  const note = LocalRateLimit.definition.simulation;
  assert.equal(note?.supported, false);
  assert.match(note!.reason, /not simulated per request/);
});
