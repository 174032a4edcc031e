/**
 * Our schema of `extensions.istio.io/v1alpha1` WasmPlugin, written from
 * shared/reference/istio-ambient-facts.md §1.2-1.4: the CRD's structural
 * rules and CEL rules, then istiod's webhook rules the CRD cannot see.
 * Each problem carries the rule id the constructs use for the same mistake.
 */
import { childPath, GROUP, isPlainObject, IssueCollector, KIND, SchemaIssue } from './issue';
import { printableUrl, wasmUrlProblem } from './go-url';
import { checkMetadata, TOP_LEVEL } from './metadata';

export const WASM_PLUGIN_API_VERSION = 'extensions.istio.io/v1alpha1';

const SPEC_FIELDS = [
  'selector',
  'targetRef',
  'targetRefs',
  'url',
  'sha256',
  'imagePullPolicy',
  'imagePullSecret',
  'verificationKey',
  'pluginConfig',
  'pluginName',
  'phase',
  'priority',
  'failStrategy',
  'vmConfig',
  'match',
  'type',
] as const;

export const PHASES = ['UNSPECIFIED_PHASE', 'AUTHN', 'AUTHZ', 'STATS'] as const;
export const FAIL_STRATEGIES = ['FAIL_CLOSE', 'FAIL_OPEN', 'FAIL_RELOAD'] as const;
export const PLUGIN_TYPES = ['UNSPECIFIED_PLUGIN_TYPE', 'HTTP', 'NETWORK'] as const;
export const PULL_POLICIES = ['UNSPECIFIED_POLICY', 'IfNotPresent', 'Always'] as const;
export const MATCH_MODES = ['UNDEFINED', 'CLIENT', 'SERVER', 'CLIENT_AND_SERVER'] as const;
export const ENV_SOURCES = ['INLINE', 'HOST'] as const;

/** CRD `maxItems` of `spec.targetRefs`. */
export const MAX_TARGET_REFS = 16;

/** The group/kind pairs istiod's webhook accepts in a targetRef (an empty group means core). */
export const ALLOWED_TARGETS: readonly { readonly group: string; readonly kind: string }[] = [
  { group: 'core', kind: 'Service' },
  { group: 'networking.istio.io', kind: 'ServiceEntry' },
  { group: 'gateway.networking.k8s.io', kind: 'Gateway' },
  { group: 'gateway.networking.k8s.io', kind: 'GatewayClass' },
];

const SHA256 = { re: /^$|^[a-f0-9]{64}$/, says: 'is not a sha256 digest: 64 lower-case hex characters, without a "sha256:" prefix' };

// Built once, not per targetRef checked.
const REF_FIELDS = ['group', 'kind', 'name', 'namespace'];
const REF_REQUIRED = ['kind', 'name'];

function checkTargetRef(c: IssueCollector, v: unknown, path: string): void {
  const ref = c.object(v, path, REF_FIELDS, REF_REQUIRED);
  if (!ref) return;
  const groupOk = ref.group === undefined || c.string(ref.group, childPath(path, 'group'), { max: 253, pattern: GROUP });
  const kindOk = ref.kind !== undefined && c.string(ref.kind, childPath(path, 'kind'), { min: 1, max: 63, pattern: KIND });
  if (ref.name !== undefined) c.string(ref.name, childPath(path, 'name'), { min: 1, max: 253 });
  if (ref.namespace !== undefined && c.string(ref.namespace, childPath(path, 'namespace')) && ref.namespace !== '') {
    c.add(
      childPath(path, 'namespace'),
      `is ${JSON.stringify(ref.namespace)}: cross-namespace references are not supported, the field must be empty`,
      { rule: 'plugin/cross-namespace-ref' },
    );
  }
  if (groupOk && kindOk) {
    const group = (ref.group as string | undefined) || 'core';
    const kind = ref.kind as string;
    if (!ALLOWED_TARGETS.some((t) => t.group === group && t.kind === kind)) {
      const right = ALLOWED_TARGETS.find((t) => t.kind === kind);
      const hint = right ? `; ${kind} belongs to group ${JSON.stringify(right.group === 'core' ? '' : right.group)}` : '';
      c.add(
        path,
        `points at ${group}/${kind}; istiod only accepts Service (core), ServiceEntry (networking.istio.io), Gateway and GatewayClass (gateway.networking.k8s.io)${hint}`,
        { rule: 'plugin/target-kind', by: 'webhook' },
      );
    }
  }
}

function checkSelector(c: IssueCollector, v: unknown): void {
  const selector = c.object(v, 'spec.selector', ['matchLabels']);
  if (!selector || selector.matchLabels === undefined) return;
  const raw = selector.matchLabels;
  c.stringMap(raw, 'spec.selector.matchLabels', { maxValue: 63, maxEntries: 4096 });
  if (!isPlainObject(raw)) return;
  for (const [key, value] of Object.entries(raw)) {
    if (value === null) continue;
    const at = childPath('spec.selector.matchLabels', key);
    if (key === '') c.add(at, 'has an empty key: label keys must not be empty', { rule: 'names/label-syntax' });
    if (key.includes('*')) c.add(at, `key ${JSON.stringify(key)} has a wildcard: selectors match labels exactly`, { rule: 'names/label-syntax' });
    if (typeof value === 'string' && value.includes('*')) {
      c.add(at, `value ${JSON.stringify(value)} has a wildcard: selectors match labels exactly`, { rule: 'names/label-syntax' });
    }
  }
}

function checkVmConfig(c: IssueCollector, v: unknown): void {
  const vm = c.object(v, 'spec.vmConfig', ['env']);
  if (!vm || vm.env === undefined) return;
  const env = c.array(vm.env, 'spec.vmConfig.env', { max: 256 });
  if (!env) return;
  c.uniqueBy(env, 'spec.vmConfig.env', 'name', 'plugin/duplicate-env');
  env.forEach((item, i) => {
    const at = childPath('spec.vmConfig.env', i);
    const e = c.object(item, at, ['name', 'value', 'valueFrom'], ['name']);
    if (!e) return;
    if (e.name !== undefined) c.string(e.name, childPath(at, 'name'), { min: 1, max: 256 });
    if (e.value !== undefined) c.string(e.value, childPath(at, 'value'), { max: 2048 });
    if (e.valueFrom !== undefined) c.string(e.valueFrom, childPath(at, 'valueFrom'), { oneOf: ENV_SOURCES });
    if (e.valueFrom === 'HOST' && e.value !== undefined) {
      c.add(at, 'sets value with valueFrom HOST: the value comes from the proxy\'s own environment, so value may only be set with INLINE', {
        rule: 'plugin/env-value-from-host',
      });
    }
  });
}

function checkMatch(c: IssueCollector, v: unknown): void {
  const match = c.array(v, 'spec.match');
  if (!match) return;
  match.forEach((item, i) => {
    const at = childPath('spec.match', i);
    const m = c.object(item, at, ['mode', 'ports']);
    if (!m) return;
    if (m.mode !== undefined) c.string(m.mode, childPath(at, 'mode'), { oneOf: MATCH_MODES });
    if (m.ports === undefined) return;
    const ports = c.array(m.ports, childPath(at, 'ports'));
    if (!ports) return;
    c.uniqueBy(ports, childPath(at, 'ports'), 'number');
    ports.forEach((p, j) => {
      const port = c.object(p, childPath(childPath(at, 'ports'), j), ['number'], ['number']);
      if (port?.number !== undefined) c.integer(port.number, childPath(childPath(childPath(at, 'ports'), j), 'number'), { min: 1, max: 65535 });
    });
  });
}

/** Every problem in one WasmPlugin object, CRD rules first, then the webhook's. */
export function validateWasmPlugin(obj: unknown): SchemaIssue[] {
  // Environment values are how a module gets an API key (review/secrets.ts counts them as credentials).
  const c = new IssueCollector('schema/wasm-plugin', ['spec.vmConfig']);
  const root = c.object(obj, '', TOP_LEVEL, ['spec']);
  if (!root) return c.issues;
  checkMetadata(c, (obj as Record<string, unknown>).metadata);
  if (root.spec === undefined) return c.issues;
  const spec = c.object(root.spec, 'spec', SPEC_FIELDS, ['url']);
  if (!spec) return c.issues;

  // CEL on spec: has() is true for a present but empty field, so `targetRefs: []` counts.
  const set = (['selector', 'targetRef', 'targetRefs'] as const).filter((k) => spec[k] !== undefined);
  if (set.length > 1) {
    c.add('spec', `sets ${set.join(' and ')}; only one of selector, targetRef and targetRefs may be set (an empty one counts)`, {
      rule: 'plugin/selector-and-targets',
    });
  }
  if (spec.selector !== undefined) checkSelector(c, spec.selector);
  if (spec.targetRef !== undefined) checkTargetRef(c, spec.targetRef, 'spec.targetRef');
  if (spec.targetRefs !== undefined) {
    const refs = c.array(spec.targetRefs, 'spec.targetRefs');
    if (refs && refs.length > MAX_TARGET_REFS) {
      c.add('spec.targetRefs', `has ${refs.length} entries; the CRD allows at most ${MAX_TARGET_REFS}`, { rule: 'plugin/too-many-targets' });
    }
    refs?.forEach((r, i) => checkTargetRef(c, r, childPath('spec.targetRefs', i)));
  }
  if (spec.url !== undefined && c.string(spec.url, 'spec.url', { min: 1 })) {
    const problem = wasmUrlProblem(spec.url);
    if (problem) c.add('spec.url', `${JSON.stringify(printableUrl(spec.url))} is refused: ${problem}`, { rule: 'plugin/url-scheme' });
  }
  if (spec.sha256 !== undefined) c.string(spec.sha256, 'spec.sha256', { pattern: SHA256 }, 'plugin/sha256-format');
  if (spec.imagePullPolicy !== undefined) c.string(spec.imagePullPolicy, 'spec.imagePullPolicy', { oneOf: PULL_POLICIES });
  if (spec.imagePullSecret !== undefined) c.string(spec.imagePullSecret, 'spec.imagePullSecret', { min: 1, max: 253 });
  if (spec.verificationKey !== undefined) c.string(spec.verificationKey, 'spec.verificationKey');
  if (spec.pluginConfig !== undefined && !isPlainObject(spec.pluginConfig)) c.add('spec.pluginConfig', 'must be an object');
  if (spec.pluginName !== undefined) c.string(spec.pluginName, 'spec.pluginName', { min: 1, max: 256 });
  if (spec.phase !== undefined) c.string(spec.phase, 'spec.phase', { oneOf: PHASES });
  if (spec.priority !== undefined) c.integer(spec.priority, 'spec.priority', { int32: true });
  if (spec.failStrategy !== undefined) c.string(spec.failStrategy, 'spec.failStrategy', { oneOf: FAIL_STRATEGIES });
  if (spec.type !== undefined) c.string(spec.type, 'spec.type', { oneOf: PLUGIN_TYPES });
  if (spec.vmConfig !== undefined) checkVmConfig(c, spec.vmConfig);
  if (spec.match !== undefined) checkMatch(c, spec.match);
  return c.issues;
}
