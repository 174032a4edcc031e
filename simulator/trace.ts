/** What a trace entry is about. */
export type TraceStep =
  /** The request as simulated (headers redacted). */
  | 'request'
  /** Which target of the model was simulated. */
  | 'target'
  /** Something the manifests do not say and the simulator assumed. */
  | 'assumption'
  /** The ingress gateway the request enters through. */
  | 'ingress'
  /** Which waypoint the destination Service binds to, and why. */
  | 'binding'
  /** Whether traffic from the ingress gateway goes through that waypoint. */
  | 'ingress-use-waypoint'
  /** The ordered filter chain on one proxy. */
  | 'chain'
  /** One WasmPlugin's attachment and decision. */
  | 'plugin'
  /** An Istio security policy on the chain, which is not simulated. */
  | 'policy'
  /** The final answer. */
  | 'response';

/** One line of an explanation. Never contains a header value or a credential. */
export interface TraceEntry {
  readonly step: TraceStep;
  /** A readable sentence. */
  readonly detail: string;
  /** The proxy this is about, e.g. `waypoint default/waypoint`. */
  readonly proxy?: string;
  /** The WasmPlugin or policy, `Kind namespace/name`. */
  readonly object?: string;
  /** A plugin's decision: `pass`, `deny`, `refused-config`, `not-simulated`, `skipped`. */
  readonly decision?: PluginOutcome | 'skipped';
}

export type PluginOutcome = 'pass' | 'deny' | 'refused-config' | 'not-simulated';

/** A proxy on the request's path. */
export interface Hop {
  readonly kind: 'ingress' | 'waypoint';
  readonly namespace: string;
  readonly name: string;
}

export interface SimulatedResponse {
  /**
   * The HTTP status: a local reply from a plugin (401, 500...), or 200 when
   * every proxy lets the request through (the service's own answer is not
   * simulated). `null` when the outcome depends on something not simulated.
   */
  readonly status: number | null;
  /** Response headers the proxies add (lower-case names), e.g. `www-authenticate`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body of a local reply (`''` when empty); null when it comes from the service. */
  readonly body: string | null;
}

export interface SimulationResult extends SimulatedResponse {
  /** One sentence: why this status (or why none could be given). */
  readonly reason: string;
  /** The proxies traversed, in order. */
  readonly hops: readonly Hop[];
  /** The plugin (`namespace/name`) and proxy that answered, when one did. */
  readonly decidedBy?: { readonly proxy: string; readonly object: string };
  /**
   * Set when the status is certain but not who gives it: plugins of the same
   * phase and priority (run oldest first, which manifests do not show) would
   * answer the same status with other headers or body (another realm). Then
   * `headers`, `body` and `decidedBy` are one of them. Says which.
   */
  readonly uncertain?: string;
  /** The target (folder of `dist/`) whose objects were simulated: the request's, else the only one with mesh objects. */
  readonly target: string;
  /** The explanation, one entry per step, as `explain` prints it. */
  readonly trace: readonly TraceEntry[];
}

export function hopLabel(h: Hop): string {
  return `${h.kind === 'ingress' ? 'ingress gateway' : 'waypoint'} ${h.namespace}/${h.name}`;
}
