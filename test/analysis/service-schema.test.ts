/**
 * The API server's validation of a core Service (ValidateService after
 * SetDefaults_Service), as analysis/schema/service.ts checks it: what it
 * refuses is reported, what it accepts (and defaults) is not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { schemaIssuesOf, validateService } from '../../analysis/schema';

type Obj = Record<string, unknown>;
const service = (spec: Obj | undefined): Obj => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart', namespace: 'shop' }, ...(spec ? { spec } : {}) });
const issues = (spec: Obj | undefined) => validateService(service(spec)).map((i) => `${i.rule} ${i.path}: ${i.message}`);

test('a Service the API server accepts has no issue, defaulted fields included', () => {
  for (const spec of [
    undefined, // a label-only manifest
    {}, // a partial apply: merged into the live ports
    { ports: [{ port: 80 }] },
    { ports: [{ port: 1, name: '' }, ], type: 'ClusterIP' },
    // A port name is an RFC 1123 label, so it may start with a digit; targetPort 0 and "" default to port.
    { ports: [{ port: 65535, name: '8080', targetPort: 0 }, { port: 80, name: 'http', targetPort: '' }] },
    { ports: [{ port: 80, name: 'http', targetPort: 'http-alt' }, { port: 81, name: 'grpc', appProtocol: 'kubernetes.io/h2c', targetPort: 9090 }] },
    // The same number over two protocols is two ports.
    { ports: [{ port: 53, name: 'dns', protocol: 'UDP' }, { port: 53, name: 'dns-tcp', protocol: 'TCP' }] },
    { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] },
    { type: 'ExternalName', externalName: 'db.example.com' },
    { selector: { app: 'cart', 'app.kubernetes.io/part-of': 'shop' }, ports: [{ port: 80, nodePort: 0 }] },
  ]) {
    assert.deepEqual(issues(spec), [], JSON.stringify(spec));
  }
});

test('port numbers out of 1-65535 are refused, as are ports that are not integers or are missing', () => {
  assert.deepEqual(issues({ ports: [{ port: 0, name: 'a' }, { port: 70000, name: 'b' }, { port: 80.5, name: 'c' }, { port: '80', name: 'd' }, { name: 'e' }] }), [
    'schema/service spec.ports[0].port: must be at least 1, got 0',
    'schema/service spec.ports[1].port: must be at most 65535, got 70000',
    'schema/service spec.ports[2].port: must be an integer, got number 80.5',
    'schema/service spec.ports[3].port: must be an integer, got "80"',
    'schema/service spec.ports[4].port: is required',
  ]);
  assert.deepEqual(issues({ ports: [{ port: 80, targetPort: 65536 }] }), ['schema/service spec.ports[0].targetPort: must be at most 65535, got 65536']);
});

test('port names: RFC 1123 labels, required when there are several ports, unique', () => {
  assert.deepEqual(issues({ ports: [{ port: 80, name: 'HTTP' }] }), [
    `schema/service spec.ports[0].name: "HTTP" is not an RFC 1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters`,
  ]);
  assert.deepEqual(issues({ ports: [{ port: 80, name: 'http' }, { port: 81 }, { port: 82, name: 'http' }] }), [
    'schema/service spec.ports[1].name: is required: a Service with more than one port must name each of them',
    'schema/service spec.ports[2].name: duplicate name "http" (also at spec.ports[0]); port names must be unique',
  ]);
});

test('protocol, the same port twice, targetPort names, appProtocol, nodePort on ClusterIP and type are checked as the API server does', () => {
  assert.deepEqual(issues({ ports: [{ port: 80, name: 'a', protocol: 'tcp' }] }), ['schema/service spec.ports[0].protocol: "tcp" is not one of TCP, UDP, SCTP']);
  // An absent protocol is TCP.
  assert.deepEqual(issues({ ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b', protocol: 'TCP' }] }), ['schema/service spec.ports[1]: duplicate port 80/TCP (also at spec.ports[0]); each port and protocol may be listed once']);
  // A quoted number is a name, and a name needs a letter.
  for (const targetPort of ['8080', 'Http', 'a--b', '-http', 'a-very-long-port-name']) {
    assert.match(issues({ ports: [{ port: 80, targetPort }] }).join('\n'), /^schema\/service spec\.ports\[0\]\.targetPort: ".*" is not a port name \(IANA_SVC_NAME/, targetPort);
  }
  assert.match(issues({ ports: [{ port: 80, appProtocol: 'h2c over tls' }] }).join('\n'), /appProtocol: "h2c over tls" is not a qualified name/);
  assert.deepEqual(issues({ ports: [{ port: 80, nodePort: 30080 }] }), ['schema/service spec.ports[0].nodePort: may not be set when type is ClusterIP (the default): only NodePort and LoadBalancer Services have node ports']);
  assert.deepEqual(issues({ type: 'Headless', ports: [{ port: 80 }] }), ['schema/service spec.type: "Headless" is not one of ClusterIP, NodePort, LoadBalancer, ExternalName']);
});

test('selector keys and values are label syntax (names/label-syntax); a Service of another API group is not ours to check', () => {
  assert.deepEqual(issues({ ports: [{ port: 80 }], selector: { app: 'cart v2' } }), [
    'names/label-syntax spec.selector.app: value "cart v2" is not a label value: at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric',
  ]);
  assert.deepEqual(schemaIssuesOf({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: 'ports' }).map((i) => i.message), ['must be an object']);
  assert.deepEqual(schemaIssuesOf({ apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'x' }, spec: { ports: [{ port: 0 }] } }), []);
});
