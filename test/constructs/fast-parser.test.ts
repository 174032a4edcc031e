/**
 * Props are parsed by zod's ahead-of-time parser once a schema has been used
 * often enough (`fastParser`); it hands any parse it would fail to zod's
 * runtime parser. These tests hold it to the runtime parser: same success,
 * same output (key order included, since it decides the YAML), fresh output
 * objects, and the compiled path really taking the valid props.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { z } from 'zod';
import { basicAuthConfigSchema } from '../../constructs/plugins/basic-auth';
import { fastParser } from '../../constructs/internal/validate';
import { wasmPluginOptionsShape } from '../../constructs/wasm-plugin';

/** The compiled parser of `schema` (fastParser compiles on a schema's 16th use). */
function compiled<S extends z.ZodType>(schema: S): S {
  for (let i = 0; i < 32; i++) fastParser(schema);
  const parser = fastParser(schema);
  assert.notEqual(parser, schema, 'the schema was compiled');
  return parser;
}

/** Every object and array in `v`, with its path. */
function containers(v: unknown, at = '$', out: [string, object][] = []): [string, object][] {
  if (typeof v === 'object' && v !== null) {
    out.push([at, v]);
    for (const [k, x] of Object.entries(v)) containers(x, `${at}.${k}`, out);
  }
  return out;
}

/**
 * Same verdict and output as the runtime parser; on success, every object
 * the runtime parser copies is a copy in the compiled output too.
 */
function assertSameResult(schema: z.ZodType, parser: z.ZodType, input: unknown): boolean {
  const runtime = schema.safeParse(input);
  const fast = parser.safeParse(input);
  assert.equal(fast.success, runtime.success, `success differs for ${JSON.stringify(input)}`);
  if (!runtime.success || !fast.success) return false;
  assert.equal(JSON.stringify(fast.data), JSON.stringify(runtime.data));
  assert.deepStrictEqual(fast.data, runtime.data);
  // A shared object would let later changes to the props reach the
  // construct. Some are shared on purpose (targets are constructs, and
  // pluginConfig's values are z.unknown()): the runtime parser shows which.
  const inputs = new Set(containers(input).map(([, o]) => o));
  const copiedByRuntime = new Set(containers(runtime.data).filter(([, o]) => !inputs.has(o)).map(([at]) => at));
  for (const [at, o] of containers(fast.data)) {
    if (copiedByRuntime.has(at)) assert.ok(!inputs.has(o), `${at} is the input's own object`);
  }
  return true;
}

const gateway = { targetRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' } };

const validPlugin = {
  name: 'auth',
  url: 'oci://ghcr.io/acme/auth:1.0.0',
  targets: [gateway],
  phase: 'AUTHN',
  priority: 10,
  failStrategy: 'FAIL_CLOSE',
  sha256: 'a'.repeat(64),
  imagePullPolicy: 'IfNotPresent',
  env: [{ name: 'A', value: '1' }],
  match: [{ mode: 'SERVER', ports: [80] }],
  acknowledge: { failOpen: 'tested' },
  pluginConfig: { basic_auth_rules: [{ prefix: '/', request_methods: ['GET'], credentials: ['a:b'] }], realm: 'shop' },
};

/** Per field: values the schema accepts (first) and values it refuses. */
const pluginValues: Record<string, unknown[]> = {
  name: ['auth', 'a.b-c', 'Bad_Name', '', 'x'.repeat(254), 42],
  url: ['oci://ghcr.io/acme/auth:1.0.0', 'https://example.com/a.wasm', '', 7],
  targets: [[gateway], [], Array.from({ length: 17 }, () => gateway), [{}], 'waypoint'],
  selector: [{ app: 'shop' }, {}, { app: 1 }],
  phase: ['AUTHZ', 'STATS', 'UNSPECIFIED_PHASE', 'BOGUS'],
  priority: [0, -5, 1.5, 2 ** 31, '1'],
  failStrategy: ['FAIL_OPEN', 'FAIL_RELOAD', 'NOPE'],
  sha256: ['b'.repeat(64), 'A'.repeat(64), 'sha256:abc'],
  imagePullPolicy: ['Always', 'Sometimes'],
  env: [[{ name: 'A', valueFrom: 'INLINE', value: 'x' }], [{ name: 'A' }, { name: 'A' }], [{ name: 'A', valueFrom: 'HOST', value: 'x' }], [{ name: '' }]],
  match: [[{ ports: [443, 8443] }], [{}], [{ ports: [0] }], [{ mode: 'NOPE' }]],
  acknowledge: [{ unpinnedModule: 'pinned elsewhere' }, { failOpen: '' }, { another: 'x' }],
  pluginConfig: [{ nested: { b: [1, { c: 2 }] } }, 'config'],
  unknownProp: [1, 'x'],
};

/** The valid props with up to three fields replaced or dropped. */
const pluginProps = fc
  .array(
    fc.oneof(
      ...Object.entries(pluginValues).map(([k, vs]) => fc.record({ key: fc.constant(k), value: fc.constantFrom(...vs) })),
      fc.record({ key: fc.constantFrom(...Object.keys(validPlugin).filter((k) => k !== 'url')), value: fc.constant(undefined) }),
    ),
    { maxLength: 3 },
  )
  .map((changes) => {
    const props: Record<string, unknown> = structuredClone(validPlugin);
    for (const { key, value } of changes) {
      if (value === undefined) delete props[key];
      else props[key] = value;
    }
    return props;
  });

const pluginSchema = z.object({
  ...wasmPluginOptionsShape,
  url: z.string().min(1),
  pluginConfig: z.record(z.string(), z.unknown()).optional(),
});

/**
 * The compiled parser of `schema` agrees with the runtime parser on 500
 * samples, of which at least a fifth (and not all) are valid: both paths are
 * exercised, the success path above all.
 */
function assertAgreesOn(schema: z.ZodType, samples: fc.Arbitrary<unknown>): void {
  const parser = compiled(schema);
  let valid = 0;
  let runs = 0;
  fc.assert(
    fc.property(samples, (input) => {
      runs++;
      if (assertSameResult(schema, parser, input)) valid++;
    }),
    { numRuns: 500 },
  );
  assert.ok(valid >= runs * 0.2 && valid < runs, `${valid} of ${runs} samples were valid`);
}

test('WasmPlugin props: the compiled parser agrees with the runtime parser, valid and invalid props alike', () => {
  assertAgreesOn(pluginSchema, pluginProps);
});

test('basic_auth config: the compiled parser agrees with the runtime parser, refinements included', () => {
  const rule = fc.record(
    {
      prefix: fc.constantFrom('/', '/api', '/api', '', 3),
      exact: fc.constantFrom('/x', '/'),
      suffix: fc.constantFrom('.png'),
      hosts: fc.constantFrom(['example.com'], ['example.com'], [], ['*']),
      request_methods: fc.constantFrom(['GET'], ['GET', 'POST'], ['GET'], [], ['FETCH']),
      credentials: fc.constantFrom(['alice:pw'], ['YWxpY2U6cHc='], ['alice:pw'], ['no-colon'], [], [1]),
    },
    { requiredKeys: ['request_methods', 'credentials'] },
  );
  const config = fc.record({ basic_auth_rules: fc.array(rule, { maxLength: 3 }), realm: fc.constantFrom('shop', 'shop', 5) }, { requiredKeys: [] });
  assertAgreesOn(basicAuthConfigSchema, config);
});

test('any value at all: the compiled parser agrees with the runtime parser', () => {
  const plugin = compiled(pluginSchema);
  const basicAuth = compiled(basicAuthConfigSchema);
  fc.assert(
    fc.property(fc.anything(), (v) => {
      assertSameResult(pluginSchema, plugin, v);
      assertSameResult(basicAuthConfigSchema, basicAuth, v);
    }),
    { numRuns: 300 },
  );
});

test('valid props take the compiled path; only failing ones reach the runtime parser', () => {
  const schema = z.object({ name: z.string().min(1), ports: z.array(z.number().int()).optional() });
  // The compiled parser falls back to the schema's runtime parser as it was
  // when compiled: count the calls that reach it.
  const internals = (schema as unknown as { _zod: { run: (...a: unknown[]) => unknown } })._zod;
  const run = internals.run;
  let fallbacks = 0;
  internals.run = (...a: unknown[]) => {
    fallbacks++;
    return run(...a);
  };
  const parser = compiled(schema);
  fallbacks = 0;
  for (let i = 0; i < 50; i++) assert.equal(parser.safeParse({ name: `n${i}`, ports: [i] }).success, true);
  assert.equal(fallbacks, 0, 'valid props never reached the runtime parser');
  assert.equal(parser.safeParse({ name: '', ports: [1.5] }).success, false);
  assert.ok(fallbacks > 0, 'a failing parse is explained by the runtime parser');
});

test('a schema is compiled on its 16th use, once, and left as it was', () => {
  const schema = z.object({ n: z.number().int() });
  for (let i = 1; i < 16; i++) assert.equal(fastParser(schema), schema, `use ${i} parses with the schema itself`);
  const parser = fastParser(schema);
  assert.notEqual(parser, schema);
  assert.equal(fastParser(schema), parser);
  assert.equal(schema.safeParse({ n: 1.5 }).success, false);
  assert.deepStrictEqual(parser.safeParse({ n: 2 }), { success: true, data: { n: 2 } });
});

test("a schema from another zod version is never compiled: the generated code would follow this zod's rules", () => {
  const schema = z.object({ a: z.string().default('d').optional() });
  (schema as unknown as { _zod: { version: object } })._zod.version = { major: 4, minor: 0, patch: 17 };
  for (let i = 0; i < 40; i++) assert.equal(fastParser(schema), schema);
});
