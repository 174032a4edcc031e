import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/helpers';
import { diffAgainstMain, policyRepo } from './policy-repo';
import { compileApp } from '../../compiler/synth';
import * as wp from '../../constructs';
import { gateFailures, review } from '../../review';

const LIB = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');

/** Namespace egress (target demo) with an egress waypoint and another team's ServiceEntry; `body` adds plugins with `auth(id, target, prefix)`. */
function program(body: string, enrolled = true): string {
  return `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'egress');
const w = new wp.Waypoint(ns, 'egress-waypoint', { waypointFor: wp.WaypointFor.ALL });
${enrolled ? 'ns.useWaypoint(w);' : ''}
const se = wp.ServiceEntryReference.fromServiceEntryName(ns, 'api', 'api-example-com');
const auth = (id: string, target: wp.ITargetable, prefix: string) =>
  new wp.BasicAuth(ns, id, {
    targets: [target],
    rules: [{ prefix, methods: ['GET'], credentials: [wp.Credential.insecureLiteral('ok:test')] }],
    acknowledge: { literalCredentials: 'test', unpinnedModule: 'test' },
  });
${body}
export default app;
`;
}

const diff = (repo: string, format: string) => diffAgainstMain(repo, '--format', format, '--fail-on-widened');

test('an auth plugin on a ServiceEntry removed, narrowed or moved off it is listed with the widenings no request shows, in every format, and fails --fail-on-widened: no simulated request goes to a ServiceEntry', async () => {
  const base = program(`auth('api-auth', se, '/admin');`);
  for (const head of [program(''), program(`auth('api-auth', se, '/admin/reports');`), program(`auth('api-auth', wp.GatewayReference.fromGatewayName(ns, 'other', 'other-gateway'), '/admin');`)]) {
    const repo = await policyRepo(base, head, 'wp-se-auth-');
    const json = await diff(repo, 'json');
    assert.equal(json.code, 1, json.io.text());
    assert.deepEqual(JSON.parse(json.out).effects.serviceEntryAuth, [{ target: 'demo', serviceEntry: 'egress/api-example-com', plugins: ['WasmPlugin egress/api-auth'] }]);
    const text = await diff(repo, 'text');
    assert.match(text.out, /1 ServiceEntry\(s\) losing auth plugins \(not simulated\)/);
    assert.match(text.out, /!! ServiceEntry egress\/api-example-com \[demo\] no longer runs egress\/api-auth as before/);
    assert.match(text.err, /--fail-on-widened fails: 1 ServiceEntry\(s\) whose auth plugins are removed, changed or moved off them/);
    const markdown = await diff(repo, 'markdown');
    assert.match(markdown.out, /- \*\*ServiceEntry egress\/api-example-com \[demo\] no longer runs egress\/api-auth/);
  }
});

test("a ServiceEntry whose Namespace loses its waypoint loses the plugins that target it (no fallback): listed, and --fail-on-widened fails", async () => {
  const body = `auth('api-auth', se, '/admin');`;
  const repo = await policyRepo(program(body), program(body, false), 'wp-se-auth-');
  const json = await diff(repo, 'json');
  assert.equal(json.code, 1, json.io.text());
  assert.deepEqual(JSON.parse(json.out).effects.serviceEntryAuth, [{ target: 'demo', serviceEntry: 'egress/api-example-com', plugins: ['WasmPlugin egress/api-auth'], lostWaypoint: 'egress/egress-waypoint' }]);
  const text = await diff(repo, 'text');
  assert.match(text.out, /ServiceEntry egress\/api-example-com \[demo\] loses its waypoint egress\/egress-waypoint .* so egress\/api-auth no longer runs for it/);
});

test('a ServiceEntry that keeps what its auth plugins do passes: a plugin added, renamed, or moved unchanged to the waypoint its Namespace gives it', async () => {
  const base = program(`auth('api-auth', se, '/admin');`);
  for (const head of [program(`auth('api-auth', se, '/admin'); auth('more', se, '/reports');`), program(`auth('api-auth-v2', se, '/admin');`), program(`auth('api-auth', w, '/admin');`)]) {
    const repo = await policyRepo(base, head, 'wp-se-auth-');
    const json = await diff(repo, 'json');
    assert.equal(json.code, 0, json.io.text());
    assert.deepEqual(JSON.parse(json.out).effects.serviceEntryAuth, []);
  }
});

test('upgrading to manifests that state the default failStrategy (a dist synthesized before left it out) is no change to a ServiceEntry\'s auth plugins', () => {
  const app = new wp.PolicyApp();
  const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'egress');
  const w = new wp.Waypoint(ns, 'egress-waypoint', { waypointFor: wp.WaypointFor.ALL });
  ns.useWaypoint(w);
  const se = wp.ServiceEntryReference.fromServiceEntryName(ns, 'api', 'api-example-com');
  new wp.BasicAuth(ns, 'api-auth', { targets: [se], rules: [{ prefix: '/admin', methods: ['GET'], credentials: [wp.Credential.insecureLiteral('ok:test')] }], acknowledge: { literalCredentials: 'test', unpinnedModule: 'test' } });
  const head = compileApp(app).files;
  const base = new Map([...head].map(([f, t]) => [f, t.replace(/\n {2}failStrategy: FAIL_CLOSE\n/, '\n')]));
  assert.notDeepEqual(base, head);
  const r = review(base, head, { base: 'before', head: 'after' });
  assert.deepEqual(r.effects.serviceEntryAuth, []);
  assert.deepEqual(gateFailures(r), []);
});
