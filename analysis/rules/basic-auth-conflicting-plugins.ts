import { clusterDomainOf } from '../../compiler/model';
import { LABELS } from '../../constructs/labels';
import { isSubstitutionPlaceholder, storedCredential } from '../../constructs/plugins/basic-auth-format';
import { isUnreadStandIn } from '../../constructs/plugins/basic-auth';
import type { Rule, RuleContext } from '../rule';
import { hostEntryKind, hostEntryMatches, pathMatches } from '../../simulator/basic-auth';
import { isPlainObject } from '../schema/issue';
import { attachments } from './attachments';
import { basicAuthRuleObjects, runsBasicAuth, stringsOf } from './basic-auth-rules';
import { pluginLabel, PluginView } from './plugin-spec';
import { outsideNameTest, serviceNames, serviceOfScope } from './service-hosts';
import { labelsOfObject, namespaceLabels } from './waypoints';

/** One basic_auth rule as the module reads it, reduced to what decides whether two can meet one request. */
interface AuthRule {
  readonly index: number;
  readonly prefix?: string;
  readonly exact?: string;
  readonly suffix?: string;
  readonly methods: readonly string[];
  readonly hosts: readonly string[];
  /** Stored forms; undefined when one is unknown here (a Flux substitution, or one that could not be read). */
  readonly credentials?: ReadonlySet<string>;
}

function rulesOf(p: PluginView): AuthRule[] {
  if (!runsBasicAuth(p)) return [];
  return basicAuthRuleObjects(p).flatMap((r, index) => {
    if (!isPlainObject(r)) return [];
    const prefix = typeof r.prefix === 'string' ? r.prefix : undefined;
    const exact = typeof r.exact === 'string' ? r.exact : undefined;
    const suffix = typeof r.suffix === 'string' ? r.suffix : undefined;
    // Exactly one matcher: anything else is plugin/config's to report.
    if ([prefix, exact, suffix].filter((m) => m !== undefined).length !== 1) return [];
    const credentials = stringsOf(r.credentials);
    const known = credentials.every((c) => !isSubstitutionPlaceholder(c) && !isUnreadStandIn(c));
    return [{ index, prefix, exact, suffix, methods: stringsOf(r.request_methods), hosts: stringsOf(r.hosts), credentials: known ? new Set(credentials.map(storedCredential)) : undefined }];
  });
}

const pathOf = (r: AuthRule) => (r.prefix !== undefined ? `prefix ${r.prefix}` : r.exact !== undefined ? `exact ${r.exact}` : `suffix ${r.suffix}`);

/** The outside-host test (`outsideNameTest`) when ingress traffic reaches the chain through the waypoint; undefined when none does. */
type IngressHosts = ((host: string) => boolean) | undefined;

/**
 * Whether a rule can match a request to the Service of the chain: without hosts, any; with them, one must
 * name it, or, when ingress gateways route to the Service through its waypoint, name an outside host (the
 * gateway forwards the external client's :authority unchanged).
 */
function reachesService(r: AuthRule, names: readonly string[] | undefined, ingress: IngressHosts): boolean {
  return !names || r.hosts.length === 0 || r.hosts.some((h) => names.some((n) => hostEntryMatches(h, n)) || (ingress !== undefined && ingress(h)));
}

/** Whether ingress gateways send traffic for Service `ns/name` through its waypoint (facts §3.5: the Service's label, else its Namespace's; Go ParseBool). */
function ingressUsesWaypoint(ctx: RuleContext, s: { namespace: string; name: string } | undefined): boolean {
  if (!s) return false;
  const about = ctx.find('Service', s.namespace, s.name) ?? ctx.findReference('Service', s.namespace, s.name);
  const value = (about ? labelsOfObject(about) : {})[LABELS.ingressUseWaypoint] ?? namespaceLabels(ctx, s.namespace).labels[LABELS.ingressUseWaypoint];
  return value !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value);
}

export const basicAuthConflictingPlugins: Rule = {
  id: 'basic-auth/conflicting-plugins',
  severity: 'warning',
  docs: {
    summary:
      'Two Basic-auth plugins on one chain (a waypoint\'s, or a waypoint\'s and one of its Services\') whose rules can match the same request and share no credential (or three or more plugins where each two share one but no credential is in all of them): a request must satisfy every plugin it meets, so none passes them all, and that path answers 401 to everyone. On the chain of a Service, a rule with hosts counts only if one of them names that Service (its short or namespaced name, or its fully qualified one in the cluster\'s DNS domain, PolicyApp clusterDomain), or, when the Service takes ingress traffic through its waypoint (istio.io/ingress-use-waypoint), names an outside host (an ingress gateway forwards the external client\'s authority). Credentials whose values are unknown here (a Flux substitution, one that could not be read), are not compared.',
    bad: `new BasicAuth(ns, 'ops', { targets: [waypoint], rules: [{ prefix: '/admin', methods: ['GET'], credentials: [Credential.fromEnv('ADMIN_CREDENTIAL')] }] });
new BasicAuth(ns, 'team', { targets: [waypoint], priority: 10, rules: [{ prefix: '/admin/users', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }] });`,
    message:
      'WasmPlugin shop/ops rule #1 (prefix /admin) and WasmPlugin shop/team rule #1 (prefix /admin/users) can match the same GET request on shop/waypoint and share no credential: a request must satisfy both plugins, so every such request gets 401',
    fix: 'Give every rule that meets the request the credentials that should pass (or one rule the other\'s), or narrow one so the rules cannot match the same request.',
  },
  check(ctx) {
    // Read once per run: each chain's names and the outside-host test are built from it.
    const domain = clusterDomainOf(ctx.model);
    const outsideName = outsideNameTest(domain);
    const byChain = new Map<string, { proxy: string; plugins: PluginView[] }>();
    const wide = new Map<string, PluginView[]>();
    for (const a of attachments(ctx)) {
      if (a.scope === '*') (wide.get(a.proxy) ?? wide.set(a.proxy, []).get(a.proxy)!).push(a.plugin);
      const k = `${a.proxy}\0${a.scope}`;
      (byChain.get(k) ?? byChain.set(k, { proxy: a.proxy, plugins: [] }).get(k)!).plugins.push(a.plugin);
    }
    const reported = new Set<string>();
    // A mesh has a chain per Service, most with one plugin: only chains of two or more are read, each plugin's rules once.
    const rules = new Map<PluginView, AuthRule[]>();
    const rulesFor = (p: PluginView) => rules.get(p) ?? rules.set(p, rulesOf(p)).get(p)!;
    // Each Service chain also runs the proxy-wide plugins.
    const chainPlugins = (k: string, c: { proxy: string; plugins: PluginView[] }) => (k.endsWith('\0*') ? c.plugins : [...c.plugins, ...(wide.get(c.proxy) ?? [])]);
    const several = [...byChain.entries()].filter(([k, c]) => c.plugins.length > 1 || (!k.endsWith('\0*') && wide.has(c.proxy)));
    for (const [k, c] of several.sort(([x], [y]) => (x < y ? -1 : 1))) {
      const proxy = c.proxy;
      const scope = k.slice(k.indexOf('\0') + 1);
      const names = serviceNames(scope, domain);
      const ingress = ingressUsesWaypoint(ctx, serviceOfScope(scope)) ? outsideName : undefined;
      const all = chainPlugins(k, c);
      const plugins = [...new Map(all.map((p) => [pluginLabel(p), p])).values()].sort((x, y) => (pluginLabel(x) < pluginLabel(y) ? -1 : 1));
      const list = plugins.map((p) => ({ p, rules: rulesFor(p) })).filter((x) => x.rules.length > 0);
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          const [a, b] = [list[i], list[j]];
          const pair = `${pluginLabel(a.p)}\0${pluginLabel(b.p)}`;
          if (reported.has(pair)) continue;
          for (const ra of a.rules) {
            let method: string | undefined;
            const rb = b.rules.find((r) => ra.credentials && r.credentials && !shareOne(ra.credentials, r.credentials) && (method = requestAllMeet([ra, r], names, ingress)) !== undefined);
            if (!rb) continue;
            reported.add(pair);
            ctx.report(a.p.object, {
              message: `WasmPlugin ${pluginLabel(a.p)} rule #${ra.index + 1} (${pathOf(ra)}) and WasmPlugin ${pluginLabel(b.p)} rule #${rb.index + 1} (${pathOf(rb)}) can match the same ${method} request on ${proxy} and share no credential: a request must satisfy both plugins, so every such request gets 401`,
            });
            break;
          }
        }
      }
      // Pairs can each share a credential while no credential passes all of three or more plugins.
      const combination = list.length >= 3 ? disjointCombination(list, names, ingress) : undefined;
      if (combination) {
        const key = combination.picked.map((x) => pluginLabel(x.p)).join('\0');
        if (reported.has(key)) continue;
        reported.add(key);
        const described = combination.picked.map((x) => `WasmPlugin ${pluginLabel(x.p)} rule #${x.rule.index + 1} (${pathOf(x.rule)})`);
        ctx.report(combination.picked[0].p.object, {
          message: `${described.slice(0, -1).join(', ')} and ${described[described.length - 1]} can match the same ${combination.method} request on ${proxy}, and no credential is in all of them (each two share one): a request must satisfy every plugin, so every such request gets 401`,
        });
      }
    }
  },
};

type Picked = { p: PluginView; rule: AuthRule };

// A chain rarely has more than a few Basic-auth plugins; the search stops here regardless.
const MAX_COMBINATIONS = 10_000;

/**
 * The smallest set of rules, one from each of three or more plugins, that can
 * match one request, where every two share a credential (a pair that shares
 * none is reported as a pair) but no credential is in all of them.
 */
function disjointCombination(list: readonly { p: PluginView; rules: AuthRule[] }[], names: readonly string[] | undefined, ingress: IngressHosts): { picked: Picked[]; method: string } | undefined {
  let budget = MAX_COMBINATIONS;
  for (let size = 3; size <= list.length; size++) {
    const picked: Picked[] = [];
    const search = (from: number): { picked: Picked[]; method: string } | undefined => {
      if (picked.length === size) {
        const rules = picked.map((x) => x.rule);
        const method = requestAllMeet(rules, names, ingress);
        if (method === undefined) return undefined;
        const sets = rules.map((r) => r.credentials!);
        if ([...sets[0]].some((c) => sets.every((set) => set.has(c)))) return undefined;
        return { picked: [...picked], method };
      }
      for (let i = from; i < list.length && budget > 0; i++) {
        for (const rule of list[i].rules) {
          if (--budget <= 0) return undefined;
          // Unknown credentials are not compared, and a pair that shares none is the pairwise finding's.
          if (!rule.credentials || picked.some((x) => !shareOne(x.rule.credentials!, rule.credentials!))) continue;
          picked.push({ p: list[i].p, rule });
          const found = search(i + 1);
          picked.pop();
          if (found) return found;
        }
      }
      return undefined;
    };
    const found = search(0);
    if (found) return found;
  }
  return undefined;
}

const shareOne = (a: ReadonlySet<string>, b: ReadonlySet<string>) => [...a].some((c) => b.has(c));

/**
 * The method of a request every one of `rules` can match (on the chain of the
 * Service `names` name, when it is one), or undefined when no request meets
 * them all.
 */
function requestAllMeet(rules: readonly AuthRule[], names: readonly string[] | undefined, ingress: IngressHosts): string | undefined {
  const method = rules[0].methods.find((m) => rules.every((r) => r.methods.includes(m)));
  if (method === undefined || !pathsMeet(rules) || !hostsMeet(rules) || !rules.every((r) => reachesService(r, names, ingress))) return undefined;
  return method;
}

/** Whether one request path (query included, as the module compares it) matches every rule: one exact path at most, prefixes that nest, suffixes that nest. */
function pathsMeet(rules: readonly AuthRule[]): boolean {
  const exacts = [...new Set(rules.flatMap((r) => (r.exact !== undefined ? [r.exact] : [])))];
  if (exacts.length > 1) return false;
  if (exacts.length === 1) return rules.every((r) => pathMatches(r, exacts[0]));
  const longest = (xs: string[]) => xs.reduce((a, b) => (b.length > a.length ? b : a), '');
  const prefixes = rules.flatMap((r) => (r.prefix !== undefined ? [r.prefix] : []));
  const suffixes = rules.flatMap((r) => (r.suffix !== undefined ? [r.suffix] : []));
  const [p, s] = [longest(prefixes), longest(suffixes)];
  return prefixes.every((x) => p.startsWith(x)) && suffixes.every((x) => s.endsWith(x));
}

/**
 * Whether one host matches an entry of every rule's hosts. Tried: each exact
 * entry, and each prefix entry's text followed by each suffix entry's (the
 * longest prefix and suffix a host must have), which covers every way the
 * entries can meet.
 */
function hostsMeet(rules: readonly AuthRule[]): boolean {
  const lists = rules.map((r) => r.hosts).filter((h) => h.length > 0);
  if (lists.length <= 1) return true;
  const entries = lists.flat().map(hostEntryKind);
  const prefixes = ['', ...entries.filter((e) => e.kind === 'prefix').map((e) => e.text)];
  const suffixes = ['', ...entries.filter((e) => e.kind === 'suffix').map((e) => e.text)];
  const candidates = [...entries.filter((e) => e.kind === 'exact').map((e) => e.text), ...prefixes.flatMap((p) => suffixes.map((x) => p + x))];
  return candidates.some((h) => lists.every((l) => l.some((e) => hostEntryMatches(e, h))));
}
