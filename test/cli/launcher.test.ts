import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/helpers';

const LAUNCHER = path.join(REPO_ROOT, 'cli', 'register.cjs');

// What a process started by the command's launcher has loaded before any of
// the library, and whether the library then uses those same module objects.
const PROBE = `
const path = require('node:path');
const fromLibrary = (dep) => require.resolve(dep, { paths: [path.join(process.cwd(), 'constructs')] });
const deps = ['constructs', 'cdk8s', 'zod'].map(fromLibrary);
const preloaded = deps.filter((file) => require.cache[file] !== undefined).length;
const library = require(path.join(process.cwd(), 'constructs'));
const { App } = require(fromLibrary('cdk8s'));
const canLoadTypeScript = typeof library.PolicyApp === 'function';
process.stdout.write(JSON.stringify({ preloaded, canLoadTypeScript, sameCdk8s: new library.PolicyApp() instanceof App }));
`;

test("the command's launcher loads the runtime's dependencies before tsx's hook, as the copies the library then uses", () => {
  const out = execFileSync(process.execPath, ['--require', LAUNCHER, '-e', PROBE], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), { preloaded: 3, canLoadTypeScript: true, sameCdk8s: true });
});
