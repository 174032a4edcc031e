import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatFinding } from '../../analysis/finding';
import { compileApp } from '../../compiler/synth';
import { runeLength } from '../../analysis/schema/issue';
import {
  ALL_WAYPOINTS,
  AllowedNamespaces,
  BasicAuth,
  Credential,
  GatewayReference,
  isPolicyError,
  MeshNamespace,
  MeshService,
  PolicyApp,
  WasmPlugin,
  Waypoint,
  WaypointFor,
} from '../../constructs';
import { loadCrdChecker } from '../support/crd-conformance';

// For random construct props (many of them invalid) the compiler must either emit objects the real
// CRDs accept, or report findings (a PolicyError, or error findings and nothing to write). Anything
// else it throws is a crash.
const checker = loadCrdChecker();

/** Credential values drawn below: none may ever appear in a message. */
const SECRET_CREDENTIALS = ['zq7user:zq7pass', 'enE3dXNlcjp6cTdwYXNz', 'zq7-bad_cred', 'enE3dXNlcjp6cTdwYXN'];

function mostly<T>(valid: readonly T[], invalid: readonly T[]): fc.Arbitrary<T> {
  return fc.oneof({ weight: 24, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: fc.constantFrom(...invalid) });
}

const labelMap = fc.dictionary(mostly(['app', 'team', 'example.com/tier'], ['', 'a*', 'bad key', '-x']), mostly(['cart', 'a.b-c'], ['*', 'v'.repeat(64), 'bad value']), { maxKeys: 2 });

const waypointProps = fc.record(
  {
    name: mostly(['waypoint', 'shop-wp', 'w1'], ['none', 'Waypoint', '1wp', 'w'.repeat(64), 'a.b', '']),
    // The namespace uses this waypoint, so workload or none is a binding mistake: keep those rare.
    waypointFor: mostly([WaypointFor.SERVICE, WaypointFor.ALL], [WaypointFor.WORKLOAD, WaypointFor.NONE, 'services' as WaypointFor]),
    revision: mostly(['canary', '1-30'], ['bad rev!', '']),
    allowed: fc.oneof(fc.constant('same'), fc.constant('all'), fc.constant('named'), labelMap),
  },
  { requiredKeys: ['allowed'] },
);

// ALL_WAYPOINTS from a namespace other than the root one is a mistake (plugin/gateway-class-target): keep it rare.
const targetChoice = fc.oneof(
  { weight: 12, arbitrary: fc.subarray(['waypoint', 'service', 'ingress'] as const, { minLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom<('waypoint' | 'service' | 'ingress' | 'all-waypoints')[]>([], ['all-waypoints'], ['waypoint', 'all-waypoints']) },
);

const pluginProps = fc.record(
  {
    name: mostly(['auth', 'stamp.v1'], ['Auth', '', 'a/b', 'x'.repeat(254)]),
    url: mostly(
      ['oci://ghcr.io/acme/auth:1.0.0', 'ghcr.io/acme/auth:1.0.0', 'https://example.com/a.wasm', 'file:///opt/a.wasm', 'oci://registry.local:5000/a:1'],
      ['registry.local:5000/a:1', 'ftp://x/a.wasm', 'a b', '', 'ghcr.io/%zz', 'mailto:x'],
    ),
    phase: mostly(['AUTHN', 'AUTHZ', 'STATS', 'UNSPECIFIED_PHASE'], ['AUTH']),
    priority: mostly([0, 10, -5, 2147483647, -2147483648], [2147483648, 1.5, Number.NaN]),
    failStrategy: mostly(['FAIL_CLOSE', 'FAIL_OPEN', 'FAIL_RELOAD'], ['OPEN']),
    type: mostly(['HTTP', 'NETWORK', 'UNSPECIFIED_PLUGIN_TYPE'], ['TCP']),
    sha256: mostly(['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'], ['', 'sha256:abc', 'F'.repeat(64)]),
    imagePullPolicy: mostly(['IfNotPresent', 'Always'], ['Never']),
    imagePullSecret: mostly(['pull'], ['', 'Bad_Secret']),
    pluginName: mostly(['root'], ['', 'p'.repeat(257)]),
    env: fc.array(
      fc.oneof(
        fc.record({ name: mostly(['A', 'B', 'C'], ['']), value: mostly(['v'], ['v'.repeat(2049)]) }, { requiredKeys: ['name'] }),
        fc.record({ name: mostly(['A', 'B', 'C'], ['']), valueFrom: mostly(['HOST'], ['ENV']), value: mostly([undefined], ['v']) }, { requiredKeys: ['name', 'valueFrom'] }),
      ),
      { maxLength: 2 },
    ).chain((env) => mostly([env.map((e, i) => ({ ...e, name: e.name === '' ? '' : `VAR_${i}` }))], [env])),
    match: fc.array(fc.record({ mode: mostly(['SERVER', 'CLIENT', 'UNDEFINED'], ['BOTH']), ports: fc.array(mostly([80, 8080], [0, 70000]), { maxLength: 1 }) }, { requiredKeys: [] }), { maxLength: 1 }),
    selector: mostly([undefined], [{ app: 'cart' }]).chain((sel) => (sel ? labelMap : fc.constant(undefined))),
    targets: targetChoice,
    pluginConfig: fc.dictionary(fc.constantFrom('a', 'b'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }),
  },
  { requiredKeys: ['url', 'targets'] },
);

const basicAuthProps = fc.record(
  {
    rules: fc.array(
      fc
        .tuple(
          // Usually exactly one path key; sometimes none, both, or an empty one.
          mostly<Record<string, string>>([{ prefix: '/' }, { prefix: '/api' }, { exact: '/login' }, { suffix: '.png' }], [{}, { prefix: '/', exact: '/login' }, { prefix: '' }]),
          fc.record(
            {
              methods: fc.array(mostly(['GET', 'POST', 'DELETE'], ['get', '']), { minLength: 1, maxLength: 3 }).chain((m) => mostly([m], [[]])),
              credentials: fc.array(mostly(SECRET_CREDENTIALS.slice(0, 2), SECRET_CREDENTIALS.slice(2)), { minLength: 1, maxLength: 2 }).chain((c) => mostly([c], [[]])),
              hosts: fc.array(mostly(['shop.example.com', '*.example.com'], ['']), { maxLength: 2 }),
            },
            { requiredKeys: ['methods', 'credentials'] },
          ),
        )
        .map(([path, rest]) => ({ ...path, ...rest })),
      { maxLength: 3 },
    ),
    realm: mostly(['shop'], ['']),
    failStrategy: mostly(['FAIL_CLOSE'], ['FAIL_OPEN']),
    priority: mostly([1, 2], [Number.POSITIVE_INFINITY]),
  },
  { requiredKeys: ['rules'] },
);

/** Build one app from the drawn props; returns the messages it produced, or throws a crash. */
function compileDrawn(wpProps: Record<string, unknown>, pProps: Record<string, unknown>, baProps: Record<string, unknown>): { messages: string[]; objects: unknown[] } {
  try {
    const app = new PolicyApp();
    const ns = new MeshNamespace(app, 'shop');
    // `allowed` is the draw's own key, not a Waypoint prop (which would be refused as props/unknown).
    const { allowed: drawn, ...waypointOptions } = wpProps;
    const allowed = drawn === 'same' ? AllowedNamespaces.same() : drawn === 'all' ? AllowedNamespaces.all() : drawn === 'named' ? AllowedNamespaces.named('shop') : AllowedNamespaces.selector(drawn as Record<string, string>);
    const waypoint = new Waypoint(ns, 'waypoint', { ...waypointOptions, allowedNamespaces: allowed } as never);
    ns.useWaypoint(waypoint);
    const service = new MeshService(ns, 'cart', { ports: [{ port: 8080 }] });
    const ingress = GatewayReference.fromGatewayName(ns, 'ingress', 'ingress');
    const byName = { waypoint, service, ingress, 'all-waypoints': ALL_WAYPOINTS } as const;
    const targets = (pProps.targets as (keyof typeof byName)[]).map((t) => byName[t]);
    const env = pProps.env as Record<string, unknown>[] | undefined;
    const match = pProps.match as { mode?: string; ports?: number[] }[] | undefined;
    new WasmPlugin(ns, 'plugin', { ...pProps, targets: targets.length > 0 ? targets : undefined, env, match } as never);
    const rules = (baProps.rules as Record<string, unknown>[]).map((r) => ({ ...r, credentials: (r.credentials as string[]).map((c) => Credential.insecureLiteral(c)) }));
    new BasicAuth(ns, 'basic-auth', { ...baProps, targets: [waypoint], rules } as never);
    const result = compileApp(app, { root: process.cwd() });
    const errors = result.findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) assert.equal(result.files.size, 0, 'files were rendered despite errors');
    return { messages: result.findings.map(formatFinding), objects: errors.length > 0 ? [] : result.collected.model.objects.map((o) => o.manifest) };
  } catch (e) {
    if (!isPolicyError(e)) throw e;
    assert.ok(e.findings.length > 0, 'a PolicyError without findings');
    for (const f of e.findings) assert.ok(f.rule && f.message, `a finding without rule or message: ${JSON.stringify(f)}`);
    return { messages: e.findings.map(formatFinding), objects: [] };
  }
}

test('random WasmPlugin, BasicAuth and Waypoint props: CRD-valid output or findings, never a crash', () => {
  const outcomes = { emitted: 0, refused: 0 };
  fc.assert(
    fc.property(waypointProps, pluginProps, basicAuthProps, (w, p, b) => {
      const { messages, objects } = compileDrawn(w, p, b);
      for (const m of messages) {
        for (const secret of SECRET_CREDENTIALS) assert.ok(!m.includes(secret), `a message shows a credential: ${m}`);
        assert.doesNotMatch(m, /^\s+at .+:\d+:\d+\)?$/m, `a message carries a stack trace: ${m}`);
      }
      for (const o of objects) {
        const { apiVersion, kind } = o as { apiVersion: string; kind: string };
        if (!checker.served.includes(`${apiVersion} ${kind}`)) continue;
        assert.deepEqual(checker.check(o), [], `emitted ${kind} fails the real CRD: ${JSON.stringify(o)}`);
      }
      outcomes[objects.length > 0 ? 'emitted' : 'refused']++;
    }),
    { numRuns: 200, seed: 7 },
  );
  // Both paths must be exercised, or the property proves little.
  assert.ok(outcomes.emitted >= 10 && outcomes.refused >= 10, JSON.stringify(outcomes));
});

test('string lengths count code points as the API server does, surrogate pairs and lone halves included', () => {
  // Strings dense in the surrogate range, where UTF-16 units and code points differ.
  const nearSurrogates = fc.array(fc.integer({ min: 0xd7f0, max: 0xe010 }), { maxLength: 40 }).map((units) => String.fromCharCode(...units));
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary' }), nearSurrogates), (s) => runeLength(s) === [...s].length),
    { numRuns: 3000 },
  );
  assert.equal(runeLength('日本'), 2);
  assert.equal(runeLength('😀x'), 2);
  assert.equal(runeLength('\ud83d'), 1);
});
