/**
 * Building blocks for catalogue plugins' wire schemas: the pluginConfig
 * exactly as a module reads it. Every problem is a zod issue carrying a rule
 * id (`<plugin>/<problem>`), so a construct-time error and a `validate
 * --manifests` finding name the same rule.
 */
import { Construct } from 'constructs';
import { z } from 'zod';
import type { PluginConfigIssue } from '../define-plugin';
import { isPolicyError } from '../errors';
import { recordSource, sourceOf } from '../internal/provenance';
import { nearest } from '../internal/nearest';
import { blamedOn, parseProps, vacant } from '../internal/validate';

type Ctx = z.RefinementCtx;
type Path = (string | number)[];

const UINT64_MAX = (1n << 64n) - 1n;
/**
 * absl::SimpleAtoi, which the modules use on strings: optional whitespace and
 * '+', then digits. Whitespace is absl::ascii_isspace's six ASCII characters,
 * not JavaScript's \s (which also takes U+00A0 and other Unicode spaces).
 */
const ATOI_UINT = /^[ \t\n\v\f\r]*\+?(\d+)[ \t\n\v\f\r]*$/;

export function issue(ctx: Ctx, path: Path, rule: string, message: string, fix?: string): void {
  ctx.addIssue({ code: 'custom', path, message, params: { rule, fix } });
}

/**
 * The value `JsonValueAs<uint64_t>` (istio/proxy json_util) reads, or
 * undefined when the module would refuse the config or misread it. A JSON
 * number is cast (so -1 and 1.5 are accepted by the module but read as
 * 18446744073709551615 and 1): we refuse those rather than emit a config that
 * means something else than it says.
 */
export function checkUint64(ctx: Ctx, value: unknown, key: string, plugin: string): bigint | undefined {
  const rule = `${plugin}/not-uint64`;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) {
      issue(ctx, [key], rule, `${key} is ${value}: it must be a whole number >= 0 (the module casts other numbers to uint64, so it would not read ${value})`, `Write a whole number, e.g. ${Math.max(0, Math.trunc(value))}.`);
      return undefined;
    }
    if (!Number.isSafeInteger(value)) {
      issue(ctx, [key], rule, `${key} is beyond 2^53: JavaScript cannot write it exactly`, 'Write it as a decimal string.');
      return undefined;
    }
    return BigInt(value);
  }
  if (typeof value === 'string') {
    const m = ATOI_UINT.exec(value);
    if (!m || BigInt(m[1]) > UINT64_MAX) {
      issue(ctx, [key], rule, `${key} is the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}, which is not an unsigned 64-bit decimal: the module refuses its whole config`, 'Write a whole number (a JSON number or a decimal string).');
      return undefined;
    }
    return BigInt(m[1]);
  }
  issue(ctx, [key], rule, `${key} must be a whole number (or a decimal string); got ${describe(value)}: the module refuses its whole config`, 'Write a whole number.');
  return undefined;
}

/** A required string field as `JsonValueAs<std::string>` reads it. */
export function checkString(ctx: Ctx, value: unknown, key: string, plugin: string): string | undefined {
  if (typeof value === 'string') return value;
  issue(ctx, [key], `${plugin}/not-a-string`, `${key} must be a string; got ${describe(value)}: the module refuses its whole config`, `Quote the value of ${key}.`);
  return undefined;
}

/** The config must be a JSON object; anything else is refused by every catalogue module. */
export function checkObject(ctx: Ctx, config: unknown, plugin: string): config is Record<string, unknown> {
  if (typeof config === 'object' && config !== null && !Array.isArray(config)) return true;
  issue(ctx, [], `${plugin}/config-type`, `pluginConfig must be a JSON object; got ${describe(config)}`, 'Write the config as a map of keys to values.');
  return false;
}

export function checkRequired(ctx: Ctx, config: Record<string, unknown>, key: string, plugin: string, what: string): boolean {
  if (config[key] !== undefined && config[key] !== null) return true;
  issue(ctx, [key], `${plugin}/missing-field`, `${key} is required (${what}): without it the module refuses its whole config, and Envoy then answers 500 or keeps the old config`, `Set ${key}.`);
  return false;
}

/**
 * Keys the module ignores. Not an error (the module still loads), but what
 * was written has no effect, which is almost always a typo.
 */
export function unknownKeys(config: Record<string, unknown>, known: readonly string[], plugin: string): PluginConfigIssue[] {
  return Object.keys(config)
    .filter((k) => !known.includes(k))
    .map((k) => {
      const near = nearest(k, known);
      return {
        rule: `${plugin}/unknown-key`,
        severity: 'warning' as const,
        message: `pluginConfig key ${JSON.stringify(k)} is not read by the module and has no effect${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}`,
        fix: `Use only ${known.join(', ')}.`,
      };
    });
}

/**
 * Parse a catalogue construct's friendly props before `super()` (which needs
 * the wire config). A stand-in construct at the plugin's own path carries the
 * errors and is removed again, so findings name the right construct.
 */
export function parseFriendlyProps<S extends z.ZodType>(scope: Construct, id: string, constructName: string, schema: S, props: unknown, constructed: Function): z.output<S> {
  const probe = new Construct(vacant(scope, id, constructed), id);
  try {
    return parseProps(probe, constructName, schema, props);
  } catch (e) {
    if (!isPolicyError(e)) throw e;
    // The errors name the plugin's policy line, not its scope's (as BasicAuth's
    // rules do). Recorded only on failure: capturing the stack is not free.
    recordSource(probe, constructed);
    const source = sourceOf(probe);
    throw blamedOn(e, probe.node.path, source);
  } finally {
    scope.node.tryRemoveChild(probe.node.id);
  }
}

/** Accept a cdk8s Duration without importing the class twice (a consumer may have its own copy of cdk8s). */
export function isDuration(v: unknown): v is { toSeconds(opts?: { integral?: boolean }): number } {
  return typeof v === 'object' && v !== null && typeof (v as { toSeconds?: unknown }).toSeconds === 'function';
}

/** Whole seconds of a Duration, or a zod issue. */
export function wholeSeconds(ctx: Ctx, d: { toSeconds(opts?: { integral?: boolean }): number }, prop: string, plugin: string): number | undefined {
  const s = d.toSeconds({ integral: false });
  if (!Number.isInteger(s) || s < 0) {
    issue(ctx, [prop], `${plugin}/not-uint64`, `${prop} is ${s} seconds: the module counts whole seconds`, 'Use Duration.seconds(n) or Duration.minutes(n) with a whole number of seconds.');
    return undefined;
  }
  return s;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return 'a string';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

