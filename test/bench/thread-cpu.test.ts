/**
 * The bench's CPU split by thread (bench/thread-cpu.ts): /proc stat lines
 * parsed as the kernel writes them, and a worker started after the split
 * began counted as a worker, not as the main thread or V8's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { statTicks, threadCpuFromHere } from '../../bench/thread-cpu';

test('a stat line gives user + system ticks, whatever the command name holds', () => {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
  const rest = 'S 1 10 10 0 -1 4194560 300 0 0 0 123 45 0 0 20 0 7 0';
  assert.equal(statTicks(`4242 (node) ${rest}`), 168);
  assert.equal(statTicks(`4242 (a) b (c)) ${rest}`), 168);
  assert.throws(() => statTicks('not a stat line'), /not a \/proc stat line/);
});

test('CPU burnt by a worker started after the split began counts as a worker', async () => {
  const split = threadCpuFromHere();
  // The worker burns until its own thread has used 200 ms of CPU (its /proc
  // entry says), so a loaded machine only makes it slower; without /proc, a
  // fixed loop. It parses /proc itself: an eval'd worker runs plain
  // JavaScript and cannot import statTicks from TypeScript.
  const worker = new Worker(
    `const fs = require('node:fs');
     const ticks = () => { const f = fs.readFileSync('/proc/thread-self/stat', 'utf8'); const r = f.slice(f.lastIndexOf(')') + 2).split(' '); return Number(r[11]) + Number(r[12]); };
     let x = 0;
     if (fs.existsSync('/proc/thread-self/stat')) { while (ticks() < 20) for (let i = 0; i < 1e6; i++) x = (x + i) | 0; }
     else for (let i = 0; i < 1e7; i++) x = (x + i) | 0;
     require('node:worker_threads').parentPort.postMessage(x);
     setInterval(() => {}, 1000); // still alive when the split is read`,
    { eval: true },
  );
  await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  // Read while the worker is alive: it must not pass for one of V8's threads.
  const usage = process.resourceUsage();
  const t = split((usage.userCPUTime + usage.systemCPUTime) / 1000);
  await worker.terminate();
  if (process.platform !== 'linux') {
    assert.equal(t, undefined, 'no split without /proc');
    return;
  }
  assert.ok(t, 'a split on Linux');
  assert.ok(t.workersMs >= 150, `the worker's 200 ms show under workers: ${JSON.stringify(t)}`);
  assert.ok(t.mainMs > 0 && t.helpersMs >= 0, JSON.stringify(t));
});
