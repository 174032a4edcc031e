import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../../analysis/finding';
import { relativizeSources } from '../../analysis/finding';
import { compileApp } from '../../compiler/synth';
import { clusterDomainOf } from '../../compiler/model';
import { isPolicyError } from '../../constructs/errors';
import { commitsAheadOfHead, DEFAULT_MAX_REQUESTS, formatReview, gateFailures, GitError, ignoredFiles, review, type Review, ReviewFormat, treeAtRevision, UnreadableTreeError, workTreeTop } from '../../review';
import { notCompiledMarkdown } from '../../review/not-compiled';
import { outdirOf, parseFlags } from '../args';
import { EXIT, Io, seeUsage, UsageError } from '../io';
import { DEFAULT_APP, loadApp, projectRootOf } from '../load-app';
import { realPath } from '../../compiler/project-root';
import { printFindings, toJsonFindings } from './synth';
import { treeDrift } from './check';
import { isGeneratedFile, readTree } from '../../compiler/write';
import type { FileTree } from '../../compiler/layout';
import { readDeclaredSecrets, scrubSecrets } from '../../constructs/internal/known-secrets';

export const usage = `waypoint-policy diff --base REF [--app FILE] [--outdir DIR] [--format text|markdown|json] [--json] [--fail-on-widened] [--max-requests N]

Compare what the base revision committed in DIR (default: dist, or
$CDK8S_OUTDIR, as for synth and check) with what the working tree's
policies compile to: object changes with the changed fields,
then effects: waypoint binding per Service, plugin chain per Service and
ingress gateway, and an access matrix of representative requests (simulated
before and after), widened access first. Credentials appear only as
fingerprints. --json is --format json. --fail-on-widened exits 1 when any access
widened (a plugin turned fail-open, a chain left with only fail-open auth
plugins, an auth plugin on a ServiceEntry, which no request is simulated to,
removed or changed, included), when the change prunes a Gateway that its own labels or plugins
still use (their traffic then skips the waypoint), when it moves an owned
Namespace's label to a waypoint (or plugins) it also adds, which the label
reaches first, when a Service goes without a plugin it runs before and after
at some point of the sync (a plugin moves in another stage than the labels),
when it removes a label-only manifest (or a Namespace's)
whose live use-waypoint label then stays behind, when it removes a target
that still deploys something (nothing is pruned), when it renames a delivery
that cannot take its objects over (an Argo CD Application whose syncs then
fail, Flux Kustomizations whose deletion deletes what they applied, objects
removed in the same change that no one prunes), when it takes over another team's label-only Service, turns an
owned Service label-only, or drops a prune, delete or apply protection from
an object, or when requests whose
path the change touches were left out of the simulation: at most
--max-requests (default ${DEFAULT_MAX_REQUESTS}) are simulated, those of changed rules first.
Failing, it says why on stderr.`;

const FORMATS: readonly ReviewFormat[] = ['text', 'markdown', 'json'];

/**
 * How the output folder in the working tree differs from what the policies
 * compile to (a hand edit, a change committed without synth, a merge
 * conflict resolved in the files), as counts; undefined when it does not, or
 * when it does not exist or cannot be read (`check` says why).
 */
function committedDrift(outdir: string, compiled: FileTree): { added: number; changed: number; removed: number } | undefined {
  if (!fs.statSync(outdir, { throwIfNoEntry: false })?.isDirectory()) return undefined;
  let committed: FileTree;
  try {
    committed = readTree(outdir);
  } catch {
    return undefined;
  }
  // What git ignores (a .DS_Store) is never committed, so never deployed.
  for (const file of ignoredFiles(outdir)) committed.delete(file);
  const drift = treeDrift(compiled, committed);
  const n = { added: drift.added.length, changed: drift.changed.length, removed: drift.removed.length };
  return n.added + n.changed + n.removed === 0 ? undefined : n;
}

/**
 * Whether `dir` holds a file synth wrote (a YAML file that starts with its
 * generated-by line): the first synth's output, as opposed to a folder of
 * the same name that is something else's (a JavaScript build's dist/ at a
 * monorepo's root).
 */
function holdsSynthOutput(dir: string): boolean {
  const walk = (d: string): boolean => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return false;
    }
    for (const e of entries) {
      const full = path.join(d, e.name);
      if (e.isDirectory() ? e.name !== 'node_modules' && e.name !== '.git' && walk(full) : /\.ya?ml$/.test(e.name) && isGeneratedFile(full)) return true;
    }
    return false;
  };
  return walk(dir);
}

/**
 * `p` with the links in its parent folders resolved, as git and the working
 * directory name them: `--outdir "$PWD/dist"` in a checkout reached through a
 * link (the shell's $PWD keeps the link) is still inside the repository.
 * The folder itself is kept as written, and so is what does not exist yet.
 */
function physicalPath(p: string): string {
  const rest: string[] = [path.basename(p)];
  for (let dir = path.dirname(p); ; dir = path.dirname(dir)) {
    if (fs.existsSync(dir)) return path.join(realPath(dir), ...rest);
    if (path.dirname(dir) === dir) return p;
    rest.unshift(path.basename(dir));
  }
}

/**
 * Where git reads the base revision, and the output folder relative to it:
 * the repository that holds the output folder (its nearest existing parent,
 * before the first synth). That is the working directory's own when both
 * are in one checkout; run from outside any checkout, or from another one
 * (a CI workspace that is itself a repository, with the policy repository
 * checked out inside it), the working directory's would read an unrelated
 * tree, and an empty base lets every change pass as new. `abs` is the
 * output folder with its links resolved, `outdir` as the working directory
 * names it.
 */
function gitLocation(cwd: string, outdir: string, abs: string): { repoDir: string; dir: string } {
  let near = abs;
  while (!fs.existsSync(near) && path.dirname(near) !== near) near = path.dirname(near);
  const outTop = workTreeTop(near);
  // Outside any repository: the working directory's reading says so (or that it is outside its repository).
  if (outTop === undefined || outTop === workTreeTop(cwd)) return { repoDir: cwd, dir: outdir };
  return { repoDir: near, dir: path.relative(near, abs) || '.' };
}

/**
 * Policy errors: the findings, and nothing compared. With --json they are
 * JSON on stdout too (`compiled: false`, as check prints them), so a tool
 * reading stdout gets JSON, not an empty file; with --format markdown, a
 * comment that lists them.
 */
function doesNotCompile(io: Io, entry: string, base: string, findings: readonly Finding[], format: ReviewFormat): number {
  if (format === 'json') io.out(JSON.stringify({ base, head: 'working tree', compiled: false, findings: toJsonFindings(findings) }, null, 2));
  else printFindings(io, findings, false);
  // The comment a CI step posts from stdout: it says why there is no review.
  if (format === 'markdown') io.out(notCompiledMarkdown(base, 'working tree', toJsonFindings(findings)).trimEnd());
  io.err(`diff: ${entry} does not compile; nothing was compared.`);
  return EXIT.FAILED;
}

export function diff(argv: string[], io: Io): number {
  const { values } = parseFlags('diff', argv, {
    base: { type: 'string' },
    app: { type: 'string' },
    outdir: { type: 'string' },
    format: { type: 'string' },
    json: { type: 'boolean' },
    'fail-on-widened': { type: 'boolean' },
    'max-requests': { type: 'string' },
  });
  if (!values.base) throw new UsageError(`diff: --base REF is required (e.g. --base origin/main). ${seeUsage('diff')}`);
  const format = (values.json ? 'json' : values.format ?? 'text') as ReviewFormat;
  if (!FORMATS.includes(format)) throw new UsageError(`diff: --format ${JSON.stringify(values.format)} is not one of ${FORMATS.join(', ')}.`);
  const max = values['max-requests'] === undefined ? DEFAULT_MAX_REQUESTS : Number(values['max-requests']);
  if (!Number.isInteger(max) || max < 1) throw new UsageError(`diff: --max-requests ${JSON.stringify(values['max-requests'])} is not a whole number of at least 1.`);
  const entry = values.app ?? DEFAULT_APP;
  const root = projectRootOf(path.resolve(io.cwd, entry));
  // The output folder, its links resolved, and as the working directory (its links resolved too) names it.
  const outAbs = physicalPath(path.resolve(io.cwd, outdirOf(values.outdir, io.env)));
  const outdir = path.relative(realPath(io.cwd), outAbs) || '.';
  // As git names paths (and every message shows them): '/'-separated, '' for the current folder.
  const folder = outdir === '.' ? '' : `${outdir.split(path.sep).join('/')}/`;

  let base;
  let ahead: number | undefined;
  try {
    const at = gitLocation(io.cwd, outdir, outAbs);
    base = treeAtRevision(at.repoDir, values.base, at.dir);
    ahead = commitsAheadOfHead(at.repoDir, values.base, at.dir);
  } catch (e) {
    if (e instanceof GitError) throw new UsageError(`diff: cannot read ${outdir}/ at ${values.base}: ${e.message}`);
    throw e;
  }
  // Legitimate for the pull request that adds the first synth, but also what
  // a mistyped --outdir or a run from the wrong folder looks like. When the
  // working tree has no such folder either, it cannot be the first synth of a
  // committed output: every object would show as added, nothing as widened or
  // removed, and --fail-on-widened would pass whatever the change does.
  // A folder of that name that synth did not write (a monorepo root's JavaScript build) is no first synth either.
  if (base.size === 0 && !holdsSynthOutput(outAbs)) {
    const other = fs.existsSync(outAbs) ? ' written by synth (the working tree\'s holds no file synth wrote)' : '';
    throw new UsageError(
      `diff: neither ${values.base} nor the working tree has a ${folder || './'} folder${other}, so there is nothing to compare with: ` +
        'run diff from the folder synth and check run in (the project root), or pass --outdir with the folder synth writes, as committed. ' +
        'If this change adds the first synth, run synth and commit its output first.',
    );
  }
  if (base.size === 0) {
    io.err(`diff: ${values.base} has no files under ${folder || './'} (the first synth, or the wrong --outdir or folder?): every object shows as added.`);
  }
  let head;
  let mesh;
  try {
    const result = compileApp(loadApp(entry, io.cwd), { root });
    if (result.findings.some((f) => f.severity === 'error')) return doesNotCompile(io, entry, values.base, result.findings, format);
    head = result.files;
    // The manifests do not record them; a change of either shows in the head app alone, so both sides are read with it.
    mesh = { rootNamespace: result.collected.model.rootNamespace, clusterDomain: clusterDomainOf(result.collected.model) };
  } catch (e) {
    if (!isPolicyError(e)) throw e;
    return doesNotCompile(io, entry, values.base, relativizeSources(e.findings, root), format);
  }
  let r: Review;
  try {
    r = review(base, head, { base: values.base, head: 'working tree' }, { maxRequests: max, mesh });
  } catch (e) {
    if (!(e instanceof UnreadableTreeError)) throw e;
    // The message starts with the file, relative to the output folder.
    io.err(`diff: at ${values.base}, ${folder}${e.message}.`);
    return EXIT.FAILED;
  }
  if (ahead) {
    r = { ...r, baseAhead: { commits: ahead } };
    io.err(`diff: ${values.base} has ${ahead} commit(s) changing ${folder || './'} that HEAD does not: what they changed shows as undone by this change (merge or rebase first, or pass --base $(git merge-base ${values.base} HEAD)).`);
  }
  // The review reads the policies; what the GitOps tool deploys once merged is the folder as committed.
  const stale = committedDrift(outAbs, head);
  if (stale) {
    r = { ...r, staleOutput: { outdir: folder || './', ...stale } };
    io.err(`diff: the working tree's ${folder || './'} is not what ${entry} compiles to (synth would add ${stale.added}, change ${stale.changed} and remove ${stale.removed} file(s)): the review shows the policies, not what ${folder || './'} deploys. Run synth and commit it.`);
  }
  // Fields we know hold secrets are fingerprints already; this is the last
  // line of defence for a credential the policy also put elsewhere (a path
  // prefix, a host, a label), as for findings.
  readDeclaredSecrets();
  io.out(scrubSecrets(formatReview(r, format)));
  const unseen = r.effects.truncated;
  if (unseen > 0) {
    // Never a silent pass: the requests left out are ones this change may have widened.
    io.err(
      `diff: ${unseen} request(s) whose path this change touches were not simulated (only ${r.effects.simulated} are), so widened access among them would not show` +
        `${values['fail-on-widened'] ? ', and --fail-on-widened fails' : ''}. Raise --max-requests, or split the change into smaller commits.`,
    );
  }
  if (!values['fail-on-widened']) return EXIT.OK;
  const failures = [...gateFailures(r), ...(unseen > 0 ? [`${unseen} request(s) not simulated`] : [])];
  if (failures.length === 0) return EXIT.OK;
  // Said on stderr so a CI log shows why the job failed without reading the whole review.
  io.err(`diff: --fail-on-widened fails: ${failures.join('; ')}.`);
  return EXIT.FAILED;
}
