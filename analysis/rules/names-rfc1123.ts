import { isDns1035Label, isDnsLabel, isDnsSubdomain } from '../../constructs/internal/schemas';
import type { Rule } from '../rule';
import type { RuleContext } from '../rule';
import type { KubeObject } from '../../compiler/model';
import { gatewayProxyOf } from './waypoints';

type NameRule = { readonly test: (s: string) => boolean; readonly says: string };
const LABEL: NameRule = { test: isDnsLabel, says: 'an RFC 1123 label: at most 63 lower-case letters, digits and -, starting and ending with a letter or digit' };
const SUBDOMAIN: NameRule = { test: isDnsSubdomain, says: 'an RFC 1123 subdomain: at most 253 lower-case letters, digits, - and ., each part starting and ending with a letter or digit' };
const SERVICE: NameRule = { test: isDns1035Label, says: 'an RFC 1035 label: at most 63 lower-case letters, digits and -, starting with a letter' };

/**
 * Names the API server would refuse. A waypoint's name also names its
 * Service and Deployment (istiod disables the name suffix), so it must be a
 * valid Service name.
 */
function nameRuleFor(ctx: RuleContext, m: KubeObject): { rule: NameRule; why?: string } {
  const kind = m.kind;
  if (kind === 'Namespace') return { rule: LABEL };
  if (kind === 'Service') return { rule: SERVICE };
  // The waypoint controller's ClassInfo sets DisableNameSuffix; Istio's other classes append the class name.
  if (kind === 'Gateway' && gatewayProxyOf(ctx, m).kind === 'waypoint') {
    return { rule: SERVICE, why: ' (a waypoint\'s name is also the name of its Service and Deployment)' };
  }
  return { rule: SUBDOMAIN };
}

export const namesRfc1123: Rule = {
  id: 'names/rfc1123',
  severity: 'error',
  docs: {
    summary: 'Object and namespace names must be valid DNS names for their kind (Namespace: RFC 1123 label; Service and waypoint: RFC 1035 label; others: RFC 1123 subdomain), or the API server refuses the object.',
    bad: `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: 1st-waypoint, namespace: shop }
spec:
  gatewayClassName: istio-waypoint
  listeners: [{ name: mesh, port: 15008, protocol: HBONE }]`,
    message: `Gateway name "1st-waypoint" is not an RFC 1035 label: at most 63 lower-case letters, digits and -, starting with a letter (a waypoint's name is also the name of its Service and Deployment)`,
    fix: "Rename it: lower-case words joined by '-', starting with a letter.",
  },
  check(ctx) {
    for (const o of ctx.objects) {
      const { kind, metadata } = o.manifest;
      const { rule, why } = nameRuleFor(ctx, o.manifest);
      if (!rule.test(metadata.name)) {
        ctx.report(o, { message: `${kind} name ${JSON.stringify(metadata.name)} is not ${rule.says}${why ?? ''}` });
      }
      if (metadata.namespace !== undefined && (typeof metadata.namespace !== 'string' || !isDnsLabel(metadata.namespace))) {
        ctx.report(o, { message: `namespace ${JSON.stringify(metadata.namespace)} is not ${LABEL.says}` });
      }
    }
  },
};
