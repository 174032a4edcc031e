import { moduleId, pluginDefinitionFor } from '../constructs/define-plugin';
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

/**
 * The evaluator for a module URL, if any: registered for its module, or for
 * the module of the plugin definition it is known by (a mirror that a
 * construct was given as `url`).
 */
export function pluginEvaluatorFor(url: string): PluginEvaluator | undefined {
  const own = evaluators.get(moduleId(url));
  if (own) return own;
  const definition = pluginDefinitionFor(url);
  return definition ? evaluators.get(moduleId(definition.url)) : undefined;
}

/** Every registered evaluator, by module id. */
export function registeredPluginEvaluators(): ReadonlyMap<string, PluginEvaluator> {
  return evaluators;
}

registerPluginEvaluator(BASIC_AUTH_URL, basicAuthEvaluator);
