import { randomUUID } from 'node:crypto';
import { Construct } from 'constructs';
import type { Finding } from '../../analysis/finding';
import { z } from 'zod';
import { Credential, isCredential, resolvesAgainstPolicyFile, writtenAtOf } from '../credentials';
import { isPolicyError, PolicyError } from '../errors';
import { deferFindings } from '../internal/deferred-findings';
import { recordSource, sourceOf } from '../internal/provenance';
import { definePlugin, DefinedPluginProps, PluginConfigIssue } from '../define-plugin';
import { blamedOn, parseProps, refuseNonObjectProps, ruleParams, undeclaredProps, vacant, withProps } from '../internal/validate';
import { declareProps, PluginPhase, WasmPlugin, WasmPluginOptions } from '../wasm-plugin';
import { isAcceptedCredential, isBase64WithoutUser, isSubstitutionPlaceholder, isUnpaddedBase64, printableHost, storedCredential } from './basic-auth-format';
import { canonicalPath } from './envoy-path';

/** The module the Istio guide uses; its source is wasm-extensions tag 1.12.0. */
export const BASIC_AUTH_URL = 'oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0';

const PATH_KEYS = ['prefix', 'exact', 'suffix'] as const;

/** One rule exactly as the plugin reads it from pluginConfig. */
const wireRule = z
  .object({
    prefix: z.string().optional(),
    exact: z.string().optional(),
    suffix: z.string().optional(),
    request_methods: z.array(z.string()).refine((a) => a.length > 0, { message: 'request_methods must list at least one method: an empty list makes the plugin refuse its whole config (it does not mean "all methods")', ...ruleParams('basic-auth/empty-methods', 'List the methods, e.g. ["GET", "POST"].') }),
    credentials: z.array(z.string()).refine((a) => a.length > 0, { message: 'credentials must list at least one credential: an empty list makes the plugin refuse its whole config', ...ruleParams('basic-auth/empty-credentials', 'Add a credential (Credential.fromEnv(...)).') }),
    // The module accepts an empty host; it only never matches, and a rule whose hosts never match guards nothing.
    // A fix but no rule id: the default one is right where it is read (props/invalid for a construct's props, plugin/config for a manifest).
    hosts: z.array(z.string().refine((h) => h.length > 0, { message: 'a host is empty: no request has an empty host, so a rule with only this host would never apply and its paths would go unprotected', params: { fix: 'Remove the empty host, or write the host meant (leave hosts out to match every host).' } })).optional(),
  })
  .superRefine((rule, ctx) => {
    const present = PATH_KEYS.filter((k) => rule[k] !== undefined);
    if (present.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `a rule needs exactly one of prefix, exact or suffix; got ${present.length === 0 ? 'none' : present.join(' and ')}`, params: { rule: 'basic-auth/path-match', fix: 'Keep exactly one of prefix, exact, suffix.' } });
    }
    for (const k of present) {
      if (rule[k] === '') {
        ctx.addIssue({ code: 'custom', path: [k], message: `${k} is empty: the plugin then leaves its match pattern uninitialised (undefined behaviour)`, params: { rule: 'basic-auth/empty-path', fix: 'Use prefix "/" to protect every path.' } });
      }
    }
    rule.request_methods.forEach((m, i) => {
      if (m !== m.toUpperCase()) {
        ctx.addIssue({ code: 'custom', path: ['request_methods', i], message: `method ${JSON.stringify(m)} is not upper-case: methods match case-sensitively, so it never matches a real request`, params: { rule: 'basic-auth/lowercase-method', fix: `Write ${JSON.stringify(m.toUpperCase())}.` } });
      }
      if (m === '') {
        // The module accepts it (only an empty list refuses the config); it just never matches.
        ctx.addIssue({ code: 'custom', path: ['request_methods', i], message: `method #${i + 1} is empty: the plugin accepts it, but no request has an empty method, so it never matches`, params: { rule: 'basic-auth/empty-methods', fix: 'Remove the empty method, or write the one meant, e.g. "GET".' } });
      }
    });
    rule.credentials.forEach((c, i) => {
      if (!isAcceptedCredential(c)) {
        // Never echo the value: it is a secret.
        ctx.addIssue({ code: 'custom', path: ['credentials', i], message: `credential #${i + 1} is neither "user:pass" nor valid base64, so the plugin refuses its whole config`, params: { rule: 'basic-auth/bad-credential', fix: 'Use "user:password" or the base64 of it.' } });
      }
    });
  });

export const basicAuthConfigSchema = z.object({
  basic_auth_rules: z.array(wireRule).optional(),
  realm: z.string().optional(),
});

export type BasicAuthConfig = z.infer<typeof basicAuthConfigSchema>;
type WireRule = NonNullable<BasicAuthConfig['basic_auth_rules']>[number];

/** A host entry with a port, outside an IPv6 literal's brackets (`[::1]` has none). */
function hasPort(entry: string): boolean {
  const host = entry.replace(/^\*/, '').replace(/\*$/, '');
  const outside = host.includes(']') ? host.slice(host.lastIndexOf(']') + 1) : host.startsWith('[') ? '' : host;
  return outside.includes(':');
}

/**
 * For a rule path no normalised request path can match, how to fix it;
 * undefined when requests can match it (or when its `%` escapes are
 * malformed: Envoy's handling of those is not modelled). The query part is
 * compared as sent. A prefix or suffix is tried inside a longer path, since
 * `/a/.` still starts `/a/.x`.
 */
function unreachablePathFix(kind: 'prefix' | 'exact' | 'suffix', p: string): string | undefined {
  const q = p.indexOf('?');
  const path = q < 0 ? p : p.slice(0, q);
  const query = q < 0 ? '' : p.slice(q);
  const writeAs = (form: string | undefined) => (form ? `Write ${JSON.stringify(form)}.` : 'Write the path as Envoy hands it to the plugin: letters and digits unencoded, no "." or ".." segments.');
  if (kind === 'exact' || (kind === 'prefix' && q >= 0)) {
    const c = canonicalPath(path);
    return c === undefined || c === path ? undefined : writeAs(c + query);
  }
  if (kind === 'prefix') {
    const c = canonicalPath(`${path}x`);
    return c === undefined || c.startsWith(path) ? undefined : writeAs(canonicalPath(path));
  }
  // A suffix: behind a path of its own, the way a request ends with it.
  const pad = path.startsWith('/') ? '/x' : '/x/x';
  const c = canonicalPath(pad + path);
  if (c === undefined || c.endsWith(path)) return undefined;
  return writeAs(c.startsWith(pad) ? c.slice(pad.length) + query : undefined);
}

/** Whether every request `narrow` matches by path also meets `broad`, a prefix rule for every host. */
function covers(broad: WireRule, narrow: WireRule): boolean {
  if (broad.prefix === undefined || (broad.hosts ?? []).length > 0) return false;
  return [narrow.prefix, narrow.exact].some((p) => p !== undefined && p.startsWith(broad.prefix!));
}

/** Cross-rule checks: duplicates, shadowing, rules that never match, and credentials clients rarely send. */
export function analyzeBasicAuthConfig(config: BasicAuthConfig): PluginConfigIssue[] {
  const issues: PluginConfigIssue[] = [];
  const rules = config.basic_auth_rules ?? [];
  // The module accepts the config and, with nothing to match, asks no request for credentials.
  if (rules.length === 0) {
    issues.push({ rule: 'basic-auth/no-rules', severity: 'error', message: 'the plugin has no rules (basic_auth_rules is empty or missing): the module then asks no request for credentials, and every request passes', fix: "Add a rule (prefix '/' with the methods and credentials protects every path), or remove the plugin." });
  }
  const key = (r: (typeof rules)[number]) =>
    JSON.stringify([r.prefix, r.exact, r.suffix, [...(r.hosts ?? [])].sort()]);
  rules.forEach((r, i) => {
    for (const k of ['prefix', 'exact', 'suffix'] as const) {
      const p = r[k];
      if (p === undefined || p === '') continue;
      // Istio has Envoy cut every :path at its first '#' (query included) before any
      // filter runs; a literal '#' is never seen, and %23 is a different request.
      const hash = p.indexOf('#');
      if (hash >= 0) {
        // What precedes the '#' is offered only when a request can match it:
        // '#admin' would leave "", and '/a/../b#x' a path Envoy never hands on.
        const cut = p.slice(0, hash);
        const offer = k !== 'suffix' && cut.startsWith('/') && unreachablePathFix(k, cut) === undefined;
        issues.push({
          rule: 'basic-auth/unmatchable-path',
          severity: 'error',
          message: `rule #${i + 1} ${k} ${JSON.stringify(p)} holds "#": Envoy cuts every request path at its first "#" (the fragment, even inside the query) before any filter runs, so no path the plugin sees holds one, the rule never matches and its paths are not protected`,
          fix: offer
            ? `Write ${JSON.stringify(cut)} to protect what such requests reach, or "%23" for a "#" clients send encoded.`
            : `Remove the "#" and what follows it${k === 'suffix' ? '' : ' (keeping a path that starts with "/", in the form Envoy hands the plugin)'}, or write "%23" for a "#" clients send encoded.`,
        });
        continue;
      }
      // Envoy's :path is origin-form, always starting with '/' (or '*' for `OPTIONS *`).
      if (k !== 'suffix' && !p.startsWith('/')) {
        if (!p.startsWith('*')) {
          issues.push({ rule: 'basic-auth/unmatchable-path', severity: 'error', message: `rule #${i + 1} ${k} ${JSON.stringify(p)} does not start with "/": a request path always does, so the rule never matches and its paths are not protected`, fix: `Write ${JSON.stringify(`/${p}`)}.` });
        }
        continue;
      }
      const fix = unreachablePathFix(k, p);
      if (fix !== undefined) {
        issues.push({
          rule: 'basic-auth/unmatchable-path',
          severity: 'error',
          message: `rule #${i + 1} ${k} ${JSON.stringify(p)} is not in the form Envoy hands the plugin: it normalises every request path first (decoding %61 to "a", removing "." and ".." segments, turning "\\" into "/", encoding characters such as "{"), so the rule never matches and its paths are not protected`,
          fix,
        });
      }
    }
    (r.hosts ?? []).forEach((h, j) => {
      if (hasPort(h)) {
        issues.push({ rule: 'basic-auth/host-with-port', severity: 'error', message: `rule #${i + 1} host #${j + 1} ${printableHost(h)} has a port: the plugin removes the port from :authority before it compares, so the rule never matches`, fix: 'Write the host without its port; a rule cannot select one port.' });
      }
    });
    r.credentials.forEach((c, j) => {
      if (isUnpaddedBase64(c) && isAcceptedCredential(c)) {
        issues.push({ rule: 'basic-auth/unpadded-credential', severity: 'warning', message: `rule #${i + 1} credential #${j + 1} is base64 without padding: the plugin compares bytes, and standard clients send the padded form`, fix: 'Add the "=" padding, or write it as "user:password".' });
      }
      if (isBase64WithoutUser(c)) {
        issues.push({ rule: 'basic-auth/credential-without-user', severity: 'warning', message: `rule #${i + 1} credential #${j + 1} is base64 that does not decode to "user:password": clients send base64 of user, ':' and password, so none can match it`, fix: 'Store "user:password" (or the base64 of it); a password alone is not a Basic credential.' });
      }
    });
    for (let k = 0; k < i; k++) {
      const earlier = rules[k];
      const sharedMethods = r.request_methods.filter((m) => earlier.request_methods.includes(m));
      if (sharedMethods.length === 0) continue;
      if (key(earlier) === key(r)) {
        issues.push({ rule: 'basic-auth/duplicate-rule', severity: 'warning', message: `rule #${i + 1} matches the same paths and hosts as rule #${k + 1} for ${sharedMethods.join(', ')}: a request must satisfy both, so only credentials in both lists pass`, fix: 'Merge the two rules into one.' });
      } else {
        // The module runs every matching rule whatever their order, so a broad rule
        // written after the narrow one intersects its credentials just the same.
        const [narrow, broad] = covers(earlier, r) ? [i, k] : covers(r, earlier) ? [k, i] : [];
        if (narrow !== undefined && broad !== undefined) {
          issues.push({ rule: 'basic-auth/shadowed-rule', severity: 'warning', message: `rule #${narrow + 1} only matches requests that rule #${broad + 1} (prefix ${JSON.stringify(rules[broad].prefix)}) also matches for ${sharedMethods.join(', ')}: both must accept the credential`, fix: 'Give the narrower rule the same credentials, or merge the rules.' });
        }
      }
    }
  });
  return issues;
}

const BasicAuthModule = definePlugin<BasicAuthConfig>({
  name: 'basic-auth',
  url: BASIC_AUTH_URL,
  defaultPhase: PluginPhase.AUTHN,
  configSchema: basicAuthConfigSchema,
  analyze: analyzeBasicAuthConfig,
  secretKeys: ['credentials'],
});

/** One Basic-auth rule. */
export interface BasicAuthRule {
  /** Protect paths starting with this string (plain string prefix, query included). Exactly one of prefix, exact, suffix. @default - unset */
  readonly prefix?: string;
  /** Protect exactly this path (query included). @default - unset */
  readonly exact?: string;
  /** Protect paths ending with this string (query included). @default - unset */
  readonly suffix?: string;
  /** Methods the rule applies to, upper-case, matched exactly. */
  readonly methods: string[];
  /** Accepted credentials. Each is `user:password` or its base64. */
  readonly credentials: Credential[];
  /**
   * Hosts (`:authority` without port) the rule applies to; `*.x` and `x*` wildcards.
   *
   * @default - every host
   */
  readonly hosts?: string[];
}

export interface BasicAuthProps extends WasmPluginOptions {
  /** The rules. A request must satisfy every rule that matches it. */
  readonly rules: BasicAuthRule[];

  /**
   * Realm in `WWW-Authenticate: Basic realm=<realm>`.
   *
   * @default - unset: the plugin uses `istio`
   */
  readonly realm?: string;

  /**
   * Override the module URL (e.g. a mirror of the same image).
   *
   * @default BASIC_AUTH_URL
   */
  readonly url?: string;
}

const ruleSchema = z.object({
  prefix: z.string().optional(),
  exact: z.string().optional(),
  suffix: z.string().optional(),
  methods: z.array(z.string()),
  credentials: z.array(z.custom<Credential>(isCredential, { message: 'credentials must be Credential.fromEnv(), Credential.fromFile() or Credential.insecureLiteral(); plain strings are refused so secrets stay out of policy source', params: { rule: 'credentials/plain-string', fix: 'Use Credential.fromEnv(), Credential.fromFile() or Credential.fluxSubstitution().' } })),
  hosts: z.array(z.string()).optional(),
})
  // A misspelt key (`host`, `method`) would widen or drop what the rule guards without a word.
  .strict();

// Built once: zod compiles a parser per schema instance on its first parse.
const rulesSchema = z.object({ rules: z.array(ruleSchema) });

/**
 * HTTP Basic auth on a waypoint, an ingress Gateway or a Service, compiled to
 * the istio-ecosystem basic_auth module (phase AUTHN by default).
 *
 * @example
 * new BasicAuth(ns, 'basic-auth-at-waypoint', {
 *   targets: [waypoint],
 *   rules: [{ prefix: '/productpage', methods: ['GET', 'POST'], credentials: [Credential.fromEnv('PRODUCTPAGE_CREDENTIAL')] }],
 * });
 */
export class BasicAuth extends BasicAuthModule {
  /**
   * The raw module construct: it takes the config as the module reads it
   * (wire field names), checked against the same schema. For configs this
   * class's typed props do not express.
   */
  public static readonly module = BasicAuthModule;

  /** Sources of the credentials, safe to print. */
  public readonly credentialSources: readonly string[];
  /** Whether any credential is a literal in policy source. */
  public readonly usesLiteralCredentials: boolean;

  constructor(scope: Construct, id: string, props: BasicAuthProps) {
    refuseNonObjectProps(scope, id, props, new.target);
    const { rulesProps, values, unread } = parseRules(scope, id, props, new.target);
    // Assignments, not conditional spreads: V8 in Node 20 is slow on those (withProps).
    const rules = rulesProps.map((r, i) => {
      const rule: WireRule = { request_methods: [...r.methods], credentials: values[i] };
      if (r.prefix !== undefined) rule.prefix = r.prefix;
      if (r.exact !== undefined) rule.exact = r.exact;
      if (r.suffix !== undefined) rule.suffix = r.suffix;
      if (r.hosts) rule.hosts = [...r.hosts];
      return rule;
    });
    const pluginConfig: BasicAuthConfig = { basic_auth_rules: rules };
    if (props.realm !== undefined) pluginConfig.realm = props.realm;
    const pluginProps: DefinedPluginProps<BasicAuthConfig> = withProps(props, { pluginConfig });
    try {
      super(scope, id, pluginProps);
    } catch (e) {
      throw inPropTerms(e);
    }
    deferFindings(this, unread);
    const all = rulesProps.flatMap((r) => r.credentials);
    this.credentialSources = [...new Set(all.map((c) => c.source))];
    this.usesLiteralCredentials = all.some((c) => c.literal);
  }
}

// The props of BasicAuth beyond WasmPlugin's own; any other key is refused.
declareProps(BasicAuth, ['rules', 'realm']);

/**
 * Why a credential could not be read, when it is the environment's fault (an
 * unset variable, an unreadable file, stray whitespace) rather than the
 * policy code's: those are reported together at collect time.
 */
const UNREADABLE = new Set(['credentials/missing', 'credentials/whitespace']);

// Never emitted: a deferred finding is an error, and errors block writing.
// Unique per credential, so no check mistakes two of them for a repeat; in
// `user:pass` form, so no check reports its shape; and random, so a test that
// simulates the model of a failed compile cannot send it and get a 200.
const STAND_IN = /^unread-[0-9a-f-]{36}:[0-9a-f-]{36}$/;
const standIn = () => `unread-${randomUUID()}:${randomUUID()}`;

/** Whether a configured credential is the stand-in for one that could not be read (its value is unknown). */
export function isUnreadStandIn(c: string): boolean {
  return STAND_IN.test(c);
}

/**
 * One credential's value for the plugin `probe` stands in for, or a stand-in
 * when the environment cannot give it (its finding goes to `unread`).
 */
// A module-level function, not a closure per plugin: tsx (esbuild's
// keepNames) names every named closure with an Object.defineProperty call,
// ~2 µs for each of a mesh's thousands of plugins.
function readCredential(c: Credential, probe: Construct, unread: Finding[]): string {
  try {
    const value = c.resolve(probe);
    // A secret's content is the environment's mistake, like its absence:
    // reported with the others, by its source (the wire check could only
    // say "credential #2").
    if (!c.literal && !isAcceptedCredential(value)) {
      unread.push({
        rule: 'basic-auth/bad-credential',
        severity: 'error',
        message: `credential source ${c.source} holds neither "user:pass" nor valid base64, so the plugin would refuse its whole config`,
        fix: 'Store "user:password" (or the base64 of it) in that source.',
      });
      return standIn();
    }
    // Flux's substitution (a delivery with substituteFrom) rewrites `$$` to `$`
    // and `${X}` to X's value in every string it applies, a credential
    // included. The module takes the base64 of `user:pass` as the same
    // credential, and base64 has no `$`.
    if (value.includes('$') && value.includes(':') && !isSubstitutionPlaceholder(value)) return storedCredential(value);
    return value;
  } catch (e) {
    if (!isPolicyError(e) || !e.findings.every((f) => UNREADABLE.has(f.rule))) throw e;
    // Without a line of their own, they are reported at the plugin's.
    const source = writtenAtOf(c);
    unread.push(...e.findings.map((f) => ({ ...f, source })));
    return standIn();
  }
}

function parseRules(scope: Construct, id: string, props: BasicAuthProps, constructed: Function): { rulesProps: z.infer<typeof ruleSchema>[]; values: string[][]; unread: Finding[] } {
  // Runs before super(), so a stand-in construct at the plugin's own path
  // carries the errors; it is removed again before the plugin is created.
  const probe = new Construct(vacant(scope, id, constructed), id);
  try {
    const rulesProps = parseProps(probe, 'BasicAuth', rulesSchema, { rules: props?.rules }, { secretKeys: ['credentials'] }).rules;
    // A relative file is read from beside the plugin's own policy file, which
    // may not be its namespace's.
    if (rulesProps.some((r) => r.credentials.some(resolvesAgainstPolicyFile))) recordSource(probe, constructed);
    const unread: Finding[] = [];
    const values = rulesProps.map((r) => r.credentials.map((c) => readCredential(c, probe, unread)));
    return { rulesProps, values, unread };
  } catch (e) {
    if (!isPolicyError(e)) throw e;
    // The errors name the plugin's policy line, not its scope's. Recorded
    // only now (still inside the plugin's constructor, so the same frame is
    // found) because capturing it costs as much as a rule's whole parse.
    recordSource(probe, constructed);
    const source = sourceOf(probe);
    // The plugin's own props are checked only after these rules: a misspelt
    // one (`target`) is reported now too, or fixing the rules would just
    // reveal it on the next run.
    throw blamedOn(new PolicyError([...undeclaredProps(probe, constructed, props), ...e.findings]), probe.node.path, source);
  } finally {
    scope.node.tryRemoveChild(probe.node.id);
  }
}

/**
 * The wire config's check speaks of `basic_auth_rules[0].request_methods`;
 * a BasicAuth's author wrote `rules[0].methods`, and looks for that.
 */
function inPropTerms(e: unknown): unknown {
  if (!isPolicyError(e)) return e;
  const reword = (text: string) =>
    text
      .replace(/basic-auth pluginConfig prop/g, 'BasicAuth prop')
      .replace(/basic_auth_rules\[/g, 'rules[')
      .replace(/\]\.request_methods/g, '].methods')
      .replace(/: request_methods must /g, ': methods must ');
  return new PolicyError(e.findings.map((f) => ({ ...f, message: reword(f.message), ...(f.fix === undefined ? {} : { fix: reword(f.fix) }) })));
}

/** Whether a plugin is a BasicAuth construct. */
export function isBasicAuth(x: unknown): x is BasicAuth {
  return x instanceof WasmPlugin && x instanceof BasicAuth;
}
