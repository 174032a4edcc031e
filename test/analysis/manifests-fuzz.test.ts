/**
 * A deterministic fuzzer for `validate --manifests` and `explain --manifests`:
 * seed documents (our dist/, and hand-written objects of every kind the
 * model reads) are mutated the way hand-edited YAML goes wrong, and each
 * case is read by the library entry points in-process. A bad input must
 * become findings naming the file, never an exception, a hang or a printed
 * credential. A failing case prints its seed: replay it with
 * `FUZZ_SEED=<seed> FUZZ_CASES=1`.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseDocument, stringify } from 'yaml';
import { checkManifests } from '../../analysis/check-manifests';
import type { Finding } from '../../analysis/finding';
import { readManifests } from '../../compiler/read-manifests';
import { isSimulationError } from '../../simulator/request';
import { simulate } from '../../simulator/simulate';
import type { SimRequest } from '../../simulator/request';
import { freshDir } from './harness';
import { REPO_ROOT } from '../support/helpers';

// ---------------------------------------------------------------------------
// The canary credential: held by the seeds, never to be printed.

const CANARY_PAIR = 'fz9user:fz9pass-canary';
const CANARY_B64_PAIR = 'fz9adm:fz9adm-canary';
const b64 = (s: string) => Buffer.from(s).toString('base64');
/** Every form in which the canary may not appear: raw, base64 and the decoded user:pass, and each password alone. */
const CANARY_FORMS = [CANARY_PAIR, b64(CANARY_PAIR), CANARY_B64_PAIR, b64(CANARY_B64_PAIR), 'fz9pass-canary', 'fz9adm-canary'];

// ---------------------------------------------------------------------------
// A seeded PRNG (mulberry32): the same seed gives the same case on every machine.

class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

// ---------------------------------------------------------------------------
// Seed documents.

const WAYPOINT = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: waypoint
  namespace: shop
  labels:
    istio.io/waypoint-for: service
spec:
  gatewayClassName: istio-waypoint
  listeners:
    - name: mesh
      port: 15008
      protocol: HBONE
`;

const INGRESS = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: ingress
  namespace: shop
  annotations:
    networking.istio.io/service-type: ClusterIP
spec:
  gatewayClassName: istio
  listeners:
    - name: http
      port: 80
      protocol: HTTP
      hostname: "*.example.com"
      allowedRoutes:
        namespaces:
          from: Selector
          selector:
            matchLabels:
              team: shop
        kinds:
          - group: gateway.networking.k8s.io
            kind: HTTPRoute
    - name: https
      port: 443
      protocol: HTTPS
      allowedRoutes: { namespaces: { from: All } }
`;

const AUTH = `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata:
  name: auth
  namespace: shop
  annotations:
    acknowledged.waypoint-policy.io/credentials.literal: fuzz fixture
spec:
  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
  sha256: ${'0123456789abcdef'.repeat(4)}
  phase: AUTHN
  priority: 10
  failStrategy: FAIL_CLOSE
  targetRefs:
    - group: gateway.networking.k8s.io
      kind: Gateway
      name: waypoint
  pluginConfig:
    basic_auth_rules:
      - prefix: /
        request_methods: [GET, POST]
        credentials:
          - "${CANARY_PAIR}"
          - ${b64(CANARY_B64_PAIR)}
      - hosts: ["cart.shop.svc.cluster.local"]
        exact: /admin
        request_methods: [GET]
        credentials: ["${CANARY_PAIR}"]
`;

const AUTH_AT_INGRESS = `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata:
  name: auth-at-ingress
  namespace: shop
spec:
  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
  phase: AUTHZ
  targetRefs:
    - { group: gateway.networking.k8s.io, kind: Gateway, name: ingress }
    - { kind: Service, name: cart }
  env:
    - { name: MODE, value: strict }
  match:
    - mode: SERVER
      ports: [{ number: 8080 }]
  pluginConfig:
    basic_auth_rules:
      - { suffix: .json, request_methods: [GET], credentials: [${b64(CANARY_B64_PAIR)}] }
`;

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: cart
  namespace: shop
  labels:
    istio.io/use-waypoint: waypoint
    app: cart
spec:
  selector: { app: cart }
  ports:
    - name: http
      port: 8080
      targetPort: 8080
`;

const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio.io/dataplane-mode: ambient
    istio.io/use-waypoint: waypoint
    team: shop
`;

const LIST = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata:
      name: orders
      namespace: shop
      labels: { istio.io/use-waypoint: waypoint, istio.io/use-waypoint-namespace: shop }
    spec: { ports: [{ port: 9090 }] }
  - apiVersion: v1
    kind: Secret
    metadata: { name: creds, namespace: shop }
    stringData: { basic: "${CANARY_PAIR}" }
    data: { token: ${b64(CANARY_PAIR)} }
`;

const WASM_LIST = `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPluginList
items:
  - apiVersion: extensions.istio.io/v1alpha1
    kind: WasmPlugin
    metadata: { name: stamp, namespace: shop }
    spec:
      url: https://example.com/stamp.wasm
      selector: { matchLabels: { app: cart } }
      pluginConfig: { header: x-stamp, value: "1" }
`;

const HAND_WRITTEN: readonly string[] = [WAYPOINT, INGRESS, AUTH, AUTH_AT_INGRESS, SERVICE, NAMESPACE, LIST, WASM_LIST];

/** Our own dist/, every YAML file of it (kustomizations included: they are skipped by name, and mutated they are objects). */
function distSeeds(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(e.name)) out.push(fs.readFileSync(full, 'utf8'));
    }
  };
  walk(path.join(REPO_ROOT, 'dist'));
  return out;
}

const SEEDS: readonly string[] = [...HAND_WRITTEN, ...distSeeds()];

// ---------------------------------------------------------------------------
// Mutations.

/** Values of other YAML types, as YAML text, for a scalar's place. */
function wrongScalar(r: Rng): string {
  return r.pick([
    'null',
    '~',
    '',
    '0',
    '-1',
    '1e400',
    '.nan',
    '-.inf',
    '0x1F',
    '0o17',
    '2147483648',
    '99999999999999999999999',
    'true',
    'false',
    'yes',
    'no',
    'on',
    'off',
    'y',
    'N',
    '[]',
    '{}',
    '[a, 1, null]',
    '{ a: 1, b: [2] }',
    '"' + 'x'.repeat(r.pick([300, 5000, 70000])) + '"',
    '"ünïcödé ☃ 𝄞 \u200b"',
    '"\\u0000\\u0007\\u001b[31m\\ud800"',
    '"\\uFFFE"',
    '2001-12-14t21:59:43.10-05:00',
    '!!binary aGVsbG8=',
    '!!set { a, b }',
    '!!str 1',
    '!!int "x"',
    '!!float abc',
    '!!timestamp 2001-12-14',
    '!custom { a: 1 }',
    '!<tag:example.com,2000:x> y',
    '!!map []',
    '!!seq {}',
    '*nowhere',
    '&a x',
    '|\n  block\n  text',
    '>-\n  folded',
    '{{ .Values.x }}',
    '${NAME}',
    '"a\\nb: c"',
    '@reserved',
    '`backtick',
    '%directive',
  ]);
}

/** A value nested `depth` levels deep, in flow style so the file stays small. */
function deep(r: Rng, depth: number): string {
  return r.chance(0.5) ? '['.repeat(depth) + ']'.repeat(depth) : '{a: '.repeat(depth) + '1' + '}'.repeat(depth);
}

type TextMutation = (lines: string[], r: Rng) => string[];

/*
 * Text mutations leave the canary's lines where they are: moved by a line
 * swap or re-indent it becomes a key or a path, which a finding rightly
 * quotes (no reader can tell it is a credential there). Tree mutations put
 * it in every wrong shape a credential field can take.
 */
const holdsCanary = (line: string | undefined) => line !== undefined && CANARY_FORMS.some((s) => line.includes(s));
/** A random line index whose line, and the line after it, hold no canary; undefined when there is none. */
function freeLine(l: readonly string[], r: Rng, extra = 0): number | undefined {
  const free = Array.from({ length: l.length + extra }, (_, i) => i).filter((i) => !holdsCanary(l[i]) && !holdsCanary(l[i + 1 - extra]));
  return free.length ? r.pick(free) : undefined;
}

const SCALAR_LINE = /^(\s*(?:- )?[^:#\n]+:\s+)(\S.*)$/;

const TEXT_MUTATIONS: Readonly<Record<string, TextMutation>> = {
  deleteLine: (l, r) => {
    const i = freeLine(l, r);
    return l.filter((_, j) => j !== i);
  },
  duplicateLine: (l, r) => {
    const i = r.int(l.length || 1);
    return [...l.slice(0, i + 1), l[i] ?? '', ...l.slice(i + 1)];
  },
  swapLines: (l, r) => {
    const [i, j] = [freeLine(l, r), freeLine(l, r)];
    if (i === undefined || j === undefined) return l;
    const out = [...l];
    [out[i], out[j]] = [out[j], out[i]];
    return out;
  },
  reindent: (l, r) => {
    const i = freeLine(l, r);
    if (i === undefined) return l;
    const out = [...l];
    const line = out[i] ?? '';
    out[i] = r.pick([line.trimStart(), ' '.repeat(r.int(9)) + line, '\t' + line, line.replace(/^ {2}/, '')]);
    return out;
  },
  replaceScalar: (l, r) => {
    const candidates = l.map((line, i) => (SCALAR_LINE.test(line) ? i : -1)).filter((i) => i >= 0);
    if (candidates.length === 0) return l;
    const i = r.pick(candidates);
    const out = [...l];
    const indent = /^\s*/.exec(out[i])![0] + '  ';
    out[i] = out[i].replace(SCALAR_LINE, (_, key: string) => key + wrongScalar(r).replace(/\n/g, `\n${indent}`));
    return out;
  },
  replaceListItem: (l, r) => {
    const candidates = l.map((line, i) => (/^\s*- \S/.test(line) ? i : -1)).filter((i) => i >= 0);
    if (candidates.length === 0) return l;
    const i = r.pick(candidates);
    const out = [...l];
    out[i] = out[i].replace(/^(\s*- ).*$/, (_, dash: string) => dash + wrongScalar(r).replace(/\n/g, ' '));
    return out;
  },
  anchorAlias: (l, r) => {
    const candidates = l.map((line, i) => (/^\s*[\w.\/-]+:\s*$/.test(line) ? i : -1)).filter((i) => i >= 0);
    if (candidates.length < 1) return l;
    const out = [...l];
    const a = r.pick(candidates);
    out[a] = `${out[a]} &anc`;
    const b = r.pick(candidates);
    const indent = /^\s*/.exec(out[b])![0];
    const form = r.pick([`${indent}<<: *anc`, `${indent}alias: *anc`, `${indent}<<: [*anc, *anc]`, `${indent}self: *anc`, `${indent}<<: *missing`]);
    out.splice(b + 1, 0, form + (form.startsWith(`${indent}<<`) ? '' : ''));
    return out;
  },
  tagLine: (l, r) => {
    const candidates = l.map((line, i) => (SCALAR_LINE.test(line) ? i : -1)).filter((i) => i >= 0);
    if (candidates.length === 0) return l;
    const i = r.pick(candidates);
    const out = [...l];
    out[i] = out[i].replace(SCALAR_LINE, (_, key: string, v: string) => `${key}${r.pick(['!!binary', '!!set', '!!map', '!!seq', '!!int', '!!float', '!!bool', '!!null', '!custom', '!!omap', '!!pairs'])} ${v}`);
    return out;
  },
  truncate: (l, r) => {
    const text = l.join('\n');
    return text.slice(0, r.int(text.length + 1)).split('\n');
  },
  insertDocumentMarker: (l, r) => {
    const i = r.int(l.length + 1);
    return [...l.slice(0, i), r.pick(['---', '...', '--- !!map', '%YAML 1.1', '--- |', '---\n---']), ...l.slice(i)];
  },
  insertGarbage: (l, r) => {
    const i = freeLine(l, r, 1) ?? l.length;
    return [...l.slice(0, i), r.pick(['\u0000', '\ufeff', '\t- x', 'key without value', ': no key', '? complex', '? [a, b]\n: c', '- - -', '"unterminated', '{', ']', '#', 'a: b: c', '<<: 1', '<<: [1, x]']), ...l.slice(i)];
  },
};

/** Structural mutations: parse, change one thing to a wrong shape, write back as YAML or JSON. */
type TreeMutation = (doc: Record<string, unknown>, r: Rng) => void;

const WRONG_SHAPES = (r: Rng): unknown => {
  const depth = r.pick([1, 3, 50, 1000]);
  let nested: unknown = 'leaf';
  for (let i = 0; i < depth; i++) nested = r.chance(0.5) ? [nested] : { k: nested };
  return r.pick<unknown>([null, 0, 1.5, -1, true, 'a string', '', [], {}, ['a', 1, null], [[]], { a: { b: 'c' } }, [{}], [null], nested, 'x'.repeat(4096), '\u0000\u001b']);
};

function at(doc: Record<string, unknown>, keys: string[]): Record<string, unknown> | undefined {
  let v: unknown = doc;
  for (const k of keys) {
    if (typeof v !== 'object' || v === null) return undefined;
    const o = v as Record<string, unknown>;
    o[k] ??= {};
    v = o[k];
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

const TREE_MUTATIONS: Readonly<Record<string, TreeMutation>> = {
  apiVersionKind: (d, r) => {
    if (r.chance(0.5)) d.apiVersion = r.pick<unknown>(['v1', 'apps/v1', 'gateway.networking.k8s.io/v1beta1', 'gateway.networking.k8s.io/v1alpha2', 'networking.istio.io/v1', 'extensions.istio.io/v1', 'extensions.istio.io/v1alpha1', '/', 'a/b/c', '', 1, null, ['v1']]);
    else d.kind = r.pick<unknown>(['Gateway', 'WasmPlugin', 'Service', 'Namespace', 'List', 'ServiceList', 'GatewayList', 'Secret', 'Kustomization', 'HTTPRoute', '', 'service', 0, {}, ['Service']]);
  },
  metadata: (d, r) => {
    const key = r.pick(['metadata', 'name', 'namespace', 'labels', 'annotations']);
    if (key === 'metadata') d.metadata = WRONG_SHAPES(r);
    else {
      const m = at(d, ['metadata']);
      if (m) m[key] = WRONG_SHAPES(r);
    }
  },
  labelValues: (d, r) => {
    const m = at(d, ['metadata', r.pick(['labels', 'annotations'])]);
    if (m) m[r.pick(['istio.io/use-waypoint', 'istio.io/use-waypoint-namespace', 'istio.io/waypoint-for', 'istio.io/dataplane-mode', 'app.kubernetes.io/managed-by', 'argocd.argoproj.io/sync-options', 'kustomize.toolkit.fluxcd.io/ssa', 'waypoint-policy.io/mirror-of', 'acknowledged.waypoint-policy.io/credentials.literal', 'istio.io/rev', 'sidecar.istio.io/inject', 'bad key!'])] = WRONG_SHAPES(r);
  },
  specField: (d, r) => {
    const s = at(d, ['spec']);
    if (!s) return;
    s[r.pick(['targetRefs', 'targetRef', 'selector', 'listeners', 'gatewayClassName', 'url', 'phase', 'priority', 'failStrategy', 'pluginConfig', 'match', 'env', 'type', 'sha256', 'pluginName', 'ports', 'imagePullSecret', 'vmConfig', 'addresses', 'infrastructure'])] = WRONG_SHAPES(r);
  },
  spec: (d, r) => {
    d.spec = WRONG_SHAPES(r);
  },
  listItem: (d, r) => {
    const s = at(d, ['spec']);
    if (!s) return;
    const list = r.pick(['targetRefs', 'listeners', 'match', 'env']);
    const item = r.pick<Record<string, unknown>>([{ name: WRONG_SHAPES(r) }, { kind: WRONG_SHAPES(r), name: 'waypoint' }, { port: WRONG_SHAPES(r), name: 'mesh', protocol: 'HBONE' }, { allowedRoutes: WRONG_SHAPES(r), name: 'x', port: 80, protocol: 'HTTP' }, { allowedRoutes: { namespaces: WRONG_SHAPES(r) }, name: 'y', port: 80, protocol: 'HTTP' }, { allowedRoutes: { namespaces: { from: 'Selector', selector: WRONG_SHAPES(r) } }, name: 'z', port: 80, protocol: 'HTTP' }, { group: '', kind: 'Service', name: WRONG_SHAPES(r), namespace: WRONG_SHAPES(r) }, { mode: WRONG_SHAPES(r), ports: WRONG_SHAPES(r) }, { name: 'E', valueFrom: WRONG_SHAPES(r), value: WRONG_SHAPES(r) }]);
    const current = s[list];
    s[list] = Array.isArray(current) ? [...current, item] : [item];
  },
  pluginConfig: (d, r) => {
    const c = at(d, ['spec', 'pluginConfig']);
    if (!c) return;
    const rules = c.basic_auth_rules;
    if (Array.isArray(rules) && rules.length > 0 && r.chance(0.7)) {
      const rule = rules[r.int(rules.length)];
      // The credential in every wrong shape a config can hold it: a string, a key, a nested list, a host.
      const canaryShape = r.pick<unknown>([CANARY_PAIR, [[CANARY_PAIR]], { [CANARY_PAIR]: CANARY_PAIR }, [CANARY_PAIR, 1, null], `${CANARY_PAIR}@cart`]);
      const field = r.pick(['prefix', 'exact', 'suffix', 'hosts', 'request_methods', 'credentials', 'extra']);
      if (typeof rule === 'object' && rule !== null) (rule as Record<string, unknown>)[field] = r.chance(0.5) && (field === 'credentials' || field === 'hosts') ? canaryShape : WRONG_SHAPES(r);
      else rules[0] = WRONG_SHAPES(r);
    } else c.basic_auth_rules = WRONG_SHAPES(r);
  },
  items: (d, r) => {
    d.kind = r.pick(['List', 'ServiceList', 'WasmPluginList']);
    d.items = r.chance(0.5) ? WRONG_SHAPES(r) : [WRONG_SHAPES(r), { ...d, kind: 'Service', items: undefined }];
  },
};

/** One case: files (name -> content) built from seeds and mutations; `steps` says what was done, for the failure message. */
interface Case {
  readonly files: Record<string, string | Buffer>;
  readonly steps: string[];
}

function mutateText(text: string, r: Rng, steps: string[]): string {
  let lines = text.split('\n');
  const n = 1 + r.int(3);
  for (let i = 0; i < n; i++) {
    const name = r.pick(Object.keys(TEXT_MUTATIONS));
    steps.push(name);
    lines = TEXT_MUTATIONS[name](lines, r);
  }
  return lines.join('\n');
}

function mutateTree(text: string, r: Rng, steps: string[], asJson: boolean): string {
  const doc = parseDocument(text, { merge: true, logLevel: 'silent' });
  const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (doc.errors.length > 0) return text;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return text;
  const obj = value as Record<string, unknown>;
  const n = 1 + r.int(2);
  for (let i = 0; i < n; i++) {
    const name = r.pick(Object.keys(TREE_MUTATIONS));
    steps.push(name);
    TREE_MUTATIONS[name](obj, r);
  }
  if (asJson) return JSON.stringify(obj);
  try {
    return stringify(obj, { aliasDuplicateObjects: false });
  } catch {
    // yaml's writer recurses past the stack on a value 1000 deep; JSON, which is YAML too, does not.
    return JSON.stringify(obj);
  }
}

function makeCase(seed: number): Case {
  const r = new Rng(seed);
  const steps: string[] = [];
  const files: Record<string, string | Buffer> = {};
  const fileCount = 1 + r.int(4);
  for (let f = 0; f < fileCount; f++) {
    // A file of one to three seed documents, joined as a multi-document file.
    const docs = Array.from({ length: 1 + r.int(3) }, () => r.pick(SEEDS));
    let text = docs.join(r.pick(['---\n', '\n---\n', '...\n---\n', '']));
    const kind = r.int(10);
    const asJson = kind === 9;
    if (kind < 5) text = mutateText(text, r, steps);
    else if (kind < 8 || asJson) {
      const one = r.pick(docs);
      text = mutateTree(one, r, steps, asJson);
      if (r.chance(0.3)) text = mutateText(text, r, steps);
    } else if (kind === 8) {
      // A deeply nested value in place of a scalar, and sometimes an alias bomb.
      steps.push('deep');
      const lines = text.split('\n');
      const i = lines.findIndex((l) => SCALAR_LINE.test(l));
      if (i >= 0) lines[i] = lines[i].replace(SCALAR_LINE, (_, key: string) => key + deep(r, r.pick([100, 1000])));
      if (r.chance(0.3)) lines.push('bomb0: &b0 [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 6 }, (_, k) => `bomb${k + 1}: &b${k + 1} [${Array(10).fill(`*b${k}`).join(', ')}]`));
      text = lines.join('\n');
    }
    const ext = asJson ? 'json' : r.pick(['yaml', 'yml', 'yaml', 'yaml']);
    const dir = r.chance(0.3) ? r.pick(['demo/1-waypoints/shop/', 'nested/', 'demo/2-policies/']) : '';
    let content: string | Buffer = text;
    if (r.chance(0.03)) {
      steps.push('latin1');
      content = Buffer.concat([Buffer.from(text), Buffer.from([0xe9, 0xff, 0x0a])]);
    } else if (r.chance(0.03)) {
      steps.push('utf16');
      content = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    }
    files[`${dir}f${f}.${ext}`] = content;
  }
  return { files, steps };
}

// ---------------------------------------------------------------------------
// Oracles.

const REQUESTS: readonly SimRequest[] = [
  { to: 'shop/cart:8080' },
  { to: 'shop/cart:8080', via: 'shop/ingress', path: '/admin', headers: { Authorization: `Basic ${b64(CANARY_PAIR)}` } },
  { to: 'default/reviews:9080', method: 'POST', path: '/productpage', headers: [['authorization', `Basic ${b64(CANARY_B64_PAIR)}`]] },
];

/** Budget for one case: generous on a loaded 2-core machine, far below a hang. */
const CASE_BUDGET_MS = 5000;

function leaks(text: string): string | undefined {
  return CANARY_FORMS.find((s) => text.includes(s));
}

function checkFindings(findings: readonly Finding[], where: string): void {
  for (const f of findings) {
    const shown = `${where}: ${f.rule}: ${f.message}`;
    assert.ok(typeof f.rule === 'string' && f.rule.length > 0, `${where}: a finding without a rule`);
    assert.ok(f.severity === 'error' || f.severity === 'warning', `${shown}: severity ${String(f.severity)}`);
    assert.ok(typeof f.message === 'string' && f.message.length > 0, `${where}: ${f.rule} has no message`);
    // File-level problems name the file; manifests/empty is about the whole folder.
    if (f.rule.startsWith('manifests/') && f.rule !== 'manifests/empty') assert.ok(typeof f.file === 'string' && f.file.length > 0, `${shown}: no file`);
    const leak = leaks(JSON.stringify(f));
    assert.equal(leak, undefined, `${shown}: the finding shows the canary credential (${leak?.slice(0, 6)}...)`);
  }
}

/** Process warnings emitted while a case ran: a library's warning goes to stderr, and it may quote the file. */
const warnings: string[] = [];
process.on('warning', (w) => warnings.push(`${w.name}: ${w.message}`));

async function runCase(seed: number): Promise<{ findings: number; simulated: number }> {
  const c = makeCase(seed);
  warnings.length = 0;
  const dir = freshDir('fuzz-');
  for (const [name, content] of Object.entries(c.files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  const where = `seed ${seed} (${c.steps.join(', ') || 'unmutated'}; files in ${dir})`;
  const started = performance.now();
  let findings: Finding[];
  try {
    findings = checkManifests(dir).findings;
  } catch (e) {
    assert.fail(`${where}: checkManifests threw ${(e as Error)?.stack ?? String(e)}`);
  }
  checkFindings(findings, `${where} checkManifests`);
  let read;
  try {
    read = readManifests(dir);
  } catch (e) {
    assert.fail(`${where}: readManifests threw ${(e as Error)?.stack ?? String(e)}`);
  }
  checkFindings(read.findings, `${where} readManifests`);
  const r = new Rng(seed ^ 0x5bd1e995);
  let simulated = 0;
  for (const request of [r.pick(REQUESTS), r.pick(REQUESTS)]) {
    try {
      const result = simulate(read.model, request);
      simulated++;
      const leak = leaks(JSON.stringify(result));
      assert.equal(leak, undefined, `${where}: simulate(${request.to}) shows the canary credential (${leak?.slice(0, 6)}...) in its result`);
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      // A request these manifests cannot answer (no mesh objects, several targets) is a usage error, as explain reports it.
      if (!isSimulationError(e)) assert.fail(`${where}: simulate(${JSON.stringify(request.to)}) threw ${(e as Error)?.stack ?? String(e)}`);
      const leak = leaks(`${e.message} ${JSON.stringify(e.finding)}`);
      assert.equal(leak, undefined, `${where}: a SimulationError shows the canary credential`);
    }
  }
  // Node emits warnings on the next tick.
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(warnings, [], `${where}: reading printed process warnings (to stderr, outside any finding)`);
  const took = performance.now() - started;
  assert.ok(took < CASE_BUDGET_MS, `${where}: took ${Math.round(took)} ms (budget ${CASE_BUDGET_MS} ms)`);
  return { findings: findings.length, simulated };
}

const FIRST_SEED = Number(process.env.FUZZ_SEED ?? 1);
const CASES = Number(process.env.FUZZ_CASES ?? 500);

test(`fuzz: ${CASES} mutated manifest folders are read into findings, never an exception, a hang or a printed credential`, { timeout: 120_000 }, async () => {
  let [findings, simulated] = [0, 0];
  const failures: string[] = [];
  const started = performance.now();
  for (let seed = FIRST_SEED; seed < FIRST_SEED + CASES; seed++) {
    try {
      const out = await runCase(seed);
      findings += out.findings;
      simulated += out.simulated;
    } catch (e) {
      failures.push(e instanceof assert.AssertionError ? e.message : `seed ${seed}: the fuzzer itself threw ${(e as Error)?.stack ?? String(e)}`);
    }
  }
  // Every failing seed, so one run lists them all for replay.
  assert.deepEqual(failures, [], `${failures.length} failing case(s):\n${failures.join('\n\n')}`);
  // The fuzzer is only worth its time when it reaches the simulator and the rules: an oracle that never runs proves nothing.
  assert.ok(simulated > CASES / 4, `only ${simulated} simulations ran in ${CASES} cases`);
  assert.ok(findings > CASES, `only ${findings} findings in ${CASES} cases`);
  console.log(`fuzz: ${CASES} cases (seeds ${FIRST_SEED}..${FIRST_SEED + CASES - 1}), ${SEEDS.length} seed documents, ${findings} findings, ${simulated} simulations, ${Math.round(performance.now() - started)} ms`);
});

test('the unmutated seeds are read without a parse error, so mutations start from valid manifests', () => {
  const dir = freshDir('fuzz-seeds-');
  // kustomize's files are seeds too, but only under their own name are they skipped.
  SEEDS.forEach((s, i) => {
    const name = /^kind: Kustomization$/m.test(s) ? `s${i}/kustomization.yaml` : `s${i}.yaml`;
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), s);
  });
  const read = readManifests(dir);
  assert.deepEqual(
    read.findings.filter((f) => f.rule.startsWith('manifests/')),
    [],
  );
  assert.ok(read.model.objects.length >= HAND_WRITTEN.length);
});

// Regressions the fuzzer found, each reduced to its smallest file.

/** Process warnings emitted while `read` runs (they are emitted on the next tick). */
async function warningsOf(read: () => void): Promise<string[]> {
  warnings.length = 0;
  read();
  await new Promise((resolve) => setImmediate(resolve));
  return [...warnings];
}

test('regression (fuzz seeds 22, 381, 527 and 11 more): a mapping key that is a list is a manifests/parse finding at its line, not a yaml warning quoting it on stderr', async () => {
  const dir = freshDir('fuzz-regression-');
  fs.writeFileSync(path.join(dir, 'cm.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x, namespace: shop }\ndata:\n  ? [${CANARY_PAIR}]\n  : x\n`);
  let findings: Finding[] = [];
  assert.deepEqual(await warningsOf(() => (findings = checkManifests(dir).findings)), []);
  assert.deepEqual(
    findings.map((f) => [f.rule, f.file]),
    [['manifests/parse', 'cm.yaml:5']],
  );
  assert.match(findings[0].message, /mapping key is a list or a mapping/);
  assert.equal(leaks(JSON.stringify(findings)), undefined);
});

test('regression (fuzz, reduced by hand): a key that is an alias of a mapping is refused too, at the key', async () => {
  const dir = freshDir('fuzz-regression-');
  fs.writeFileSync(path.join(dir, 'cm.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: &meta { name: x, namespace: shop }\ndata:\n  ? *meta\n  : x\n`);
  let findings: Finding[] = [];
  assert.deepEqual(await warningsOf(() => (findings = readManifests(dir).findings)), []);
  assert.deepEqual(
    findings.map((f) => [f.rule, f.file]),
    [['manifests/parse', 'cm.yaml:5']],
  );
});
