import assert from 'node:assert/strict';
import type { z } from 'zod';
import type { Finding } from '../../analysis/finding';
import type { KubeObject } from '../../compiler/model';
import { compileApp, CompileResult } from '../../compiler/synth';
import { isPolicyError, MeshNamespace, PolicyApp, Waypoint } from '../../constructs';
import { CrdChecker, loadCrdChecker } from '../support/crd-conformance';

let checker: CrdChecker | undefined;

/** The real-CRD checker (loaded once); fails the test when the shared CRDs are missing. */
export function crd(): CrdChecker {
  return (checker ??= loadCrdChecker());
}

/** Assert that every emitted object the CRDs serve conforms. */
export function assertConforms(objects: readonly KubeObject[]): void {
  const c = crd();
  for (const o of objects) {
    if (!c.served.includes(`${o.apiVersion} ${o.kind}`)) continue;
    assert.deepEqual(c.check(o), [], `${o.kind} ${o.metadata.namespace}/${o.metadata.name} conforms to its CRD`);
  }
}

/** Rule ids of the issues a wire-config schema reports (`[]` when valid). */
export function wireRules(schema: z.ZodType, config: unknown): string[] {
  const r = schema.safeParse(config);
  if (r.success) return [];
  return r.error.issues.map((i) => (i as { params?: { rule?: string } }).params?.rule ?? 'props/invalid');
}

/** Rule ids of the PolicyError `fn` throws; fails if it does not throw one. */
export function thrownRules(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(isPolicyError(e), `expected a PolicyError, got ${String(e)}`);
    return e.findings.map((f) => f.rule);
  }
  assert.fail('expected a PolicyError');
}

/** The findings (message included) of the PolicyError `fn` throws. */
export function thrownFindings(fn: () => unknown): readonly Finding[] {
  try {
    fn();
  } catch (e) {
    assert.ok(isPolicyError(e), `expected a PolicyError, got ${String(e)}`);
    return e.findings;
  }
  assert.fail('expected a PolicyError');
}

export interface Fixture {
  readonly app: PolicyApp;
  readonly ns: MeshNamespace;
  readonly waypoint: Waypoint;
}

/** An app with namespace `shop` and its waypoint. */
export function fixture(): Fixture {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'shop');
  const waypoint = new Waypoint(ns, 'waypoint');
  ns.useWaypoint(waypoint);
  return { app, ns, waypoint };
}

export interface Compiled {
  readonly result: CompileResult;
  readonly objects: KubeObject[];
  readonly errors: Finding[];
  /** Finding rule ids, severity included (`warning:rule`). */
  readonly rules: string[];
  find(kind: string, name: string, namespace?: string): KubeObject;
}

export function compile(app: PolicyApp): Compiled {
  const result = compileApp(app);
  const objects = result.collected.model.objects.map((o) => o.manifest);
  return {
    result,
    objects,
    errors: result.findings.filter((f) => f.severity === 'error'),
    rules: result.findings.map((f) => `${f.severity}:${f.rule}`),
    find(kind, name, namespace) {
      const o = objects.find((x) => x.kind === kind && x.metadata.name === name && (namespace === undefined || x.metadata.namespace === namespace));
      assert.ok(o, `${kind} ${namespace ?? '*'}/${name} is emitted`);
      return o;
    },
  };
}
