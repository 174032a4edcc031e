import { isLabelKey, isLabelValue } from '../../constructs/internal/schemas';
import type { ModelObject } from '../../compiler/model';
import type { Rule, RuleContext } from '../rule';
import { schemaChecksMetadata, schemaIssuesOf } from '../schema';
import { isPlainObject, typeName } from '../schema/issue';

/**
 * Keys and values already found valid in this run: a mesh repeats a few
 * label keys and values on thousands of objects, and isLabelKey slices the
 * key and runs two regexes on every call.
 */
class Valid {
  private readonly keys = new Set<string>();
  private readonly values = new Set<string>();

  public key(k: string): boolean {
    if (this.keys.has(k)) return true;
    if (!isLabelKey(k)) return false;
    this.keys.add(k);
    return true;
  }

  public value(v: string): boolean {
    if (this.values.has(v)) return true;
    if (!isLabelValue(v)) return false;
    this.values.add(v);
    return true;
  }
}

const NOT_A_STRING_FIX =
  'Quote the value (team: "yes", version: "1.10"): kubectl, Argo CD and Flux read YAML 1.1, where an unquoted yes, no, on, off, y or n is a boolean and 1.10 the number 1.1.';

/**
 * A metadata map (labels, annotations) that is not a mapping: the API server
 * refuses the object. Absent is fine.
 */
function checkIsMapping(ctx: RuleContext, o: ModelObject, map: unknown, what: 'label' | 'annotation'): void {
  if (map === undefined || map === null) return;
  ctx.report(o, { message: `metadata.${what}s is ${typeName(map)}, not a mapping of ${what} names to values: the API server refuses the object`, fix: `Write metadata.${what}s as a mapping: ${what}s: { team: shop }.` });
}

/**
 * A label or annotation value that is not a string: ObjectMeta holds strings
 * only, so the API server refuses the object (kubectl apply and Argo CD's
 * sync fail). Written by hand it is nearly always an unquoted number or a
 * YAML 1.1 boolean. Its type is named, not its value: an annotation may hold
 * anything. A null value reads as the empty string.
 */
function checkStringValue(ctx: RuleContext, o: ModelObject, k: string, v: unknown, what: 'label' | 'annotation'): void {
  if (typeof v === 'string' || v === null) return;
  ctx.report(o, { message: `${what} ${JSON.stringify(k)} has ${typeName(v)} as its value, not a string: the API server refuses the object`, fix: NOT_A_STRING_FIX });
}

/**
 * Label keys and values; `strings`: also that it is a mapping of strings
 * (object metadata outside the kinds whose schema says so already). One
 * walk per map: it runs for every object of every synth.
 */
function checkLabels(ctx: RuleContext, valid: Valid, o: ModelObject, labels: unknown, where: string, strings = false): void {
  if (!isPlainObject(labels)) {
    if (strings) checkIsMapping(ctx, o, labels, 'label');
    return;
  }
  for (const k of Object.keys(labels)) {
    const v = labels[k];
    if (!valid.key(k)) {
      ctx.report(o, { message: `${where} key ${JSON.stringify(k)} is not a label key: an optional DNS-subdomain prefix and '/', then at most 63 characters of [A-Za-z0-9-_.] starting and ending alphanumeric` });
    }
    if (typeof v === 'string') {
      if (!valid.value(v)) ctx.report(o, { message: `${where} value ${JSON.stringify(v)} of ${k} is not a label value: at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric` });
    } else if (strings) checkStringValue(ctx, o, k, v, 'label');
  }
}

// Annotation keys follow the label key rules (a qualified name); their values are free text.
function checkAnnotations(ctx: RuleContext, valid: Valid, o: ModelObject, annotations: unknown, strings: boolean): void {
  if (!isPlainObject(annotations)) {
    if (strings) checkIsMapping(ctx, o, annotations, 'annotation');
    return;
  }
  for (const k of Object.keys(annotations)) {
    if (!valid.key(k)) {
      ctx.report(o, { message: `annotation key ${JSON.stringify(k)} is not a qualified name: an optional DNS-subdomain prefix and '/', then at most 63 characters of [A-Za-z0-9-_.] starting and ending alphanumeric (the API server refuses the object)` });
    }
    if (strings) checkStringValue(ctx, o, k, annotations[k], 'annotation');
  }
}

/** The selectors of every HBONE/other listener's allowedRoutes. */
function allowedRoutesSelectors(o: ModelObject): unknown[] {
  const spec = o.manifest.spec;
  if (!isPlainObject(spec) || !Array.isArray(spec.listeners)) return [];
  return spec.listeners.map((l) =>
    isPlainObject(l) && isPlainObject(l.allowedRoutes) && isPlainObject(l.allowedRoutes.namespaces) && isPlainObject(l.allowedRoutes.namespaces.selector)
      ? l.allowedRoutes.namespaces.selector.matchLabels
      : undefined,
  );
}

export const namesLabelSyntax: Rule = {
  id: 'names/label-syntax',
  severity: 'error',
  docs: {
    summary: 'Label keys and values (on objects, in WasmPlugin and Service selectors and in allowedRoutes selectors) must be valid Kubernetes labels, and annotation keys valid qualified names; labels and annotations are mappings of strings (an unquoted `yes`, `on` or `1.10` is a boolean or a number to kubectl, which reads YAML 1.1); a WasmPlugin selector may not hold `*` or an empty key (CRD rules).',
    bad: `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: { istio.io/use-waypoint: shop waypoint }`,
    message: 'label value "shop waypoint" of istio.io/use-waypoint is not a label value: at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric',
    fix: 'Use [prefix/]name keys and values of at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric; selectors match exact values.',
  },
  check(ctx) {
    const valid = new Valid();
    for (const o of ctx.objects) {
      // Where the schema (analysis/schema/) reports a value that is not a string, it is not reported twice.
      const strings = !schemaChecksMetadata(o.manifest);
      checkLabels(ctx, valid, o, o.manifest.metadata.labels, 'label', strings);
      checkAnnotations(ctx, valid, o, o.manifest.metadata.annotations, strings);
      if (o.manifest.kind === 'Gateway') allowedRoutesSelectors(o).forEach((ml, i) => checkLabels(ctx, valid, o, ml, `spec.listeners[${i}].allowedRoutes selector label`));
      for (const issue of schemaIssuesOf(o.manifest)) {
        if (issue.rule === this.id) ctx.report(o, { message: `${issue.path}: ${issue.message}` });
      }
    }
  },
};
