import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

test('tempDir: a process making many removes them all at exit, with no MaxListenersExceededWarning on stderr', () => {
  const helpers = path.join(__dirname, 'helpers.ts');
  const script = `const { tempDir } = require(${JSON.stringify(helpers)});
const dirs = Array.from({ length: 15 }, () => tempDir('wp-helpers-'));
for (const d of dirs) require('node:fs').writeFileSync(require('node:path').join(d, 'f'), 'x');
console.log(JSON.stringify(dirs));`;
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /MaxListenersExceededWarning/);
  const dirs = JSON.parse(r.stdout) as string[];
  assert.equal(dirs.length, 15);
  for (const d of dirs) assert.equal(fs.existsSync(d), false, `${d} is left behind`);
});
