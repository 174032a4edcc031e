import type { Acknowledgements } from './acknowledgements';
import type { EnvValueSource, FailStrategy, PluginPhase, PluginType, PullPolicy, WorkloadMode } from './plugin-enums';
import type { ITargetable } from './target-ref';

/** An environment variable of the plugin's VM (`spec.vmConfig.env`): what the module reads at start. */
export interface PluginEnvVar {
  /** Variable name; unique within the plugin. */
  readonly name: string;
  /**
   * Where the value comes from.
   *
   * @default EnvValueSource.INLINE
   */
  readonly valueFrom?: EnvValueSource;
  /**
   * The value, only with INLINE.
   *
   * @default - empty
   */
  readonly value?: string;
}

/** Which traffic a plugin runs on (one item of `spec.match`): a direction and ports. */
export interface TrafficSelector {
  /**
   * Direction of traffic.
   *
   * @default WorkloadMode.UNDEFINED (client and server)
   */
  readonly mode?: WorkloadMode;
  /**
   * Ports the plugin applies to.
   *
   * @default - all ports
   */
  readonly ports?: number[];
}

export interface WasmPluginOptions {
  /**
   * The WasmPlugin name.
   *
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * What the plugin attaches to: Waypoints, referenced Gateways, Services
   * (on their waypoint), ServiceEntries, or ALL_WAYPOINTS. 1 to 16 targets.
   * Waypoints ignore `selector` plugins, so targets are the normal choice.
   *
   * @default - none; then `selector` must be given
   */
  readonly targets?: ITargetable[];

  /**
   * Workload selector (sidecars and ingress gateways only). Never together with `targets`.
   *
   * @default - none
   */
  readonly selector?: Record<string, string>;

  /**
   * Position in the filter chain.
   *
   * @default - the plugin's default phase (UNSPECIFIED for a raw WasmPlugin)
   */
  readonly phase?: PluginPhase;

  /**
   * Order within the phase, highest first. Unset sorts after every explicit value.
   *
   * @default - unset
   */
  readonly priority?: number;

  /**
   * Behaviour when the module cannot be fetched or fails at run time.
   *
   * Written into every manifest, the default too: a GitOps tool that takes
   * over a hand-made WasmPlugin keeps the fields its manifest leaves out
   * (Argo CD's server-side apply), so an unwritten default would leave a
   * hand-set FAIL_OPEN in force.
   *
   * @default FailStrategy.FAIL_CLOSE
   */
  readonly failStrategy?: FailStrategy;

  /**
   * HTTP or NETWORK filter chain.
   *
   * @default - unset: HTTP
   */
  readonly type?: PluginType;

  /**
   * SHA-256 of the module (for OCI, the image manifest digest): pins exactly what runs.
   *
   * @default - the plugin's pinned digest, if any
   */
  readonly sha256?: string;

  /**
   * When to pull the module again.
   *
   * @default - unset: IfNotPresent (Always for a `:latest` tag)
   */
  readonly imagePullPolicy?: PullPolicy;

  /**
   * Name of a docker-config Secret in the plugin's namespace for a private registry.
   *
   * @default - none
   */
  readonly imagePullSecret?: string;

  /**
   * Envoy root_id, for modules with several root contexts.
   *
   * @default - none
   */
  readonly pluginName?: string;

  /**
   * Environment variables for the Wasm VM.
   *
   * @default - none
   */
  readonly env?: PluginEnvVar[];

  /**
   * Traffic selectors. On waypoints leave this unset: `mode: CLIENT` or any
   * `ports` stop an HTTP plugin from ever applying.
   *
   * @default - all traffic
   */
  readonly match?: TrafficSelector[];

  /**
   * Rules this plugin deliberately breaks, each with a reason.
   *
   * @default - none
   */
  readonly acknowledge?: Acknowledgements;
}

export interface WasmPluginProps extends WasmPluginOptions {
  /** Module URL: `oci://`, `https://`, `http://` or `file://` (no scheme means oci). */
  readonly url: string;

  /**
   * Configuration passed to the module as JSON. A member may not be null:
   * the manifest leaves null members out, so leave the key out instead
   * (null list items are kept). Values are JSON too (a cdk8s Lazy or token
   * resolves to one at synth): a Date, Map, class instance, NaN, Infinity or
   * cycle is refused.
   *
   * @default - none
   */
  readonly pluginConfig?: Record<string, unknown>;
}
