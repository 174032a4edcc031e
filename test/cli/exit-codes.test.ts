/**
 * The exit codes every command shares (README, "Exit codes"): 0 success, 1
 * findings / drift / widened access, 2 bad usage. A CI step tells "the
 * policies are wrong" from "the step is wrong" by them, so the same mistake
 * in the command line must give the same code whatever the command.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { captureIo, REPO_ROOT, tempDir } from '../support/helpers';

const scratch = tempDir('wp-exit-');
const EMPTY_DIR = path.join(scratch, 'empty');
const A_FILE = path.join(scratch, 'a-file');
const BAD_YAML = path.join(scratch, 'bad');
fs.mkdirSync(EMPTY_DIR);
fs.writeFileSync(A_FILE, 'not a folder\n');
fs.mkdirSync(BAD_YAML);
fs.writeFileSync(path.join(BAD_YAML, 'x.yaml'), 'kind: [unclosed\n');
const MISSING = path.join(scratch, 'no-such');

const USAGE = 2;
const FAILED = 1;
const OK = 0;

// [argv, expected exit code]; every command's usage mistakes first, then its findings and its success.
const ROWS: [string[], number][] = [
  [['no-such-command'], USAGE],
  [['synth', '--bogus'], USAGE],
  [['synth', '--app', 'no-such.ts', '--outdir', path.join(scratch, 'out-1')], USAGE],
  [['synth', '--outdir', A_FILE], FAILED],
  [['synth', '--outdir', path.join(scratch, 'out-2')], OK],
  [['validate', '--bogus'], USAGE],
  [['validate', '--app', 'no-such.ts'], USAGE],
  [['validate', '--manifests', MISSING], USAGE],
  [['validate', '--manifests', MISSING, '--json'], USAGE],
  [['validate', '--manifests', '/dev/null'], USAGE],
  [['validate', '--manifests', EMPTY_DIR], FAILED],
  [['validate', '--manifests', BAD_YAML], FAILED],
  [['validate', '--manifests', 'dist'], OK],
  [['explain', '--bogus'], USAGE],
  [['explain', '--manifests', 'dist'], USAGE],
  [['explain', '--to', 'default/productpage:9080', '--manifests', MISSING], USAGE],
  [['explain', '--to', 'default/productpage:9080', '--manifests', '/dev/null'], USAGE],
  [['explain', '--to', 'default/productpage:9080', '--manifests', BAD_YAML], FAILED],
  [['explain', '--to', 'default/productpage:9080', '--manifests', 'dist'], OK],
  [['check', '--bogus'], USAGE],
  [['check', '--app', 'no-such.ts'], USAGE],
  [['check', '--outdir', MISSING], FAILED],
  [['diff'], USAGE],
  [['diff', '--base', 'HEAD', '--format', 'yaml'], USAGE],
  [['diff', '--base', 'no-such-ref-anywhere'], USAGE],
  [['diff', '--base', 'HEAD', '--app', 'no-such.ts'], USAGE],
];

test('every command exits 0 on success, 1 on findings or drift, 2 on bad usage, as the README says', async () => {
  const wrong: string[] = [];
  for (const [argv, expected] of ROWS) {
    const io = captureIo(REPO_ROOT);
    const code = await main(argv, io);
    if (code !== expected) wrong.push(`${argv.join(' ')}: exit ${code}, documented ${expected}\n${io.text()}`);
    // A usage error says what to fix on stderr, and leaves stdout (which --json readers parse) empty.
    else if (code === USAGE) {
      if (io.stdout.length > 0) wrong.push(`${argv.join(' ')}: exit 2 with output on stdout: ${io.stdout.join('\n')}`);
      if (io.stderr.join('').trim() === '') wrong.push(`${argv.join(' ')}: exit 2 without a word on stderr`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('a --manifests path that does not exist is the same usage error in validate and explain, naming the flag and the path as typed', async () => {
  const messages = [];
  for (const command of [['validate'], ['explain', '--to', 'default/productpage:9080']]) {
    const io = captureIo(scratch);
    assert.equal(await main([...command, '--manifests', 'no-such'], io), USAGE, io.text());
    messages.push(io.stderr.join('\n'));
  }
  for (const [i, command] of ['validate', 'explain'].entries()) {
    assert.equal(messages[i], `${command}: --manifests "no-such" does not exist. Pass --manifests a folder of YAML or JSON manifests, or one such file.`);
  }
});
