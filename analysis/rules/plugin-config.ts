import { quotableSecretsOf, secretStringsOf, withoutValues } from '../../constructs/internal/known-secrets';
import { pluginDefinitionFor, secretKeysOf, strippedObjectKeys } from '../../constructs/define-plugin';
import { thrown } from '../../constructs/errors';
import { nearest } from '../../constructs/internal/nearest';
import { printedIssuePath } from '../../constructs/internal/validate';
import type { Rule } from '../rule';
import { BASIC_AUTH_RULES } from './basic-auth';

/**
 * What to do when neither the check nor the module's rule docs say: the
 * catalogue's modules are described in docs/plugins.md, a team's own only by
 * its definition.
 */
function generalFix(def: { name: string }): string {
  return `Write the config the ${def.name} module reads: for a catalogue plugin, see docs/plugins.md and the module's README; for a plugin your team defined, see the configSchema of its definePlugin() definition.`;
}

/** The documented fix of a module's own rule id, when the check itself gave none. */
function documentedFix(def: { rules?: readonly { id: string; docs: { fix: string } }[] }, rule: string | undefined): string | undefined {
  if (!rule) return undefined;
  return (def.rules ?? []).find((r) => r.id === rule)?.docs.fix ?? BASIC_AUTH_RULES.find((r) => r.id === rule)?.docs.fix;
}

/**
 * A known module's pluginConfig must be one the module accepts: a config it
 * refuses makes Envoy reject the filter (500 on every request, or the old
 * config silently stays). Runs the definition's zod schema and its checks.
 * A check with its own id (`basic-auth/empty-methods`) reports under that id,
 * exactly as the same mistake does at construction.
 */
export const pluginConfig: Rule = {
  id: 'plugin/config',
  severity: 'error',
  docs: {
    summary: "A known plugin's pluginConfig is checked against the module's real config schema and semantic checks; specific mistakes report under their own id (basic-auth/*).",
    bad: `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: auth, namespace: shop }
spec:
  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]
  pluginConfig:
    basic_auth_rules:
      - prefix: /api
        request_methods: GET
        credentials: [ok:test]`,
    message: 'basic-auth pluginConfig basic_auth_rules[0].request_methods: Invalid input: expected array, received string',
    fix: "Write the config the basic-auth module reads: for a catalogue plugin, see docs/plugins.md and the module's README; for a plugin your team defined, see the configSchema of its definePlugin() definition.",
  },
  check(ctx) {
    // A mesh repeats the same config in many plugins (the same rules and
    // credentials in every namespace): check each distinct one once.
    const seen = new Map<string, ConfigIssue[]>();
    // The first configs of each url that got their own key, with their
    // issues: a config equal to one of them (as plain JSON data) has the same
    // key, so it is matched without building it. JSON.stringify of every
    // plugin's config, and hashing that string in `seen`, was ~30 ms of a
    // 1,000-namespace analysis.
    const firsts = new Map<string, { readonly config: unknown; readonly issues: ConfigIssue[] }[]>();
    for (const o of ctx.ofKind('WasmPlugin')) {
      const spec = (o.manifest.spec ?? {}) as { url?: unknown; pluginConfig?: unknown };
      if (typeof spec.url !== 'string') continue;
      const def = pluginDefinitionFor(spec.url);
      if (!def) continue;
      const config = spec.pluginConfig ?? {};
      const known = firsts.get(spec.url);
      let issues: ConfigIssue[] | undefined;
      if (known) {
        for (const k of known) {
          if (sameJson(k.config, config)) {
            issues = k.issues;
            break;
          }
        }
      }
      if (!issues) {
        const key = contentKey(spec.url, spec.pluginConfig);
        issues = key === undefined ? undefined : seen.get(key);
        if (!issues) {
          issues = configIssues(def, spec.url, spec.pluginConfig);
          if (key !== undefined) {
            seen.set(key, issues);
            // Only configs that JSON.stringify took (so no cycle): sameJson walks them in step.
            if (!known) firsts.set(spec.url, [{ config, issues }]);
            else if (known.length < MAX_FIRSTS) known.push({ config, issues });
          }
        }
      }
      for (const issue of issues) ctx.report(o, issue);
    }
  },
};

type Definition = NonNullable<ReturnType<typeof pluginDefinitionFor>>;

interface ConfigIssue {
  readonly rule?: string;
  readonly message: string;
  readonly fix?: string;
  readonly severity?: 'error' | 'warning';
}

// Configs compared per plugin before falling back to the key: a mesh repeats a few.
const MAX_FIRSTS = 4;

/**
 * Whether `a` and `b` are the same plain JSON data, keys in the same order,
 * so that JSON.stringify gives both the same text. False whenever that is
 * not certain (anything but strings, numbers other than NaN, booleans, null,
 * plain arrays and plain objects without toJSON): the caller then compares
 * the texts. `a` has no cycle, and the walk follows it.
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return a === b && (a === null || typeof a === 'string' || typeof a === 'boolean' || typeof a === 'number');
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || Object.getPrototypeOf(a) !== Array.prototype || Object.getPrototypeOf(b) !== Array.prototype || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!(i in a) || !(i in b) || !sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype || 'toJSON' in a || 'toJSON' in b) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i] || !sameJson((a as Record<string, unknown>)[ka[i]], (b as Record<string, unknown>)[kb[i]])) return false;
  }
  return true;
}

/** The url and config as one string, or undefined for a config that is not plain JSON. */
function contentKey(url: string, config: unknown): string | undefined {
  try {
    return `${url}\u0000${JSON.stringify(config ?? {})}`;
  } catch {
    return undefined;
  }
}

function configIssues(def: Definition, url: string, config: unknown): ConfigIssue[] {
  try {
    return checkedConfigIssues(def, url, config);
  } catch (e) {
    // A team's schema refinement or analyze() threw: a mistake in plugin code, not in this library.
    const t = thrown(e);
    // The message is the team's code's: it may quote a value never printed (secretKeysOf: a
    // `password` counts without being listed, as at construction), as written or as the schema
    // handed it to analyze() (trimmed, lower-cased).
    const keys = secretKeysOf(def);
    const firstLine = withoutValues(t.firstLine, [...secretStringsOf(config, keys), ...secretStringsOf(parsedOrUndefined(def, config), keys)]);
    return [
      {
        rule: 'policy/exception',
        severity: 'error',
        message: `${def.name} plugin definition threw ${t.name} while checking this config: ${firstLine}`,
        fix: `Fix the configSchema refinements or analyze() of the '${def.name}' plugin definition (definePlugin): they must return issues, not throw, for any config the schema accepts.`,
      },
    ];
  }
}

/** What the schema makes of `config` (what analyze() was given), or undefined when it refuses or throws. */
function parsedOrUndefined(def: Definition, config: unknown): unknown {
  try {
    const parsed = def.configSchema.safeParse(config ?? {});
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function checkedConfigIssues(def: Definition, url: string, config: unknown): ConfigIssue[] {
  return withoutSecretValues(def, config, rawConfigIssues(def, url, config));
}

/**
 * `issues` without the config's secret values: a team's refinement messages
 * and analyze() issues are its own text, and may quote what its definition
 * (or the keys diff fingerprints in any config) says is never printed.
 */
function withoutSecretValues(def: Definition, config: unknown, issues: ConfigIssue[]): ConfigIssue[] {
  if (issues.length === 0) return issues;
  const keys = secretKeysOf(def);
  const secrets = [...quotableSecretsOf(config, keys), ...quotableSecretsOf(parsedOrUndefined(def, config), keys)];
  if (secrets.length === 0) return issues;
  return issues.map((i) => ({ ...i, message: withoutValues(i.message, secrets), fix: i.fix === undefined ? undefined : withoutValues(i.fix, secrets) }));
}

function rawConfigIssues(def: Definition, url: string, config: unknown): ConfigIssue[] {
  const parsed = def.configSchema.safeParse(config ?? {});
  if (!parsed.success) {
    // Unknown keys too, in the same run: a misspelt required key is both
    // missing and unknown, and the second finding names the key meant.
    const refused = parsed.error.issues.map((issue) => {
      const params = (issue as { params?: { rule?: string; fix?: string } }).params;
      const where = printedIssuePath(issue.path, secretKeysOf(def), def.configSchema);
      return {
        rule: params?.rule,
        message: `${def.name} pluginConfig${where ? ` ${where}` : ''}: ${issue.message}`,
        fix: params?.fix ?? documentedFix(def, params?.rule) ?? generalFix(def),
      };
    });
    return [...refused, ...droppedKeys(def, config)];
  }
  return [
    ...droppedKeys(def, config),
    ...(def.analyze?.(parsed.data, { url }) ?? []).map((issue) => ({
      rule: issue.rule,
      message: `${def.name} pluginConfig: ${issue.message}`,
      fix: issue.fix ?? documentedFix(def, issue.rule) ?? generalFix(def),
      severity: issue.severity,
    })),
  ];
}

/**
 * Keys a hand-written config holds that its definition's schema does not
 * list: zod drops them, so they never reach the checks, and the module
 * most likely ignores them (a typo). The construct refuses the same keys
 * (`props/unknown`); a manifest gets a warning, as the catalogue's own
 * modules give (`<plugin>/unknown-key`).
 */
function droppedKeys(def: Definition, config: unknown): ConfigIssue[] {
  const known = strippedObjectKeys(def.configSchema);
  if (known === undefined || typeof config !== 'object' || config === null || Array.isArray(config)) return [];
  return Object.keys(config)
    .filter((k) => !known.has(k))
    .sort()
    .map((k) => {
      const near = nearest(k, known);
      return {
        rule: `${def.name}/unknown-key`,
        severity: 'warning' as const,
        message: `${def.name} pluginConfig: key ${JSON.stringify(k)} is not in the plugin's schema, so it is not checked and the module most likely ignores it${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}`,
        fix: near ? `Rename ${JSON.stringify(k)} to ${JSON.stringify(near)}.` : `Use only ${[...known].sort().join(', ')}.`,
      };
    });
}
