import * as path from 'node:path';
import { checkManifests } from '../../analysis/check-manifests';
import type { Finding } from '../../analysis/finding';
import { relativizeSources } from '../../analysis/finding';
import { isPolicyError } from '../../constructs/errors';
import { compileApp } from '../../compiler/synth';
import { outdirOf, parseFlags } from '../args';
import { EXIT, Io, UsageError } from '../io';
import { DEFAULT_APP, loadApp, projectRootOf } from '../load-app';
import { loadPlugins } from '../plugins';
import { MESH_FLAG_PROPS, MESH_FLAGS, MESH_FLAGS_USAGE, meshFlags } from '../mesh-flags';
import type { ReadManifestsOptions } from '../../compiler/read-manifests';
import { printFindings } from './synth';
import { manifestsPath } from '../manifests-flag';

export const usage = `waypoint-policy validate [--app FILE [--outdir DIR] | --manifests DIR [--plugins FILE|PACKAGE]... [--root-namespace NS] [--cluster-domain DOMAIN]] [--json] [--strict]

Check without writing anything. Without --manifests: compile the policy program
(default ${DEFAULT_APP}) and run every check synth runs. With --manifests DIR: run
the manifest-level checks on any directory of YAML or JSON, or one file (ours, or
written by hand), read as kubectl apply -R -f reads it; hidden folders and
kustomization files are skipped, and a folder with no object is an error.
--plugins FILE|PACKAGE (repeatable) imports a module (a file, or an installed
package) that defines plugins with definePlugin first, so their pluginConfig is
checked too (the catalogue's always is).
${MESH_FLAGS_USAGE}
--outdir DIR (default: dist, or $CDK8S_OUTDIR) is where synth would write, which
delivery.path must name.
Exit 1 on errors (and on warnings with --strict), 2 on bad usage (a --manifests
path that does not exist included), 0 otherwise; --json prints the findings as a
JSON array. Rules: docs/rules.md.`;

interface Checked {
  readonly findings: readonly Finding[];
  readonly objects: number;
  readonly what: string;
  /** Modules whose pluginConfig went unchecked (--manifests only). */
  readonly uncheckedModules?: readonly string[];
}

function validateManifests(dir: string, shown: string, mesh: ReadManifestsOptions): Checked {
  return { ...checkManifests(dir, { ...mesh, shownAs: shown }), what: shown };
}

function validateApp(entry: string, outdir: string, io: Io): Checked {
  try {
    const app = loadApp(entry, io.cwd);
    const result = compileApp(app, { root: projectRootOf(path.resolve(io.cwd, entry)), outdir: path.resolve(io.cwd, outdir), cwd: io.cwd });
    return { findings: result.findings, objects: result.collected.model.objects.length, what: entry };
  } catch (e) {
    // A mistake caught at construction: the program stops at the first one.
    if (isPolicyError(e)) return { findings: relativizeSources(e.findings, projectRootOf(path.resolve(io.cwd, entry))), objects: 0, what: entry };
    throw e;
  }
}

export function validate(argv: string[], io: Io): number {
  const { values } = parseFlags('validate', argv, {
    app: { type: 'string' },
    outdir: { type: 'string' },
    manifests: { type: 'string' },
    ...MESH_FLAGS,
    plugins: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    strict: { type: 'boolean' },
  });
  if (values.app !== undefined && values.manifests !== undefined) {
    throw new UsageError('validate: pass either --app FILE or --manifests DIR, not both.');
  }
  if (values.outdir !== undefined && values.manifests !== undefined) {
    throw new UsageError('validate: --outdir only applies to a policy program (--app), not to --manifests.');
  }
  for (const [flag, prop] of Object.entries(MESH_FLAG_PROPS)) {
    if (values[flag as keyof typeof MESH_FLAG_PROPS] !== undefined && values.manifests === undefined) {
      throw new UsageError(`validate: --${flag} only applies with --manifests (a policy program sets PolicyApp ${prop}).`);
    }
  }
  const mesh = meshFlags('validate', values);
  if (values.plugins !== undefined && values.manifests === undefined) {
    throw new UsageError('validate: --plugins only applies with --manifests (a policy program imports its plugins itself).');
  }
  // Checked before any --plugins module runs: a mistyped folder is reported as itself.
  const manifests = values.manifests === undefined ? undefined : { dir: manifestsPath('validate', values.manifests, values.manifests, io.cwd), shown: values.manifests };
  loadPlugins('validate', values.plugins ?? [], io.cwd);
  const checked = manifests !== undefined ? validateManifests(manifests.dir, manifests.shown, mesh) : validateApp(values.app ?? DEFAULT_APP, outdirOf(values.outdir, io.env), io);
  const json = Boolean(values.json);
  printFindings(io, checked.findings, json);
  // Not a finding (a module without a definition is no mistake), but a
  // silent pass would read as "their config is fine".
  const unchecked = checked.uncheckedModules ?? [];
  if (unchecked.length > 0) {
    const shown = unchecked.slice(0, 5).join(', ') + (unchecked.length > 5 ? ` and ${unchecked.length - 5} more` : '');
    io.err(`validate: the pluginConfig of WasmPlugins using ${shown} was not checked: no definition of ${unchecked.length === 1 ? 'that module' : 'those modules'} was imported (pass --plugins FILE|PACKAGE with its definePlugin definition).`);
  }
  const errors = checked.findings.filter((f) => f.severity === 'error').length;
  const warnings = checked.findings.length - errors;
  const failed = errors > 0 || (values.strict === true && warnings > 0);
  if (!json) {
    io.err(`validate: ${checked.objects} object(s) in ${checked.what}: ${failed ? 'failed' : 'ok'}${values.strict ? ' (--strict: warnings fail too)' : ''}. Nothing was written.`);
  }
  return failed ? EXIT.FAILED : EXIT.OK;
}
