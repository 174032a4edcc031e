import {
  ApiObject,
  ApiObjectMetadataDefinition,
  App,
  Chart,
  ImplicitTokenResolver,
  LazyResolver,
  NumberStringUnionResolver,
} from 'cdk8s';
import type { IConstruct } from 'constructs';
import { ClusterScopedApiObject } from '../constructs/internal/cluster-scoped-api-object';
import type { DeferredApiObject } from '../constructs/internal/deferred-api-object';
import { sortByCodeUnit } from './code-unit-sort';

/**
 * `ApiObject.toJson()`, faster for the plain ApiObjects our constructs emit.
 *
 * cdk8s resolves every value of a manifest through the app's resolvers
 * (looking the app up from the object for each value), then sanitizes it
 * (drops nulls, sorts keys): about a third of synth's collect time on large
 * meshes. For plain data with cdk8s's default resolvers, resolving is a plain
 * copy, so one pass does both. Anything else (a subclass with its own toJson,
 * JSON patches, custom resolvers, a Lazy, a token, an object that is not
 * plain JSON) goes to `toJson()` itself: the result is always exactly what
 * `toJson()` returns, key order included (test/bench/fast-paths.test.ts).
 *
 * It reads cdk8s internals (`props`, `patches`, the metadata fields); each is
 * checked, and a cdk8s that looks different simply takes the slow path.
 */
export function apiObjectJson(o: ApiObject): Record<string, unknown> {
  return fastJson(o) ?? (o.toJson() as Record<string, unknown>);
}

// Thrown (one shared instance, no stack to capture) when a value needs cdk8s's own resolve.
const NOT_PLAIN = new Error('not plain data');

interface Internals {
  readonly props?: unknown;
  readonly patches?: unknown;
}

interface MetadataInternals {
  readonly name?: unknown;
  readonly namespace?: unknown;
  readonly labels?: unknown;
  readonly annotations?: unknown;
  readonly finalizers?: unknown;
  readonly ownerReferences?: unknown;
  readonly _additionalAttributes?: unknown;
}

const defaultResolvers = new WeakMap<object, boolean>();

/** Whether the app resolves with exactly cdk8s's built-in resolvers. */
function hasDefaultResolvers(app: App): boolean {
  let ok = defaultResolvers.get(app);
  if (ok === undefined) {
    const r = app.resolvers;
    ok =
      Array.isArray(r) &&
      r.length === 3 &&
      r[0]?.constructor === LazyResolver &&
      r[1]?.constructor === ImplicitTokenResolver &&
      r[2]?.constructor === NumberStringUnionResolver;
    defaultResolvers.set(app, ok);
  }
  return ok;
}

// The built-in resolvers look at `value.resolve` and `value.value` of every
// value, primitives included: only if no prototype was given those can a
// primitive pass through unchanged.
function primitivesArePlain(): boolean {
  for (const proto of [String.prototype, Number.prototype, Boolean.prototype, BigInt.prototype, Symbol.prototype, Array.prototype]) {
    if ('resolve' in proto || 'value' in proto) return false;
  }
  return true;
}

/** What every manifest of one walk shares: the environment variable cdk8s reads and the prototypes' state. */
interface JsonRun {
  readonly sortKeys: boolean;
  readonly primitivesArePlain: boolean;
}

let run: JsonRun | undefined;

const readRun = (): JsonRun => ({ sortKeys: process.env.CDK8S_DISABLE_SORT ? false : true, primitivesArePlain: primitivesArePlain() });

/**
 * Run `fn`, a walk that turns a whole tree into JSON, with what every
 * manifest shares read once: `process.env` is a lookup in the C++
 * environment (~0.4 µs) and the prototype checks ~0.5 µs, per object
 * otherwise (~20 ms of collect at 1,000 namespaces). cdk8s reads the same
 * variable per `toJson()`; a policy that changes it (or a prototype) while
 * its own tree is being collected is not one to serve.
 */
export function inJsonRun<T>(fn: () => T): T {
  const outer = run;
  run = readRun();
  try {
    return fn();
  } finally {
    run = outer;
  }
}

function isPlainObject(v: object): boolean {
  return Object.getPrototypeOf(v) === Object.prototype && !Object.prototype.hasOwnProperty.call(v, 'constructor') && !('resolve' in v);
}

/**
 * cdk8s `resolve` then `sanitizeValue` in one pass, for plain data: drops
 * null and undefined members, optionally drops empty arrays and objects,
 * sorts keys. Throws NOT_PLAIN for anything a resolver would touch.
 */
function clean(v: unknown, filterEmpty: boolean, sortKeys: boolean): unknown {
  if (v === null || v === undefined) return undefined;
  const t = typeof v;
  if (t === 'function') throw NOT_PLAIN;
  if (t !== 'object') return v;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype || 'resolve' in v || 'value' in v) throw NOT_PLAIN;
    if (filterEmpty && v.length === 0) return undefined;
    return v.map((x) => clean(x, filterEmpty, sortKeys));
  }
  if (!isPlainObject(v as object)) throw NOT_PLAIN;
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (sortKeys) sortByCodeUnit(keys);
  const out: Record<string, unknown> = {};
  let any = false;
  for (const k of keys) {
    const c = clean(obj[k], filterEmpty, sortKeys);
    if (c !== null && c !== undefined) {
      out[k] = c;
      any = true;
    }
  }
  return filterEmpty && !any ? undefined : out;
}

function fastJson(o: ApiObject): Record<string, unknown> | undefined {
  const proto = Object.getPrototypeOf(o);
  // Our Namespaces (ClusterScopedApiObject: super.toJson() without the
  // namespace) took cdk8s's own toJson(), ~35 ms of collect at 1,000
  // namespaces; its override is repeated below.
  const clusterScoped = proto === ClusterScopedApiObject.prototype && o.toJson === ClusterScopedApiObject.prototype.toJson;
  if (!clusterScoped && (proto !== ApiObject.prototype || o.toJson !== ApiObject.prototype.toJson)) return undefined;
  const { props, patches } = o as unknown as Internals;
  if (!Array.isArray(patches) || patches.length > 0 || typeof props !== 'object' || props === null) return undefined;
  const meta = o.metadata as unknown as MetadataInternals;
  if (Object.getPrototypeOf(meta) !== ApiObjectMetadataDefinition.prototype || o.metadata.toJson !== ApiObjectMetadataDefinition.prototype.toJson) return undefined;
  if (!hasDefaultResolvers(App.of(o))) return undefined;
  const json = plainJson(props as Record<string, unknown>, meta);
  // ClusterScopedApiObject.toJson().
  if (clusterScoped && json?.metadata) delete (json.metadata as Record<string, unknown>).namespace;
  return json;
}

/**
 * What `toJson()` would return for the ApiObject `d` would create in its
 * owner: the metadata its constructor would build (the chart's namespace and
 * labels merged in, as cdk8s does), then the same pass as for an ApiObject.
 * Undefined when that needs cdk8s itself (no name given, so cdk8s would
 * generate one; custom resolvers; data that is not plain).
 */
export function deferredJson(d: DeferredApiObject, owner: IConstruct): Record<string, unknown> | undefined {
  const props = d.props as unknown as Record<string, unknown>;
  const given = d.props.metadata;
  if (typeof given?.name !== 'string' || !hasDefaultResolvers(App.of(owner))) return undefined;
  const own = Object.prototype.hasOwnProperty;
  if (own.call(given, '__proto__') || (given.labels && own.call(given.labels, '__proto__'))) return undefined;
  const chart = Chart.of(owner);
  // ApiObject's constructor, then ApiObjectMetadataDefinition's, without
  // their defensive copies (nothing here is mutated: clean() builds new
  // objects) and with Object.assign rather than spreads (see plainJson).
  const options = Object.assign({ name: given.name }, given) as Record<string, unknown>;
  options.namespace = given.namespace ?? chart.namespace;
  options.labels = Object.assign(chart.labels, given.labels);
  const meta: MetadataInternals = {
    name: options.name,
    namespace: options.namespace,
    labels: options.labels,
    annotations: options.annotations ?? {},
    finalizers: options.finalizers ?? [],
    ownerReferences: options.ownerReferences ?? [],
    _additionalAttributes: options,
  };
  return plainJson(props, meta);
}

/** `ApiObject.toJson()` for plain props and metadata internals, or undefined when it needs cdk8s. */
function plainJson(props: Record<string, unknown>, meta: MetadataInternals): Record<string, unknown> | undefined {
  const extra = meta._additionalAttributes;
  if (typeof extra !== 'object' || extra === null) return undefined;
  const shared = run ?? readRun();
  if (!shared.primitivesArePlain) return undefined;
  const own = Object.prototype.hasOwnProperty;
  // `__proto__` as a key behaves differently under spread and assignment: leave it to toJson().
  if (own.call(extra, '__proto__') || own.call(props, '__proto__')) return undefined;
  try {
    // ApiObjectMetadataDefinition.toJson(). Object.assign, not `{ ...x, k: v }`:
    // V8 (Node 20) pays about a microsecond per property written after a spread.
    const input = Object.assign({}, extra) as Record<string, unknown>;
    input.name = meta.name;
    input.namespace = meta.namespace;
    input.annotations = meta.annotations;
    input.finalizers = meta.finalizers;
    input.ownerReferences = meta.ownerReferences;
    input.labels = meta.labels;
    const metadata = clean(input, true, true);
    // ApiObject.toJson(): clean({ ...props, metadata }), where cleaning the
    // metadata again would only copy it (it is clean and sorted already).
    const sortKeys = shared.sortKeys;
    // What clean() would refuse in the copy of props it used to make.
    if (own.call(props, 'constructor') || own.call(props, 'resolve') || 'resolve' in Object.prototype) return undefined;
    const keys = Object.keys(props);
    if (!own.call(props, 'metadata')) keys.push('metadata');
    if (sortKeys) sortByCodeUnit(keys);
    const json: Record<string, unknown> = {};
    for (const k of keys) {
      const v = k === 'metadata' ? metadata : clean(props[k], false, sortKeys);
      if (v !== null && v !== undefined) json[k] = v;
    }
    // apiVersion, kind and metadata first, then the rest in json's order
    // (`keys`, which json was filled in), without building an array of
    // json's keys and spreading it per object.
    const result: Record<string, unknown> = {};
    if ('apiVersion' in json) result.apiVersion = json.apiVersion;
    if ('kind' in json) result.kind = json.kind;
    if ('metadata' in json) result.metadata = json.metadata;
    for (const k of keys) if (own.call(json, k)) result[k] = json[k];
    return result;
  } catch {
    // Not plain data, or a getter threw: toJson() does it (and reports errors) its own way.
    return undefined;
  }
}
