import * as path from 'node:path';
import { ApiObject } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { relativizeSources, type Finding } from '../analysis/finding';
import { DEFAULT_TARGET, PolicyApp, Target } from '../constructs/app';
import { ownershipOf } from '../constructs/internal/ownership';
import { otherCopyOf, twoCopies } from '../constructs/internal/copies';
import { ownSourceOf, relativeSource } from '../constructs/internal/provenance';
import { referenceOf } from '../constructs/internal/reference';
import { isPolicyError, thrown } from '../constructs/errors';
import { BasicAuth } from '../constructs/plugins/basic-auth';
import { apiObjectJson, deferredJson, inJsonRun } from './api-object-json';
import { otherCdk8sCopy } from './cdk8s-copies';
import { deferredApiObjectOf, withoutCreatingDeferred } from '../constructs/internal/deferred-api-object';
import { deferredFindingsOf, mergeRepeated } from '../constructs/internal/deferred-findings';
import { phaseProgress } from './progress';
import { isClusterScoped, KubeObject, MeshModel, ModelObject, ModelReference } from './model';

export interface CollectOptions {
  /** Directory that source locations are reported relative to. */
  readonly root: string;
}

export interface Collected {
  readonly model: MeshModel;
  /** Findings only the construct tree can see (literal credentials, construct validations). */
  readonly findings: Finding[];
  readonly partOf: string;
  readonly gitops: readonly string[];
  readonly targets: readonly string[];
}

/**
 * Walk the construct tree once and turn every ApiObject into plain JSON.
 *
 * This replaces cdk8s `App.synth()`, which re-resolves the whole app for every
 * chart (O(charts x objects)); `ApiObject.toJson()` per object is linear.
 */
export function collect(app: PolicyApp, options: CollectOptions): Collected {
  const objects: ModelObject[] = [];
  const references: ModelReference[] = [];
  const findings: Finding[] = [];
  const targets = new Set<string>();
  const progress = phaseProgress('collect');

  // Each construct's target and policy line (its own, or its nearest
  // ancestor's) are handed down the walk: looking them up walked the
  // construct's scopes again, several times per construct.
  let target = DEFAULT_TARGET;
  let source: string | undefined;
  const add = (json: Record<string, unknown>, ownership: ModelObject['ownership'], path: string | undefined): void => {
    const manifest = json as KubeObject;
    if (isClusterScoped(manifest.kind)) delete manifest.metadata.namespace;
    targets.add(target);
    objects.push({ manifest, target, ownership, path, source: rel() });
    progress.item();
  };
  const visit = (c: IConstruct): void => {
    const outerTarget = target;
    const outerSource = source;
    if (Target.isTarget(c)) target = c.name ?? DEFAULT_TARGET;
    source = ownSourceOf(c) ?? source;
    try {
      visitOne(c);
    } catch (e) {
      // A validation or a toJson() override in policy code threw: that is a
      // mistake at this construct, not a crash of the compiler.
      if (isPolicyError(e)) findings.push(...e.findings);
      else findings.push(constructCrash(e, c, rel()));
    }
    for (const child of c.node.children) visit(child);
    target = outerTarget;
    source = outerSource;
  };
  const otherCopies = new Set<string>();
  // Credentials that could not be read: one finding per missing source, however many plugins read it.
  const deferred: Finding[] = [];
  const visitOne = (c: IConstruct): void => {
    const copy = otherCopyOf(c);
    if (copy !== undefined && !otherCopies.has(copy)) {
      otherCopies.add(copy);
      const theirs = sourceInCopy(copy, c);
      findings.push(twoCopiesFinding(copy, c.node.path, theirs === undefined ? rel() : relativeSource(theirs, options.root)));
    }
    const unread = deferredFindingsOf(c);
    // A finding that knows its own line keeps it (the Credential.fromFile call
    // that named a missing file); the others name the plugin's line. A file
    // the message names (where a credential file was looked for) is shown
    // from the project root too, as the CLI shows construction errors.
    if (unread) for (const f of relativizeSources(unread, options.root)) deferred.push({ ...f, path: c.node.path, source: f.source ?? rel() });
    for (const message of c.node.validate()) {
      findings.push({ rule: 'construct/validation', severity: 'error', message, fix: 'Do what the validation asks; it comes from the construct at the path shown.', path: c.node.path, source: rel() });
    }
    if (c instanceof ApiObject) {
      add(apiObjectJson(c), ownershipOf(c), c.node.scope?.node.path);
    } else {
      const d = deferredApiObjectOf(c);
      // Once created, the ApiObject is a child like any other (visited below).
      if (d && !d.created) {
        const json = deferredJson(d, c);
        if (json) add(json, d.external ? 'external' : 'owned', c.node.path);
        // Not plain data: let cdk8s build it (it is then visited as a child).
        else d.get();
      }
    }
    const ref = referenceOf(c);
    if (ref) {
      references.push({ ...ref, target, path: c.node.path, source: rel() });
    }
    if (c instanceof BasicAuth && c.usesLiteralCredentials) {
      findings.push(literalCredentialFinding(c, rel()));
    }
  };
  // Thousands of constructs share a few policy lines: relativize each line once.
  const relative = new Map<string, string | undefined>();
  const rel = () => {
    if (source === undefined) return undefined;
    if (!relative.has(source)) relative.set(source, relativeSource(source, options.root));
    return relative.get(source);
  };
  // Validating a construct would create its deferred ApiObject (that is how
  // cdk8s's own synth sees it); this walk reads the props instead.
  withoutCreatingDeferred(() => inJsonRun(() => visit(app)));
  findings.push(...mergeRepeated(deferred));
  progress.end();

  return {
    model: { objects, references, rootNamespace: app.rootNamespace, clusterDomain: app.clusterDomain, origin: 'app' },
    findings,
    partOf: app.partOf,
    gitops: app.gitops,
    targets: [...targets].sort(),
  };
}

/**
 * Where the other copy recorded `c` was created: this copy's record has
 * only `c`'s ancestors, which would point at the wrong policy line. That
 * copy's module is already loaded (it made `c`), so this only looks it up.
 */
function sourceInCopy(copy: string, c: IConstruct): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const theirs = require(path.join(copy, 'constructs', 'internal', 'provenance')) as { sourceOf?: (c: IConstruct) => string | undefined };
    return typeof theirs.sourceOf === 'function' ? theirs.sourceOf(c) : undefined;
  } catch {
    return undefined;
  }
}

function twoCopiesFinding(other: string, path: string, source: string | undefined): Finding {
  const { message, fix } = twoCopies(other);
  return { rule: 'library/two-copies', severity: 'error', message: `this construct was ${message}`, fix, path, source };
}

function constructCrash(e: unknown, c: IConstruct, source: string | undefined): Finding {
  const t = thrown(e);
  const path = c.node.path;
  const copies = c instanceof ApiObject ? otherCdk8sCopy(c, t.firstLine) : undefined;
  if (copies) return { rule: 'library/two-copies', severity: 'error', message: `${copies.message} (cdk8s: ${t.firstLine})`, fix: copies.fix, path, source };
  return {
    rule: 'policy/exception',
    severity: 'error',
    message: `validating or rendering this construct threw ${t.name}: ${t.firstLine}`,
    fix: 'Fix the validation or toJson() override of the construct at the path shown (it was created at the location shown).',
    path,
    source,
  };
}

function literalCredentialFinding(plugin: BasicAuth, source: string | undefined): Finding {
  const acknowledged = plugin.acknowledged.literalCredentials;
  return {
    rule: 'credentials/literal',
    severity: 'warning',
    message: acknowledged
      ? `BasicAuth '${plugin.name}' uses credentials written in policy source (acknowledged: ${acknowledged})`
      : `BasicAuth '${plugin.name}' uses credentials written in policy source; they end up in git in clear text`,
    fix: acknowledged
      ? 'Acknowledged; it stays a warning (and fails --strict) while the credentials are in source: use Credential.fromEnv(), Credential.fromFile() or Credential.fluxSubstitution() to clear it.'
      : 'Use Credential.fromEnv() or Credential.fromFile(); for demo values, acknowledge with acknowledge: { literalCredentials: "<why>" }.',
    object: { kind: 'WasmPlugin', namespace: plugin.namespace, name: plugin.name },
    path: plugin.node.path,
    source,
  };
}
