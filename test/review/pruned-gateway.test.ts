import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { captureIo, REPO_ROOT, tempDir } from '../support/helpers';

const LIB = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');

/**
 * `owned`: this app owns the waypoint. `reference`: the same waypoint, now
 * referenced with Waypoint.fromWaypointName (the hand-over that prunes it).
 * `released`: the reference and nothing using it.
 */
function policy(waypoint: 'owned' | 'reference' | 'released'): string {
  const wp =
    waypoint === 'owned'
      ? "new wp.Waypoint(ns, 'waypoint')"
      : "wp.Waypoint.fromWaypointName(ns, 'waypoint', { name: 'waypoint', namespace: 'default' })";
  const use =
    waypoint === 'released'
      ? ''
      : `ns.useWaypoint(waypoint);
new wp.BasicAuth(ns, 'auth', {
  targets: [waypoint],
  rules: [{ prefix: '/productpage', methods: ['GET'], credentials: [wp.Credential.insecureLiteral('ok:test')] }],
  acknowledge: { literalCredentials: 'test', unpinnedModule: 'test' },
});`;
  return `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(new wp.Target(app, 'demo'), 'default');
const waypoint = ${wp};
${use}
export default app;
`;
}

async function repoAt(base: 'owned', head: 'reference' | 'released' | 'owned'): Promise<string> {
  const repo = tempDir('wp-pruned-');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo, stdio: 'pipe' });
  fs.writeFileSync(path.join(repo, 'package.json'), '{"name":"policy-repo","private":true}\n');
  fs.mkdirSync(path.join(repo, 'policies'));
  fs.writeFileSync(path.join(repo, 'policies', 'main.ts'), policy(base));
  assert.equal(await main(['synth'], captureIo(repo)), 0);
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'base');
  fs.writeFileSync(path.join(repo, 'policies', 'main.ts'), policy(head));
  return repo;
}

async function diff(repo: string, ...args: string[]) {
  const io = captureIo(repo);
  const code = await main(['diff', '--base', 'main', ...args], io);
  return { code, out: io.stdout.join('\n'), io };
}

test('an owned waypoint turned into fromWaypointName is a removal hazard: GitOps prunes the Gateway that labels and plugins still use', async () => {
  const repo = await repoAt('owned', 'reference');
  const json = await diff(repo, '--json');
  assert.equal(json.code, 0, json.io.text());
  const r = JSON.parse(json.out);
  assert.deepEqual(r.effects.prunedInUse, [
    { target: 'demo', gateway: 'default/waypoint', usedBy: ['Namespace default (istio.io/use-waypoint)', 'WasmPlugin default/auth (targetRefs)'] },
  ]);
  // The Services of the namespace lose their waypoint, so the auth it ran is gone.
  const ns = r.effects.bindings.find((b: any) => b.service === 'default/*');
  assert.equal(ns.lostWaypoint, true);
  assert.match(ns.after.reason, /no longer emitted: GitOps prunes it/);
  const open = r.effects.access.find((a: any) => a.path === '/productpage' && a.credential === 'none');
  assert.deepEqual([open.before, open.after, open.widened], [401, 200, true]);

  const text = (await diff(repo)).out;
  assert.match(text, /Removal hazards:\n  !! removed Gateway default\/waypoint \[demo\] is still used by Namespace default \(istio\.io\/use-waypoint\), WasmPlugin default\/auth \(targetRefs\): GitOps prunes it/);
  assert.match(text, /1 Gateway\(s\) pruned while in use/);
  assert.equal((await diff(repo, '--fail-on-widened')).code, 1);
});

test('removing a waypoint after releasing everything that used it is no hazard', async () => {
  const repo = await repoAt('owned', 'released');
  const r = JSON.parse((await diff(repo, '--json')).out);
  assert.deepEqual(r.effects.prunedInUse, []);
  assert.ok(r.objects.some((o: any) => o.change === 'removed' && o.object.kind === 'Gateway'));
  assert.doesNotMatch((await diff(repo)).out, /Removal hazards/);
});

test('a kept waypoint is never reported as pruned', async () => {
  const repo = await repoAt('owned', 'owned');
  const r = JSON.parse((await diff(repo, '--json')).out);
  assert.deepEqual([r.effects.prunedInUse, r.effects.bindings, r.effects.access], [[], [], []]);
});
