/**
 * What `pluginName` (Envoy's root id) does to the catalogue's modules. The
 * analysis (plugin/root-id) and the simulator both ask here, so that what
 * one reports the other simulates.
 */
import { moduleId, pluginDefinitionFor, type PluginDefinition } from '../define-plugin';
import { CATALOGUE } from './catalogue';
import { isOlderRelease, moduleTag } from './module-tag';

type AnyDefinition = PluginDefinition<Record<string, unknown>>;

/** A catalogue module that a pluginName leaves without its code. */
export interface EmptyRootContexts {
  /** The catalogue definition of the module. */
  readonly definition: AnyDefinition;
  /** What the proxy does instead, said the same way for every module; names no value but the root id. */
  readonly explanation: string;
}

// Each module's own location, so that a user's definePlugin for the same
// module (which replaces the catalogue's registration) is still its code.
const BY_MODULE = new Map<string, AnyDefinition>(CATALOGUE.map((d) => [moduleId(d.url), d]));

function catalogueDefinition(url: string): AnyDefinition | undefined {
  const own = BY_MODULE.get(moduleId(url));
  if (own) return own;
  // A mirror of a catalogue module is known by its definition.
  const mirrored = pluginDefinitionFor(url);
  return mirrored && CATALOGUE.includes(mirrored) ? mirrored : undefined;
}

/**
 * Every catalogue module registers its contexts with RegisterContextFactory
 * and no root id, that is under "". For any other root id the proxy-wasm C++
 * SDK builds a plain RootContext and Context: any config loads and every
 * request continues, so the module's code never runs.
 *
 * Undefined when `pluginName` is unset or empty, when the module is not in
 * the catalogue (its root id is its author's), or when the tag is a release
 * older than the source that was read.
 */
export function emptyRootContexts(url: string | undefined, pluginName: unknown): EmptyRootContexts | undefined {
  if (url === undefined || typeof pluginName !== 'string' || pluginName === '') return undefined;
  const definition = catalogueDefinition(url);
  if (!definition) return undefined;
  const tag = moduleTag(url);
  if (tag !== undefined && isOlderRelease(tag)) return undefined;
  const module = moduleId(definition.url).split('/').pop() ?? definition.name;
  return {
    definition,
    explanation:
      `pluginName ${JSON.stringify(pluginName)} is the root id Envoy hands the module, but ${module} registers its code under the default root id "": ` +
      'the SDK then runs empty contexts that accept any config and do nothing on a request, so every request passes (remove pluginName)',
  };
}
