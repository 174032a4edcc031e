import { objectKey, type MeshModel } from '../compiler/model';
import { moduleId, pluginDefinitionFor } from '../constructs/define-plugin';
import { BASIC_AUTH_URL } from '../constructs/plugins/basic-auth';
import { isAuthPlugin, pluginView } from '../analysis/rules/plugin-spec';
import { namespaceOf, objectItems } from '../simulator/mesh-index';
import { targetRefs } from './target-subjects';

/**
 * The plugins that decide access in one target of either revision, each
 * marked changed or not against the other revision: basic_auth ones with the
 * rules representative requests are built from, and every other auth plugin
 * (one request each shows it). Read from the manifests; probes.ts turns them
 * into requests.
 */

const BASIC_AUTH = moduleId(BASIC_AUTH_URL);

/** A basic_auth rule as the manifests hold it, unchecked: each use tests a field's type first. */
export interface Rule {
  prefix?: string;
  exact?: string;
  suffix?: string;
  request_methods?: unknown;
  credentials?: unknown;
  hosts?: unknown;
}

export interface BasicAuthPlugin {
  readonly namespace: string;
  readonly refs: { kind?: string; name?: string }[];
  readonly rules: Rule[];
  /** Per rule: it differs from every rule of the same plugin in the other revision, or the rest of the plugin does. */
  readonly changed: boolean[];
}

/** basic_auth, or a mirror of it that a BasicAuth construct registered (`url`). */
function isBasicAuthModule(url: string): boolean {
  if (moduleId(url) === BASIC_AUTH) return true;
  const definition = pluginDefinitionFor(url);
  return definition !== undefined && moduleId(definition.url) === BASIC_AUTH;
}

export function basicAuthPlugins(models: MeshModel[], target: string): BasicAuthPlugin[] {
  const found: { key: string; side: number; namespace: string; refs: BasicAuthPlugin['refs']; rules: Rule[]; rest: string }[] = [];
  models.forEach((m, side) => {
    for (const o of m.objects.filter((x) => x.target === target && x.manifest.kind === 'WasmPlugin')) {
      const spec = (o.manifest.spec ?? {}) as { url?: unknown; pluginConfig?: { basic_auth_rules?: unknown } };
      if (typeof spec.url !== 'string' || !isBasicAuthModule(spec.url)) continue;
      const rules = objectItems<Rule>(spec.pluginConfig?.basic_auth_rules);
      const namespace = namespaceOf(o.manifest);
      const rest = JSON.stringify({ ...spec, pluginConfig: { ...spec.pluginConfig, basic_auth_rules: undefined } });
      found.push({ key: `${namespace}/${o.manifest.metadata.name}`, side, namespace, refs: targetRefs(o), rules, rest });
    }
  });
  // The first of a name on each side, as a scan in order finds it: looked up, not scanned per plugin (a mesh may hold thousands).
  const first = [new Map<string, (typeof found)[number]>(), new Map<string, (typeof found)[number]>()];
  for (const q of found) if (!first[q.side].has(q.key)) first[q.side].set(q.key, q);
  return found.map((p) => {
    const other = first[1 - p.side].get(p.key);
    const same = new Set(other && other.rest === p.rest ? other.rules.map((r) => JSON.stringify(r)) : []);
    return { namespace: p.namespace, refs: p.refs, rules: p.rules, changed: p.rules.map((r) => !same.has(JSON.stringify(r))) };
  });
}

/**
 * The WasmPlugins that decide access (the rule plugin/fail-open-auth's
 * test) with no Basic-auth rules to build requests from: OPA, a team's
 * `definePlugin`. `changed`: it differs from the other revision's plugin of
 * that name, or only one revision has it.
 */
export function otherAuthPlugins(models: MeshModel[], target: string): { namespace: string; refs: BasicAuthPlugin['refs']; changed: boolean }[] {
  const found = models.map((m) =>
    m.objects.filter((o) => {
      const url = (o.manifest.spec as { url?: unknown } | undefined)?.url;
      return o.target === target && o.manifest.kind === 'WasmPlugin' && !(typeof url === 'string' && isBasicAuthModule(url)) && isAuthPlugin(pluginView(o));
    }),
  );
  // Looked up by name, not by scanning the other revision per plugin (a mesh
  // may hold thousands); the first of a name wins, as a scan would find it.
  const byKey = found.map((plugins) => new Map([...plugins].reverse().map((o) => [objectKey(o.manifest), o])));
  return found.flatMap((plugins, side) =>
    plugins.map((o) => {
      const other = byKey[1 - side].get(objectKey(o.manifest));
      return { namespace: namespaceOf(o.manifest), refs: targetRefs(o), changed: !other || JSON.stringify(other.manifest.spec) !== JSON.stringify(o.manifest.spec) };
    }),
  );
}
