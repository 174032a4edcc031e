import * as path from 'node:path';
import type { Finding } from '../../analysis/finding';
import { formatFindings, relativizeSources } from '../../analysis/finding';
import { isPolicyError } from '../../constructs/errors';
import { onProgress } from '../../compiler/progress';
import { progressPrinter, seconds, TERMINAL_QUIET_MS } from '../progress-printer';
import { synthToDirectory } from '../../compiler/synth';
import { DELIVERY_DIR } from '../../compiler/delivery/common';
import { shownPath } from '../../compiler/shown-path';
import { codeAndCause } from '../../compiler/output-errors';
import { outdirOf, parseFlags } from '../args';
import { EXIT, Io } from '../io';
import { DEFAULT_APP, loadApp, projectRootOf } from '../load-app';
import { readDeclaredSecrets, scrubSecrets } from '../../constructs/internal/known-secrets';

export const usage = `waypoint-policy synth [--app FILE] [--outdir DIR] [--strict] [--allow-empty] [--json] [--verbose] [--progress]

Compile the policy program into DIR (default: dist, or $CDK8S_OUTDIR), atomically.
Errors (and warnings with --strict) fail with exit 1 and leave DIR untouched.
An app that emits nothing may not empty a DIR that holds manifests (GitOps
would prune all they deployed) unless --allow-empty is given.
--progress prints each phase and a counter on stderr (on a terminal, the default
once the run has taken a second);
--verbose prints how long each phase took.`;

export function printFindings(io: Io, findings: readonly Finding[], json: boolean): void {
  if (json) io.out(JSON.stringify(toJsonFindings(findings), null, 2));
  else if (findings.length > 0) io.err(formatFindings(findings));
}

/** The machine form of findings, scrubbed of every credential read or declared. */
export function toJsonFindings(findings: readonly Finding[]): Record<string, unknown>[] {
  readDeclaredSecrets();
  return findings.map(toJsonFinding);
}

/**
 * The machine form of a finding: rule, severity, object, path, message (and
 * the rest when known). Every text field is scrubbed, as the text form is
 * whole: a credential passed as a construct id or a name is in the path or
 * the object too, not only in the message.
 */
function toJsonFinding(f: Finding): Record<string, unknown> {
  const scrub = (s: string | undefined) => (s === undefined ? null : scrubSecrets(s));
  const object = f.object ? Object.fromEntries(Object.entries(f.object).map(([k, v]) => [k, typeof v === 'string' ? scrubSecrets(v) : v])) : null;
  return { rule: f.rule, severity: f.severity, object, path: scrub(f.path), source: scrub(f.source), file: scrub(f.file), message: scrubSecrets(f.message), fix: scrub(f.fix) };
}

export function synth(argv: string[], io: Io): number {
  const { values } = parseFlags('synth', argv, {
    app: { type: 'string' },
    outdir: { type: 'string' },
    strict: { type: 'boolean' },
    'allow-empty': { type: 'boolean' },
    json: { type: 'boolean' },
    verbose: { type: 'boolean' },
    progress: { type: 'boolean' },
  });
  const outdir = path.resolve(io.cwd, outdirOf(values.outdir, io.env));
  // `cdk8s synth` sets CDK8S_OUTDIR, and empties that folder before it runs the app.
  const underCdk8s = values.outdir === undefined && Boolean(io.env.CDK8S_OUTDIR);
  const started = performance.now();
  let loadMs = 0;
  const entry = values.app ?? DEFAULT_APP;
  const root = projectRootOf(path.resolve(io.cwd, entry));
  // Progress goes to stderr, so it never mixes with --json on stdout.
  // Asked for, it prints from the start; on a terminal only once the run is long enough to want it.
  const progress = values.progress || io.isTTY ? progressPrinter(io, { quietMs: values.progress ? 0 : TERMINAL_QUIET_MS }) : undefined;
  const stopProgress = progress ? onProgress(progress.listener) : () => {};
  try {
    progress?.line(`loading ${entry}`);
    const app = loadApp(entry, io.cwd);
    loadMs = performance.now() - started;
    progress?.line(`constructed in ${seconds(loadMs)}`);
    const result = synthToDirectory(app, { outdir, root, cwd: io.cwd, strict: values.strict, allowEmpty: values['allow-empty'] });
    printFindings(io, result.findings, Boolean(values.json));
    const objects = result.collected.model.objects.length;
    // Every target written, a declared one without objects too (it gets its empty stage folders).
    const targets = new Set([...result.files.keys()].map((f) => f.split('/')[0]).filter((t) => t !== DELIVERY_DIR)).size;
    if (!values.json) {
      io.err(
        `synth: ${objects} objects in ${targets} target(s) -> ${shownPath(outdir, io.cwd)} ` +
          `(${result.write.written} written, ${result.write.unchanged} unchanged, ${result.write.removed} removed)`,
      );
    }
    const left = result.write.leftBehind;
    if (left) {
      // Even with --json (on stderr): a copy of old manifests is lying beside the output.
      io.err(
        `synth: the previous tree could not be removed${left.code ? ` (${codeAndCause(left.code)})` : ''}; it was left beside the output as ${shownPath(left.path, io.cwd)}. ` +
          'It is not part of the output, and the next synth tries again; remove it by hand (files another user wrote, such as a container run as root, need that user).',
      );
    }
    if (values.verbose) {
      const t = result.timings;
      const rssMb = Math.round(process.resourceUsage().maxRSS / 1024);
      io.err(
        `timings: load+construct ${loadMs.toFixed(0)} ms, collect ${t.collect.toFixed(0)} ms, analyze ${t.analyze.toFixed(0)} ms, ` +
          `render ${t.render.toFixed(0)} ms, write ${(t.write ?? 0).toFixed(0)} ms, total ${(performance.now() - started).toFixed(0)} ms\n` +
          `  ${objects} objects, ${result.findings.length} finding(s), ${result.files.size} files; peak RSS ${rssMb} MB` +
          perThousand(t.collect + t.analyze + t.render + (t.write ?? 0), objects),
      );
    }
    return EXIT.OK;
  } catch (e) {
    if (!isPolicyError(e)) throw e;
    printFindings(io, relativizeSources(e.findings, root), Boolean(values.json));
    const shown = shownPath(outdir, io.cwd);
    if (!values.json) {
      io.err(
        underCdk8s
          ? `synth: failed; nothing was written to ${shown}, but \`cdk8s synth\` empties it before it runs the app: run \`waypoint-policy synth\` (npm run synth) to keep the last good files when a policy fails.`
          : `synth: failed; ${shown} was not changed.`,
      );
    }
    return EXIT.FAILED;
  } finally {
    stopProgress();
  }
}

/**
 * The cost per 1000 objects after construction, the figure to compare
 * across app sizes; below 1000 objects fixed costs (module warm-up, the
 * writer threads) dominate, and scaling them up would mislead (7 objects
 * read as 10 s per 1000), so it is left out.
 */
function perThousand(ms: number, objects: number): string {
  return objects >= 1000 ? `; per 1000 objects: ${((ms * 1000) / objects).toFixed(0)} ms after construction` : '';
}

