/**
 * docs/performance.md's goals table summarizes the table of full runs in
 * docs/performance-history.md: its latest column, its min-median-max ranges
 * and its counts must be what that table holds.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/helpers';

const read = (file: string) => fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');

/** The ratio columns of the history's table of full runs, one array per run, oldest first. */
function historyRuns(): number[][] {
  const text = read('docs/performance-history.md');
  const start = text.indexOf('| after | mesh1000 / floor |');
  assert.ok(start >= 0, 'performance-history.md has its table of full runs');
  const rows = text.slice(start).split('\n').slice(2);
  const runs: number[][] = [];
  for (const row of rows) {
    if (!row.startsWith('|')) break;
    const cells = row.split('|').slice(2, 7).map((c) => Number(c.trim()));
    assert.ok(cells.every((n) => Number.isFinite(n)), row);
    runs.push(cells);
  }
  return runs;
}

/** The goals table of performance.md: per goal, its cells. */
function goals(): string[][] {
  const text = read('docs/performance.md');
  const start = text.indexOf('| goal | target | latest run |');
  assert.ok(start >= 0, 'performance.md has its goals table');
  const out: string[][] = [];
  for (const row of text.slice(start).split('\n').slice(2)) {
    if (!row.startsWith('|')) break;
    out.push(row.split('|').slice(1, -1).map((c) => c.trim()));
  }
  return out;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const near = (a: number, b: number) => Math.abs(a - b) <= 0.0051;

test("performance.md's goals table: latest run and min-median-max are the history table's", () => {
  const runs = historyRuns();
  const rows = goals();
  assert.equal(rows.length, 5);
  const text = read('docs/performance.md');
  assert.match(text, new RegExp(`over\\s+the ${runs.length} full runs`), `performance.md counts ${runs.length} full runs`);
  rows.forEach((cells, i) => {
    const column = runs.map((r) => r[i]);
    assert.equal(Number(cells[2]), column[column.length - 1], `${cells[0]}: latest run`);
    assert.match(cells[3], /^\d+\.\d+-\d+\.\d+-\d+\.\d+$/);
    const [min, med, max] = cells[3].split('-').map(Number);
    assert.deepEqual([min, max], [Math.min(...column), Math.max(...column)], `${cells[0]}: min and max`);
    assert.ok(near(med, median(column)), `${cells[0]}: median ${med}, the table's is ${median(column)}`);
  });
});

test("performance.md's goals table: the counts and bounds in its notes hold over the history table", () => {
  const runs = historyRuns();
  const rows = goals();
  let checked = 0;
  rows.forEach((cells, i) => {
    const column = runs.map((r) => r[i]);
    const target = /([≤≥]) ([\d.]+)x/.exec(cells[1]);
    assert.ok(target, cells[1]);
    const bound = Number(target[2]);
    const misses = column.filter((v) => (target[1] === '≤' ? v > bound : v < bound)).length;
    // "2 runs of 38 under 5"
    for (const m of cells[4].matchAll(/(\d+) runs? of (\d+) (?:under|over) [\d.]+/g)) {
      assert.equal(Number(m[2]), runs.length, cells[4]);
      assert.equal(Number(m[1]), misses, `${cells[0]}: ${misses} runs miss the goal`);
      checked++;
    }
    // "≤ 1.78 in the last 34 runs": those hold, the one before does not.
    for (const m of cells[4].matchAll(/≤ ([\d.]+) in the last (\d+) runs/g)) {
      const [limit, last] = [Number(m[1]), Number(m[2])];
      assert.ok(column.slice(-last).every((v) => v <= limit), cells[4]);
      assert.ok(column.length === last || column[column.length - last - 1] > limit, `${cells[0]}: run ${column.length - last} is within ${limit} too`);
      checked++;
    }
  });
  // Each note says which runs by count, so that it can be checked here.
  assert.equal(checked, 2, 'the cold-start and RSS notes give counts of runs');
});
