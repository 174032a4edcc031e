import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Duration } from 'cdk8s';
import {
  analyzeOpenPolicyAgentConfig,
  OPEN_POLICY_AGENT_URL,
  OpenPolicyAgent,
  openPolicyAgentConfigSchema,
  OpenPolicyAgentConfig,
  PluginPhase,
} from '../../constructs';
import { assertConforms, compile, fixture, thrownFindings, thrownRules, wireRules } from './helpers';

// The module's own configs (wasm-extensions 1.12.0): the example EnvoyFilter
// (extensions/open_policy_agent/config/example-filter.yaml) and its test
// (test/opa/testdata/resource/opa_filter.yaml.tmpl, a static cluster).
const UPSTREAM_EXAMPLE = {
  opa_cluster_name: 'outbound|8181||opa.istio-system.svc.cluster.local',
  opa_service_host: 'opa.istio-system.svc.cluster.local',
  check_result_cache_valid_sec: 10,
};
const UPSTREAM_TEST = { opa_cluster_name: 'opa_policy_server', opa_service_host: 'localhost:8181', check_result_cache_valid_sec: 10 };

test('the upstream documented configs are valid and raise no warning', () => {
  for (const config of [UPSTREAM_EXAMPLE, UPSTREAM_TEST]) {
    assert.deepEqual(wireRules(openPolicyAgentConfigSchema, config), []);
    assert.deepEqual(analyzeOpenPolicyAgentConfig(config), []);
  }
});

test('the cache is optional (absent: no caching); a numeric string is accepted', () => {
  const { check_result_cache_valid_sec: _, ...noCache } = UPSTREAM_EXAMPLE;
  assert.deepEqual(wireRules(openPolicyAgentConfigSchema, noCache), []);
  assert.deepEqual(wireRules(openPolicyAgentConfigSchema, { ...UPSTREAM_EXAMPLE, check_result_cache_valid_sec: '30' }), []);
});

test("the README's cache key is refused with a message naming the key the code reads", () => {
  const { check_result_cache_valid_sec: _, ...rest } = UPSTREAM_EXAMPLE;
  const r = openPolicyAgentConfigSchema.safeParse({ ...rest, cache_valid_for_sec: 10 });
  assert.equal(r.success, false);
  const [issue] = r.error!.issues;
  assert.equal((issue as { params?: { rule?: string } }).params?.rule, 'open-policy-agent/readme-cache-key');
  assert.match(issue.message, /check_result_cache_valid_sec/);
  assert.match((issue as { params?: { fix?: string } }).params?.fix ?? '', /Rename cache_valid_for_sec to check_result_cache_valid_sec/);
});

test('host and cluster are required strings; empty ones would answer 500 on every request', () => {
  for (const key of ['opa_service_host', 'opa_cluster_name'] as const) {
    const config: Record<string, unknown> = { ...UPSTREAM_EXAMPLE };
    delete config[key];
    assert.deepEqual(wireRules(openPolicyAgentConfigSchema, config), ['open-policy-agent/missing-field'], key);
    assert.deepEqual(wireRules(openPolicyAgentConfigSchema, { ...UPSTREAM_EXAMPLE, [key]: 8181 }), ['open-policy-agent/not-a-string'], key);
    assert.deepEqual(wireRules(openPolicyAgentConfigSchema, { ...UPSTREAM_EXAMPLE, [key]: '' }), ['open-policy-agent/empty-field'], key);
  }
  assert.deepEqual(wireRules(openPolicyAgentConfigSchema, { ...UPSTREAM_EXAMPLE, check_result_cache_valid_sec: -10 }), ['open-policy-agent/not-uint64']);
  assert.deepEqual(wireRules(openPolicyAgentConfigSchema, 'opa'), ['open-policy-agent/config-type']);
});

test('warnings: a malformed Istio cluster name, a host that is not the cluster host, an ignored key', () => {
  const rules = (c: Partial<OpenPolicyAgentConfig> & Record<string, unknown>) => analyzeOpenPolicyAgentConfig({ ...UPSTREAM_EXAMPLE, ...c } as OpenPolicyAgentConfig).map((i) => `${i.severity}:${i.rule}`);
  assert.deepEqual(rules({ opa_cluster_name: 'outbound|opa.istio-system.svc.cluster.local' }), ['warning:open-policy-agent/cluster-name']);
  assert.deepEqual(rules({ opa_service_host: 'opa', opa_cluster_name: 'outbound|8181||opa' }), ['warning:open-policy-agent/cluster-name'], 'a short host names no Istio cluster');
  assert.deepEqual(rules({ opa_service_host: 'opa.other.svc.cluster.local' }), ['warning:open-policy-agent/host-mismatch']);
  assert.deepEqual(rules({ opa_service_host: 'opa.istio-system.svc.cluster.local:8181' }), []);
  assert.deepEqual(rules({ check_result_cache_valid_secs: 10 }), ['warning:open-policy-agent/unknown-key']);
});

test('OpenPolicyAgent: default cluster from host and port, cache in seconds, phase AUTHZ', () => {
  const { app, ns, waypoint } = fixture();
  const opa = new OpenPolicyAgent(ns, 'opa', { targets: [waypoint], serviceHost: 'opa.istio-system.svc.cluster.local', cacheDecisionsFor: Duration.seconds(10) });
  assert.equal(opa.phase, PluginPhase.AUTHZ);
  assert.equal(opa.clusterName, 'outbound|8181||opa.istio-system.svc.cluster.local');
  const c = compile(app);
  assert.deepEqual(c.errors, []);
  const o = c.find('WasmPlugin', 'opa', 'shop');
  assert.deepEqual(o.spec, {
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }],
    url: OPEN_POLICY_AGENT_URL,
    phase: 'AUTHZ',
    failStrategy: 'FAIL_CLOSE',
    pluginConfig: UPSTREAM_EXAMPLE,
  });
  assert.equal(OPEN_POLICY_AGENT_URL, 'oci://ghcr.io/istio-ecosystem/wasm-extensions/open_policy_agent:1.12.0');
  assertConforms(c.objects);
});

test('OpenPolicyAgent: no cache by default; another port; an explicit cluster', () => {
  const { app, ns, waypoint } = fixture();
  new OpenPolicyAgent(ns, 'a', { targets: [waypoint], serviceHost: 'opa.policy.svc.cluster.local', servicePort: 9191 });
  new OpenPolicyAgent(ns, 'b', { targets: [waypoint], serviceHost: 'localhost:8181', clusterName: 'opa_policy_server', cacheDecisionsFor: Duration.minutes(1) });
  const c = compile(app);
  assert.deepEqual((c.find('WasmPlugin', 'a').spec as { pluginConfig: unknown }).pluginConfig, {
    opa_service_host: 'opa.policy.svc.cluster.local',
    opa_cluster_name: 'outbound|9191||opa.policy.svc.cluster.local',
  });
  assert.deepEqual((c.find('WasmPlugin', 'b').spec as { pluginConfig: unknown }).pluginConfig, { ...UPSTREAM_TEST, check_result_cache_valid_sec: 60 });
  assertConforms(c.objects);
});

test('OpenPolicyAgent: invalid props fail at construction with rule ids', () => {
  const make = (props: Record<string, unknown>) => () => {
    const { ns, waypoint } = fixture();
    new OpenPolicyAgent(ns, 'opa', { targets: [waypoint], serviceHost: 'opa.istio-system.svc.cluster.local', ...props } as never);
  };
  assert.deepEqual(thrownRules(make({ serviceHost: 'opa.istio-system.svc.cluster.local:8181' })), ['open-policy-agent/host-with-port']);
  assert.deepEqual(thrownRules(make({ cacheDecisionsFor: Duration.millis(500) })), ['open-policy-agent/not-uint64']);
  assert.deepEqual(thrownRules(make({ servicePort: 0 })), ['props/invalid']);
  assert.deepEqual(thrownRules(make({ serviceHost: '' })), ['props/invalid']);
  assert.equal(thrownFindings(make({ serviceHost: '' }))[0].path, 'shop/opa');
});

test('the simulator is told decisions depend on the OPA server', () => {
  const note = OpenPolicyAgent.definition.simulation;
  assert.equal(note?.supported, false);
  assert.match(note!.reason, /depends on the OPA server/);
});
