import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadCrdChecker, type CrdChecker, type CrdViolation } from './crd-conformance';

type Obj = Record<string, any>;

const GATEWAY_V1 = 'gateway.networking.k8s.io/v1';

function waypointGateway(apiVersion = GATEWAY_V1): Obj {
  return {
    apiVersion,
    kind: 'Gateway',
    metadata: { name: 'waypoint', namespace: 'default', labels: { 'istio.io/waypoint-for': 'service' } },
    spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
  };
}

function basicAuthPlugin(): Obj {
  return {
    apiVersion: 'extensions.istio.io/v1alpha1',
    kind: 'WasmPlugin',
    metadata: { name: 'basic-auth', namespace: 'default' },
    spec: {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }],
      url: 'oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0',
      phase: 'AUTHN',
      priority: 10,
      failStrategy: 'FAIL_CLOSE',
      pluginConfig: {
        basic_auth_rules: [{ prefix: '/api', request_methods: ['GET', 'POST'], credentials: ['ok:test'] }],
        realm: 'x',
      },
      vmConfig: {
        env: [
          { name: 'A', value: 'b' },
          { name: 'B', valueFrom: 'HOST' },
        ],
      },
      sha256: 'a'.repeat(32) + '0123456789abcdef'.repeat(2),
      imagePullPolicy: 'IfNotPresent',
    },
  };
}

const show = (vs: CrdViolation[]) => JSON.stringify(vs, null, 2);

/** Exactly one violation, and it is the expected one. */
function assertOnly(vs: CrdViolation[], path: string, message: string, kind: CrdViolation['kind']): void {
  assert.equal(vs.length, 1, `expected exactly one violation, got ${show(vs)}`);
  assertHas(vs, path, message, kind);
}

function assertHas(vs: CrdViolation[], path: string, message: string, kind: CrdViolation['kind']): void {
  const hit = vs.some((v) => v.path === path && v.kind === kind && v.message.includes(message));
  assert.ok(hit, `expected ${kind} violation at ${path} containing "${message}", got ${show(vs)}`);
}

function assertNoCelErrors(vs: CrdViolation[]): void {
  assert.deepEqual(
    vs.filter((v) => v.message.startsWith('CEL evaluation error')),
    [],
  );
}

const c: CrdChecker = loadCrdChecker();
const plugin = (edit: (spec: Obj) => void): Obj => {
  const p = basicAuthPlugin();
  edit(p.spec);
  return p;
};
const gateway = (edit: (spec: Obj) => void, apiVersion = GATEWAY_V1): Obj => {
  const g = waypointGateway(apiVersion);
  edit(g.spec);
  return g;
};

test('serves WasmPlugin v1alpha1 and Gateway v1 + v1beta1; refuses anything else', () => {
  for (const s of [
    'extensions.istio.io/v1alpha1 WasmPlugin',
    `${GATEWAY_V1} Gateway`,
    'gateway.networking.k8s.io/v1beta1 Gateway',
  ]) {
    assert.ok(c.served.includes(s), `missing ${s} in ${c.served.join(', ')}`);
  }
  assert.throws(
    () => c.check({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }),
    /no loaded CRD serves "v1 ConfigMap"/,
  );
});

test('valid: istioctl waypoint Gateway (v1 and v1beta1)', () => {
  assert.deepEqual(c.check(waypointGateway()), []);
  assert.deepEqual(c.check(waypointGateway('gateway.networking.k8s.io/v1beta1')), []);
});

test('valid: waypoint Gateway with allowedRoutes from a namespace selector', () => {
  const g = gateway((s) => {
    s.listeners[0].allowedRoutes = {
      namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': 'foo' } } },
    };
  });
  assert.deepEqual(c.check(g), []);
});

test('valid: basic-auth WasmPlugin targeting the waypoint', () => {
  assert.deepEqual(c.check(basicAuthPlugin()), []);
});

test('valid: selector-based and (deprecated) targetRef-based WasmPlugins', () => {
  const bySelector = plugin(
    (s) => (delete s.targetRefs, (s.selector = { matchLabels: { 'istio.io/gateway-name': 'waypoint' } })),
  );
  assert.deepEqual(c.check(bySelector), []);
  const byTargetRef = plugin(
    (s) => (
      delete s.targetRefs,
      (s.targetRef = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint', namespace: '' })
    ),
  );
  assert.deepEqual(c.check(byTargetRef), []);
});

test('valid: URL forms the scheme rule accepts', () => {
  for (const url of [
    'https://example.com/x.wasm',
    'http://[::1]:8080/x.wasm',
    'file:///opt/x.wasm',
    'ghcr.io/org/plugin:1.0',
    'OCI://ghcr.io/x',
  ]) {
    assert.deepEqual(c.check(plugin((s) => (s.url = url))), [], url);
  }
});

test('valid: priority at the int32 bounds, and null (nullable)', () => {
  for (const priority of [2 ** 31 - 1, -(2 ** 31), null])
    assert.deepEqual(c.check(plugin((s) => (s.priority = priority))), []);
});

test('valid: a Gateway exercising every Gateway CEL rule evaluates without errors', () => {
  for (const apiVersion of [GATEWAY_V1, 'gateway.networking.k8s.io/v1beta1']) {
    const g = gateway((s) => {
      s.addresses = [
        { value: '10.0.0.1' },
        { type: 'IPAddress', value: 'fd00::1' },
        { type: 'Hostname', value: 'gw.example.com' },
        { type: 'example.com/custom', value: 'x' },
      ];
      s.infrastructure = { labels: { 'example.com/team': 'a' }, annotations: { note: 'b' } };
      s.listeners.push(
        { name: 'http', port: 80, protocol: 'HTTP', hostname: 'a.example.com' },
        {
          name: 'https',
          port: 443,
          protocol: 'HTTPS',
          hostname: 'a.example.com',
          tls: { certificateRefs: [{ name: 'cert' }] },
        },
        { name: 'tls', port: 8443, protocol: 'TLS', tls: { mode: 'Passthrough' } },
        { name: 'tcp', port: 9000, protocol: 'TCP' },
      );
      s.tls = {
        frontend: {
          default: { validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }] } },
          perPort: [
            { port: 443, tls: { validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }] } } },
          ],
        },
      };
    }, apiVersion);
    assert.deepEqual(c.check(g), [], apiVersion);
  }
});

test('defaults are applied (on a copy) before CEL: a TLS listener relies on tls.mode defaulting to Terminate', () => {
  const g = gateway((s) =>
    s.listeners.push({ name: 'tls', port: 8443, protocol: 'TLS', tls: { certificateRefs: [{ name: 'cert' }] } }),
  );
  const before = JSON.stringify(g);
  assert.deepEqual(c.check(g), []);
  assert.equal(JSON.stringify(g), before, 'check() must not mutate its input');
});

test('a rule that cannot be evaluated is reported, not passed', () => {
  // certificateRefs and options both absent: the rule reads a missing field, which the API server rejects too.
  const vs = c.check(
    gateway((s) => s.listeners.push({ name: 'https', port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate' } })),
  );
  assertOnly(vs, 'spec.listeners[1].tls', 'CEL evaluation error', 'cel');
});

// ---- WasmPlugin: CEL rules ----
test('invalid: selector together with targetRefs', () => {
  const vs = c.check(plugin((s) => (s.selector = { matchLabels: { app: 'x' } })));
  assertOnly(vs, 'spec', 'only one of targetRefs or selector can be set', 'cel');
});

test('invalid: empty targetRefs still counts as set (has() is true for an empty list)', () => {
  const vs = c.check(plugin((s) => ((s.targetRefs = []), (s.selector = { matchLabels: { app: 'x' } }))));
  assertOnly(vs, 'spec', 'only one of targetRefs or selector can be set', 'cel');
});

test('invalid: cross-namespace targetRef', () => {
  const vs = c.check(plugin((s) => (s.targetRefs[0].namespace = 'other')));
  assertOnly(vs, 'spec.targetRefs[0].namespace', 'cross namespace referencing is not currently supported', 'cel');
});

test('invalid: url with an unsupported scheme', () => {
  for (const url of ['ftp://x', 's3://bucket/plugin.wasm']) {
    assertOnly(
      c.check(plugin((s) => (s.url = url))),
      'spec.url',
      'url must have schema one of [http, https, file, oci]',
      'cel',
    );
  }
});

test('invalid: env with valueFrom HOST and a value', () => {
  const vs = c.check(plugin((s) => (s.vmConfig.env[1].value = 'v')));
  assertOnly(vs, 'spec.vmConfig.env[1]', 'value may only be set when valueFrom is INLINE', 'cel');
});

test('invalid: wildcards in selector label key and value', () => {
  const vs = c.check(plugin((s) => (delete s.targetRefs, (s.selector = { matchLabels: { 'app*': 'v*' } }))));
  assert.equal(vs.length, 2, show(vs));
  assertHas(vs, 'spec.selector.matchLabels', 'wildcard not allowed in label key match', 'cel');
  assertHas(vs, 'spec.selector.matchLabels[app*]', 'wildcard not allowed in label value match', 'cel');
});

// ---- WasmPlugin: OpenAPI schema ----
test('invalid: missing url', () => {
  assertOnly(c.check(plugin((s) => delete s.url)), 'spec.url', 'Required value', 'schema');
});

test('invalid: phase outside the enum', () => {
  assertOnly(c.check(plugin((s) => (s.phase = 'AUTHX'))), 'spec.phase', 'Unsupported value: "AUTHX"', 'schema');
});

test('invalid: sha256 not matching the pattern', () => {
  assertOnly(c.check(plugin((s) => (s.sha256 = 'ABC'))), 'spec.sha256', 'should match', 'schema');
});

test('invalid: more than 16 targetRefs', () => {
  const vs = c.check(
    plugin((s) => (s.targetRefs = Array.from({ length: 17 }, (_, i) => ({ kind: 'Service', name: `s${i}` })))),
  );
  assertOnly(vs, 'spec.targetRefs', 'must have at most 16 items', 'schema');
});

test('invalid: priority outside int32', () => {
  assertOnly(c.check(plugin((s) => (s.priority = 2 ** 31))), 'spec.priority', 'must be of type int32', 'schema');
});

test('invalid: duplicate env names (x-kubernetes-list-type: map)', () => {
  const vs = c.check(plugin((s) => s.vmConfig.env.push({ name: 'A', value: 'again' })));
  assertOnly(vs, 'spec.vmConfig.env[2]', 'Duplicate value: {"name":"A"}', 'schema');
});

test('invalid: unknown field', () => {
  assertOnly(c.check(plugin((s) => (s.foo = 1))), 'spec.foo', 'unknown field', 'schema');
});

test('invalid: metadata.name missing', () => {
  const p = basicAuthPlugin();
  delete p.metadata.name;
  assertOnly(c.check(p), 'metadata.name', 'Required value', 'schema');
});

// ---- Gateway ----
test('invalid: duplicate listener names', () => {
  const vs = c.check(gateway((s) => s.listeners.push({ name: 'mesh', port: 15009, protocol: 'HBONE' })));
  assertHas(vs, 'spec.listeners', 'Listener name must be unique within the Gateway', 'cel');
  assertHas(vs, 'spec.listeners[1]', 'Duplicate value: {"name":"mesh"}', 'schema');
  assert.equal(vs.length, 2, show(vs));
});

test('invalid: listener port 0', () => {
  assertOnly(
    c.check(gateway((s) => (s.listeners[0].port = 0))),
    'spec.listeners[0].port',
    'greater than or equal to 1',
    'schema',
  );
});

test('invalid: missing gatewayClassName', () => {
  assertOnly(c.check(gateway((s) => delete s.gatewayClassName)), 'spec.gatewayClassName', 'Required value', 'schema');
});

test('invalid: v1beta1 Gateway is validated against its own schema', () => {
  const vs = c.check(gateway((s) => (s.listeners[0].port = 0), 'gateway.networking.k8s.io/v1beta1'));
  assertOnly(vs, 'spec.listeners[0].port', 'greater than or equal to 1', 'schema');
});

test('invalid: address that is not an IP, and hostname on a TCP listener', () => {
  const vs = c.check(
    gateway((s) => {
      s.addresses = [{ value: 'not-an-ip' }];
      s.listeners.push({ name: 'tcp', port: 9000, protocol: 'TCP', hostname: 'a.example.com' });
    }),
  );
  assertHas(vs, 'spec.addresses[0].value', 'ipv4', 'schema');
  assertHas(vs, 'spec.listeners', "hostname must not be specified for protocols ['TCP', 'UDP']", 'cel');
  assertNoCelErrors(vs);
});

test('rule features the two CRDs do not use: messageExpression, fieldPath, oldSelf, compile errors, set, int-or-string', () => {
  const synthetic = syntheticChecker();
  const obj = (spec: Obj) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec });
  assert.deepEqual(
    synthetic.check(obj({ size: 3, tags: ['a', 'b'], port: 'http', extra: { any: [1, { x: 2 }] } })),
    [],
  );

  const vs = synthetic.check(obj({ size: 20, tags: ['a', 'a'], port: 1.5, bad: 'x' }));
  assertHas(vs, 'spec.limits.max', 'size 20 exceeds 10', 'cel'); // messageExpression + fieldPath; limits.max comes from a default
  assertHas(vs, 'spec.tags[1]', 'Duplicate value: "a"', 'schema');
  assertHas(vs, 'spec.port', 'must be of type integer,string', 'schema');
  assertHas(vs, 'spec.bad', 'CEL evaluation error', 'cel');
  assert.ok(!vs.some((v) => v.message.includes('oldSelf')), show(vs));
  assert.equal(vs.length, 4, show(vs));
});

/** A checker over a throwaway CRD, loaded through the WAYPOINT_POLICY_SHARED_DIR override. */
test('without the shared CRDs the checker fails, saying where it looked and what to do (it never skips)', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-missing-'));
  const modulePath = require.resolve('./crd-conformance');
  const saved = process.env.WAYPOINT_POLICY_SHARED_DIR;
  process.env.WAYPOINT_POLICY_SHARED_DIR = empty;
  delete require.cache[modulePath];
  try {
    const mod = require(modulePath) as typeof import('./crd-conformance');
    assert.throws(() => mod.loadCrdChecker(), new RegExp(`the real CRDs are not at ${path.join(empty, 'crds')}: .*\\.\\./shared, as CI does`));
  } finally {
    if (saved === undefined) delete process.env.WAYPOINT_POLICY_SHARED_DIR;
    else process.env.WAYPOINT_POLICY_SHARED_DIR = saved;
    delete require.cache[modulePath];
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

function syntheticChecker(): CrdChecker {
  const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-conformance-'));
  fs.mkdirSync(path.join(shared, 'crds'));
  fs.writeFileSync(path.join(shared, 'crds', 'widget.yaml'), SYNTHETIC_CRD);
  const modulePath = require.resolve('./crd-conformance');
  const saved = process.env.WAYPOINT_POLICY_SHARED_DIR;
  process.env.WAYPOINT_POLICY_SHARED_DIR = shared;
  delete require.cache[modulePath];
  try {
    const mod = require(modulePath) as typeof import('./crd-conformance');
    assert.equal(mod.SHARED_CRDS_DIR, path.join(shared, 'crds'));
    const loaded = mod.loadCrdChecker();
    assert.ok(loaded);
    return loaded;
  } finally {
    if (saved === undefined) delete process.env.WAYPOINT_POLICY_SHARED_DIR;
    else process.env.WAYPOINT_POLICY_SHARED_DIR = saved;
    delete require.cache[modulePath];
    fs.rmSync(shared, { recursive: true, force: true });
  }
}

const SYNTHETIC_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
              limits:
                type: object
                default: {}
                properties:
                  max: {type: integer, default: 10}
              tags:
                type: array
                items: {type: string}
                x-kubernetes-list-type: set
              port:
                x-kubernetes-int-or-string: true
                anyOf: [{type: integer}, {type: string}]
              bad:
                type: string
                x-kubernetes-validations:
                - rule: self.noSuchFunction()
              extra:
                type: object
                x-kubernetes-preserve-unknown-fields: true
            x-kubernetes-validations:
            - rule: self.size <= self.limits.max
              messageExpression: "'size ' + string(self.size) + ' exceeds ' + string(self.limits.max)"
              fieldPath: .limits.max
            - rule: self.size == oldSelf.size
              message: oldSelf rules must be skipped
`;
