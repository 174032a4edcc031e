import * as path from 'node:path';
import { analyze } from '../analysis/analyze';
import type { Finding } from '../analysis/finding';
import { sortFindings } from '../analysis/finding';
import type { PolicyApp } from '../constructs/app';
import { PolicyError } from '../constructs/errors';
import { Target } from '../constructs/app';
import { collect, Collected } from './collect';
import { planDelivery } from './delivery';
import { gitopsFindings } from './gitops';
import { FileTree, layout } from './layout';
import { writeTreeAtomically, WriteResult } from './write';

export interface CompileOptions {
  /**
   * Directory that policy file names in output are relative to.
   *
   * @default process.cwd()
   */
  readonly root?: string;
}

export interface Timings {
  collect: number;
  analyze: number;
  render: number;
  write?: number;
}

export interface CompileResult {
  /** The files of `dist/`, by relative path, in order. */
  readonly files: FileTree;
  /** Every finding, errors first. */
  readonly findings: readonly Finding[];
  readonly collected: Collected;
  readonly timings: Timings;
}

/**
 * Compile an app to files in memory: collect, analyze, render. Pure: touches
 * no disk. `files` is empty when any error was found.
 */
export function compileApp(app: PolicyApp, options: CompileOptions = {}): CompileResult {
  const root = path.resolve(options.root ?? process.cwd());
  let t = performance.now();
  const timings: Timings = { collect: 0, analyze: 0, render: 0 };
  const collected = collect(app, { root });
  timings.collect = performance.now() - t;
  t = performance.now();
  // Every declared target gets a folder, even an empty one (see layout()).
  const targets = [...new Set([...app.node.children.filter(Target.isTarget).map((c) => c.name), ...collected.targets])].sort();
  const objects = collected.model.objects;
  const delivery = planDelivery(app.delivery, { targets, objects, partOf: collected.partOf });
  const findings = sortFindings([...collected.findings, ...analyze(collected.model), ...gitopsFindings(objects), ...delivery.findings]);
  timings.analyze = performance.now() - t;
  t = performance.now();
  const hasErrors = findings.some((f) => f.severity === 'error');
  const files = hasErrors
    ? new Map<string, string>()
    : sortTree([...layout(objects, { partOf: collected.partOf, tools: collected.gitops }, { targets }), ...delivery.files]);
  timings.render = performance.now() - t;
  return { files, findings, collected, timings };
}

function sortTree(entries: [string, string][]): FileTree {
  return new Map(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export interface SynthOptions extends CompileOptions {
  /** Output directory. */
  readonly outdir: string;
  /**
   * Fail on warnings too.
   *
   * @default false
   */
  readonly strict?: boolean;
}

export interface SynthResult extends CompileResult {
  readonly write: WriteResult;
}

/**
 * Compile and write atomically. Throws a PolicyError (and writes nothing)
 * when there are errors, or warnings under `strict`.
 */
export function synthToDirectory(app: PolicyApp, options: SynthOptions): SynthResult {
  const result = compileApp(app, options);
  const blocking = result.findings.filter((f) => f.severity === 'error' || options.strict);
  if (blocking.length > 0) throw new PolicyError(result.findings);
  const t = performance.now();
  const write = writeTreeAtomically(options.outdir, result.files);
  result.timings.write = performance.now() - t;
  return { ...result, write };
}
