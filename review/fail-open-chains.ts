import { isAuthPlugin, pluginView } from '../analysis/rules/plugin-spec';
import type { ChainEntry } from '../simulator/chain';

/**
 * Services and ingress gateways whose chain loses its last fail-closed auth
 * plugin while fail-open ones stay: every simulated request is refused as
 * before (the simulator loads every module), yet whenever the module cannot
 * be fetched or crashes, the base refused what the head lets through. A
 * plugin turned FAIL_OPEN itself is `failsOpen`'s; this is the chain that
 * kept only such plugins (a fail-open twin beside a fail-closed one, which
 * the change removes).
 */
export interface FailOpenChain {
  readonly target: string;
  /** `Service shop/reviews`, `Services of shop without their own label` or `ingress gateway default/bookinfo-gateway`: every chain the same change leaves so. */
  readonly subjects: string[];
  /** The fail-closed auth plugins (`WasmPlugin ns/name`) the chain no longer runs. */
  readonly removed: string[];
  /** The auth plugins it still runs, all fail-open. */
  readonly remaining: string[];
}

const failsClosed = (e: ChainEntry) => pluginView(e.object).failStrategy !== 'FAIL_OPEN';
const auth = (entries: readonly ChainEntry[]) => entries.filter((e) => isAuthPlugin(pluginView(e.object)));

/** Collects, per target, the chains that keep only fail-open auth plugins, one item per kind of change. */
export class FailOpenChains {
  private readonly found = new Map<string, FailOpenChain>();

  /**
   * Note `subject`'s chain before and after. `turnedOpen`: the plugins
   * (`WasmPlugin ns/name`) `failsOpen` lists already, whose own line says it.
   */
  note(target: string, subject: string, before: readonly ChainEntry[], after: readonly ChainEntry[], turnedOpen: ReadonlySet<string>): void {
    // Only plugins sure to attach count as refusing: one that may not attach protects nothing for certain.
    const closedBefore = auth(before).filter((e) => e.applies === 'yes' && failsClosed(e));
    if (closedBefore.length === 0) return;
    const authAfter = auth(after);
    if (authAfter.length === 0 || authAfter.some(failsClosed)) return;
    const remaining = authAfter.map((e) => e.id);
    if (remaining.every((p) => turnedOpen.has(p))) return;
    const removed = closedBefore.map((e) => e.id);
    const key = JSON.stringify([target, removed, remaining]);
    const item = this.found.get(key);
    if (item) item.subjects.push(subject);
    else this.found.set(key, { target, subjects: [subject], removed, remaining });
  }

  /** Every item, each list sorted, in the order of their first subject. */
  list(): FailOpenChain[] {
    // Code-unit order (sort()'s own), as every list of the review.
    return [...this.found.values()].map((x) => ({ target: x.target, subjects: [...x.subjects].sort(), removed: [...x.removed].sort(), remaining: [...x.remaining].sort() }));
  }
}
