import { pluginDefinitionFor } from '../../constructs/define-plugin';
import { acknowledged, Rule } from '../rule';
import { AUTH_PHASES, isAuthPlugin, pluginSubject, pluginView } from './plugin-spec';

export const pluginFailOpenAuth: Rule = {
  id: 'plugin/fail-open-auth',
  severity: 'error',
  docs: {
    summary: 'FAIL_OPEN on an AUTHN/AUTHZ plugin (or a known auth module) means that when the module cannot be fetched or crashes, requests skip the check and pass. An error unless acknowledged in the policy. A module whose definition says it decides nothing about the caller (`decidesAccess: false`, as the catalogue\'s rate limiter, in AUTHN only to run early) is not an auth plugin in any phase.',
    bad: `new BasicAuth(ns, 'auth', {
  targets: [waypoint],
  failStrategy: FailStrategy.FAIL_OPEN,
  rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }],
});`,
    message: 'WasmPlugin shop/auth is an auth plugin (phase AUTHN) with failStrategy FAIL_OPEN: if the module cannot be fetched or crashes, requests skip this check and pass unauthenticated',
    fix: 'Remove failStrategy (FAIL_CLOSE is the default), or acknowledge it: acknowledge: { failOpen: "<why availability beats auth here>" }.',
  },
  check(ctx) {
    for (const o of ctx.ofKind('WasmPlugin')) {
      const p = pluginView(o);
      if (p.failStrategy !== 'FAIL_OPEN' || !isAuthPlugin(p) || acknowledged(o, this.id)) continue;
      const why = AUTH_PHASES.includes(p.phase) ? `phase ${p.phase}` : `the ${p.url ? pluginDefinitionFor(p.url)?.name : ''} module`;
      ctx.report(o, {
        message: `${pluginSubject(p)} is an auth plugin (${why}) with failStrategy FAIL_OPEN: if the module cannot be fetched or crashes, requests skip this check and pass unauthenticated`,
      });
    }
  },
};
