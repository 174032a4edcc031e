import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { z } from 'zod';
import { namespaceOf, targetNameOf } from './app';
import { ACKNOWLEDGED_RULES, Acknowledgements, acknowledgementKey } from './acknowledgements';
import { DeferredApiObject } from './internal/deferred-api-object';
import { configProblem, copyPlain } from './internal/plugin-config';
import { recordSource } from './internal/provenance';
import { dnsSubdomain, isLabelKey, isLabelValue, quotedLabel, stringMap } from './internal/schemas';
import { declareConstructProps, fail, parseDeclaredProps, parseProps, refuseNonObjectProps, refuseOtherCopy, ruleParams, vacant, withProps } from './internal/validate';
import { printableUrl, wasmUrlProblem } from '../analysis/schema/go-url';
import { ALLOWED_TARGETS } from '../analysis/schema/wasm-plugin';
import { EnvValueSource, FailStrategy, PluginPhase, PluginType, PullPolicy, WorkloadMode } from './plugin-enums';
import { WasmPluginProps } from './plugin-options';
import { ITargetable, TargetRef } from './target-ref';

// Re-exported so that every importer of './wasm-plugin', and constructs/index.ts's `export *`, keeps these names.
export { acknowledgementKey } from './acknowledgements';
export type { Acknowledgements } from './acknowledgements';
export { EnvValueSource, FailStrategy, PluginPhase, PluginType, PullPolicy, WorkloadMode } from './plugin-enums';
export type { PluginEnvVar, TrafficSelector, WasmPluginOptions, WasmPluginProps } from './plugin-options';

const HEX64 = /^[a-f0-9]{64}$/;

/** CRD `maxProperties` of `spec.selector.matchLabels`. */
const MAX_SELECTOR_LABELS = 4096;

/**
 * The CRD keys `match[].ports` by number (`x-kubernetes-list-type: map`):
 * the API server refuses a port listed twice in one selector.
 */
function refuseRepeatedPorts(ports: number[], ctx: z.RefinementCtx): void {
  if (new Set(ports).size === ports.length) return;
  ports.forEach((port, i) => {
    const first = ports.indexOf(port);
    if (first < i) ctx.addIssue({ code: 'custom', path: [i], message: `port ${port} is already listed as ports[${first}]: the CRD keys match ports by number, so the API server refuses a repeated one`, ...ruleParams('schema/wasm-plugin', 'List each port once.') });
  });
}

const refKey = (t: ITargetable) => `${t.targetRef.group}/${t.targetRef.kind}/${t.targetRef.name}`;
const distinctRefs = (targets: readonly ITargetable[]) => new Set(targets.map(refKey)).size;

const targetableSchema = z.custom<ITargetable>(
  (t) => typeof t === 'object' && t !== null && typeof (t as ITargetable).targetRef?.kind === 'string',
  {
    message: 'a target must be a Waypoint, MeshService, ExternalService, GatewayReference, ServiceEntryReference or ALL_WAYPOINTS',
    // A namespace is the most common wrong guess: plugins attach to a proxy or a Service, never to a namespace.
    ...ruleParams('props/invalid', 'Target what the plugin guards: a Waypoint (every Service that uses it), a MeshService or ExternalService, or a GatewayReference (an ingress gateway). A MeshNamespace is not a target: target the Waypoint it uses.'),
  },
);

const optionsShape = {
  name: dnsSubdomain('WasmPlugin name'),
  // Counted as emitted: the same target twice is one targetRef.
  targets: z.array(targetableSchema).refine((t) => t.length <= 16 || distinctRefs(t) <= 16, { message: 'at most 16 distinct targets (CRD maxItems)', ...ruleParams('plugin/too-many-targets', 'Split the plugin into several WasmPlugins, or target the waypoint (Gateway) they share.') }).optional(),
  selector: stringMap('selector', 'the plugin would select on the other labels alone')
    .refine((s) => Object.keys(s).length <= MAX_SELECTOR_LABELS, { message: `selector may hold at most ${MAX_SELECTOR_LABELS} labels (CRD maxProperties)`, ...ruleParams('schema/wasm-plugin', 'Select on the few labels that tell the workloads apart.') })
    .optional(),
  phase: z.enum(PluginPhase).optional(),
  priority: z.number().int().min(-2147483648).max(2147483647).optional(),
  failStrategy: z.enum(FailStrategy).optional(),
  type: z.enum(PluginType).optional(),
  sha256: z.string().refine((s) => HEX64.test(s), { message: 'sha256 must be 64 lower-case hex characters', ...ruleParams('plugin/sha256-format', 'Use the hex digest without the "sha256:" prefix.') }).optional(),
  imagePullPolicy: z.enum(PullPolicy).optional(),
  imagePullSecret: dnsSubdomain('imagePullSecret').optional(),
  pluginName: z.string().min(1).max(256).optional(),
  env: z
    .array(
      z.object({
        name: z.string().min(1).max(256),
        valueFrom: z.enum(EnvValueSource).optional(),
        value: z.string().max(2048).optional(),
      }).refine((e) => e.valueFrom !== EnvValueSource.HOST || e.value === undefined, { message: 'value may only be set when valueFrom is INLINE', ...ruleParams('plugin/env-value-from-host') }),
    )
    .max(256)
    .refine((env) => new Set(env.map((e) => e.name)).size === env.length, { message: 'env names must be unique', ...ruleParams('plugin/duplicate-env') })
    .optional(),
  match: z
    .array(
      z.object({
        mode: z.enum(WorkloadMode).optional(),
        ports: z
          .array(z.number().int().min(1).max(65535))
          .superRefine(refuseRepeatedPorts)
          .optional(),
      }),
    )
    .optional(),
  acknowledge: z
    .object({
      // A reason, not a document: each becomes an annotation, and the API server caps them at 256 KiB together.
      failOpen: z.string().min(1).max(1024).optional(),
      unpinnedModule: z.string().min(1).max(1024).optional(),
      literalCredentials: z.string().min(1).max(1024).optional(),
      ambiguousOrder: z.string().min(1).max(1024).optional(),
    })
    .strict()
    .optional(),
};

const propsSchema = z.object({
  ...optionsShape,
  url: z.string().min(1, { message: 'url is required' }),
  // Checked before zod parses it (configProblem): zod's copy would drop an own __proto__ key.
  pluginConfig: z
    .record(z.string(), z.unknown())
    .optional(),
});

/**
 * How an error names the `i`th target. A module-level function, not a
 * closure per target: tsx (esbuild's keepNames) names every named closure
 * with an Object.defineProperty call, ~2 µs for each target of a mesh's
 * thousands of plugins.
 */
function targetLabel(t: ITargetable, i: number): string {
  return `targets[${i}] (${t.targetRef.kind} ${t.targetRef.name})`;
}

/**
 * A targetRef carries no namespace and the compiler writes each plugin into
 * its own target's folder: istiod resolves the name in the plugin's
 * namespace, in the cluster it is applied to. A target from another
 * namespace or Target would attach the plugin to a same-named object there
 * (every namespace tends to have a `waypoint`) and leave the one meant
 * unprotected, so it is refused here, where it is still known which was meant.
 */
function refuseForeignTargets(plugin: WasmPlugin, targets: readonly ITargetable[]): void {
  let mine: string | undefined; // the plugin's Target, looked up once, and only if a target is a construct
  targets.forEach((t, i) => {
    // A target is taken by its shape, so a construct of another copy of the library passes the props check.
    refuseOtherCopy(plugin, t, () => `${targetLabel(t, i)} was`);
    const fix = "Create the WasmPlugin in the target's namespace and Target (or reference the target there with fromGatewayName/fromServiceName).";
    if (t.targetNamespace !== undefined && t.targetNamespace !== plugin.namespace) {
      fail(
        plugin,
        'plugin/unresolved-target',
        `${targetLabel(t, i)} is in namespace ${t.targetNamespace}, but istiod only attaches a plugin to targets in the plugin's own namespace (${plugin.namespace}): it would attach to a ${t.targetRef.kind} named ${t.targetRef.name} there, if any, and never run in ${t.targetNamespace}`,
        fix,
      );
    }
    if (!Construct.isConstruct(t)) return;
    mine ??= targetNameOf(plugin);
    const theirs = targetNameOf(t);
    if (theirs !== mine) {
      fail(plugin, 'plugin/unresolved-target', `${targetLabel(t, i)} belongs to Target '${theirs}', but this plugin is written to Target '${mine}': in that cluster it would attach to ${mine}'s ${t.targetRef.kind} named ${t.targetRef.name}, if any`, fix);
    }
  });
}

/**
 * The group of each kind istiod's webhook lets a plugin target (each kind
 * has one); '' is core, which a targetRef may also spell 'core'.
 */
const TARGET_GROUPS: ReadonlyMap<string, string> = new Map(ALLOWED_TARGETS.map((t) => [t.kind, t.group === 'core' ? '' : t.group]));

/**
 * The library's targets always give a ref the webhook and the CRD take; a
 * team's own ITargetable may not, and would then fail only at synth, or at
 * apply. Checked without building a string: it runs for every target.
 */
function refuseUnattachableRef(plugin: WasmPlugin, t: ITargetable, i: number): void {
  const { kind, name } = t.targetRef;
  // No group is written as none, which istiod reads as core (a plain JavaScript target may leave it out).
  const group = t.targetRef.group ?? '';
  const expected = TARGET_GROUPS.get(kind);
  if (expected === undefined || (group !== expected && !(expected === '' && group === 'core'))) {
    fail(
      plugin,
      'plugin/target-kind',
      `${targetLabel(t, i)} gives the targetRef group ${JSON.stringify(group)}, kind ${JSON.stringify(kind)}: istiod's webhook accepts only Service (core), ServiceEntry (networking.istio.io), Gateway and GatewayClass (gateway.networking.k8s.io)${expected === undefined ? '' : `, and ${kind} belongs to group ${JSON.stringify(expected)}`}`,
      'Target a Waypoint, MeshService, ExternalService, GatewayReference or ServiceEntryReference; an ITargetable of your own must give one of those group/kind pairs.',
    );
  }
  if (typeof name !== 'string' || name.length === 0 || name.length > 253) {
    fail(plugin, 'schema/wasm-plugin', `${targetLabel(t, i)} has a targetRef name of ${typeof name === 'string' ? `${name.length} characters` : typeof name}: the CRD takes 1 to 253 characters`, "Give the target's name as the object is named in the cluster.");
  }
}

/**
 * A copy of the plain objects and arrays of a config, at every depth.
 * Anything else is kept as given: a cdk8s Lazy or token resolves when the
 * manifest is rendered, and copying it would lose its methods.
 */
function copyConfig(config: Record<string, unknown>): Record<string, unknown> {
  // A defined plugin (BasicAuth, thousands in a mesh) passes {} and sets its parsed config afterwards.
  if (Object.keys(config).length === 0) return {};
  return copyPlain(config) as Record<string, unknown>;
}

/**
 * The scheme of a module URL as Istio reads it: a scheme counts only when a
 * `/` follows its colon (`ghcr.io:5000/x` has none); no scheme means `oci`.
 */
export function urlScheme(url: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\//.exec(url);
  return m && !/^[^:]+:\d/.test(url) ? m[1].toLowerCase() : 'oci';
}

/**
 * An Istio WasmPlugin (`extensions.istio.io/v1alpha1`), typed over every
 * field of the CRD. Targets come from constructs, never typed by hand.
 *
 * @see https://istio.io/latest/docs/reference/config/proxy_extensions/wasm-plugin/
 */
export class WasmPlugin extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly url: string;
  public readonly phase?: PluginPhase;
  public readonly priority?: number;
  public readonly failStrategy?: FailStrategy;
  public readonly targets: readonly ITargetable[];
  /**
   * The emitted WasmPlugin, as a cdk8s `ApiObject` (the escape hatch: JSON
   * patches, extra metadata). Created on first access; until then the
   * compiler reads the same props directly, which keeps large meshes small.
   */
  public get apiObject(): ApiObject {
    return this.manifest.get();
  }
  private readonly manifest: DeferredApiObject;
  /** Rules this plugin deliberately breaks, with the reasons. */
  public readonly acknowledged: Readonly<Acknowledgements>;
  /** The emitted spec, for subclasses that finish it after construction. */
  protected readonly spec: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: WasmPluginProps) {
    refuseNonObjectProps(scope, id, props, new.target);
    super(vacant(scope, id, new.target), id);
    recordSource(this, new.target);
    // A refused plugin must not stay in the tree: a caller that catches the
    // error and goes on would otherwise synthesize it half-built.
    try {
      const p = parseDeclaredProps(this, new.target, props, () => {
        const config = props?.pluginConfig;
        const problem = typeof config === 'object' && config !== null && !Array.isArray(config) ? configProblem(config, false) : undefined;
        if (problem !== undefined) {
          fail(this, 'props/invalid', problem.protoKey ? problem.message : `${this.constructor.name} prop 'pluginConfig': ${problem.message}`, problem.fix);
        }
        return parseProps(this, this.constructor.name, propsSchema, withProps(props, { name: props.name ?? id }), { secretKeys: ['pluginConfig', 'env'], nameFromId: props.name == null });
      });
      this.name = p.name;
      this.namespace = namespaceOf(this, `WasmPlugin '${this.name}'`);
      this.url = p.url;
      this.phase = p.phase;
      this.priority = p.priority;
      this.failStrategy = p.failStrategy;
      this.targets = [...(p.targets ?? [])];
      this.acknowledged = Object.freeze({ ...(p.acknowledge ?? {}) });

      if (this.targets.length > 0 && p.selector) {
        fail(this, 'plugin/selector-and-targets', `WasmPlugin '${this.name}' sets both targets and selector; Istio accepts only one`, 'Use targets for waypoints and ingress Gateways; drop selector.');
      }
      // An empty selector selects every workload, exactly as no selector does (istiod only warns).
      if (this.targets.length === 0 && (!p.selector || Object.keys(p.selector).length === 0)) {
        fail(this, 'plugin/no-target', `WasmPlugin '${this.name}' has no targets and ${p.selector ? 'an empty selector' : 'no selector'}, so it would apply to every workload in the namespace and to no waypoint`, 'Pass targets: [a Waypoint, a MeshService or a GatewayReference].');
      }
      for (const [key, value] of Object.entries(p.selector ?? {})) {
        if (key === '' || key.includes('*') || !isLabelKey(key)) {
          fail(this, 'names/label-syntax', `selector key ${quotedLabel(key)} is not a valid label key (no '*' allowed)`, 'Use exact label keys.');
        }
        // No label can hold such a value, so the plugin would select nothing.
        if (!isLabelValue(value)) {
          fail(this, 'names/label-syntax', `selector value ${quotedLabel(value)} of ${key} is not a label value, so no workload can match it: at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`, 'Use the exact value of the workload label to select.');
        }
      }
      // The same parser the synth-time rule uses, so both refuse exactly what a cluster refuses.
      const urlProblem = wasmUrlProblem(p.url);
      if (urlProblem) {
        fail(this, 'plugin/url-scheme', `url ${JSON.stringify(printableUrl(p.url))} is refused: ${urlProblem}`, 'Use an oci:// image reference, ideally with a sha256.');
      }

      const refs: TargetRef[] = [];
      const seen = new Set<string>();
      refuseForeignTargets(this, this.targets);
      for (let i = 0; i < this.targets.length; i++) {
        const t = this.targets[i];
        refuseUnattachableRef(this, t, i);
        const key = refKey(t);
        if (seen.has(key)) continue; // the same target twice means nothing more
        seen.add(key);
        refs.push({ group: t.targetRef.group, kind: t.targetRef.kind, name: t.targetRef.name });
      }

      const spec: Record<string, unknown> = {};
      this.spec = spec;
      if (refs.length > 0) spec.targetRefs = refs;
      if (p.selector) spec.selector = { matchLabels: { ...p.selector } };
      spec.url = p.url;
      if (p.sha256) spec.sha256 = p.sha256;
      if (p.imagePullPolicy) spec.imagePullPolicy = p.imagePullPolicy;
      if (p.imagePullSecret) spec.imagePullSecret = p.imagePullSecret;
      if (p.phase) spec.phase = p.phase;
      if (p.priority !== undefined) spec.priority = p.priority;
      if (p.failStrategy) spec.failStrategy = p.failStrategy;
      if (p.type) spec.type = p.type;
      if (p.pluginName) spec.pluginName = p.pluginName;
      // Copied whole, as every other prop is: a change to the caller's object after construction must not reach the manifest half-way (zod copies one level).
      if (p.pluginConfig) spec.pluginConfig = copyConfig(p.pluginConfig);
      if (p.env && p.env.length > 0) spec.vmConfig = { env: p.env.map((e) => ({ ...e })) };
      if (p.match) spec.match = p.match.map((m) => ({ ...(m.mode ? { mode: m.mode } : {}), ...(m.ports ? { ports: m.ports.map((n) => ({ number: n })) } : {}) }));

      const annotations: Record<string, string> = {};
      for (const [k, reason] of Object.entries(p.acknowledge ?? {})) {
        if (reason) annotations[acknowledgementKey(ACKNOWLEDGED_RULES[k as keyof Acknowledgements])] = reason;
      }

      this.manifest = new DeferredApiObject(this, 'Resource', {
        apiVersion: 'extensions.istio.io/v1alpha1',
        kind: 'WasmPlugin',
        metadata: Object.keys(annotations).length > 0 ? { name: this.name, annotations } : { name: this.name },
        spec,
      });
    } catch (e) {
      scope.node.tryRemoveChild(this.node.id);
      throw e;
    }
  }

  /** Add an annotation to the emitted manifest, whether or not its `ApiObject` exists yet. */
  protected annotate(key: string, value: string): void {
    const created = this.manifest.created;
    if (created) {
      created.metadata.addAnnotation(key, value);
      return;
    }
    // The props are read when the manifest is collected or its ApiObject created.
    const metadata = this.manifest.props.metadata as { annotations?: Record<string, string> };
    metadata.annotations = { ...(metadata.annotations ?? {}), [key]: value };
  }
}

export { optionsShape as wasmPluginOptionsShape };

/**
 * Declare every prop the library plugin `cls` takes beyond WasmPlugin's own:
 * constructing exactly that class then refuses any other key
 * (`props/unknown`). A subclass that declares nothing is checked only for
 * keys that misspell one of its parent's, so a team's own subclass with
 * extra props keeps working.
 */
export function declareProps(cls: Function, extra: readonly string[]): void {
  declareConstructProps(cls, [...Object.keys(propsSchema.shape), ...extra]);
}

declareProps(WasmPlugin, []);
