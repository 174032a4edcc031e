import type { IConstruct } from 'constructs';
import type { Finding } from '../../analysis/finding';
import { PolicyError } from '../errors';
import { blockCreation, isCollecting } from './deferred-api-object';
import { sourceOf } from './provenance';

/**
 * Findings a construct records instead of throwing, so that one synth reports
 * every one of them. Only for mistakes outside the policy code, which a
 * person fixes all at once: a CI setup that misses one secret usually misses
 * them all, and throwing at the first made them fix and rerun once per secret.
 *
 * The construct goes on with a stand-in value that must never be emitted. Our
 * compiler reports these findings as errors (compiler/collect.ts), which
 * blocks writing; cdk8s's own synth paths validate every construct before
 * they render, and the validation registered here refuses there; and the
 * construct's manifest (the escape hatch) can no longer be created.
 */
const pending = new WeakMap<IConstruct, Finding[]>();

export function deferFindings(c: IConstruct, findings: readonly Finding[]): void {
  if (findings.length === 0) return;
  let list = pending.get(c);
  if (!list) {
    pending.set(c, (list = []));
    const mine = list;
    c.node.addValidation({ validate: () => (isCollecting() ? [] : mine.map((f) => `[${f.rule}] ${f.message}`)) });
    // Thrown into the policy code that reached for the manifest: name the
    // construct, and the line a finding names (else the one that created it).
    blockCreation(c, () => new PolicyError(mine.map((f) => ({ ...f, path: c.node.path, source: f.source ?? sourceOf(c) }))));
  }
  list.push(...findings);
}

/** What `c` deferred, if anything. */
export function deferredFindingsOf(c: IConstruct): readonly Finding[] | undefined {
  return pending.get(c);
}

/** How many other paths a merged finding names before it only counts them. */
const NAMED = 3;

/**
 * One finding per distinct message: a missing variable that a thousand
 * plugins read is one thing to fix, reported at its first construct with the
 * others counted. The order of first appearance is kept.
 */
export function mergeRepeated(findings: readonly Finding[]): Finding[] {
  // A Set, not the list, answers "seen?": a variable a thousand plugins read would make this quadratic.
  const byMessage = new Map<string, { first: Finding; paths: Set<string> }>();
  for (const f of findings) {
    const key = `${f.rule}\u0000${f.message}`;
    const seen = byMessage.get(key);
    if (!seen) byMessage.set(key, { first: f, paths: new Set(f.path === undefined ? [] : [f.path]) });
    else if (f.path !== undefined) seen.paths.add(f.path);
  }
  return [...byMessage.values()].map(({ first, paths }) => {
    const others = [...paths].filter((p) => p !== first.path);
    if (others.length === 0) return first;
    const named = others.slice(0, NAMED).join(', ');
    const more = others.length > NAMED ? ` and ${others.length - NAMED} more` : '';
    return { ...first, message: `${first.message} (also read at ${named}${more})` };
  });
}
