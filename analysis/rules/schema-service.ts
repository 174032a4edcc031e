import { schemaRule } from './schema-rule';

/** The API server's validation of a core Service's ports, type and selector. */
export const schemaService = schemaRule({
  id: 'schema/service',
  severity: 'error',
  docs: {
    summary:
      "A core Service's ports must pass the API server's validation: port numbers 1-65535, names that are RFC 1123 labels, unique and given to every port when there are several, protocol TCP, UDP or SCTP, each port and protocol listed once, a targetPort that is a port number or a container port's name (IANA_SVC_NAME), an appProtocol that is a qualified name, no nodePort on a ClusterIP Service. MeshService checks its props at construction; this catches what reaches the manifest another way (the cdk8s-plus Service's `bind()`, a JSON patch, a hand-written manifest). A Service without ports is left alone: a label-only manifest has none.",
    bad: `apiVersion: v1
kind: Service
metadata: { name: cart, namespace: shop }
spec:
  selector: { app: cart }
  ports:
    - { name: http, port: 70000, targetPort: 8080 }`,
    message: 'spec.ports[0].port: must be at most 65535, got 70000',
    fix: 'Correct the field as the message says (Service reference: https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/).',
  },
});
