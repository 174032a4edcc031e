import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../analysis/analyze';
import type { Finding } from '../analysis/finding';
import { sortFindings } from '../analysis/finding';
import type { PolicyApp } from '../constructs/app';
import { isPolicyError, PolicyError } from '../constructs/errors';
import { Target } from '../constructs/app';
import { collect, Collected } from './collect';
import { planDelivery } from './delivery';
import { DELIVERY_DIR } from './delivery/common';
import { deliveryPathFindings } from './delivery/path-check';
import { collectGarbage } from './memory';
import { gitopsFindings } from './gitops';
import { refuseEnclosingOutput, refuseForeignFiles, refuseNonFolder } from './foreign-files';
import { FileTree, layout } from './layout';
import { recoverOutput } from './dead-runs';
import type { TreeWriter, WriteResult } from './tree-writer-types';
import { openTreeWriter } from './write';
import { asOutputError } from './output-errors';
import { lockOutput, OutputLock } from './output-lock';
import { defaultRootOf, realPath } from './project-root';
import { relativeSource, sourceOf } from '../constructs/internal/provenance';

export interface CompileOptions {
  /**
   * Directory that policy file names in output are relative to.
   *
   * @default - the project (nearest folder with a package.json) of the file that created the app,
   *   or of the program that was run when that file is outside it (a linked workspace package)
   */
  readonly root?: string;
  /**
   * Where the output is (or will be) written: `delivery.path` is checked
   * against it (`delivery/path-mismatch`).
   *
   * @default - not checked
   */
  readonly outdir?: string;
  /**
   * The working directory a relative `outdir` is resolved against, and the
   * `--outdir` that the `delivery/path-mismatch` fix suggests is relative to.
   *
   * @default process.cwd()
   */
  readonly cwd?: string;
}

export interface Timings {
  collect: number;
  analyze: number;
  /** Rendering; at synth, files are being written meanwhile. */
  render: number;
  /** At synth: waiting for the last files to be written, and the swap. */
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

interface Analyzed {
  readonly collected: Collected;
  readonly findings: readonly Finding[];
  readonly targets: readonly string[];
  readonly deliveryFiles: FileTree;
  readonly timings: Timings;
}

// Real paths: the stack frames that name policy lines have their symlinks resolved.
function projectRoot(app: PolicyApp, options: CompileOptions): string {
  return options.root !== undefined ? realPath(path.resolve(options.root)) : defaultRootOf(app);
}

/** Collect and analyze: everything up to the files. */
function analyzeApp(app: PolicyApp, options: CompileOptions, root = projectRoot(app, options)): Analyzed {
  let t = performance.now();
  const timings: Timings = { collect: 0, analyze: 0, render: 0 };
  const collected = collect(app, { root });
  timings.collect = performance.now() - t;
  t = performance.now();
  // Every declared target gets a folder, even an empty one (see layout()).
  const targets = [...new Set([...app.node.children.filter(Target.isTarget).map((c) => c.name), ...collected.targets])].sort();
  const objects = collected.model.objects;
  // Findings about the delivery option have no object: they name the line that creates the PolicyApp.
  const appSource = relativeSource(sourceOf(app), root);
  const delivery = planDelivery(app.delivery, { targets, objects, partOf: collected.partOf, source: appSource });
  const paths = options.outdir === undefined ? [] : deliveryPathFindings(app.delivery, options.outdir, root, appSource, options.cwd);
  const findings = sortFindings([...collected.findings, ...analyze(collected.model), ...gitopsFindings(objects), ...delivery.findings, ...paths]);
  timings.analyze = performance.now() - t;
  return { collected, findings, targets, deliveryFiles: delivery.files, timings };
}

/** Render every file, handing each to `sink` as soon as it exists. */
function render(a: Analyzed, sink?: (rel: string, content: string) => void): FileTree {
  const t = performance.now();
  const { collected } = a;
  if (collected.model.objects.length >= COLLECT_BEFORE_RENDER_OBJECTS) collectGarbage();
  const files = layout(collected.model.objects, { partOf: collected.partOf, tools: collected.gitops }, { targets: a.targets, onFile: sink });
  for (const [rel, content] of a.deliveryFiles) {
    files.set(rel, content);
    sink?.(rel, content);
  }
  a.timings.render = performance.now() - t;
  return sortTree(files);
}

const hasErrors = (findings: readonly Finding[]) => findings.some((f) => f.severity === 'error');

/**
 * Compile an app to files in memory: collect, analyze, render. Pure: touches
 * no disk. `files` is empty when any error was found.
 */
export function compileApp(app: PolicyApp, options: CompileOptions = {}): CompileResult {
  const a = analyzeApp(app, options);
  if (hasErrors(a.findings)) return { files: new Map(), findings: a.findings, collected: a.collected, timings: a.timings };
  try {
    return { files: renderReported(a), findings: a.findings, collected: a.collected, timings: a.timings };
  } catch (e) {
    if (!isPolicyError(e)) throw e;
    return { files: new Map(), findings: e.findings, collected: a.collected, timings: a.timings };
  }
}

/**
 * render(), whose error (a value no YAML can hold, output/unrepresentable)
 * carries the analysis' findings too: thrown alone, it hid every warning.
 */
function renderReported(a: Analyzed, sink?: (rel: string, content: string) => void): FileTree {
  try {
    return render(a, sink);
  } catch (e) {
    if (!isPolicyError(e)) throw e;
    throw new PolicyError(sortFindings([...a.findings, ...e.findings]));
  }
}

function sortTree(files: FileTree): FileTree {
  // The default sort compares UTF-16 code units, like `<` on strings, and is faster than a comparator.
  return new Map([...files.keys()].sort().map((k) => [k, files.get(k)!]));
}

// From this many objects (about 2,300 namespaces of the bench's mesh), the
// garbage analysis left is collected before render allocates every file: it
// costs ~2.5% of the synth's time and saves ~20% of its peak memory, which is
// what limits the largest meshes on small CI runners (compiler/memory.ts).
const COLLECT_BEFORE_RENDER_OBJECTS = 50_000;

// From this many objects, files are created on a worker thread while the
// next ones render (compiler/background-writer.ts); below it the worker's start costs more.
const BACKGROUND_WRITE_OBJECTS = 1000;

export interface SynthOptions extends CompileOptions {
  /** Output directory. */
  readonly outdir: string;
  /**
   * Fail on warnings too.
   *
   * @default false
   */
  readonly strict?: boolean;
  /**
   * Create the files on a worker thread while the next ones render.
   *
   * @default - from 1,000 objects
   */
  readonly backgroundWrite?: boolean;
  /**
   * Let an app that emits no objects empty an output folder that holds
   * manifests (decommissioning everything on purpose).
   *
   * @default false - refused with `output/would-empty`
   */
  readonly allowEmpty?: boolean;
  /**
   * How long to wait for another synth writing the same output folder (it
   * holds the lock file beside it) before failing with `output/unwritable`.
   *
   * @default 10000
   */
  readonly lockWaitMs?: number;
}

export interface SynthResult extends CompileResult {
  readonly write: WriteResult;
}

/**
 * Compile and write atomically. Throws a PolicyError (and writes nothing)
 * when there are errors, or warnings under `strict`, or when `outdir` holds
 * files that synth did not write (`output/foreign-files`): it replaces the
 * whole folder, and must not empty one a person keeps other things in.
 */
export function synthToDirectory(app: PolicyApp, given: SynthOptions): SynthResult {
  // Resolved once, against the cwd the caller gave: the checks, the lock and
  // the writer below then all name the same folder, as the delivery check does.
  const options: SynthOptions = { ...given, outdir: path.resolve(given.cwd ?? process.cwd(), given.outdir) };
  const root = projectRoot(app, options);
  // Before the lock, which is made beside the folder: `--outdir .` must not leave a file above the project.
  refuseEnclosingOutput(path.resolve(options.outdir), root);
  let lock: OutputLock;
  try {
    lock = lockOutput(options.outdir, { waitMs: options.lockWaitMs, cwd: options.cwd });
  } catch (e) {
    throw asOutputError(e, options.outdir, options.cwd);
  }
  try {
    return synthLocked(app, options, root);
  } finally {
    lock.release();
  }
}

/** synthToDirectory, once no other synth writes the folder. */
function synthLocked(app: PolicyApp, options: SynthOptions, root: string): SynthResult {
  // First: a run that died between its two renames left the output renamed
  // away. Every check below (and a failure, which writes nothing) must see
  // the folder as it was, not a missing one.
  recoverOutput(options.outdir);
  const a = analyzeApp(app, options, root);
  const blocking = a.findings.filter((f) => f.severity === 'error' || options.strict);
  if (blocking.length > 0) throw new PolicyError(a.findings);
  const objects = a.collected.model.objects.length;
  let writer: TreeWriter | undefined;
  try {
    refuseNonFolder(path.resolve(options.outdir));
    if (objects === 0 && !options.allowEmpty) refuseEmptying(path.resolve(options.outdir));
    const w = openTreeWriter(options.outdir, {
      background: options.backgroundWrite ?? objects >= BACKGROUND_WRITE_OBJECTS,
      // No total for progress: the file count (objects, kustomizations,
      // delivery manifests) is known only once everything is rendered.
      checkReplaced: refuseForeignFiles(path.resolve(options.outdir)),
    });
    writer = w;
    const files = renderReported(a, (rel, content) => w.add(rel, content));
    const t = performance.now();
    const write = w.commit();
    a.timings.write = performance.now() - t;
    return { files, findings: a.findings, collected: a.collected, timings: a.timings, write };
  } catch (e) {
    // Leaves outdir as it was (abort is safe after a failed commit too).
    writer?.abort();
    throw asOutputError(e, options.outdir, options.cwd);
  }
}

/**
 * An app that emits nothing, written over manifests, is almost always a
 * mistake (constructs created under another app, a policy file not
 * imported), and its commit would have GitOps prune every waypoint and
 * plugin it deployed: traffic then skips the auth they ran.
 */
function refuseEmptying(outdir: string): void {
  const manifests = existingManifests(outdir);
  if (manifests === 0) return;
  throw new PolicyError([
    {
      rule: 'output/would-empty',
      severity: 'error',
      message: `the app emits no objects: writing it would empty an output folder that holds ${manifests} manifest(s), and GitOps could then prune every Gateway and WasmPlugin they deployed (Flux on its next sync; Argo CD on a manual sync with prune, as its auto-sync refuses to empty an Application)`,
      fix: 'Check that the default export is the PolicyApp your constructs were created in, and that every policy file is imported. To remove everything on purpose, pass --allow-empty (synthToDirectory: allowEmpty: true).',
    },
  ]);
}

/**
 * How many policy manifests `outdir` holds (0 when it does not exist): YAML
 * files other than kustomizations, outside the delivery folder, whose
 * Applications and Kustomizations an empty app still writes.
 */
function existingManifests(outdir: string): number {
  if (!fs.existsSync(outdir)) return 0;
  const files = fs.readdirSync(outdir, { recursive: true, encoding: 'utf8' }).map((rel) => rel.split(path.sep));
  return files.filter((parts) => parts[0] !== DELIVERY_DIR && /\.ya?ml$/.test(parts[parts.length - 1]) && parts[parts.length - 1] !== 'kustomization.yaml').length;
}
