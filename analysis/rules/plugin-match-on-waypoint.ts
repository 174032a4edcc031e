import type { Rule } from '../rule';
import { waypointRefs } from './attachments';
import { pluginSubject, pluginView } from './plugin-spec';

/** Why a match entry can never select a waypoint's HTTP chain (listener class inbound, port 0). */
function deadReason(m: { mode: string; ports: readonly unknown[] }): string | undefined {
  if (m.mode === 'CLIENT') return 'sets mode CLIENT, but a waypoint runs HTTP plugins as SERVER';
  if (m.ports.length > 0) return 'sets ports, but a waypoint selects HTTP plugins without a port';
  return undefined;
}

export const pluginMatchOnWaypoint: Rule = {
  id: 'plugin/match-on-waypoint',
  severity: 'error',
  docs: {
    summary: 'On a waypoint, an HTTP plugin whose every `match` entry has `mode: CLIENT` or any `ports` never applies (waypoints select HTTP plugins as SERVER with no port). Leave match empty for waypoint plugins.',
    bad: `new WasmPlugin(ns, 'stamp', { url: 'oci://ghcr.io/acme/stamp:1.0.0', targets: [waypoint], match: [{ ports: [8080] }] });`,
    message: 'WasmPlugin shop/stamp never applies on the waypoint it targets (Gateway waypoint): spec.match[0] sets ports, but a waypoint selects HTTP plugins without a port. Requests through the waypoint pass without this plugin',
    fix: 'Remove match (or keep only entries with mode SERVER/CLIENT_AND_SERVER and no ports); to limit a plugin to one Service, target that Service.',
  },
  check(ctx) {
    for (const o of ctx.ofKind('WasmPlugin')) {
      const p = pluginView(o);
      if (p.type !== 'HTTP' || p.match.length === 0) continue;
      const refs = waypointRefs(ctx, p);
      if (refs.length === 0) continue;
      const reasons = p.match.map(deadReason);
      const dead = reasons.map((r, i) => (r ? `spec.match[${i}] ${r}` : undefined)).filter((x): x is string => x !== undefined);
      if (dead.length === 0) continue;
      const via = refs.map((r) => `${r.kind} ${r.name}`).join(', ');
      if (dead.length === reasons.length) {
        ctx.report(o, { message: `${pluginSubject(p)} never applies on the waypoint it targets (${via}): ${dead.join('; ')}. Requests through the waypoint pass without this plugin` });
      } else {
        ctx.report(o, { message: `${pluginSubject(p)}: on the waypoint it targets (${via}) some match entries never apply: ${dead.join('; ')}. Only the other entries select traffic there`, severity: 'warning' });
      }
    }
  },
};
