import type { Rule, RuleInfo } from '../rule';
import { schemaIssuesOf } from '../schema';

/** The kinds analysis/schema/ has a schema for. */
const SCHEMA_KINDS = ['WasmPlugin', 'Gateway', 'Service'];

/**
 * A rule that reports the schema issues carrying its id. The schemas in
 * analysis/schema/ find every problem of an object in one pass; each id is
 * still its own rule, with its own docs, like the construct-time checks.
 */
export function schemaRule(info: RuleInfo): Rule {
  return {
    ...info,
    check(ctx) {
      for (const kind of SCHEMA_KINDS) {
        for (const o of ctx.ofKind(kind)) {
          for (const issue of schemaIssuesOf(o.manifest)) {
            if (issue.rule !== info.id) continue;
            ctx.report(o, { message: issue.path ? `${issue.path}: ${issue.message}` : issue.message });
          }
        }
      }
    },
  };
}
