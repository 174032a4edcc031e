import type { IConstruct } from 'constructs';
import { z } from 'zod';
import type { Finding } from '../../analysis/finding';
import { isPolicyError, PolicyError } from '../errors';
import { quotableSecretsOf, withoutValues } from './known-secrets';
import { otherCopyOf, twoCopies } from './copies';
import { nearest } from './nearest';
import { callSiteOf, ownSourceOf, sourceOf } from './provenance';
import { deferredApiObjectOf } from './deferred-api-object';

/**
 * Attach a rule id to a zod refine/custom check (zod passes params only for
 * those, not for built-in checks such as .min), so a construct-time failure reports the
 * same rule id as the analysis would on the emitted manifest.
 */
export function ruleParams(rule: string, fix?: string): { params: { rule: string; fix?: string } } {
  return { params: { rule, fix } };
}

function describeReceived(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (typeof input === 'string') return JSON.stringify(input.length > 80 ? `${input.slice(0, 77)}...` : input);
  if (typeof input === 'number' || typeof input === 'boolean' || input === null) return String(input);
  if (Array.isArray(input)) return `an array of ${input.length}`;
  return typeof input;
}

// A schema is compiled on its COMPILE_AFTER-th parse: compiling costs ~3 ms
// per schema, which a small app would pay for a handful of parses.
const COMPILE_AFTER = 16;
const parsers = new WeakMap<z.ZodType, z.ZodType | number>();

/** Whether `schema` was built by this very zod, whose rules z.compile generates code from. */
function builtByOurZod(schema: z.ZodType): boolean {
  const v = (schema as { _zod?: { version?: { major?: unknown; minor?: unknown; patch?: unknown } } })._zod?.version;
  const own = z.core.version;
  return v !== undefined && v.major === own.major && v.minor === own.minor && v.patch === own.patch;
}

/**
 * The parser to use for `schema`: from its COMPILE_AFTER-th parse on, the
 * schema with zod's ahead-of-time parser installed (`z.compile`), 2-3x faster
 * per parse, and a mesh parses props twice per construct. A compiled parser
 * hands any parse it would fail to zod's runtime parser, so results and
 * issues are the same, and the schema itself is left as it was. A schema
 * built by another copy or version of zod (a plugin's `configSchema`) is
 * never compiled: the generated code follows this zod's rules, not its.
 */
export function fastParser<S extends z.ZodType>(schema: S): S {
  const known = parsers.get(schema);
  if (typeof known === 'object') return known as S;
  const count = (known ?? 0) + 1;
  if (count < COMPILE_AFTER) {
    parsers.set(schema, count);
    return schema;
  }
  const parser = builtByOurZod(schema) ? z.compile(schema) : schema;
  parsers.set(schema, parser);
  return parser;
}

const REPORT_INPUT = { reportInput: true };

/**
 * A zod issue path as messages print it (`rules[0].prefix`). Below a secret
 * key, a key that `schema` does not name is not shown: it may be the secret
 * itself (a record from API key to team).
 */
export function printedIssuePath(path: readonly PropertyKey[], secretKeys: readonly string[] = [], schema?: z.ZodType): string {
  let secret = false;
  const parts = path.map((p, i) => {
    const named = () => schema !== undefined && (keysAt(schema, path.slice(0, i)) ?? []).includes(String(p));
    const shown = typeof p === 'number' ? `[${p}]` : secret && !named() ? '[(a key, not shown)]' : `.${String(p)}`;
    if (secretKeys.includes(String(p))) secret = true;
    return shown;
  });
  return parts.join('').replace(/^\./, '');
}

/**
 * Parse props with a zod schema at construction. On failure, throw a
 * PolicyError naming the construct path, the prop, the value received (never
 * for a field marked secret) and how to fix it.
 */
export function parseProps<S extends z.ZodType>(
  scope: IConstruct,
  constructName: string,
  schema: S,
  props: unknown,
  options: { secretKeys?: string[]; nameFromId?: boolean; hideSecretsOf?: unknown } = {},
): z.output<S> {
  // The received value is worded from `reportInput`. A compiled parser
  // ignores it unless the parse fails (it then hands the parse, with it, to
  // the runtime parser); the runtime parser leaves its own fast path for it
  // (3x slower per parse), so there it is asked for only to explain a failure.
  const parser = fastParser(schema);
  const compiled = parser !== schema;
  const first = compiled ? parser.safeParse(props, REPORT_INPUT) : schema.safeParse(props);
  if (first.success) return first.data;
  const result = compiled ? first : schema.safeParse(props, REPORT_INPUT);
  if (result.success) return result.data;
  // Looked for only now: a parse that succeeds (thousands per mesh) has nothing
  // to hide. A value, not a callback: tsx would name a closure per construct.
  const hidden = options.hideSecretsOf !== undefined ? quotableSecretsOf(options.hideSecretsOf, options.secretKeys ?? []) : [];
  const findings: Finding[] = result.error.issues.map((issue) => {
    const params = hidingValues((issue as { params?: { rule?: string; fix?: string } }).params, hidden);
    // A schema a team wrote words its own messages, which may quote a secret value.
    const said = hidden.length > 0 ? withoutValues(issue.message, hidden) : issue.message;
    const prop = printedIssuePath(issue.path, options.secretKeys, schema);
    const other = otherCopyOf((issue as { input?: unknown }).input);
    if (other !== undefined) {
      // Not a wrong value: the right kind of object, from a copy whose classes this one cannot recognise.
      const { message, fix } = twoCopies(other);
      return { rule: 'library/two-copies', severity: 'error' as const, message: `${constructName} prop '${prop || '(props)'}' was ${message}`, fix, path: scope.node.path, source: sourceOf(scope) };
    }
    if (issue.code === 'unrecognized_keys') {
      // Below a secret key, a stray key may be the secret itself: counted, not named.
      const hidden = issue.path.some((p) => options.secretKeys?.includes(String(p)));
      const keys = ((issue as { keys?: string[] }).keys ?? []).map((k, i) => (hidden ? `(key #${i + 1}, not shown)` : k));
      const known = hidden ? undefined : keysAt(schema, issue.path);
      const near = keys.length === 1 && known ? nearest(keys[0], known) : undefined;
      return {
        rule: 'props/unknown',
        severity: 'error' as const,
        message: `${constructName} prop '${prop || '(props)'}' has no ${keys.length === 1 ? 'key' : 'keys'} ${keys.map((k) => `'${k}'`).join(', ')}${near ? ` (did you mean '${near}'?)` : ''}`,
        fix: `Remove or rename ${keys.map((k) => `'${k}'`).join(', ')}: a misspelt key would otherwise be ignored (docs/api.md lists the keys).`,
        path: scope.node.path,
        source: sourceOf(scope),
      };
    }
    const input = (issue as { input?: unknown }).input;
    // Under a secret key, nothing is shown. Elsewhere in props that hold
    // secrets, no string but a name either: a secret put where its parent
    // object (or a union) belongs fails at the parent's path, above the key.
    const secret =
      issue.path.some((p) => options.secretKeys?.includes(String(p))) ||
      ((options.secretKeys?.length ?? 0) > 0 && typeof input === 'string' && params?.rule !== 'names/rfc1123');
    const shown = describeReceived(input);
    // zod says it already for NaN, null, undefined... (`expected number, received NaN`), in its own word for undefined.
    const received = secret || said.endsWith(`received ${input === undefined ? 'undefined' : shown}`) ? '' : `; received ${shown}`;
    // A name taken from the construct id was never written as a prop: say where it came from.
    const fromId = options.nameFromId === true && issue.path.length === 1 && issue.path[0] === 'name';
    const fix = params?.fix ?? (prop ? `Correct '${prop}' in the ${constructName} props.` : `Pass the ${constructName} props as an object${propsShape(schema)}.`);
    return {
      rule: params?.rule ?? 'props/invalid',
      severity: 'error' as const,
      // A refinement's value is shown only for names: others may be
      // secrets or URLs with tokens in them, and their messages say enough.
      message: `${constructName} ${fromId ? 'id (its name, as no name prop was given)' : `prop '${prop || '(props)'}'`}: ${said}${issue.code !== 'custom' || params?.rule === 'names/rfc1123' ? received : ''}`,
      fix: fromId ? `${fix} Change the construct id, or keep it and pass a valid name prop.` : fix,
      path: scope.node.path,
      source: sourceOf(scope),
    };
  });
  throw new PolicyError(findings);
}

/** A refinement's params with `values` taken out of its fix. */
function hidingValues<P extends { fix?: string }>(params: P | undefined, values: readonly string[]): P | undefined {
  return params?.fix !== undefined && values.length > 0 ? { ...params, fix: withoutValues(params.fix, values) } : params;
}

/** A schema with its optional, nullable, default and readonly layers taken off (zod's public unwrap()). */
function unwrapped(s: z.ZodType): z.ZodType {
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault || s instanceof z.ZodReadonly) s = s.unwrap() as z.ZodType;
  return s;
}

/** The keys of the object schema at `path` in `schema` (optional and array layers looked through), if it is one. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let s: z.ZodType | undefined = schema;
  for (const p of path) {
    const at: z.ZodType = unwrapped(s);
    if (typeof p === 'number') s = at instanceof z.ZodArray ? (at.element as z.ZodType) : undefined;
    else s = at instanceof z.ZodObject ? (at.shape as Record<string, z.ZodType>)[String(p)] : undefined;
    if (!s) return undefined;
  }
  const at = unwrapped(s);
  return at instanceof z.ZodObject ? Object.keys(at.shape) : undefined;
}

/** ` ({ name, namespace })`: the keys of a props object, for a fix. */
function propsShape(schema: z.ZodType): string {
  const keys = keysAt(schema, []);
  return keys && keys.length > 0 && keys.length <= 8 ? ` ({ ${keys.join(', ')} })` : '';
}

/**
 * `{ ...props, ...extra }`, built with Object.assign: V8 in Node 20 pays ~2 µs
 * for a spread followed by more properties (~0.25 µs this way), and a mesh
 * builds several per construct (docs/performance.md).
 */
export function withProps<P extends object, E extends object>(props: P, extra: E): Omit<P, keyof E> & E {
  const proto: unknown = typeof props === 'object' && props !== null ? Object.getPrototypeOf(props) : null;
  if (proto === Object.prototype || proto === null) return Object.assign({}, props, extra);
  // A class instance (TypeScript takes one for a props interface) or an
  // Object.create() keeps props on its prototype chain, as getters or
  // inherited values, which Object.assign does not copy: an `owned` getter
  // was dropped without a word, while zod reads nested props through the chain.
  return Object.assign(prototypeProps(props), props, extra);
}

/** The values `props` inherits from its prototypes (getters read on `props`), methods and built-in prototypes left out. */
function prototypeProps(props: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const has = Object.prototype.hasOwnProperty;
  for (let o: object | null = Object.getPrototypeOf(props); o !== null && o !== Object.prototype && o !== Array.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
    for (const k of Object.getOwnPropertyNames(o)) {
      if (k === 'constructor' || k === '__proto__' || has.call(out, k)) continue;
      const d = Object.getOwnPropertyDescriptor(o, k);
      if (d === undefined || (d.get === undefined && typeof d.value === 'function')) continue;
      out[k] = (props as Record<string, unknown>)[k];
    }
  }
  return out;
}

// Ids a construct creates a child under later (on first use), so that
// vacant() refuses them when they are taken first, at the line that takes them.
const reservedIds = new WeakMap<IConstruct, { id: string; what: string }>();

/** Keep `id` in `scope` for a child it creates later (`what` it holds, for the message). */
export function reserveId(scope: IConstruct, id: string, what: string): void {
  reservedIds.set(scope, { id, what });
}

/** The id a construct's not yet created manifest will take (constructs/internal/deferred-api-object.ts). */
function deferredId(scope: IConstruct): { id: string; what: string } | undefined {
  const d = deferredApiObjectOf(scope);
  return d && !d.created ? { id: d.id, what: `its ${d.props.kind} manifest` } : undefined;
}

/** What kind of value `x` is, without the value (it may be a secret, or megabytes long). */
export function kindOf(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'nothing (undefined)';
  if (Array.isArray(x)) return 'an array';
  return typeof x === 'object' ? 'an object' : `a ${typeof x}`;
}

/**
 * Refuse props that are not an object (nor left out). TypeScript never lets
 * null, an array or a number through, but props read from JSON or passed as
 * `any` can be anything: reading a field of null failed with a bare
 * TypeError, and an array or a number passed as no props at all. Called
 * first in a constructor, before `super`: the finding names the path the
 * construct would have had, and the policy line.
 */
export function refuseNonObjectProps(scope: IConstruct, id: string, props: unknown, constructed: Function): void {
  if (props === undefined || (typeof props === 'object' && props !== null && !Array.isArray(props))) return;
  const name = classNameOf(constructed);
  const at = (scope as Partial<IConstruct> | undefined)?.node?.path;
  throw new PolicyError([
    {
      rule: 'props/invalid',
      severity: 'error',
      message: `${name} props are ${kindOf(props)}, not an object`,
      fix: `Pass the ${name} props as an object ({ ... }), or leave them out where all are optional (docs/api.md lists them).`,
      path: at ? `${at}/${id}` : String(id),
      source: callSiteOf(constructed),
    },
  ]);
}

/**
 * `scope`, once it is known to have no child `id` yet (nor keeps it for
 * one): called as `super(vacant(scope, id, new.target), id)`. The constructs
 * library refuses a taken id too, but its error names neither the construct
 * path nor the policy line (only the parent's class and id), and a mesh
 * reuses the same few ids ('waypoint', 'auth') in every namespace.
 */

export function vacant<S extends IConstruct>(scope: S, id: string, constructed: Function): S {
  // Not a construct, or no id: the constructs library's own error says so.
  if (typeof id !== 'string') return scope;
  // The library's refusal ("Only root constructs may have an empty ID") names neither the scope nor the class.
  if (id === '' && typeof (scope as Partial<IConstruct> | undefined)?.node?.path === 'string') {
    throw new PolicyError([
      {
        rule: 'construct/empty-id',
        severity: 'error',
        message: `the new ${constructed.name} in ${scope.node.path === '' ? 'the app' : `'${scope.node.path}'`} has an empty id: only the app itself may have one`,
        fix: 'Pass a non-empty id (a variable that held the id may have been empty): it names the construct in its path and, without a name prop, the object it emits.',
        path: scope.node.path,
        source: callSiteOf(constructed),
      },
    ]);
  }
  const existing = (scope as Partial<IConstruct> | undefined)?.node?.tryFindChild(id);
  const kept = existing === undefined ? reservedIds.get(scope) ?? deferredId(scope) : undefined;
  if (existing === undefined && kept?.id !== id) return scope;
  const where = scope.node.path;
  // Where the first one was created: often another policy file than the line that reuses its id.
  const first = existing && ownSourceOf(existing);
  const taken = existing
    ? `${where === '' ? 'the app' : `'${where}'`} already has a construct with id '${existing.node.id}' (class ${existing.constructor.name}${first ? `, created at ${first}` : ''})`
    : `'${where}' keeps the id '${id}' for ${kept!.what}`;
  throw new PolicyError([
    {
      rule: 'construct/duplicate-id',
      severity: 'error',
      message: `${taken}: the new ${constructed.name} needs an id of its own`,
      fix: existing
        ? 'Give each construct an id that is unique within its scope (the id argument, or the name a factory such as ReleasedLabels.ofService derives it from); objects of one kind in one namespace also need different names.'
        : 'Give the construct another id.',
      // The library's own form of the id ('/' becomes '--'), as the first construct's path shows it.
      path: existing ? existing.node.path : `${where}/${id}`,
      source: callSiteOf(constructed),
    },
  ]);
}

/**
 * Throw `library/two-copies` at `scope` when `x` was made by another copy of
 * the library, which this copy's records cannot see into. `subject` begins
 * the message ("targets[0] (Gateway edge) was"); `source`, when given, is
 * where to blame instead of the construct's own line (read only on failure).
 */
export function refuseOtherCopy(scope: IConstruct, x: unknown, subject: () => string, source?: () => string | undefined): void {
  const copy = otherCopyOf(x);
  if (copy === undefined) return;
  const { message, fix } = twoCopies(copy);
  fail(scope, 'library/two-copies', `${subject()} ${message}`, fix, source ? source() : sourceOf(scope));
}

/**
 * `e` again, its findings at `path` pointing at `source`: a construct that
 * refuses props through a probe or before it exists (BasicAuth's rules, the
 * plugins, MeshBaseline, stampAcrossNamespaces) names the line that called it,
 * not the one that created its scope.
 */
export function blamedOn(e: PolicyError, path: string | undefined, source: string | undefined): PolicyError {
  return new PolicyError(e.findings.map((f) => (f.path === path ? { ...f, source } : f)));
}

/** Throw one construct-time finding. */
export function fail(scope: IConstruct, rule: string, message: string, fix: string, source: string | undefined = sourceOf(scope)): never {
  throw new PolicyError([{ rule, severity: 'error', message, fix, path: scope.node.path, source }]);
}


/**
 * Refuse props a construct does not take. zod drops unknown keys, and
 * TypeScript's excess-property check misses props built by spreading or in
 * plain JavaScript: a misspelt `failstrategy` or `host` would otherwise be
 * ignored without a word.
 */
export function refuseUnknownProps(scope: IConstruct, constructName: string, props: object, known: ReadonlySet<string>): void {
  // Runs for most constructs of a mesh: nothing is allocated unless a key is unknown.
  let allKnown = true;
  for (const k in props) {
    if (Object.prototype.hasOwnProperty.call(props, k) && !known.has(k)) {
      allKnown = false;
      break;
    }
  }
  if (allKnown) return;
  const unknown = Object.keys(props).filter((k) => !known.has(k));
  throw new PolicyError(
    unknown.map((k) => {
      const near = nearest(k, known);
      return {
        rule: 'props/unknown',
        severity: 'error' as const,
        message: `${constructName} has no prop '${k}'${near ? ` (did you mean '${near}'?)` : ''}`,
        fix: near ? `Rename '${k}' to '${near}'.` : `Remove '${k}'; ${constructName} takes ${[...known].sort().join(', ')}.`,
        path: scope.node.path,
        source: sourceOf(scope),
      };
    }),
  );
}

const isPluralPair = (a: string, b: string) => a === `${b}s` || b === `${a}s` || a === `${b}es` || b === `${a}es`;

/**
 * For a team's subclass of a library construct, whose own props are not
 * known here: refuse only the keys that misspell one its library parent
 * takes (`priorty`), which the parent would otherwise drop without a word.
 * The singular or plural of one (`target`, `rule`) is taken for the
 * subclass's own; any other own prop that looks like a parent's is declared
 * with `checkProps`.
 */
export function refuseMisspeltProps(scope: IConstruct, constructName: string, props: object, known: ReadonlySet<string>): void {
  const misspelt: [string, string][] = [];
  for (const k in props) {
    if (!Object.prototype.hasOwnProperty.call(props, k) || known.has(k)) continue;
    const near = nearest(k, known);
    // A singular or plural of a parent prop is a subclass's own natural name (`target` beside `targets`), not a typo.
    if (near !== undefined && !isPluralPair(k, near)) misspelt.push([k, near]);
  }
  if (misspelt.length === 0) return;
  throw new PolicyError(
    misspelt.map(([k, near]) => ({
      rule: 'props/unknown',
      severity: 'error' as const,
      message: `${constructName} has no prop '${k}' (did you mean '${near}'?): its parent class drops keys it does not take`,
      fix: `Rename '${k}' to '${near}'. If '${k}' is a prop of ${constructName}'s own, declare its props: checkProps(${constructName}, ['${k}']).`,
      path: scope.node.path,
      source: sourceOf(scope),
    })),
  );
}

// Every prop a library construct class takes, and a team's subclass once
// `checkProps` declared its own: constructing exactly such a class refuses
// any other key.
const declaredProps = new WeakMap<Function, ReadonlySet<string>>();

/** Declare every prop `cls` (a library construct class) takes. */
export function declareConstructProps(cls: Function, keys: Iterable<string>): void {
  declaredProps.set(cls, new Set(keys));
}

/** Whether `cls` itself declared its props. */
export function declaresProps(cls: Function): boolean {
  return declaredProps.has(cls);
}

/** The props of the nearest class above `cls` that declared them, if any. */
export function inheritedProps(cls: Function): ReadonlySet<string> | undefined {
  for (let c = Object.getPrototypeOf(cls); c; c = Object.getPrototypeOf(c)) {
    const known = declaredProps.get(c);
    if (known) return known;
  }
  return undefined;
}

/**
 * Refuse the keys `constructed` (the class `new` was called on) does not
 * take. A class that declared its props (the library's own, or a subclass
 * given to `checkProps`) is refused every other key; a team's subclass that
 * did not is refused only keys that misspell one of its parent's, which the
 * parent would drop without a word, so its own props keep working.
 */
export function refuseUndeclaredProps(scope: IConstruct, constructed: Function, props: unknown): void {
  if (typeof props !== 'object' || props === null) return;
  const own = declaredProps.get(constructed);
  if (own) return refuseUnknownProps(scope, constructed.name, props, own);
  const parent = inheritedProps(constructed);
  if (parent) refuseMisspeltProps(scope, classNameOf(constructed), props, parent);
}

/**
 * `parse()` a construct's props and refuse the keys `constructed` does not
 * take (`refuseUndeclaredProps`), reporting both in one PolicyError: thrown
 * one after the other, a misspelt prop would hide the invalid values, or
 * the other way round, until the next run.
 */
export function parseDeclaredProps<T>(scope: IConstruct, constructed: Function, props: unknown, parse: () => T): T {
  const undeclared = undeclaredProps(scope, constructed, props);
  let parsed: T;
  try {
    parsed = parse();
  } catch (e) {
    if (!isPolicyError(e) || undeclared.length === 0) throw e;
    throw new PolicyError([...undeclared, ...e.findings]);
  }
  if (undeclared.length > 0) throw new PolicyError(undeclared);
  return parsed;
}

/** What `refuseUndeclaredProps` would throw, as findings to report with others. */
export function undeclaredProps(scope: IConstruct, constructed: Function, props: unknown): readonly Finding[] {
  try {
    refuseUndeclaredProps(scope, constructed, props);
    return [];
  } catch (e) {
    if (isPolicyError(e)) return e.findings;
    throw e;
  }
}

/** The name of `cls`, or of its nearest named parent for an anonymous class (`class extends Waypoint {}`). */
function classNameOf(cls: Function): string {
  for (let c = cls; c; c = Object.getPrototypeOf(c)) if (c.name) return c.name;
  return 'construct';
}

const shapeKeys = new WeakMap<z.ZodObject, ReadonlySet<string>>();

/**
 * `refuseUnknownProps` with the keys of the construct's object schema. Call
 * it only when the construct is built as exactly its own class
 * (`new.target === Waypoint`): a team's subclass may take props of its own.
 */
export function refusePropsOutside(scope: IConstruct, constructName: string, props: unknown, schema: z.ZodObject): void {
  if (typeof props !== 'object' || props === null) return;
  let known = shapeKeys.get(schema);
  if (!known) shapeKeys.set(schema, (known = new Set(Object.keys(schema.shape))));
  refuseUnknownProps(scope, constructName, props, known);
}
