import type { HttpRequest } from './request';

/** What an evaluator is given for one plugin on one proxy. */
export interface PluginInput {
  /** `spec.pluginConfig` exactly as in the manifest; undefined when absent. */
  readonly config: unknown;
  readonly request: HttpRequest;
  readonly plugin: {
    readonly namespace: string;
    readonly name: string;
    readonly url: string;
    /** `spec.pluginName`, Envoy's root id; undefined when unset or empty. */
    readonly pluginName?: string;
  };
}

/** One plugin's decision for one request. `detail` must never contain a credential or header value. */
export type PluginDecision =
  /** The plugin lets the request continue down the chain. */
  | { readonly kind: 'pass'; readonly detail: string }
  /** The plugin answers itself (a local reply), ending the request. */
  | { readonly kind: 'respond'; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string; readonly detail: string }
  /** The module would refuse this config at load: Envoy rejects the filter (the simulator explains what follows). */
  | { readonly kind: 'refused-config'; readonly detail: string }
  /** The outcome depends on something the simulator cannot know (an external server, state over time). */
  | { readonly kind: 'not-simulated'; readonly detail: string };

/**
 * Predicts one Wasm module's behaviour per request. Register one per module
 * with `registerPluginEvaluator`; modules without one are reported as
 * "not simulated", never guessed.
 */
export interface PluginEvaluator {
  /** The module and version whose behaviour is reproduced, e.g. `basic_auth 1.12.0`. */
  readonly name: string;
  evaluate(input: PluginInput): PluginDecision;
}
