/**
 * Props are parsed by zod's ahead-of-time parser (`fastParser`), which falls
 * back to the runtime parser when a parse fails. These tests hold it to the
 * runtime parser's results: same success, same output, same issues.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { z } from 'zod';
import { basicAuthConfigSchema } from '../../constructs/plugins/basic-auth';
import { fastParser } from '../../constructs/internal/validate';
import { wasmPluginOptionsShape } from '../../constructs/wasm-plugin';

function assertSameResult(schema: z.ZodType, input: unknown): void {
  const runtime = schema.safeParse(input);
  const fast = fastParser(schema).safeParse(input);
  assert.equal(fast.success, runtime.success, `success differs for ${JSON.stringify(input)}`);
  if (runtime.success && fast.success) {
    assert.deepStrictEqual(fast.data, runtime.data);
    // A parser that handed back its input would let later changes to the
    // props reach the construct.
    if (typeof input === 'object' && input !== null) assert.notEqual(fast.data, input);
  } else {
    assert.deepStrictEqual(fast.error!.issues, runtime.error!.issues);
  }
}

const gateway = { targetRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' } };

/** Each field: values the schema accepts and values it refuses. */
const pluginFields = {
  name: fc.constantFrom('auth', 'a.b-c', 'Bad_Name', '', 'x'.repeat(254), 42),
  url: fc.constantFrom('oci://ghcr.io/acme/auth:1.0.0', 'https://example.com/a.wasm', '', 7),
  targets: fc.constantFrom([], [gateway], Array.from({ length: 17 }, () => gateway), [{}], 'waypoint'),
  selector: fc.constantFrom({ app: 'shop' }, { app: 1 }, {}),
  phase: fc.constantFrom('AUTHN', 'AUTHZ', 'STATS', 'UNSPECIFIED_PHASE', 'BOGUS'),
  priority: fc.constantFrom(0, 10, -5, 1.5, 2 ** 31, '1'),
  failStrategy: fc.constantFrom('FAIL_OPEN', 'FAIL_CLOSE', 'FAIL_RELOAD', 'NOPE'),
  sha256: fc.constantFrom('a'.repeat(64), 'A'.repeat(64), 'sha256:abc'),
  imagePullPolicy: fc.constantFrom('Always', 'IfNotPresent', 'Sometimes'),
  env: fc.constantFrom(
    [{ name: 'A', value: '1' }],
    [{ name: 'A' }, { name: 'A' }],
    [{ name: 'A', valueFrom: 'HOST', value: 'x' }],
    [{ name: '' }],
  ),
  match: fc.constantFrom([{ mode: 'SERVER', ports: [80] }], [{ ports: [0] }], [{ mode: 'NOPE' }], [{}]),
  acknowledge: fc.constantFrom({ failOpen: 'tested' }, { failOpen: '' }, { another: 'x' }),
  pluginConfig: fc.constantFrom({ a: 1 }, { nested: { b: [1, 2] } }, 'config'),
  unknownProp: fc.constantFrom(1, 'x'),
};

const pluginProps = z.object({
  ...wasmPluginOptionsShape,
  url: z.string().min(1),
  pluginConfig: z.record(z.string(), z.unknown()).optional(),
});

test('WasmPlugin props: the fast parser agrees with the runtime parser on valid and invalid props', () => {
  fc.assert(
    fc.property(fc.record(pluginFields, { requiredKeys: [] }), (props) => assertSameResult(pluginProps, props)),
    { numRuns: 400 },
  );
});

test('basic_auth config: the fast parser agrees with the runtime parser, refinements included', () => {
  const rule = fc.record(
    {
      prefix: fc.constantFrom('/', '/api', '', 3),
      exact: fc.constantFrom('/x', '/'),
      suffix: fc.constantFrom('.png'),
      hosts: fc.constantFrom(['example.com'], [], ['*']),
      request_methods: fc.constantFrom(['GET'], ['GET', 'POST'], [], ['FETCH']),
      credentials: fc.constantFrom(['alice:pw'], ['YWxpY2U6cHc='], ['no-colon'], [], [1]),
    },
    { requiredKeys: ['request_methods', 'credentials'] },
  );
  const config = fc.record({ basic_auth_rules: fc.array(rule, { maxLength: 3 }), realm: fc.constantFrom('shop', 5) }, { requiredKeys: [] });
  fc.assert(
    fc.property(config, (c) => assertSameResult(basicAuthConfigSchema, c)),
    { numRuns: 400 },
  );
});

test('any value at all: the fast parser agrees with the runtime parser', () => {
  fc.assert(
    fc.property(fc.anything(), (v) => {
      assertSameResult(pluginProps, v);
      assertSameResult(basicAuthConfigSchema, v);
    }),
    { numRuns: 300 },
  );
});

test('each schema is compiled once, and the schema itself is left as it was', () => {
  const schema = z.object({ n: z.number().int() });
  const fast = fastParser(schema);
  assert.equal(fastParser(schema), fast);
  assert.notEqual(fast, schema);
  assert.deepStrictEqual(schema.safeParse({ n: 1.5 }).success, false);
  assert.deepStrictEqual(fast.safeParse({ n: 2 }), { success: true, data: { n: 2 } });
});
