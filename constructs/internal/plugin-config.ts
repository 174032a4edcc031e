/**
 * What a plugin config may hold to be written to a manifest as given, and
 * the copy that makes it writable. Shared by WasmPlugin and definePlugin;
 * kept out of wasm-plugin.ts, whose exports are the library's public API.
 */
import { Lazy } from 'cdk8s';
import { isCredential } from '../credentials';
import { MERGE_KEY } from '../../compiler/yaml';

type Trail = (string | number)[];

/** A trail as a message names it: `pluginConfig.rules[0].limits`. */
function printedTrail(trail: Trail): string {
  let out = 'pluginConfig';
  for (const p of trail) out += typeof p === 'number' ? `[${p}]` : `.${p}`;
  return out;
}

/** What a config member is that no manifest can hold, and how to write it instead. */
interface Unwritable {
  readonly what: string;
  /** Why no manifest holds it, when not because it is no JSON type. */
  readonly why?: string;
  readonly fix: string;
}

// Module-level, not built per call: the walk runs for every plugin of a mesh.
const DATE: Unwritable = { what: 'a Date', fix: 'Write the date as an ISO string: d.toISOString().' };
const MAP: Unwritable = { what: 'a Map', fix: 'Write it as a plain object: Object.fromEntries(map) (its keys must be strings).' };
const SET: Unwritable = { what: 'a Set', fix: 'Write it as a list: [...set].' };
const REGEXP: Unwritable = { what: 'a RegExp', fix: 'Write the pattern as a string, in the syntax the module reads: re.source.' };
const FUNCTION: Unwritable = { what: 'a function', fix: 'Call it and write what it returns, or leave the key out; a value known only at synth is a cdk8s Lazy: Lazy.any({ produce: () => ... }).' };
const SYMBOL: Unwritable = { what: 'a symbol', fix: 'Write a string in its place (sym.description holds its name).' };
const BIGINT: Unwritable = { what: 'a bigint', fix: 'Write it as a number (Number(n), exact up to 2^53 - 1) or, if the module reads one, a string (n.toString()).' };
// Synth refuses these too (output/unrepresentable), but only after the whole app is built, and without the policy line.
const NON_FINITE_FIX = 'Give it a finite number, or leave the key out. A NaN usually comes from Number() or parseInt() of a string that is no number, such as an unset environment variable.';
const NON_FINITE_WHY = 'neither YAML nor the JSON the API server reads can hold it';
const NAN: Unwritable = { what: 'NaN, a non-finite number', why: NON_FINITE_WHY, fix: NON_FINITE_FIX };
const INFINITY: Unwritable = { what: 'Infinity, a non-finite number', why: NON_FINITE_WHY, fix: NON_FINITE_FIX };
const NEGATIVE_INFINITY: Unwritable = { what: '-Infinity, a non-finite number', why: NON_FINITE_WHY, fix: NON_FINITE_FIX };

/** A non-plain object as a message names it. */
function unwritableObject(o: object): Unwritable {
  if (o instanceof Date) return DATE;
  if (o instanceof Map) return MAP;
  if (o instanceof Set) return SET;
  if (o instanceof RegExp) return REGEXP;
  const name = (o as { constructor?: { name?: unknown } }).constructor?.name;
  return {
    what: `an instance of ${typeof name === 'string' && name !== '' ? name : 'a class'}`,
    fix: 'Write the plain data the module reads: an object literal ({ ...instance } copies its own fields), or what its toJSON() returns if it has one.',
  };
}

/** Where the walk stopped, and why; `trail` is the walk's own array, read before anything else runs. */
type UnwritableAt =
  | { readonly kind: 'credential' | 'null' | 'protoKey' | 'constructorKey' | 'mergeKey'; readonly trail: Trail }
  | { readonly kind: 'value'; readonly trail: Trail; readonly value: Unwritable }
  | { readonly kind: 'cycle'; readonly trail: Trail; readonly back: Trail };

/**
 * The first member of `v`, at any depth, that no manifest can hold as
 * written. `ancestors[d]` is the list or map at depth `d` of `trail`, so a
 * cycle is an object met again among its own ancestors (one shared twice
 * side by side is only written twice). A module-level function taking its
 * state as arguments: no closure per plugin, no string unless it finds one.
 */
function firstUnwritable(v: unknown, trail: Trail, ancestors: object[], nullsWritable: boolean): UnwritableAt | undefined {
  switch (typeof v) {
    case 'number':
      if (Number.isFinite(v)) return undefined;
      return { kind: 'value', trail, value: v !== v ? NAN : v > 0 ? INFINITY : NEGATIVE_INFINITY };
    case 'string':
    case 'boolean':
    case 'undefined':
      return undefined;
    case 'function':
      return { kind: 'value', trail, value: FUNCTION };
    case 'symbol':
      return { kind: 'value', trail, value: SYMBOL };
    case 'bigint':
      return { kind: 'value', trail, value: BIGINT };
  }
  if (v === null) return undefined; // a null list item is kept; a null member is found by its map below
  const o = v as object;
  if (isCredential(o)) return { kind: 'credential', trail };
  // A cdk8s Lazy, or any object with a resolve() (a plain one too): cdk8s resolves it at synth, whatever it holds now.
  if (o instanceof Lazy || typeof (o as { resolve?: unknown }).resolve === 'function') return undefined;
  const seen = ancestors.indexOf(o);
  if (seen >= 0) return { kind: 'cycle', trail, back: trail.slice(0, seen) };
  if (Array.isArray(o)) {
    ancestors.push(o);
    for (let i = 0; i < o.length; i++) {
      trail.push(i);
      const hit = firstUnwritable(o[i], trail, ancestors, nullsWritable);
      if (hit !== undefined) return hit;
      trail.pop();
    }
    ancestors.pop();
    return undefined;
  }
  const proto = Object.getPrototypeOf(o);
  if (proto !== Object.prototype && proto !== null) {
    return { kind: 'value', trail, value: unwritableObject(o) };
  }
  if (Object.prototype.hasOwnProperty.call(o, '__proto__')) return { kind: 'protoKey', trail };
  if (Object.prototype.hasOwnProperty.call(o, 'constructor')) return { kind: 'constructorKey', trail };
  if (Object.prototype.hasOwnProperty.call(o, '<<')) return { kind: 'mergeKey', trail };
  ancestors.push(o);
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    const x = (o as Record<string, unknown>)[keys[i]];
    trail.push(keys[i]);
    if (x === null && !nullsWritable) return { kind: 'null', trail };
    const hit = firstUnwritable(x, trail, ancestors, nullsWritable);
    if (hit !== undefined) return hit;
    trail.pop();
  }
  ancestors.pop();
  return undefined;
}

/** Why a plugin config cannot be written as given, as an error says it. */
export interface ConfigProblem {
  readonly message: string;
  readonly fix: string;
  /** An own `__proto__` key: found only before any copy, which would make it the prototype. */
  readonly protoKey: boolean;
}

/**
 * The first member of a plugin config that no manifest can hold as
 * written: a Credential object (only BasicAuth reads those), a null member
 * unless `nullsWritable` (synth, like cdk8s, leaves it out, so the module
 * would not see the key), an own `__proto__`, `constructor` or `<<` key, a value that is not JSON
 * (a Date, Map, class instance, function, bigint...: cdk8s fails on it deep
 * inside serialization), NaN or an infinity, or a cycle. cdk8s Lazy values and tokens pass: they
 * resolve when the manifest is rendered. One walk for all of them: it runs
 * for every plugin.
 */
export function configProblem(config: unknown, nullsWritable: boolean): ConfigProblem | undefined {
  const found = firstUnwritable(config, [], [], nullsWritable);
  if (found === undefined) return undefined;
  const at = printedTrail(found.trail);
  switch (found.kind) {
    case 'credential':
      return { ...credentialInConfig(at), protoKey: false };
    case 'null':
      return {
        message: `${at} is null: the manifest cannot keep a null member (synth, like cdk8s, leaves it out), so the module would not see that key at all`,
        fix: 'Leave the key out where the module should not see it, or give it the value the module reads in its place.',
        protoKey: false,
      };
    case 'protoKey':
      return protoKeyProblemAt(found.trail);
    case 'constructorKey':
      return {
        message: `${at} has a key named "constructor": cdk8s, which writes the manifests, takes a key of that name for the class of the object and cannot write it (synth would fail with "can't render non-simple object")`,
        fix: 'Rename the key, or leave it out: a module that needs a key of that name cannot be configured through cdk8s.',
        protoKey: false,
      };
    case 'mergeKey':
      return { message: `${at} has a key named "<<": ${MERGE_KEY.why}`, fix: MERGE_KEY.fix, protoKey: false };
    case 'value':
      return {
        message: `${at} is ${found.value.what}: ${found.value.why ?? 'a manifest holds only strings, numbers, booleans, lists and maps, so cdk8s cannot write it'}`,
        fix: found.value.fix,
        protoKey: false,
      };
    case 'cycle':
      return {
        message: `${at} refers back to ${printedTrail(found.back)}, which contains it: a manifest is a tree and cannot hold a cyclic object`,
        fix: 'Write the repeated part out again (a copy: structuredClone(part)) instead of a reference to an object that contains it.',
        protoKey: false,
      };
  }
}

/**
 * An own `__proto__` key anywhere in the plain objects and arrays of a raw
 * config, as configProblem words it. For a config a definition's schema
 * parses first: zod's copy drops that key before configProblem sees the result.
 */
export function protoKeyProblem(config: unknown): ConfigProblem | undefined {
  const trail: Trail = [];
  return protoKeyIn(config, trail, []) ? protoKeyProblemAt(trail) : undefined;
}

function protoKeyProblemAt(trail: Trail): ConfigProblem {
  return {
    message: `${printedTrail(trail)} has a key named "__proto__": JavaScript makes such a key the prototype of every copy of the object, so the manifest would lose it without a word`,
    fix: 'Rename the key, or leave it out: a module that needs a key of that name cannot be configured from a JavaScript object.',
    protoKey: true,
  };
}

/**
 * Whether `v` holds an own `__proto__` key; `trail` is left at it. Walked as
 * firstUnwritable walks (one trail, no array per member): it runs for every
 * plugin of a definePlugin definition, BasicAuth's included.
 */
function protoKeyIn(v: unknown, trail: Trail, ancestors: object[]): boolean {
  if (typeof v !== 'object' || v === null || ancestors.includes(v)) return false;
  const isArray = Array.isArray(v);
  if (!isArray) {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return false;
    if (Object.prototype.hasOwnProperty.call(v, '__proto__')) return true;
  }
  ancestors.push(v);
  const keys = isArray ? undefined : Object.keys(v);
  const n = isArray ? (v as unknown[]).length : keys!.length;
  for (let i = 0; i < n; i++) {
    const k = isArray ? i : keys![i];
    trail.push(k);
    if (protoKeyIn((v as Record<string | number, unknown>)[k], trail, ancestors)) return true;
    trail.pop();
  }
  ancestors.pop();
  return false;
}

/** The error for a `Credential` object at `at` (`pluginConfig.auth.token`) of a config that is written as given. */
function credentialInConfig(at: string): { message: string; fix: string } {
  return {
    message: `${at} is a Credential object: only BasicAuth reads Credential objects (its rules' credentials); any other config is written to the manifest as given, and a Credential has no form there`,
    fix: "Give the module the value another way: a Flux placeholder string such as '${SHOP_TOKEN}', substituted at apply time (docs/security.md), or a vmConfig env entry. With definePlugin, list the key in secretKeys so no message prints it.",
  };
}

/**
 * `v` with every plain object and array copied, at any depth; a
 * null-prototype object becomes an ordinary one, which cdk8s can write.
 * Anything else is kept as given (a Lazy or token resolves at synth).
 */
export function copyPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyPlain);
  if (typeof v !== 'object' || v === null) return v;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = copyPlain(x);
  return out;
}

/**
 * A copy of the plain objects and arrays of a config, at every depth.
 * Anything else is kept as given: a cdk8s Lazy or token resolves when the
 * manifest is rendered, and copying it would lose its methods.
 */
export function copyConfig(config: Record<string, unknown>): Record<string, unknown> {
  // A defined plugin (BasicAuth, thousands in a mesh) passes {} and sets its parsed config afterwards.
  if (Object.keys(config).length === 0) return {};
  return copyPlain(config) as Record<string, unknown>;
}
