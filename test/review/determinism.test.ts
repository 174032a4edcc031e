import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { captureIo, REPO_ROOT } from '../support/helpers';
import { policyRepo } from './policy-repo';

const LIB = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');

/** Namespaces declared in `order`, each with a waypoint and Basic auth; the head drops b's plugin and c's POST. */
function program(order: string[], head: boolean): string {
  return `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const target = new wp.Target(app, 'demo');
for (const name of ${JSON.stringify(order)}) {
  const ns = new wp.MeshNamespace(target, name);
  const w = new wp.Waypoint(ns, 'waypoint');
  ns.useWaypoint(w);
  wp.MeshService.fromServiceName(ns, 'cart', 'cart', { useWaypoint: w });
  if (${head} && name === 'b') continue;
  new wp.BasicAuth(ns, 'auth', {
    targets: [w],
    rules: [{ prefix: '/admin', methods: ${head} && name === 'c' ? ['GET'] : ['GET', 'POST'], credentials: [wp.Credential.insecureLiteral('ok:test')] }],
    acknowledge: { literalCredentials: 'test', unpinnedModule: 'test' },
  });
}
export default app;
`;
}

async function outputs(repo: string, formats = ['text', 'markdown', 'json']): Promise<string[]> {
  const out: string[] = [];
  for (const format of formats) {
    const io = captureIo(repo);
    assert.equal(await main(['diff', '--base', 'main', '--format', format], io), 0, io.text());
    out.push(io.stdout.join('\n'));
  }
  return out;
}

test('the review is deterministic: the same change gives the same bytes on every run and in every format, whatever order the policy declares its objects in', async () => {
  const repo = await policyRepo(program(['a', 'b', 'c'], false), program(['c', 'b', 'a'], true), 'wp-determinism-');
  const first = await outputs(repo);
  assert.match(first[0], /!! GET \/admin to b\/cart \(no credentials\) \[demo\]: 401 -> 200/);
  assert.match(first[0], /POST \/admin to c\/cart \(no credentials\) \[demo\]: 401 -> 200/);
  assert.deepEqual(await outputs(repo, ['json']), [first[2]]);
  // The same output, declared in the base's order: the review reads what it compiles to, not how it was written.
  fs.writeFileSync(path.join(repo, 'policies', 'main.ts'), program(['a', 'b', 'c'], true));
  assert.deepEqual(await outputs(repo, ['text', 'json']), [first[0], first[2]]);
});
