import { acknowledged, Rule } from '../rule';
import { Attachment, attachments } from './attachments';
import { isAuthPlugin, pluginLabel, pluginSubject, PluginView } from './plugin-spec';

const key = (p: PluginView): string => `${p.namespace}/${p.name}`;

// istiod sorts an unset priority as math.MinInt32: it ties with an explicit one.
const MIN_INT32 = -2147483648;

function priorityText(group: readonly PluginView[]): string {
  const unset = group.filter((p) => p.priority === undefined).length;
  if (unset === group.length) return 'no priority';
  if (unset === 0) return `the same priority ${group[0].priority}`;
  return `priority ${MIN_INT32} or none (istiod sorts an unset priority as ${MIN_INT32})`;
}

/**
 * The sets of plugins that run in one chain of one proxy: the proxy-wide
 * ones together with those of each Service chain. Only chains of two or
 * more attachments: a single plugin has no order to be ambiguous about, and
 * that is most chains (one plugin per Service), whose sets, key strings and
 * sorts were most of this rule's time.
 */
function chains(onProxy: readonly Attachment[]): PluginView[][] {
  const byScope = new Map<string, PluginView[]>();
  for (const a of onProxy) {
    const list = byScope.get(a.scope);
    if (list) list.push(a.plugin);
    else byScope.set(a.scope, [a.plugin]);
  }
  const wide = byScope.get('*') ?? [];
  const scopes: string[] = [];
  for (const [s, list] of byScope) if (s !== '*' && wide.length + list.length >= 2) scopes.push(s);
  scopes.sort();
  const sets = [...(wide.length >= 2 ? [wide] : []), ...scopes.map((s) => [...wide, ...byScope.get(s)!])];
  return sets.map((set) => [...new Map(set.map((p) => [key(p), p])).values()].sort((a, b) => (key(a) < key(b) ? -1 : 1)));
}

export const pluginAmbiguousOrder: Rule = {
  id: 'plugin/ambiguous-order',
  severity: 'warning',
  docs: {
    summary: 'Two plugins in one phase on the same proxy chain, with equal or unset priority, where at least one is an auth plugin (AUTHN/AUTHZ, or a known auth module; not one whose definition sets `decidesAccess: false`): their order then depends on creation time, which a GitOps re-sync can change. An unset priority sorts after every explicit one (even negative), not as 0.',
    bad: `new BasicAuth(ns, 'auth', { targets: [waypoint], rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }] });
new WasmPlugin(ns, 'tenant', { url: 'oci://ghcr.io/acme/tenant:1.0.0', targets: [waypoint], phase: PluginPhase.AUTHN });`,
    message: 'WasmPlugin shop/auth runs in phase AUTHN on shop/waypoint together with shop/tenant, all with no priority: their order then follows creation time, which a re-sync can change, and at least one of them makes an auth decision',
    fix: 'Give each plugin an explicit, distinct priority (highest runs first), or acknowledge it: acknowledge: { ambiguousOrder: "<why order does not matter>" }.',
  },
  check(ctx) {
    const byProxy = new Map<string, Attachment[]>();
    for (const a of attachments(ctx)) {
      const list = byProxy.get(a.proxy);
      if (list) list.push(a);
      else byProxy.set(a.proxy, [a]);
    }
    const reported = new Set<string>();
    for (const proxy of [...byProxy.keys()].sort()) {
      for (const chain of chains(byProxy.get(proxy)!)) {
        const groups = new Map<string, PluginView[]>();
        for (const p of chain) {
          const k = `${p.type}|${p.phase}|${p.priority ?? MIN_INT32}`;
          groups.set(k, [...(groups.get(k) ?? []), p]);
        }
        for (const group of groups.values()) {
          if (group.length < 2 || !group.some(isAuthPlugin)) continue;
          if (group.some((p) => acknowledged(p.object, this.id))) continue;
          const id = group.map(key).join(',');
          if (reported.has(id)) continue;
          reported.add(id);
          const [first, ...others] = group;
          const priority = priorityText(group);
          ctx.report(first.object, {
            message: `${pluginSubject(first)} runs in phase ${first.phase} on ${proxy} together with ${others.map(pluginLabel).join(', ')}, all with ${priority}: their order then follows creation time, which a re-sync can change, and at least one of them makes an auth decision`,
          });
        }
      }
    }
  },
};
