import * as path from 'node:path';
import type { Finding } from '../../analysis/finding';
import { formatFindings, relativizeSources } from '../../analysis/finding';
import { isPolicyError } from '../../constructs/errors';
import { synthToDirectory } from '../../compiler/synth';
import { parseFlags } from '../args';
import { EXIT, Io } from '../io';
import { DEFAULT_APP, loadApp, projectRootOf } from '../load-app';

export const usage = `waypoint-policy synth [--app FILE] [--outdir DIR] [--strict] [--json] [--verbose] [--progress]

Compile the policy program into DIR (default: dist, or $CDK8S_OUTDIR), atomically.
Errors (and warnings with --strict) fail with exit 1 and leave DIR untouched.`;

export function printFindings(io: Io, findings: readonly Finding[], json: boolean): void {
  if (json) io.out(JSON.stringify(findings.map(toJsonFinding), null, 2));
  else if (findings.length > 0) io.err(formatFindings(findings));
}

/** The machine form of a finding: rule, severity, object, path, message (and the rest when known). */
export function toJsonFinding(f: Finding): Record<string, unknown> {
  return { rule: f.rule, severity: f.severity, object: f.object ?? null, path: f.path ?? null, source: f.source ?? null, file: f.file ?? null, message: f.message, fix: f.fix ?? null };
}

export function synth(argv: string[], io: Io): number {
  const { values } = parseFlags('synth', argv, {
    app: { type: 'string' },
    outdir: { type: 'string' },
    strict: { type: 'boolean' },
    json: { type: 'boolean' },
    verbose: { type: 'boolean' },
    progress: { type: 'boolean' },
  });
  const outdir = path.resolve(io.cwd, values.outdir ?? io.env.CDK8S_OUTDIR ?? 'dist');
  const started = performance.now();
  let loadMs = 0;
  const entry = values.app ?? DEFAULT_APP;
  const root = projectRootOf(path.resolve(io.cwd, entry));
  try {
    const app = loadApp(entry, io.cwd);
    loadMs = performance.now() - started;
    const result = synthToDirectory(app, { outdir, root, strict: values.strict });
    printFindings(io, result.findings, Boolean(values.json));
    const objects = result.collected.model.objects.length;
    if (!values.json) {
      io.err(
        `synth: ${objects} objects in ${result.collected.targets.length} target(s) -> ${path.relative(io.cwd, outdir) || '.'} ` +
          `(${result.write.written} written, ${result.write.unchanged} unchanged, ${result.write.removed} removed)`,
      );
    }
    if (values.verbose) {
      const t = result.timings;
      io.err(
        `timings: load+construct ${loadMs.toFixed(0)} ms, collect ${t.collect.toFixed(0)} ms, analyze ${t.analyze.toFixed(0)} ms, ` +
          `render ${t.render.toFixed(0)} ms, write ${(t.write ?? 0).toFixed(0)} ms, total ${(performance.now() - started).toFixed(0)} ms`,
      );
    }
    return EXIT.OK;
  } catch (e) {
    if (!isPolicyError(e)) throw e;
    printFindings(io, relativizeSources(e.findings, root), Boolean(values.json));
    if (!values.json) io.err(`synth: failed; ${path.relative(io.cwd, outdir) || '.'} was not changed.`);
    return EXIT.FAILED;
  }
}
