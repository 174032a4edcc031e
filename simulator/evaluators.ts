import { moduleId } from '../constructs/define-plugin';
import { BASIC_AUTH_URL } from '../constructs/plugins/basic-auth';
import { basicAuthEvaluator } from './basic-auth';
import type { PluginEvaluator } from './plugin-evaluator';

const evaluators = new Map<string, PluginEvaluator>();

/**
 * Register the evaluator for a module, keyed like the plugin definitions by
 * module identity (`moduleId`: no scheme, tag or digest), so every tag of a
 * module shares it. Pass a mirror's URL to reuse an evaluator for it.
 *
 * @example
 * registerPluginEvaluator('oci://registry.example.com/wasm/opa:1.0.0', {
 *   name: 'open_policy_agent',
 *   evaluate: () => ({ kind: 'not-simulated', detail: 'depends on the answer of the OPA server' }),
 * });
 */
export function registerPluginEvaluator(urlOrModuleId: string, evaluator: PluginEvaluator): void {
  evaluators.set(moduleId(urlOrModuleId), evaluator);
}

/** The evaluator for a module URL, if any. */
export function pluginEvaluatorFor(url: string): PluginEvaluator | undefined {
  return evaluators.get(moduleId(url));
}

/** Every registered evaluator, by module id. */
export function registeredPluginEvaluators(): ReadonlyMap<string, PluginEvaluator> {
  return evaluators;
}

registerPluginEvaluator(BASIC_AUTH_URL, basicAuthEvaluator);
