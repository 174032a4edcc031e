import { pluginDefinitionFor } from '../../constructs/define-plugin';
import type { Rule } from '../rule';
import { waypointRefs } from './attachments';
import { pluginSubject, pluginView } from './plugin-spec';

export const pluginNetworkOnWaypoint: Rule = {
  id: 'plugin/network-on-waypoint',
  severity: 'warning',
  docs: {
    summary: 'A `type: NETWORK` plugin on a waypoint joins only its TCP filter chains: HTTP traffic through the waypoint never reaches it. An error for a known HTTP module (like basic-auth), which cannot work as a network filter.',
    bad: `new WasmPlugin(ns, 'tcp-audit', { url: 'oci://ghcr.io/acme/tcp-audit:1.0.0', targets: [waypoint], type: PluginType.NETWORK });`,
    message: `WasmPlugin shop/tcp-audit is type NETWORK on a waypoint (Gateway waypoint): it runs only on the waypoint's TCP chains, never on HTTP traffic`,
    fix: 'Use type HTTP (or leave it unset) for plugins that inspect HTTP requests; keep NETWORK only for TCP-level modules on TCP services.',
  },
  check(ctx) {
    for (const o of ctx.ofKind('WasmPlugin')) {
      const p = pluginView(o);
      if (p.type !== 'NETWORK') continue;
      const refs = waypointRefs(ctx, p);
      if (refs.length === 0) continue;
      const known = p.url ? pluginDefinitionFor(p.url) : undefined;
      ctx.report(o, {
        message: `${pluginSubject(p)} is type NETWORK on a waypoint (${refs.map((r) => `${r.kind} ${r.name}`).join(', ')}): it runs only on the waypoint's TCP chains, never on HTTP traffic${known ? `, and ${known.name} is an HTTP module, so it can never work there` : ''}`,
        severity: known ? 'error' : undefined,
      });
    }
  },
};
