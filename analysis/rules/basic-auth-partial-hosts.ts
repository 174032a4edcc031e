import { clusterDomainOf, type ModelObject, type ModelReference } from '../../compiler/model';
import type { Rule, RuleContext } from '../rule';
import { hostEntryMatches } from '../../simulator/basic-auth';
import { isPlainObject } from '../schema/issue';
import { attachments } from './attachments';
import { basicAuthRuleObjects, runsBasicAuth, stringsOf } from './basic-auth-rules';
import { pluginLabel, PluginView } from './plugin-spec';
import { namesOfService, serviceOfScope } from './service-hosts';
import { labelsOfObject, resolveServiceWaypoint } from './waypoints';

/** The `hosts` of each basic_auth rule of a plugin (index kept), only the rules that have some. */
function hostLists(p: PluginView): { index: number; hosts: string[] }[] {
  const lists = basicAuthRuleObjects(p).flatMap((r, index) => {
    const hosts = isPlainObject(r) ? stringsOf(r.hosts) : [];
    return hosts.length > 0 ? [{ index, hosts }] : [];
  });
  // The module is looked up last: most plugins of a mesh have no rule with hosts, and the lookup parses the url.
  return lists.length > 0 && runsBasicAuth(p) ? lists : [];
}

const served = new WeakMap<RuleContext, Map<string, { namespace: string; name: string }[]>>();

/** The Services of the model (emitted, labelled or referenced) bound to waypoint `ns/name`, computed once per context. */
function servedBy(ctx: RuleContext, proxy: string): { namespace: string; name: string }[] {
  let byProxy = served.get(ctx);
  if (!byProxy) {
    served.set(ctx, (byProxy = new Map()));
    const seen = new Set<string>();
    const add = (namespace: string | undefined, name: string, about: ModelObject | ModelReference) => {
      const key = `${namespace}/${name}`;
      if (namespace === undefined || seen.has(key)) return;
      seen.add(key);
      const bound = resolveServiceWaypoint(ctx, { namespace, labels: labelsOfObject(about) });
      if (!bound.waypoint || bound.unbound) return;
      const wp = `${bound.waypoint.namespace}/${bound.waypoint.name}`;
      (byProxy!.get(wp) ?? byProxy!.set(wp, []).get(wp)!).push({ namespace, name });
    };
    for (const o of ctx.ofKind('Service')) add(o.manifest.metadata.namespace, o.manifest.metadata.name, o);
    for (const r of ctx.references) if (r.kind === 'Service') add(r.namespace, r.name, r);
  }
  return byProxy.get(proxy) ?? [];
}

/**
 * A Basic-auth rule on a waypoint whose hosts name a Service by some of the
 * names that reach it but not all: the client picks the name, so requests
 * under the others skip the rule, and its credentials, without a 401 (fail
 * open). Service chains are checked against their own Service; a
 * waypoint-wide rule against each Service of the model the waypoint serves
 * that its hosts name in any way (exactly or by a wildcard). Covering every
 * DNS name still leaves the Service's VIP and other letter cases.
 */
export const basicAuthPartialHosts: Rule = {
  id: 'basic-auth/partial-hosts',
  severity: 'warning',
  docs: {
    summary:
      'A Basic-auth rule on a waypoint whose hosts match some of the names that reach a Service (cart, cart.shop, cart.shop.svc, cart.shop.svc.cluster.local with cluster.local the cluster\'s DNS domain, PolicyApp clusterDomain; each also with a trailing dot) but not all: the client, not the policy, picks the authority, so a request under another name skips the rule and reaches the Service without credentials. Covering every one of those names is not enough either: a client may address the Service by its ClusterIP (traffic to the VIP goes through the Service\'s waypoint) or write a name in other letter case (the module compares hosts case-sensitively), so only a `*` entry covers the Service. Checked for a plugin targeting a Service (against that Service) and for a waypoint-wide plugin (against each Service of the model that waypoint serves and its hosts name, exactly or by a wildcard).',
    bad: `const cart = MeshService.fromServiceName(ns, 'cart', 'cart', { useWaypoint: waypoint });
new BasicAuth(ns, 'cart-auth', { targets: [cart], rules: [{ prefix: '/', methods: ['GET'], hosts: ['cart.shop.svc.cluster.local'], credentials: [Credential.fromEnv('CART_CREDENTIAL')] }] });`,
    message:
      'WasmPlugin shop/cart-auth rule #1 hosts match Service shop/cart as cart.shop.svc.cluster.local but not as cart, cart.shop, cart.shop.svc or 4 more names with a trailing dot: a client that uses one of those reaches the Service without this rule asking for credentials',
    fix: 'Drop hosts from a rule meant for a whole Service (target the Service instead): no list of names covers its ClusterIP or every letter case. Hosts are for hostnames that really differ, such as on an ingress gateway.',
  },
  check(ctx) {
    // Read once per run: the names of each Service are built from it.
    const domain = clusterDomainOf(ctx.model);
    const reported = new Set<string>();
    const lists = new Map<PluginView, { index: number; hosts: string[] }[]>();
    const listsOf = (p: PluginView) => lists.get(p) ?? lists.set(p, hostLists(p)).get(p)!;
    for (const a of attachments(ctx)) {
      if (!a.waypoint) continue;
      const rules = listsOf(a.plugin);
      if (rules.length === 0) continue;
      const own = serviceOfScope(a.scope);
      // A ServiceEntry's chain runs only for requests to that entry: its hosts never meet a Service's.
      if (!own && a.scope !== '*') continue;
      for (const r of rules) {
        // The Services the rule is about: the chain's own, or on a waypoint-wide chain those its hosts
        // name that this waypoint serves (another waypoint's Service never meets the rule at all).
        const services = own ? [own] : servedBy(ctx, a.proxy);
        for (const s of services) {
          const key = `${pluginLabel(a.plugin)}\0${r.index}\0${s.namespace}/${s.name}`;
          if (reported.has(key)) continue;
          const names = namesOfService(s.namespace, s.name, domain);
          const covered = names.filter((n) => r.hosts.some((h) => hostEntryMatches(h, n)));
          // None covered: the rule is for other hosts (an ingress name routed through the waypoint), not a gap.
          if (covered.length === 0) continue;
          // Every DNS name covered still leaves the Service's VIP (facts §3.2: traffic to the VIP uses the
          // Service's waypoint) and other letter cases (the module compares hosts case-sensitively, §1.5).
          if (covered.length === names.length) {
            if (r.hosts.includes('*')) continue;
            reported.add(key);
            ctx.report(a.plugin.object, {
              message: `WasmPlugin ${pluginLabel(a.plugin)} rule #${r.index + 1} hosts match Service ${s.namespace}/${s.name} by each of its DNS names but not by its ClusterIP, nor by a name in other letter case (the module compares hosts case-sensitively): a client that uses one of those reaches the Service without this rule asking for credentials`,
            });
            continue;
          }
          reported.add(key);
          const missing = names.filter((n) => !covered.includes(n));
          const plain = missing.filter((n) => !n.endsWith('.'));
          const dotted = missing.length - plain.length;
          const shown = plain.length > 0 ? `${plain.join(', ')}${dotted > 0 ? ` or ${dotted} more name${dotted === 1 ? '' : 's'} with a trailing dot` : ''}` : missing.join(', ');
          ctx.report(a.plugin.object, {
            message: `WasmPlugin ${pluginLabel(a.plugin)} rule #${r.index + 1} hosts match Service ${s.namespace}/${s.name} as ${covered.filter((n) => !n.endsWith('.')).join(', ') || covered.join(', ')} but not as ${shown}: a client that uses one of those reaches the Service without this rule asking for credentials`,
          });
        }
      }
    }
  },
};
