import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { namespaceOf } from './app';
import { ACKNOWLEDGED_RULES, Acknowledgements, acknowledgementKey } from './acknowledgements';
import { DeferredApiObject } from './internal/deferred-api-object';
import { configProblem, copyConfig } from './internal/plugin-config';
import { optionsShape, propsSchema } from './internal/plugin-props-schema';
import { refKey, refuseForeignTargets, refuseUnattachableRef } from './internal/plugin-targets';
import { recordSource } from './internal/provenance';
import { isLabelKey, isLabelValue, quotedLabel } from './internal/schemas';
import { declareConstructProps, fail, parseDeclaredProps, parseProps, refuseNonObjectProps, vacant, withProps } from './internal/validate';
import { printableUrl, wasmUrlProblem } from '../analysis/schema/go-url';
import { FailStrategy, PluginPhase } from './plugin-enums';
import { WasmPluginProps } from './plugin-options';
import { ITargetable, TargetRef } from './target-ref';

// Re-exported so that every importer of './wasm-plugin', and constructs/index.ts's `export *`, keeps these names.
export { acknowledgementKey } from './acknowledgements';
export type { Acknowledgements } from './acknowledgements';
export { urlScheme } from './internal/module-url';
export { EnvValueSource, FailStrategy, PluginPhase, PluginType, PullPolicy, WorkloadMode } from './plugin-enums';
export type { PluginEnvVar, TrafficSelector, WasmPluginOptions, WasmPluginProps } from './plugin-options';

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
  /** Always set: unset in props means FAIL_CLOSE, which the manifest states (see `WasmPluginOptions.failStrategy`). */
  public readonly failStrategy: FailStrategy;
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
        // Each prop read once: a getter could otherwise hand the check one config and the manifest another.
        const name = props.name;
        const read = withProps(props, { name: name ?? id });
        const config = read.pluginConfig;
        const problem = typeof config === 'object' && config !== null && !Array.isArray(config) ? configProblem(config, false) : undefined;
        if (problem !== undefined) {
          fail(this, 'props/invalid', problem.protoKey ? problem.message : `${this.constructor.name} prop 'pluginConfig': ${problem.message}`, problem.fix);
        }
        return parseProps(this, this.constructor.name, propsSchema, read, { secretKeys: ['pluginConfig', 'env'], nameFromId: name == null });
      });
      this.name = p.name;
      this.namespace = namespaceOf(this, `WasmPlugin '${this.name}'`);
      this.url = p.url;
      this.phase = p.phase;
      this.priority = p.priority;
      this.failStrategy = p.failStrategy ?? FailStrategy.FAIL_CLOSE;
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
      spec.failStrategy = this.failStrategy;
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
