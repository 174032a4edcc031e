import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, tempDir } from '../support/helpers';

const BIN = path.join(REPO_ROOT, 'cli', 'bin.cjs');

/**
 * Run the installed command with its stdout closed by the reader before it
 * writes (`waypoint-policy ... | head -0`): what it prints on stderr, and its exit code.
 */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WAYPOINT_POLICY_DEBUG: '' } });
    // Closed at once: the command takes far longer to boot than this takes.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('a reader that closes stdout early (| head -1) gets no EPIPE stack trace, and the exit code stays the command\'s', async () => {
  const help = await runWithClosedStdout(['--help']);
  assert.doesNotMatch(help.stderr, /EPIPE|Unhandled 'error' event|at /, help.stderr);
  assert.equal(help.code, 0, help.stderr);

  // check with drift prints its list on stdout, its summary on stderr, and exits 1.
  const missing = path.join(tempDir('wp-pipe-'), 'dist');
  const check = await runWithClosedStdout(['check', '--outdir', missing, '--json']);
  assert.doesNotMatch(check.stderr, /EPIPE|Unhandled 'error' event/, check.stderr);
  assert.equal(check.code, 1, check.stderr);
});

test('stdout that cannot take the output (a full disk) is named on stderr in one line, and the exit code is 74 whatever the command returned', { skip: !fs.existsSync('/dev/full') && 'needs /dev/full' }, async () => {
  const run = (args: string[], stderrTo: 'pipe' | number) =>
    new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const full = fs.openSync('/dev/full', 'w');
      const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, stdio: ['ignore', full, stderrTo] });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        fs.closeSync(full);
        resolve({ code, stderr });
      });
    });
  const help = await run(['--help'], 'pipe');
  assert.equal(help.code, 74);
  assert.equal(help.stderr, 'waypoint-policy: cannot write its output to stdout (ENOSPC: the disk is full); what was printed is incomplete.\n');
  // Diagnostics stderr cannot take are dropped: the exit code stays the command's (2, bad usage).
  const full = fs.openSync('/dev/full', 'w');
  const usage = await run(['synth', '--bogus'], full);
  fs.closeSync(full);
  assert.equal(usage.code, 2);
});

// Preloaded into the command: fd 1 is a file on a disk with `room` bytes free. The kernel then
// writes what fits and returns the short count; only a write with no room left fails (ENOSPC).
const NEARLY_FULL_DISK = `
const fs = require('node:fs');
const write = fs.writeSync;
let room = Number(process.env.WP_TEST_ROOM);
fs.writeSync = function (fd, data, ...rest) {
  if (fd !== 1) return write.call(this, fd, data, ...rest);
  if (room === 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  const buf = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength).subarray(typeof rest[0] === 'number' ? rest[0] : 0);
  const n = write.call(this, fd, buf.subarray(0, Math.min(room, buf.length)));
  room -= n;
  return n;
};
`;

test('a disk that fills up in the middle of the output (a short write, then no room) is exit 74 too, not a cut file and exit 0', async () => {
  const dir = tempDir('wp-short-');
  const preload = path.join(dir, 'nearly-full.cjs');
  fs.writeFileSync(preload, NEARLY_FULL_DISK);
  const file = path.join(dir, 'help.txt');
  const out = fs.openSync(file, 'w');
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', preload, BIN, '--help'], { cwd: REPO_ROOT, stdio: ['ignore', out, 'pipe'], env: { ...process.env, WP_TEST_ROOM: '1000' } });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
  fs.closeSync(out);
  assert.equal(fs.statSync(file).size, 1000, 'what fitted was written');
  assert.equal(r.stderr, 'waypoint-policy: cannot write its output to stdout (ENOSPC: the disk is full); what was printed is incomplete.\n');
  assert.equal(r.code, 74);
});
