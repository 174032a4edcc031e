import { Construct } from 'constructs';
import { z } from 'zod';
import type { Severity } from '../analysis/finding';
import { parseProps } from './internal/validate';
import { PluginPhase, WasmPlugin, WasmPluginOptions } from './wasm-plugin';

/** A problem a plugin definition finds in a (wire-format) pluginConfig. */
export interface PluginConfigIssue {
  readonly rule: string;
  readonly severity: Severity;
  /** Must never contain a credential value. */
  readonly message: string;
  readonly fix?: string;
}

export interface PluginDefinition<C extends Record<string, unknown> = Record<string, unknown>> {
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
  /** zod schema of the module's pluginConfig, exactly as the module reads it. */
  readonly configSchema: z.ZodType<C>;
  /**
   * Semantic checks beyond the schema (what the module would refuse or can
   * never match). Runs at synth and in `validate --manifests`.
   *
   * @default - none
   */
  readonly analyze?: (config: C) => PluginConfigIssue[];
  /** Keys of pluginConfig whose values are secret and never printed. @default [] */
  readonly secretKeys?: string[];
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

/** The construct class `definePlugin` returns. */
export interface DefinedPluginClass<C extends Record<string, unknown>> {
  new (scope: Construct, id: string, props: DefinedPluginProps<C>): WasmPlugin;
  readonly definition: PluginDefinition<C>;
}

const registry = new Map<string, PluginDefinition<Record<string, unknown>>>();

/** The identity of a module: its location without scheme, tag or digest. */
export function moduleId(url: string): string {
  const noScheme = url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '');
  const noDigest = noScheme.replace(/@sha256:[a-f0-9]+$/, '');
  const lastSlash = noDigest.lastIndexOf('/');
  const tagAt = noDigest.indexOf(':', lastSlash + 1);
  return tagAt >= 0 ? noDigest.slice(0, tagAt) : noDigest;
}

/** The definition registered for a module URL, if any (for `validate --manifests`). */
export function pluginDefinitionFor(url: string): PluginDefinition<Record<string, unknown>> | undefined {
  return registry.get(moduleId(url));
}

/** All registered definitions, by module id. */
export function registeredPlugins(): ReadonlyMap<string, PluginDefinition<Record<string, unknown>>> {
  return registry;
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
export function definePlugin<C extends Record<string, unknown>>(definition: PluginDefinition<C>): DefinedPluginClass<C> {
  const def = definition as unknown as PluginDefinition<Record<string, unknown>>;
  registry.set(moduleId(definition.url), def);

  class DefinedPlugin extends WasmPlugin {
    public static readonly definition = definition;

    constructor(scope: Construct, id: string, props: DefinedPluginProps<C>) {
      super(scope, id, {
        ...props,
        url: props.url ?? definition.url,
        sha256: props.sha256 ?? (props.url ? undefined : definition.sha256),
        phase: props.phase ?? definition.defaultPhase,
        pluginConfig: {},
      });
      // Validated after super() so the error names this construct's path.
      this.spec.pluginConfig = parseProps(this, `${definition.name} pluginConfig`, definition.configSchema, props.pluginConfig, {
        secretKeys: definition.secretKeys,
      });
    }
  }
  Object.defineProperty(DefinedPlugin, 'name', { value: toClassName(definition.name) });
  return DefinedPlugin;
}

function toClassName(name: string): string {
  return name.replace(/(^|[-_])([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
}
