import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Construct } from 'constructs';
import { BasicAuth, Credential, definePlugin, GatewayReference, LocalRateLimit, LocalRateLimitProps, ReleasedLabels, MeshNamespace, MeshService, PluginPhase, PolicyApp, PolicyError, Target, Waypoint } from '../../constructs';
import { z } from 'zod';
import { main as cli } from '../../cli/main';
import { captureIo, tempDir, writePolicy } from '../support/helpers';

const SHA = 'a'.repeat(64);

/** The one finding `build` throws, as rule, path and the file:line of its source. */
function refusal(build: () => unknown): { rule: string; path?: string; message: string; at?: string } {
  try {
    build();
  } catch (e) {
    assert.ok(e instanceof PolicyError, String(e));
    assert.equal(e.findings.length, 1, e.message);
    const [f] = e.findings;
    return { rule: f.rule, path: f.path, message: f.message, at: f.source === undefined ? undefined : path.basename(f.source) };
  }
  assert.fail('not refused');
}

/** `file:line` of the line after the one that calls it. */
function nextLine(): string {
  // The second frame: the caller's line (the first is this function's own).
  const line = Number([...(new Error().stack ?? '').matchAll(/duplicate-id\.test\.ts:(\d+)/g)][1]?.[1]);
  return `duplicate-id.test.ts:${line + 1}`;
}

/** Where shop() creates its waypoint, as the finding names the first construct of a reused id. */
let shopWaypointAt = '';

function shop(): { ns: MeshNamespace; waypoint: Waypoint } {
  const ns = new MeshNamespace(new Target(new PolicyApp(), 'prod'), 'shop');
  shopWaypointAt = `${__filename}:${nextLine().split(':')[1]}`;
  return { ns, waypoint: new Waypoint(ns, 'waypoint') };
}

test('a reused id names the construct path, what already holds the id, and the policy line that reused it', () => {
  const { ns } = shop();
  const at = nextLine();
  const r = refusal(() => new Waypoint(ns, 'waypoint'));
  assert.deepEqual(r, {
    rule: 'construct/duplicate-id',
    path: 'prod/shop/waypoint',
    message: `'prod/shop' already has a construct with id 'waypoint' (class Waypoint, created at ${shopWaypointAt}): the new Waypoint needs an id of its own`,
    at,
  });
});

test('every kind of construct checks its id before the constructs library would refuse it without a path', () => {
  const cases: [string, (ns: MeshNamespace, w: Waypoint) => unknown, string][] = [
    ['waypoint', (ns) => new MeshService(ns, 'waypoint', { ports: [{ port: 80 }] }), 'MeshService'],
    ['waypoint', (ns) => MeshService.fromServiceName(ns, 'waypoint', 'cart'), 'ExternalService'],
    ['waypoint', (ns) => new GatewayReference(ns, 'waypoint', { name: 'ingress' }), 'GatewayReference'],
    ['waypoint', (ns) => Waypoint.fromWaypointName(ns, 'waypoint', { name: 'other', namespace: 'infra' }), 'WaypointReference'],
    // Catalogue plugins parse their friendly props on a stand-in construct before super(): checked there too.
    ['waypoint', (ns, w) => new BasicAuth(ns, 'waypoint', { targets: [w], sha256: SHA, rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('a:b')] }] }), 'BasicAuth'],
    ['waypoint', (ns, w) => new LocalRateLimit(ns, 'waypoint', { targets: [w], sha256: SHA, requestsPerFill: 10, fillInterval: { seconds: 1 } } as never), 'LocalRateLimit'],
  ];
  for (const [id, build, kind] of cases) {
    const { ns, waypoint } = shop();
    const r = refusal(() => build(ns, waypoint));
    assert.equal(r.rule, 'construct/duplicate-id', `${kind}: ${r.message}`);
    assert.equal(r.path, `prod/shop/${id}`, kind);
    assert.ok(r.message.includes(`already has a construct with id '${id}' (class Waypoint, created at ${shopWaypointAt}): the new ${kind} needs`), `${kind}: ${r.message}`);
    assert.match(r.at ?? '', /^duplicate-id\.test\.ts:\d+$/, `${kind}: the policy line, not a library frame`);
  }
});

test('an empty id (a variable that held an empty string) is refused with the scope, the class and the policy line, by every kind of construct', () => {
  const cases: [(ns: MeshNamespace, w: Waypoint) => unknown, string][] = [
    [(ns) => new Waypoint(ns, ''), 'Waypoint'],
    [(ns) => new MeshService(ns, '', { ports: [{ port: 80 }] }), 'MeshService'],
    [(ns) => MeshService.fromServiceName(ns, '', 'cart'), 'ExternalService'],
    [(ns) => new GatewayReference(ns, '', { name: 'ingress' }), 'GatewayReference'],
    [(ns, w) => new BasicAuth(ns, '', { targets: [w], sha256: SHA, rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('a:b')] }] }), 'BasicAuth'],
  ];
  for (const [build, kind] of cases) {
    const { ns, waypoint } = shop();
    const children = ns.node.children.length;
    const { at, ...r } = refusal(() => build(ns, waypoint));
    assert.deepEqual(r, { rule: 'construct/empty-id', path: 'prod/shop', message: `the new ${kind} in 'prod/shop' has an empty id: only the app itself may have one` }, kind);
    assert.match(at ?? '', /^duplicate-id\.test\.ts:(7[6-9]|8[0-9])$/, `${kind}: the line of the case, not a library frame`);
    assert.equal(ns.node.children.length, children, `${kind}: nothing added`);
  }
  const app = new PolicyApp();
  assert.equal(refusal(() => new MeshNamespace(app, '')).message, "the new MeshNamespace in the app has an empty id: only the app itself may have one");
  assert.equal(refusal(() => new Target(app, '')).message, "the new Target in the app has an empty id: only the app itself may have one");
});

test('a plugin defined with definePlugin is named by its class, and a namespace or target id in the app is checked too', () => {
  const HeaderStamp = definePlugin({ name: 'header-stamp', url: 'oci://ghcr.io/acme/header-stamp:1.0.0', sha256: SHA, defaultPhase: PluginPhase.STATS, configSchema: z.object({}).strict() });
  const { ns, waypoint } = shop();
  assert.match(refusal(() => new HeaderStamp(ns, 'waypoint', { targets: [waypoint], pluginConfig: {} })).message, /the new HeaderStamp needs/);
  const app = new PolicyApp();
  new Target(app, 'prod');
  assert.deepEqual(refusal(() => new Target(app, 'prod')).path, 'prod');
  assert.match(refusal(() => new Target(app, 'prod')).message, /^the app already has a construct with id 'prod' \(class Target, created at .*duplicate-id\.test\.ts:\d+\)/);
  const t = new Target(new PolicyApp(), 'prod');
  new MeshNamespace(t, 'shop');
  assert.equal(refusal(() => new MeshNamespace(t, 'shop')).path, 'prod/shop');
});

test('a refused id leaves the tree as it was: the first construct stays, nothing half-built is added', () => {
  const { ns, waypoint } = shop();
  const before = ns.node.children.length;
  refusal(() => new BasicAuth(ns, 'waypoint', { targets: [waypoint], sha256: SHA, rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('a:b')] }] }));
  assert.equal(ns.node.children.length, before);
  assert.equal(ns.node.findChild('waypoint'), waypoint);
});

test("a team's own plain Construct with a reused id is still refused, by the constructs library", () => {
  const { ns } = shop();
  new Construct(ns, 'group');
  assert.throws(() => new Construct(ns, 'group'), /There is already a Construct with name 'group'/);
});

test("a team's subclass of a catalogue plugin is named by its own class, at the line that reused the id, not its super() call", () => {
  class ShopLimit extends LocalRateLimit {
    constructor(scope: MeshNamespace, id: string, props: LocalRateLimitProps) {
      super(scope, id, props);
    }
  }
  const { ns, waypoint } = shop();
  const at = nextLine();
  const r = refusal(() => new ShopLimit(ns, 'waypoint', { targets: [waypoint], sha256: SHA, requestsPerFill: 10, fillInterval: { seconds: 1 } } as never));
  assert.equal(r.rule, 'construct/duplicate-id');
  assert.match(r.message, /the new ShopLimit needs/);
  assert.equal(r.at, at);
});

test('an id a factory derives is reported at the factory call, and the path is the one the library stores', () => {
  const { ns } = shop();
  ReleasedLabels.ofService(ns, 'reviews');
  const at = nextLine();
  const r = refusal(() => ReleasedLabels.ofService(ns, 'reviews'));
  assert.equal(r.rule, 'construct/duplicate-id');
  assert.equal(r.path, 'prod/shop/released-service-reviews');
  assert.equal(r.at, at);
  // An id with '/' is stored with '--' by the constructs library: the path names the construct that exists.
  new Waypoint(ns, 'a/b', { name: 'a-b' });
  assert.equal(refusal(() => new Waypoint(ns, 'a/b', { name: 'a-b2' })).path, 'prod/shop/a--b');
});

test('a missing id (from JavaScript or data) still gets the library\'s own message, not a TypeError from the check', () => {
  const { ns } = shop();
  assert.throws(() => new Waypoint(ns, undefined as unknown as string), /Only root constructs may have an empty ID/);
});

test("the id a MeshNamespace keeps for its Namespace manifest (created with the first label) is refused at the line that takes it", () => {
  const ns = new MeshNamespace(new Target(new PolicyApp(), 'prod'), 'shop', { enroll: false });
  const at = nextLine();
  const r = refusal(() => new Waypoint(ns, 'Namespace', { name: 'waypoint' }));
  assert.deepEqual(r, {
    rule: 'construct/duplicate-id',
    path: 'prod/shop/Namespace',
    message: "'prod/shop' keeps the id 'Namespace' for its Namespace manifest: the new Waypoint needs an id of its own",
    at,
  });
  // Labels still work afterwards, and the manifest takes its id.
  ns.useWaypoint(new Waypoint(ns, 'waypoint'));
  assert.ok(ns.apiObject);
});

test("the id a plugin or a label-only Service keeps for its manifest (created only when asked for) is refused at the line that takes it", () => {
  const ns = new MeshNamespace(new Target(new PolicyApp(), 'prod'), 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const plugin = new BasicAuth(ns, 'auth', { targets: [waypoint], sha256: '0'.repeat(64), rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('a:b')] }], acknowledge: { literalCredentials: 'test' } });
  const at = nextLine();
  const r = refusal(() => new Waypoint(plugin as unknown as MeshNamespace, 'Resource', { name: 'nested' }));
  assert.deepEqual(r, {
    rule: 'construct/duplicate-id',
    path: 'prod/shop/auth/Resource',
    message: "'prod/shop/auth' keeps the id 'Resource' for its WasmPlugin manifest: the new Waypoint needs an id of its own",
    at,
  });
  // The escape hatch still creates it under that id.
  assert.equal(plugin.apiObject.node.id, 'Resource');
  const service = MeshService.fromServiceName(ns, 'reviews', 'reviews', { useWaypoint: waypoint });
  assert.match(refusal(() => new Waypoint(service as unknown as MeshNamespace, 'Labels', { name: 'nested' })).message, /'prod\/shop\/reviews' keeps the id 'Labels' for its Service manifest/);
});

test("a team's plain Construct that takes the id a plugin keeps for its manifest: the escape hatch names it as construct/duplicate-id, not as an error of the constructs library", () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(new Target(app, 'prod'), 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  const plugin = new BasicAuth(ns, 'auth', { targets: [waypoint], sha256: SHA, rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('a:b')] }], acknowledge: { literalCredentials: 'test' } });
  new Construct(plugin, 'Resource');
  const r = refusal(() => plugin.apiObject);
  assert.equal(r.rule, 'construct/duplicate-id');
  assert.equal(r.path, 'prod/shop/auth/Resource');
  assert.equal(r.message, "'prod/shop/auth' keeps the id 'Resource' for its WasmPlugin manifest, but a Construct took it: the manifest cannot be created");
});

test('an id reused across policy files names both lines, relative to the project, in what the CLI prints', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'package.json'), '{}');
  fs.mkdirSync(path.join(dir, 'policies'));
  writePolicy(path.join(dir, 'policies'), `export function shop(app: any): void {
  new wp.MeshNamespace(app, 'shop');
}`, 'shop.ts');
  writePolicy(path.join(dir, 'policies'), `import { shop } from './shop';
const app = new wp.PolicyApp();
shop(app);
new wp.MeshNamespace(app, 'shop');
export default app;`);
  const io = captureIo(dir);
  assert.equal(await cli(['validate', '--app', 'policies/main.ts'], io), 1);
  assert.match(io.text(), /error\[construct\/duplicate-id\]: the app already has a construct with id 'shop' \(class MeshNamespace, created at policies\/shop\.ts:3\): the new MeshNamespace needs an id of its own\n  at shop \(policies\/main\.ts:5\)/);
  assert.doesNotMatch(io.text(), new RegExp(dir));
});
