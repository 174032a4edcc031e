import type { MeshModel, ModelObject } from '../compiler/model';
import { waypointProxy } from '../simulator/attachment';
import { isAuthPlugin, pluginView } from '../analysis/rules/plugin-spec';
import { namespaceOf, type MeshIndex } from '../simulator/mesh-index';
import { binding, type HeadFacts } from './binding-changes';
import { chainEntries } from './chain-changes';
import { behaviour, pluginId } from './plugin-moves';
import { OTHER } from './target-subjects';

/**
 * Auth plugins on a ServiceEntry (an egress waypoint's usual policy): the
 * simulator sends no request to a ServiceEntry, so no representative
 * request shows such a plugin removed, narrowed or moved off it. What the
 * change does there is listed instead, and `--fail-on-widened` fails, as
 * for requests left out of the simulation.
 */
export interface ServiceEntryAuth {
  readonly target: string;
  /** `namespace/name` of the ServiceEntry a base auth plugin targets. */
  readonly serviceEntry: string;
  /** The base's auth plugins that ran for it (`WasmPlugin ns/name`) of which the head runs nothing that does the same. */
  readonly plugins: string[];
  /** Its waypoint (read from its Namespace: a referenced ServiceEntry's own labels are not in the app), when that is lost. */
  readonly lostWaypoint?: string;
}

const SERVICE_ENTRY_GROUP = 'networking.istio.io';

/** The WasmPlugins of `model` in `target` that name a ServiceEntry, by `namespace/name` of that ServiceEntry (a plugin targets only its own namespace's). One pass over the model. */
function pluginsByEntry(model: MeshModel, target: string): Map<string, ModelObject[]> {
  const out = new Map<string, ModelObject[]>();
  for (const o of model.objects) {
    if (o.target !== target || o.manifest.kind !== 'WasmPlugin') continue;
    for (const r of new Set(pluginView(o).targetRefs.filter((r) => r.kind === 'ServiceEntry' && r.group === SERVICE_ENTRY_GROUP && r.name).map((r) => r.name))) {
      const key = `${namespaceOf(o.manifest)}/${r}`;
      const list = out.get(key);
      if (list) list.push(o);
      else out.set(key, [o]);
    }
  }
  return out;
}

/**
 * The auth plugins that run for a ServiceEntry in one revision: those of
 * its namespace that target it by name (its own labels, not in the app, may
 * give it a waypoint), and, when its Namespace gives it one, those on that
 * waypoint for every Service of the namespace (a Gateway or GatewayClass target).
 */
function authFor(byName: readonly ModelObject[], index: MeshIndex | undefined, ns: string, head?: HeadFacts): { waypoint?: string; plugins: ModelObject[] } {
  const b = binding(index, ns, OTHER, head);
  const onWaypoint = b.gateway && b.service ? chainEntries(index, waypointProxy(b.gateway, b.service)).map((e) => e.object) : [];
  const plugins = [...new Set([...byName, ...onWaypoint])].filter((o) => o.manifest.kind === 'WasmPlugin' && isAuthPlugin(pluginView(o)));
  return { waypoint: b.state.waypoint, plugins };
}

/**
 * For each ServiceEntry a base auth plugin targets: the base's auth plugins
 * on it whose behaviour (spec bar what it attaches to) the head no longer
 * runs there, removed, edited (a rule narrowed, another credential) or moved
 * off it, or every one of them when it loses its waypoint. A plugin added,
 * renamed or moved to its waypoint unchanged is not listed.
 */
export function serviceEntryAuth(base: MeshModel, live: MeshModel, target: string, bi: MeshIndex | undefined, hi: MeshIndex | undefined, head: HeadFacts): ServiceEntryAuth[] {
  const out: ServiceEntryAuth[] = [];
  const inBase = pluginsByEntry(base, target);
  const inHead = pluginsByEntry(live, target);
  for (const key of [...inBase.keys()].sort()) {
    const ns = key.slice(0, key.indexOf('/'));
    // Only a ServiceEntry a base auth plugin names: the waypoint's plugins for every Service are simulated elsewhere.
    const named = inBase.get(key)!.filter((o) => isAuthPlugin(pluginView(o)));
    if (named.length === 0) continue;
    const before = authFor(named, bi, ns);
    const after = authFor(inHead.get(key) ?? [], hi, ns, head);
    // Its Namespace's waypoint gone, it has none (no fallback): nothing of it runs, whatever still targets it.
    const lost = before.waypoint !== undefined && after.waypoint === undefined;
    const kept = new Set(after.plugins.map(behaviour));
    const gone = lost ? before.plugins : before.plugins.filter((o) => !kept.has(behaviour(o)));
    if (gone.length === 0) continue;
    out.push({ target, serviceEntry: key, plugins: gone.map(pluginId).sort(), ...(lost ? { lostWaypoint: before.waypoint } : {}) });
  }
  return out;
}
