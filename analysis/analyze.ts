import type { MeshModel } from '../compiler/model';
import type { Finding } from './finding';
import { sortFindings } from './finding';
import { RuleContext } from './rule';
import { endAnalysisRun } from './run-cache';
import { RULES } from './rules';

/**
 * Run every rule over each target of the model (targets are separate
 * clusters or environments: a label in one never binds to a waypoint in another).
 */
export function analyze(model: MeshModel): Finding[] {
  const targets = [...new Set([...model.objects.map((o) => o.target), ...model.references.map((r) => r.target)])].sort();
  const findings: Finding[] = [];
  try {
    for (const target of targets) {
      const ctx = new RuleContext(
        model,
        target,
        model.objects.filter((o) => o.target === target),
        model.references.filter((r) => r.target === target),
      );
      for (const rule of RULES) ctx.run(rule);
      findings.push(...ctx.findings);
    }
  } finally {
    endAnalysisRun();
  }
  return sortFindings(findings);
}
