import { schemaRule } from './schema-rule';

/** Gateway API v1.6.1 rules for the fields waypoints and targeted Gateways use. */
export const schemaGateway = schemaRule({
  id: 'schema/gateway',
  severity: 'error',
  docs: {
    summary: 'A Gateway must match the Gateway API CRD: 1 to 64 listeners with unique names, valid names, ports 1-65535, valid protocols and hostnames, and a gatewayClassName of 1-253 characters.',
    bad: `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ingress, namespace: shop }
spec:
  gatewayClassName: istio
  listeners:
    - { name: http, port: 80, protocol: HTTP }
    - { name: http, port: 8080, protocol: HTTP }`,
    message: 'spec.listeners[1]: duplicate name "http" (also at spec.listeners[0]); entries must be unique by name',
    fix: 'Correct the field as the message says (Gateway API reference: https://gateway-api.sigs.k8s.io/reference/spec/#gateway).',
  },
});
