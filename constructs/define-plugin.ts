import { Construct } from 'constructs';
import { z } from 'zod';
import type { Severity } from '../analysis/finding';
import type { RuleInfo } from '../analysis/rule';
import { PolicyError } from './errors';
import { callSiteOf } from './internal/provenance';
import { nearest } from './internal/nearest';
import { configProblem, copyPlain, protoKeyProblem } from './internal/plugin-config';
import { isSecretKeyName, SECRET_CONFIG_KEYS } from './internal/secret-keys';
import { fail, parseProps, refuseNonObjectProps, refuseUnknownProps, withProps } from './internal/validate';
import { withoutDigest } from './internal/module-url';
import { declareProps, PluginPhase, WasmPlugin, WasmPluginOptions } from './wasm-plugin';

/** A problem a plugin definition finds in a (wire-format) pluginConfig. */
export interface PluginConfigIssue {
  /**
   * The rule id, `<plugin name>/<problem>` (`tenant-quota/too-high`); document
   * it in the definition's `rules` so docs/rules.md and `--json` users can
   * look it up.
   */
  readonly rule: string;
  /** `error` when the module refuses the config or it can never work; `warning` when it works, but not as people expect. */
  readonly severity: Severity;
  /** What is wrong, in one sentence. Must never contain a credential value. */
  readonly message: string;
  /**
   * How to fix it.
   *
   * @default - the fix documented for `rule` in the definition's `rules`
   */
  readonly fix?: string;
}

/**
 * What the request simulator can say about a plugin it has no model of. The
 * simulator reads it so that it reports "not simulated: <reason>" (or
 * pass-through) instead of guessing.
 */
export type PluginSimulationNote =
  | {
      /** The simulator cannot predict this plugin's decision per request. */
      readonly supported: false;
      /** Why, in a few words ("depends on the OPA server"). */
      readonly reason: string;
    }
  | {
      /** The plugin never changes a request or a response (telemetry). */
      readonly supported: true;
      /** The simulator may treat it as pass-through. */
      readonly passThrough: true;
      /** Why that is safe ("telemetry only"). */
      readonly reason: string;
    };

/** What `analyze` may know beyond the config (when the caller passes it). */
export interface PluginAnalysisContext {
  /** The WasmPlugin's `spec.url` (a version tag tells which build of the module runs). */
  readonly url?: string;
}

/**
 * `C` is the config as the schema outputs it (what `analyze` reads), `I` as
 * policies write it (the schema's input: a field with a `.default()` may be
 * left out). They differ only for schemas with defaults; a schema typed
 * `z.ZodType<C>` (input unknown) is written as `C`.
 */
export interface PluginDefinition<C extends object = Record<string, unknown>, I = unknown> {
  /** A short kebab-case name, used in messages and docs (`basic-auth`). */
  readonly name: string;
  /** The module, ideally an `oci://` reference with a version tag. */
  readonly url: string;
  /**
   * The module digest that `url` is pinned to.
   *
   * @default - none: users should pass `sha256` (the analysis warns)
   */
  readonly sha256?: string;
  /** The phase the plugin belongs in. */
  readonly defaultPhase: PluginPhase;
  /**
   * Whether the module authenticates or authorizes requests (answers 401 or
   * 403 from a credential or a policy), in whatever phase it is put: the
   * analysis then treats it as an auth plugin (`plugin/fail-open-auth`,
   * `plugin/ambiguous-order`). Set it to false for a module that sits in
   * AUTHN only to run early (a rate limiter) and decides nothing about who
   * the caller is.
   *
   * @default - true when defaultPhase is AUTHN or AUTHZ
   */
  readonly decidesAccess?: boolean;
  /**
   * zod schema of the module's pluginConfig, exactly as the module reads it.
   * What it outputs is emitted (defaults filled in), so its output must also
   * be valid input: no transform that changes a value's type.
   */
  readonly configSchema: z.ZodType<C, I>;
  /**
   * Semantic checks beyond the schema (what the module would refuse or can
   * never match). Runs at synth and in `validate --manifests`.
   *
   * @default - none
   */
  analyze?(config: C, context?: PluginAnalysisContext): PluginConfigIssue[];
  /** Keys of pluginConfig whose values are secret and never printed. @default [] */
  readonly secretKeys?: string[];
  /**
   * What the request simulator should say about this plugin when it has no
   * model of it.
   *
   * @default - none: the simulator uses its own model of the plugin if it has one, else reports it as not simulated
   */
  readonly simulation?: PluginSimulationNote;
  /**
   * Documentation of the rule ids the schema and `analyze` report (each
   * `<name>/<problem>`), for the rules reference (docs/rules.md).
   *
   * @default []
   */
  readonly rules?: readonly RuleInfo[];
}

export interface DefinedPluginProps<C> extends WasmPluginOptions {
  /** The module's configuration, validated against the definition's schema. */
  readonly pluginConfig: C;
  /**
   * Override the module URL (e.g. a mirror of the same image).
   *
   * @default - the definition's url
   */
  readonly url?: string;
}

/** The config as a policy writes it: the schema's input, or `C` when the schema does not say. */
export type PluginConfigInput<C, I> = unknown extends I ? C : I;

/** The construct class `definePlugin` returns. */
export interface DefinedPluginClass<C extends object, I = unknown> {
  new (scope: Construct, id: string, props: DefinedPluginProps<PluginConfigInput<C, I>>): WasmPlugin;
  readonly definition: PluginDefinition<C, I>;
}

type AnyDefinition = PluginDefinition<Record<string, unknown>>;

const registry = new Map<string, AnyDefinition>();
let catalogueLoaded = false;

/**
 * Make sure the built-in catalogue is registered before a lookup, so that
 * `validate --manifests` knows every catalogue module even when no policy
 * imported it. Loaded lazily (not imported at the top) because the catalogue
 * modules import this one. A definition registered by the user for the same
 * module is kept: the user's definition wins.
 */
function ensureCatalogue(): void {
  if (catalogueLoaded) return;
  catalogueLoaded = true;
  const before = new Map(registry);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./plugins/catalogue');
  for (const [id, def] of before) registry.set(id, def);
}

/** The identity of a module: its location without scheme, tag or digest. */
export function moduleId(url: string): string {
  const noScheme = withoutUserinfo(url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, ''));
  const noDigest = withoutDigest(noScheme);
  const lastSlash = noDigest.lastIndexOf('/');
  const tagAt = noDigest.indexOf(':', lastSlash + 1);
  return tagAt >= 0 ? noDigest.slice(0, tagAt) : noDigest;
}

/**
 * Mirrors (a construct given `url`) by their exact reference: a registry may
 * hold several modules under one repository, told apart only by tag
 * (`mirror.acme/wasm:basic-auth-1.12.0`, `mirror.acme/wasm:local-rate-limit-1.12.0`).
 */
const mirrors = new Map<string, AnyDefinition>();
function mirrorKey(url: string): string {
  return withoutUserinfo(url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, ''));
}

/** `host/path` without a `user:password@` before the host: a credential never becomes part of a key or a manifest. */
function withoutUserinfo(noScheme: string): string {
  const slash = noScheme.indexOf('/');
  const host = slash >= 0 ? noScheme.slice(0, slash) : noScheme;
  const at = host.lastIndexOf('@');
  return at >= 0 ? noScheme.slice(at + 1) : noScheme;
}

/** `url` without its `user:password@`, scheme kept. */
function redactedForManifest(url: string): string {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(url)?.[0] ?? '';
  return scheme + withoutUserinfo(url.slice(scheme.length));
}

/** Annotation on a WasmPlugin pulled from a mirror: the url of the module it mirrors. */
export const MIRROR_OF_ANNOTATION = 'waypoint-policy.io/mirror-of';

/**
 * Register `definition` for a mirror of its module. An explicit definePlugin
 * for the mirror's own module still wins.
 */
function registerMirror(url: string, definition: AnyDefinition): void {
  // Only by exact reference: a guess by repository would take another module under it for this one.
  mirrors.set(mirrorKey(url), definition);
}

/**
 * A manifest says `url` mirrors the module at `original` (its
 * MIRROR_OF_ANNOTATION): learn it, so that a process that only reads
 * manifests checks and simulates it as the original.
 */
export function learnMirror(url: string, original: string): void {
  const definition = pluginDefinitionFor(original);
  if (definition && moduleId(url) !== moduleId(original)) registerMirror(url, definition);
}

/** The definition registered for a module URL, if any (for `validate --manifests`). */
export function pluginDefinitionFor(url: string): AnyDefinition | undefined {
  ensureCatalogue();
  const id = moduleId(url);
  return registry.get(id) ?? mirrors.get(mirrorKey(url));
}

/** All registered definitions (the built-in catalogue and every `definePlugin` so far), by module id. */
export function registeredPlugins(): ReadonlyMap<string, AnyDefinition> {
  ensureCatalogue();
  return registry;
}

const KEBAB = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const definitionSchema = z.object({
  name: z.string().regex(KEBAB, { message: 'name must be kebab-case (lower-case letters, digits and "-"): it prefixes rule ids and messages' }),
  url: z.string().min(1, { message: 'url is required' }),
  sha256: z.string().regex(/^[a-f0-9]{64}$/, { message: 'sha256 must be 64 lower-case hex characters (the digest without "sha256:")' }).optional(),
  defaultPhase: z.enum(PluginPhase, { message: 'defaultPhase must be a PluginPhase' }),
  decidesAccess: z.boolean({ message: 'decidesAccess must be true or false' }).optional(),
  // A zod 3 schema (a project's own `zod` dependency) has safeParse too, but not the `_zod` internals this library reads.
  configSchema: z.custom<z.ZodType>((v) => typeof (v as { safeParse?: unknown })?.safeParse === 'function' && typeof (v as { _zod?: unknown })._zod === 'object', {
    error: (issue) =>
      typeof (issue.input as { safeParse?: unknown } | undefined)?.safeParse === 'function'
        ? "a zod 3 schema, and the library reads zod 4 ones: import { z } from 'waypoint-policy' (not from your project's own 'zod')"
        : 'configSchema must be a zod schema',
  }),
  analyze: z.custom<(c: unknown) => unknown>((v) => typeof v === 'function', { message: 'analyze must be a function' }).optional(),
  secretKeys: z.array(z.string().min(1)).optional(),
  simulation: z
    .union([
      z.object({ supported: z.literal(false), reason: z.string().min(1) }).strict(),
      z.object({ supported: z.literal(true), passThrough: z.literal(true), reason: z.string().min(1) }).strict(),
    ], { message: 'simulation must be { supported: false, reason } or { supported: true, passThrough: true, reason }' })
    .optional(),
  rules: z
    .array(z.object({ id: z.string(), severity: z.enum(['error', 'warning']), docs: z.object({ summary: z.string(), bad: z.string(), message: z.string(), fix: z.string() }) }))
    .optional(),
}).superRefine((d, ctx) => {
  for (const [i, r] of (d.rules ?? []).entries()) {
    if (!r.id.startsWith(`${d.name}/`)) {
      ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `rule id '${r.id}' must start with '${d.name}/' so findings name the plugin` });
    }
  }
});

// Schema nodes whose values hold no object keys of their own.
const LEAF_TYPES = new Set(['string', 'number', 'int', 'boolean', 'bigint', 'literal', 'enum', 'null', 'undefined', 'nan', 'date', 'template_literal', 'void', 'never']);

/**
 * Every object key `schema` can hold, at any depth, or undefined when it
 * cannot say (a value of any shape: `z.unknown()`, a catchall, a lazy or
 * custom schema). What `secretKeys` are checked against.
 */
function schemaKeys(schema: z.ZodType): Set<string> | undefined {
  const keys = new Set<string>();
  const seen = new Set<unknown>();
  const walk = (node: z.ZodType): boolean => {
    if (seen.has(node)) return true;
    seen.add(node);
    const def = node._zod.def as unknown as Record<string, unknown> & { type: string };
    const inner = (x: unknown) => walk(x as z.ZodType);
    switch (def.type) {
      case 'object':
        if (def.catchall !== undefined && (def.catchall as z.ZodType)._zod.def.type !== 'never') return false;
        for (const [k, v] of Object.entries(def.shape as Record<string, z.ZodType>)) {
          keys.add(k);
          if (!walk(v)) return false;
        }
        return true;
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'readonly':
      case 'nonoptional':
      case 'catch':
        return inner(def.innerType);
      case 'array':
        return inner(def.element);
      case 'record': {
        // A record keyed by an enum or literals names its keys: `z.record(z.enum(['read', 'write']), ...)`.
        const keyDef = (def.keyType as z.ZodType)._zod.def as unknown as { type: string; entries?: Record<string, unknown>; values?: unknown[] };
        if (keyDef.type === 'enum') for (const v of Object.values(keyDef.entries ?? {})) keys.add(String(v));
        if (keyDef.type === 'literal') for (const v of keyDef.values ?? []) keys.add(String(v));
        return inner(def.valueType);
      }
      case 'union':
        return (def.options as z.ZodType[]).every(walk);
      case 'intersection':
        return inner(def.left) && inner(def.right);
      case 'tuple':
        return (def.items as z.ZodType[]).every(walk) && (def.rest === undefined || def.rest === null || inner(def.rest));
      case 'pipe':
        return inner(def.in) && inner(def.out);
      default:
        return LEAF_TYPES.has(def.type);
    }
  };
  return walk(schema) ? keys : undefined;
}

/**
 * `secretKeys` entries that name no key the config schema can hold, with the
 * keys it can: a misspelt one hides nothing, and the value it meant is
 * printed in clear (a `diff` of the plugin shows it). A schema that can hold
 * any key is not judged.
 */
function unknownSecretKeys(definition: { configSchema: z.ZodType; secretKeys?: string[] }): { unknown: string[]; known: string[] } {
  // Another zod (a second copy, v3) is not walked: its nodes are not this one's.
  const keys = definition.secretKeys?.length && definition.configSchema instanceof z.ZodType ? schemaKeys(definition.configSchema) : undefined;
  if (keys === undefined) return { unknown: [], known: [] };
  return { unknown: definition.secretKeys!.filter((k) => !keys.has(k)), known: [...keys].sort() };
}

/** Validate a definition; a mistake is a PolicyError (`plugin/definition`), never a stack trace. */
function checkDefinition(definition: unknown): void {
  const result = definitionSchema.safeParse(definition);
  if (result.success) {
    // The schema parsed the definition: its configSchema is a zod schema and its secretKeys strings.
    const d = definition as { name: string; configSchema: z.ZodType; secretKeys?: string[] };
    const { unknown, known } = unknownSecretKeys(d);
    if (unknown.length === 0) return;
    throw new PolicyError(
      unknown.map((k) => {
        const near = nearest(k, known);
        return {
          rule: 'plugin/definition',
          severity: 'error' as const,
          message: `definePlugin('${d.name}') secretKeys: '${k}' is no key of the configSchema (its keys: ${known.join(', ') || 'none'}), so the value it was meant to hide would be printed in clear`,
          fix: `Name the config key whose value is secret exactly as the schema does${near ? ` ('${near}'?)` : ''}.`,
          source: callSiteOf(definePlugin),
        };
      }),
    );
  }
  const name = typeof (definition as { name?: unknown })?.name === 'string' ? (definition as { name: string }).name : '(unnamed)';
  const source = callSiteOf(definePlugin);
  throw new PolicyError(
    result.error.issues.map((issue) => ({
      rule: 'plugin/definition',
      severity: 'error' as const,
      message: `definePlugin('${name}') ${issue.path.map(String).join('.') || 'definition'}: ${issue.message}`,
      fix: 'Correct the definition passed to definePlugin(); see docs/library.md.',
      // A definition is no construct, so no path: the call is what to point at
      // (a team package may define several).
      source,
    })),
  );
}

/**
 * The top-level keys of an object schema that drops unknown keys (zod's
 * default), or undefined when the schema decides about them itself (strict,
 * passthrough, a catchall) or is not an object.
 */
export function strippedObjectKeys(schema: z.ZodType): ReadonlySet<string> | undefined {
  if (!(schema instanceof z.ZodObject) || schema._zod.def.catchall !== undefined) return undefined;
  return new Set(Object.keys(schema.shape));
}

const secretKeysByDefinition = new WeakMap<object, string[]>();

/**
 * The config keys whose values a definition's plugins never print: its
 * `secretKeys`, and the keys diff treats as secret in any config (the fixed
 * ones, and every key of its schema named like a credential): a definition
 * that lists no secretKeys may still hold a `password` or a `client_secret`.
 */
export function secretKeysOf(definition: { configSchema: z.ZodType; secretKeys?: readonly string[] }): string[] {
  let keys = secretKeysByDefinition.get(definition);
  if (!keys) {
    const named = [...(schemaKeys(definition.configSchema) ?? [])].filter(isSecretKeyName);
    keys = [...new Set([...SECRET_CONFIG_KEYS, ...named, ...(definition.secretKeys ?? [])])];
    secretKeysByDefinition.set(definition, keys);
  }
  return keys;
}

/**
 * Define a typed plugin construct from a module URL, a default phase and a
 * zod schema for its config. The config is validated at construction, and
 * (through the registry, keyed by module) in `validate --manifests`.
 *
 * @example
 * const HeaderStamp = definePlugin({
 *   name: 'header-stamp',
 *   url: 'oci://registry.example.com/wasm/header-stamp:1.0.0',
 *   defaultPhase: PluginPhase.STATS,
 *   configSchema: z.object({ header: z.string().min(1) }),
 * });
 * new HeaderStamp(ns, 'stamp', { targets: [waypoint], pluginConfig: { header: 'x-team' } });
 */
export function definePlugin<C extends object, I = unknown>(definition: PluginDefinition<C, I>): DefinedPluginClass<C, I> {
  checkDefinition(definition);
  // Registering is the only effect: in memory, so importing a module that
  // defines plugins stays free of side effects on disk or environment.
  registry.set(moduleId(definition.url), definition as unknown as AnyDefinition);

  const knownKeys = strippedObjectKeys(definition.configSchema);
  const secretKeys = secretKeysOf(definition);
  // zod builds every object and list of what an object, record or array
  // schema outputs; a schema of any shape (z.any(), z.unknown() values, a
  // passthrough, a custom or lazy schema) hands back the caller's own, which
  // may be a null-prototype object that cdk8s cannot write, or be changed
  // after construction. Only those are copied: BasicAuth, thousands in a
  // mesh, is rebuilt by zod already.
  const passesObjectsThrough = !(definition.configSchema instanceof z.ZodType) || schemaKeys(definition.configSchema) === undefined;

  class DefinedPlugin extends WasmPlugin {
    public static readonly definition = definition;

    constructor(scope: Construct, id: string, props: DefinedPluginProps<PluginConfigInput<C, I>>) {
      refuseNonObjectProps(scope, id, props, new.target);
      super(
        scope,
        id,
        withProps(props, {
          url: props.url ?? definition.url,
          // The definition's pin holds for its own url; another url (a mirror, another tag) is another image.
          sha256: props.sha256 ?? (props.url !== undefined && props.url !== definition.url ? undefined : definition.sha256),
          phase: props.phase ?? definition.defaultPhase,
          pluginConfig: {},
        }),
      );
      // Validated after super() so the error names this construct's path;
      // a refused config takes the plugin out of the tree again.
      try {
        // zod drops keys an object schema does not list: a misspelt key would vanish from the manifest without a word.
        if (knownKeys && typeof props.pluginConfig === 'object' && props.pluginConfig !== null) {
          refuseUnknownProps(this, `${definition.name} pluginConfig`, props.pluginConfig, knownKeys);
        }
        // A record schema's copy would drop an own __proto__ key before configProblem sees the result.
        const protoKey = protoKeyProblem(props.pluginConfig);
        if (protoKey !== undefined) fail(this, 'props/invalid', `${definition.name} ${protoKey.message}`, protoKey.fix);
        const parsed: unknown = parseProps(this, `${definition.name} pluginConfig`, definition.configSchema, props.pluginConfig, {
          secretKeys,
          hideSecretsOf: props.pluginConfig,
        });
        // A schema of z.any() or z.record(z.string(), z.unknown()) lets through what cdk8s then fails on deep inside serialization.
        // Null members are not refused here: a schema that takes null has decided that itself.
        const problem = configProblem(parsed, true);
        if (problem !== undefined) fail(this, 'props/invalid', `${definition.name} ${problem.message}`, problem.fix);
        this.spec.pluginConfig = passesObjectsThrough ? copyPlain(parsed) : parsed;
      } catch (e) {
        scope.node.tryRemoveChild(this.node.id);
        throw e;
      }
      // A mirror of the module is the same module: the analysis and the
      // simulator look definitions up by the emitted url, so teach it this
      // one, and say so in the manifest for processes that only read it.
      if (props.url !== undefined && moduleId(props.url) !== moduleId(definition.url)) {
        registerMirror(props.url, definition as unknown as AnyDefinition);
        this.annotate(MIRROR_OF_ANNOTATION, redactedForManifest(definition.url));
      }
    }
  }
  Object.defineProperty(DefinedPlugin, 'name', { value: toClassName(definition.name) });
  declareProps(DefinedPlugin, []);
  return DefinedPlugin;
}

function toClassName(name: string): string {
  return name.replace(/(^|[-_])([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
}
