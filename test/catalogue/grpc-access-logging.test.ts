import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  analyzeGrpcAccessLoggingConfig,
  GRPC_ACCESS_LOGGING_URL,
  GrpcAccessLogging,
  grpcAccessLoggingConfigSchema,
  PluginPhase,
} from '../../constructs';
import { assertConforms, compile, fixture, thrownRules, wireRules } from './helpers';

// The module's own test config (wasm-extensions 1.12.0,
// test/grpclogging/testdata/server_filter.yaml.tmpl), port filled in.
const UPSTREAM_TEST = { logging_service: 'localhost:9000' };

/** A build of the module from after the batch-buffer fix (none is published). */
const FIXED = { url: 'oci://registry.example.com/wasm/grpc_logging:1.13.0' };

test('the upstream documented config is valid', () => {
  assert.deepEqual(wireRules(grpcAccessLoggingConfigSchema, UPSTREAM_TEST), []);
  assert.deepEqual(analyzeGrpcAccessLoggingConfig(UPSTREAM_TEST, FIXED), []);
});

test('protobuf JSON also accepts the lowerCamel field name', () => {
  assert.deepEqual(wireRules(grpcAccessLoggingConfigSchema, { loggingService: 'localhost:9000' }), []);
  assert.deepEqual(analyzeGrpcAccessLoggingConfig({ loggingService: 'localhost:9000' }, FIXED), []);
});

test('the published builds (up to 1.12.0) re-send every batch forever: a warning', () => {
  const rules = (url?: string) => analyzeGrpcAccessLoggingConfig(UPSTREAM_TEST, url === undefined ? undefined : { url }).map((i) => `${i.severity}:${i.rule}`);
  assert.deepEqual(rules(GRPC_ACCESS_LOGGING_URL), ['warning:grpc-logging/resends-batches']);
  assert.deepEqual(rules(undefined), ['warning:grpc-logging/resends-batches'], 'unknown build: assume the published one');
  assert.deepEqual(rules('oci://ghcr.io/istio-ecosystem/wasm-extensions/grpc_logging@sha256:' + 'a'.repeat(64)), ['warning:grpc-logging/resends-batches']);
  assert.deepEqual(rules('oci://ghcr.io/istio-ecosystem/wasm-extensions/grpc_logging:1.9.2'), ['warning:grpc-logging/resends-batches']);
  assert.deepEqual(rules('oci://registry.example.com/grpc_logging:1.13.0@sha256:' + 'a'.repeat(64)), []);
  assert.deepEqual(rules('oci://registry.example.com/grpc_logging:2.0.1'), []);
});

test('logging_service is required and non-empty (missing, null and "" all read as empty)', () => {
  for (const config of [{}, { logging_service: null }, { logging_service: '' }]) {
    assert.deepEqual(wireRules(grpcAccessLoggingConfigSchema, config), ['grpc-logging/missing-field'], JSON.stringify(config));
  }
  assert.deepEqual(wireRules(grpcAccessLoggingConfigSchema, { logging_service: 9000 }), ['grpc-logging/not-a-string']);
  assert.deepEqual(wireRules(grpcAccessLoggingConfigSchema, { logging_service: 'a:1', loggingService: 'b:2' }), ['grpc-logging/duplicate-key']);
  assert.deepEqual(wireRules(grpcAccessLoggingConfigSchema, []), ['grpc-logging/config-type']);
});

test('unknown keys are ignored by the module (ignore_unknown_fields): a warning', () => {
  const issues = analyzeGrpcAccessLoggingConfig({ ...UPSTREAM_TEST, logging_servce: 'x' } as never, FIXED);
  assert.deepEqual(issues.map((i) => `${i.severity}:${i.rule}`), ['warning:grpc-logging/unknown-key']);
  assert.match(issues[0].message, /did you mean "logging_service"/);
});

test('GrpcAccessLogging compiles to the wire config, phase STATS, the 1.12.0 module', () => {
  const { app, ns, waypoint } = fixture();
  const log = new GrpcAccessLogging(ns, 'access-log', { targets: [waypoint], loggingService: 'localhost:9000' });
  assert.equal(log.phase, PluginPhase.STATS);
  const c = compile(app);
  assert.deepEqual(c.errors, []);
  assert.deepEqual(c.find('WasmPlugin', 'access-log', 'shop').spec, {
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }],
    url: GRPC_ACCESS_LOGGING_URL,
    phase: 'STATS',
    failStrategy: 'FAIL_CLOSE',
    pluginConfig: UPSTREAM_TEST,
  });
  assert.equal(GRPC_ACCESS_LOGGING_URL, 'oci://ghcr.io/istio-ecosystem/wasm-extensions/grpc_logging:1.12.0');
  assert.ok(
    c.result.findings.some((f) => f.severity === 'warning' && (f.rule === 'grpc-logging/resends-batches' || f.message.includes('[grpc-logging/resends-batches]'))),
    'synth warns about the published module',
  );
  assertConforms(c.objects);
});

test('GrpcAccessLogging: an empty address fails at construction', () => {
  const { ns, waypoint } = fixture();
  assert.deepEqual(thrownRules(() => new GrpcAccessLogging(ns, 'log', { targets: [waypoint], loggingService: '' })), ['grpc-logging/missing-field']);
});

test('the simulator may treat it as pass-through: it never changes a response', () => {
  const note = GrpcAccessLogging.definition.simulation;
  assert.deepEqual(note && { supported: note.supported, passThrough: 'passThrough' in note && note.passThrough }, { supported: true, passThrough: true });
});
