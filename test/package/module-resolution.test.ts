/**
 * Every entry point type-checks from a consumer project under the module
 * resolutions docs/library.md promises. `moduleResolution` `node10` (the
 * default of `module: commonjs`, and of many existing projects) ignores the
 * `exports` map: it finds the main entry through the top-level `types`
 * field, and the subpath entries only through `typesVersions`.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { FIXTURE, installProject, typecheck } from './install';

const ENTRIES = `import { PolicyApp, MeshNamespace, Waypoint } from 'waypoint-policy';
import { simulate, SimulationResult } from 'waypoint-policy/simulator';
import { expectRequest, modelOf } from 'waypoint-policy/testing';

const app = new PolicyApp();
const ns = new MeshNamespace(app, 'shop');
ns.useWaypoint(new Waypoint(ns, 'waypoint'));
export const result: SimulationResult = simulate(modelOf(app), { to: 'shop/api:80', path: '/' });
export const status: number | null = expectRequest(app, { to: 'shop/api:80', path: '/' }).toHaveStatus(200).status;
`;

test('the three entry points type-check from a consumer with moduleResolution node10', () => {
  const project = installProject('packed');
  // Only the entry points: the fixture's own sources are checked elsewhere.
  fs.rmSync(path.join(project, 'src'), { recursive: true });
  fs.mkdirSync(path.join(project, 'src'));
  fs.writeFileSync(path.join(project, 'src', 'entries.ts'), ENTRIES);
  const tsconfig = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'tsconfig.json'), 'utf8'));
  Object.assign(tsconfig.compilerOptions, { module: 'commonjs', moduleResolution: 'node10' });
  fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
  const r = typecheck(project);
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
});
