import { basicAuthConfigSchema, type BasicAuthConfig } from '../constructs/plugins/basic-auth';
import { isDecodableBase64, isSubstitutionPlaceholder, printableHost, storedCredential } from '../constructs/plugins/basic-auth-format';
import { CATALOGUE_SOURCE_TAG, isOlderRelease, moduleTag } from '../constructs/plugins/module-tag';
import type { PluginDecision, PluginEvaluator, PluginInput } from './plugin-evaluator';

type Rule = NonNullable<BasicAuthConfig['basic_auth_rules']>[number];

/** The tag whose plugin.cc this reproduces (identical through master 1ebcbdde, 2025-04-01). */
export const BASIC_AUTH_VERSION = CATALOGUE_SOURCE_TAG;

/**
 * Schema findings that the module itself accepts: it loads the config, and
 * such a rule simply never matches (lower-case or empty method, empty host).
 * An empty path string is accepted too, but leaves the match undefined.
 */
function acceptedByModule(rule: string | undefined, path: readonly PropertyKey[], code: string): 'accepted' | 'undefined-behaviour' | 'refused' {
  if (rule === 'basic-auth/lowercase-method') return 'accepted';
  if (rule === 'basic-auth/empty-methods' && path.length === 4) return 'accepted';
  if (rule === 'basic-auth/empty-path') return 'undefined-behaviour';
  if (path[2] === 'hosts' && path.length === 4 && code === 'custom') return 'accepted';
  return 'refused';
}

type Parsed = { ok: true; config: BasicAuthConfig } | { ok: false; kind: 'refused-config' | 'not-simulated'; problems: string[] };

/** The module's `onConfigure`: the config, or why it refuses it. */
export function parseBasicAuthConfig(config: unknown): Parsed {
  // No pluginConfig reaches the module as an empty string: accepted, no rules.
  // A null one is the same: the API server drops a null field the schema does
  // not mark nullable (pluginConfig is not) before it stores the object.
  const value = config === undefined || config === null ? {} : config;
  const parsed = basicAuthConfigSchema.safeParse(value);
  if (parsed.success) return { ok: true, config: parsed.data };
  const refused: string[] = [];
  const undefinedBehaviour: string[] = [];
  for (const issue of parsed.error.issues) {
    const params = (issue as { params?: { rule?: string } }).params;
    const where = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    // zod messages name types and rules, never the value: safe for credentials.
    const text = `${where || 'pluginConfig'}: ${issue.message}`;
    const verdict = acceptedByModule(params?.rule, issue.path, issue.code);
    if (verdict === 'refused') refused.push(text);
    else if (verdict === 'undefined-behaviour') undefinedBehaviour.push(text);
  }
  if (refused.length > 0) return { ok: false, kind: 'refused-config', problems: refused };
  if (undefinedBehaviour.length > 0) return { ok: false, kind: 'not-simulated', problems: undefinedBehaviour };
  // Only findings the module accepts: the types are right, so read the config as written.
  return { ok: true, config: value as BasicAuthConfig };
}

/** `:authority` without its port: cut at the last ':' unless a ']' follows it (IPv6). */
export function hostWithoutPort(authority: string): string {
  const colon = authority.lastIndexOf(':');
  if (colon < 0 || authority.indexOf(']', colon) >= 0) return authority;
  return authority.slice(0, colon);
}

/**
 * How the module's `hostMatch` reads one entry: a leading `*` first (so `*a*`
 * is a suffix match on `a*`, its last `*` literal), then a trailing one, else exact.
 */
export function hostEntryKind(entry: string): { kind: 'suffix' | 'prefix' | 'exact'; text: string } {
  if (entry.startsWith('*')) return { kind: 'suffix', text: entry.slice(1) };
  if (entry.endsWith('*')) return { kind: 'prefix', text: entry.slice(0, -1) };
  return { kind: 'exact', text: entry };
}

/** The module's `hostMatch` for one entry (`hostEntryKind`); case-sensitive. */
export function hostEntryMatches(entry: string, host: string): boolean {
  const { kind, text } = hostEntryKind(entry);
  return kind === 'suffix' ? host.endsWith(text) : kind === 'prefix' ? host.startsWith(text) : host === text;
}

/** Plain string comparison against the raw path, query included. */
export function pathMatches(rule: Pick<Rule, 'prefix' | 'exact' | 'suffix'>, path: string): boolean {
  if (rule.prefix !== undefined) return path.startsWith(rule.prefix);
  if (rule.exact !== undefined) return path === rule.exact;
  if (rule.suffix !== undefined) return path.endsWith(rule.suffix);
  return false;
}

function pathPattern(rule: Rule): string {
  if (rule.prefix !== undefined) return `prefix ${JSON.stringify(rule.prefix)}`;
  if (rule.exact !== undefined) return `exact ${JSON.stringify(rule.exact)}`;
  return `suffix ${JSON.stringify(rule.suffix)}`;
}

function ruleLabel(rule: Rule, index: number): string {
  const hosts = rule.hosts && rule.hosts.length > 0 ? `, hosts ${rule.hosts.map(printableHost).join(', ')}` : '';
  return `rule #${index + 1} (${pathPattern(rule)}, methods ${rule.request_methods.join(', ')}${hosts})`;
}

/** Decoded bytes of a base64 string the module would accept, for a hint only (never printed). */
function decoded(s: string): string | undefined {
  if (!isDecodableBase64(s)) return undefined;
  return Buffer.from(s.replace(/=+$/, ''), 'base64').toString('utf8');
}

/** A note when the module tag is not the one whose source was read. */
function versionNote(tag: string | undefined): string {
  if (tag === undefined || tag === BASIC_AUTH_VERSION) return '';
  return `(module tag ${tag}: simulated with the ${BASIC_AUTH_VERSION} source, unchanged through master 2025-04) `;
}

// plugin.cc's sendLocalResponse details, spaces made '_' by Envoy. Copied
// byte for byte: the second has no final period in the module's source.
const DETAILS_NONE = 'Request_denied_by_Basic_Auth_check._No_Basic_Authentication_information_found.';
const DETAILS_INVALID = 'Request_denied_by_Basic_Auth_check._Invalid_username_and/or_password';

/**
 * The basic_auth module of istio-ecosystem/wasm-extensions 1.12.0
 * (`PluginRootContext::check`): rules indexed by exact method, every rule
 * matching host and path must accept the credential, and the credential is
 * compared byte for byte with the stored form.
 */
export const basicAuthEvaluator: PluginEvaluator = {
  name: `basic_auth ${BASIC_AUTH_VERSION}`,
  evaluate(input: PluginInput): PluginDecision {
    // Earlier releases are other code (per Istio minor: 1.9, 1.10, 1.11), not
    // read here: their answers would be guesses. (A pluginName on a later tag
    // is answered before any evaluator runs: constructs/plugins/root-id.ts.)
    const tag = moduleTag(input.plugin.url);
    if (tag !== undefined && isOlderRelease(tag)) {
      return { kind: 'not-simulated', detail: `basic_auth ${tag} is older than ${BASIC_AUTH_VERSION}, the source this simulator follows (the same through master 2025-04); earlier releases are not simulated` };
    }
    const decision = check(input);
    const note = versionNote(tag);
    return note ? { ...decision, detail: note + decision.detail } : decision;
  },
};

/** `PluginRootContext::check` for one request. */
function check(input: PluginInput): PluginDecision {
  const parsed = parseBasicAuthConfig(input.config);
  if (!parsed.ok) {
    const list = parsed.problems.join('; ');
    return parsed.kind === 'refused-config'
      ? { kind: 'refused-config', detail: `basic_auth refuses its config (onConfigure returns false): ${list}` }
      : { kind: 'not-simulated', detail: `basic_auth loads this config but its match is undefined behaviour in the module (${list}): not simulated` };
  }
  const { request } = input;
  const realm = parsed.config.realm ?? 'istio';
  const rules = parsed.config.basic_auth_rules ?? [];
  const forMethod = rules.map((r, i) => ({ r, i })).filter(({ r }) => r.request_methods.includes(request.method));
  if (forMethod.length === 0) {
    return { kind: 'pass', detail: `no basic_auth rule lists method ${request.method} (methods match exactly, case-sensitively): the request continues` };
  }
  const host = hostWithoutPort(request.authority);
  const notes: string[] = [];
  let checked = 0;
  for (const { r, i } of forMethod) {
    const label = ruleLabel(r, i);
    if (r.hosts && r.hosts.length > 0 && !r.hosts.some((h) => hostEntryMatches(h, host))) {
      notes.push(`${label} skipped: host ${JSON.stringify(host)} matches none of its hosts`);
      continue;
    }
    if (!pathMatches(r, request.path)) {
      notes.push(`${label} skipped: path ${JSON.stringify(request.path)} does not match`);
      continue;
    }
    checked++;
    const values = request.headers.get('authorization') ?? [];
    if (values.length > 1) {
      return { kind: 'not-simulated', detail: `${label} matches, and the request has ${values.length} Authorization headers: which one Envoy hands the module is not verified, so this is not simulated` };
    }
    const header = values[0];
    const placeholders = r.credentials.filter(isSubstitutionPlaceholder);
    const assumed = placeholders.length > 0 ? ` (assuming Flux substitutes values the module accepts for ${placeholders.join(', ')})` : '';
    const deny = (details: string, why: string): PluginDecision => ({
      kind: 'respond',
      status: 401,
      headers: { 'www-authenticate': `Basic realm=${realm}` },
      body: '',
      detail: [...notes, `${label} matches ${request.method} ${JSON.stringify(request.path)}: ${why} => 401 (details ${details})${assumed}`].join('; '),
    });
    if (header === undefined || !header.startsWith('Basic ')) {
      const why =
        header === undefined
          ? 'no Authorization header'
          : /^basic /i.test(header)
            ? "the Authorization scheme is not exactly 'Basic ' (the check is case-sensitive)"
            : "the Authorization header does not start with 'Basic '";
      return deny(DETAILS_NONE, why);
    }
    const sent = header.slice('Basic '.length);
    const stored = r.credentials.map((c) => (isSubstitutionPlaceholder(c) ? undefined : storedCredential(c)));
    const at = stored.indexOf(sent);
    if (at < 0 && placeholders.length > 0) {
      // Flux fills these in at apply time: only the cluster knows whether the credential is one of them.
      return {
        kind: 'not-simulated',
        detail: [...notes, `${label} matches, and the credential is none of its known credentials; it also holds ${placeholders.join(', ')}, substituted by Flux at apply time, so whether it is accepted is not simulated`].join('; '),
      };
    }
    if (at < 0) {
      const sentBytes = decoded(sent);
      const sameUser = sentBytes !== undefined && r.credentials.some((c) => (c.includes(':') ? c : decoded(c)) === sentBytes);
      const hint = sameUser ? ' (it decodes to the same bytes as an accepted credential, but in another base64 form, e.g. padding: the module compares the encoded bytes)' : '';
      return deny(DETAILS_INVALID, `the credential matches none of its ${stored.length} credential(s), compared byte for byte with the stored form${hint}`);
    }
    notes.push(`${label} accepts the credential (#${at + 1} of ${stored.length})`);
  }
  const summary = checked === 0 ? `no basic_auth rule for ${request.method} matches host and path: the request continues` : 'every matching rule accepts the credential: the request continues';
  return { kind: 'pass', detail: [...notes, summary].join('; ') };
}
