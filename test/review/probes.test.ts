import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { captureIo, REPO_ROOT } from '../support/helpers';
import { policyRepo } from './policy-repo';

const LIB = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');
/** Every credential the policies below use, as written and as the module stores it. */
const SECRETS = ['ok:test', 'b2s6dGVzdA==', 'gate:secret', 'Z2F0ZTpzZWNyZXQ=', 'admin3:admin3', 'YWRtaW4zOmFkbWluMw==', 'new:secret', 'bmV3OnNlY3JldA=='];

interface Shape {
  /** The hosts of the `/admin` rule on the shop waypoint; null drops the rule. */
  readonly adminHosts: string[] | null;
  /** The hosts of the `/wild` rule; null leaves the rule out. */
  readonly wildHosts?: string[] | null;
  /** `istio.io/ingress-use-waypoint` on the shop Namespace. */
  readonly ingressUseWaypoint: boolean;
  /** Whether an ingress gateway of another team carries a plugin (so the manifests name it). */
  readonly ingressGateway: boolean;
  readonly realm?: string;
  /** The credential of the `/admin` rule. */
  readonly adminCred?: string;
}

function rule(prefix: string, hosts: string[] | null | undefined, cred: string): string {
  if (hosts === null || hosts === undefined) return '';
  return `{ prefix: '${prefix}', methods: ['GET'], credentials: [lit('${cred}')], hosts: ${JSON.stringify(hosts)} },`;
}

/** A shop namespace with a waypoint whose BasicAuth guards `/orders` (every host) and `/admin` (by host). */
function policy(s: Shape): string {
  const gateway = s.ingressGateway
    ? `const edge = new wp.MeshNamespace(target, 'istio-system', { enroll: false });
const ingress = wp.GatewayReference.fromGatewayName(edge, 'ingress', 'ingress');
new wp.BasicAuth(edge, 'auth-at-ingress', {
  targets: [ingress],
  rules: [{ prefix: '/login', methods: ['GET'], credentials: [lit('gate:secret')] }],
  acknowledge: ack,
});`
    : '';
  return `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const target = new wp.Target(app, 'demo');
const lit = (v: string) => wp.Credential.insecureLiteral(v);
const ack = { literalCredentials: 'test', unpinnedModule: 'test' };
const ns = new wp.MeshNamespace(target, 'shop'${s.ingressUseWaypoint ? ', { ingressUseWaypoint: true }' : ''});
const waypoint = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(waypoint);
new wp.BasicAuth(ns, 'auth-at-waypoint', {
  targets: [waypoint],
  rules: [
    { prefix: '/orders', methods: ['GET'], credentials: [lit('admin3:admin3')] },
    ${rule('/admin', s.adminHosts, s.adminCred ?? 'ok:test')}
    ${rule('/wild', s.wildHosts, 'ok:test')}
  ],
  ${s.realm ? `realm: '${s.realm}',` : ''}
  acknowledge: ack,
});
${gateway}
export default app;
`;
}

function repoWith(base: Shape, head: Shape): Promise<string> {
  return policyRepo(policy(base), policy(head), 'wp-probes-');
}

async function diff(repo: string, ...args: string[]) {
  const io = captureIo(repo);
  const code = await main(['diff', '--base', 'main', ...args], io);
  assert.equal(code, 0, io.text());
  return { out: io.stdout.join('\n'), io };
}

async function accessOf(repo: string): Promise<any[]> {
  return JSON.parse((await diff(repo, '--json')).out).effects.access;
}

const HOSTS: Shape = { adminHosts: ['shop.example.com'], wildHosts: ['*.example.com'], ingressUseWaypoint: false, ingressGateway: false };
const INGRESS: Shape = { adminHosts: ['shop.example.com'], ingressUseWaypoint: true, ingressGateway: true };

test('a rule restricted to a host, removed in the head, widens access for requests to that host', async () => {
  const repo = await repoWith(HOSTS, { ...HOSTS, adminHosts: null });
  const access = await accessOf(repo);
  const admin = access.filter((a) => a.path === '/admin' && a.credential === 'none');
  assert.deepEqual(
    admin.map((a) => [a.to, a.via, a.authority, a.before, a.after, a.widened]),
    [['shop/example-service', undefined, 'shop.example.com', 401, 200, true]],
    JSON.stringify(access, null, 2),
  );
  // The text and the PR comment name the host too, or the line would read as a request to the default host.
  assert.match((await diff(repo)).out, /!! GET \/admin to shop\/example-service \(host shop\.example\.com\) \(no credentials\)/);
  assert.match((await diff(repo, '--format', 'markdown')).out, /GET \/admin to shop\/example-service \(host shop\.example\.com\) \(no credentials\)/);
});

test('a wildcard host narrowed to one host widens access for the other hosts it matched', async () => {
  const repo = await repoWith(HOSTS, { ...HOSTS, wildHosts: ['api.example.com'] });
  const access = await accessOf(repo);
  const wild = access.filter((a) => a.path === '/wild' && a.credential === 'none');
  // A concrete host for `*.example.com`; api.example.com stays guarded, so it is not listed.
  assert.deepEqual(
    wild.map((a) => [a.authority, a.before, a.after, a.widened]),
    [['www.example.com', 401, 200, true]],
    JSON.stringify(access, null, 2),
  );
});

test('a namespace dropping ingress-use-waypoint widens requests through the ingress gateway, named as via', async () => {
  const repo = await repoWith(INGRESS, { ...INGRESS, ingressUseWaypoint: false });
  const access = await accessOf(repo);
  const orders = access.filter((a) => a.path === '/orders' && a.credential === 'none');
  assert.deepEqual(
    orders.map((a) => [a.via, a.to, a.before, a.after, a.widened]),
    [['istio-system/ingress', 'shop/example-service', 401, 200, true]],
    JSON.stringify(access, null, 2),
  );
  // In the mesh the waypoint still guards /orders: only the ingress path changed.
  assert.equal(access.some((a) => a.via === undefined), false, JSON.stringify(access, null, 2));
  assert.match((await diff(repo)).out, /!! GET \/orders via istio-system\/ingress to shop\/example-service \(no credentials\) \[demo\]: 401 -> 200/);
  const admin = access.find((a) => a.path === '/admin' && a.credential === 'none' && a.authority === 'shop.example.com');
  assert.deepEqual([admin?.via, admin?.before, admin?.after], ['istio-system/ingress', 401, 200]);
});

test('with no ingress gateway in the manifests, dropping ingress-use-waypoint is shown through a stand-in gateway', async () => {
  const base: Shape = { ...INGRESS, ingressGateway: false };
  const repo = await repoWith(base, { ...base, ingressUseWaypoint: false });
  const access = await accessOf(repo);
  const orders = access.find((a) => a.path === '/orders' && a.credential === 'none');
  assert.deepEqual([orders?.via, orders?.before, orders?.after, orders?.widened], ['istio-system/example-ingress-gateway', 401, 200, true], JSON.stringify(access, null, 2));
});

test('removing the plugin on an ingress gateway still widens requests through it', async () => {
  const repo = await repoWith(INGRESS, { ...INGRESS, ingressGateway: false });
  const access = await accessOf(repo);
  const login = access.filter((a) => a.path === '/login' && a.credential === 'none');
  assert.deepEqual(
    login.map((a) => [a.via, a.to, a.before, a.after, a.widened]),
    [['istio-system/ingress', 'istio-system/example-service', 401, 200, true]],
    JSON.stringify(access, null, 2),
  );
});

test('no credential value appears in any output format, with host and ingress probes', async () => {
  const repos = [
    await repoWith(HOSTS, { ...HOSTS, adminCred: 'new:secret', wildHosts: ['api.example.com'] }),
    await repoWith(INGRESS, { ...INGRESS, adminCred: 'new:secret', ingressUseWaypoint: false, ingressGateway: false }),
  ];
  for (const repo of repos) {
    // A changed credential changes what the host-bound requests with credentials get: those cases are printed.
    const json = JSON.parse((await diff(repo, '--json')).out);
    assert.ok(json.effects.access.some((a: any) => a.credential.startsWith('sha256:')), JSON.stringify(json.effects.access, null, 2));
    for (const args of [[], ['--format', 'markdown'], ['--json']]) {
      const { io } = await diff(repo, ...args);
      for (const secret of SECRETS) assert.equal(io.text().includes(secret), false, `${secret} leaked with ${args.join(' ') || 'text'}`);
    }
  }
});

test('a change that does not touch access lists no access change, though host and ingress requests are simulated', async () => {
  const repo = await repoWith(INGRESS, { ...INGRESS, realm: 'shop' });
  const r = JSON.parse((await diff(repo, '--json')).out);
  assert.deepEqual(r.effects.access, []);
  // The waypoint's 2 rules (GET; /admin also with its host; without and with the credential; each prefix also with a
  // query) reach shop in the mesh and through the ingress gateway: (2 + 4) x 2 x 2; the gateway's own rule: 2 x 2.
  assert.equal(r.effects.simulated, 28);
  assert.equal(r.effects.truncated, 0);
});
