import type { RuleInfo } from '../rule';

/**
 * The basic_auth module's own rules (wasm-plugin-semantics.md §1.2, §1.5).
 * They are checked by the BasicAuth construct's zod schema at construction
 * and, on any manifest with the basic_auth module url, by `plugin/config`,
 * which reports them under these ids. Messages never echo a credential.
 */
const checked = 'construction (BasicAuth) and plugin/config (synth, validate --manifests)';
const run = (body: string) => `new BasicAuth(ns, 'auth', { targets: [waypoint], rules: [${body}] });`;

export const BASIC_AUTH_RULES: readonly (RuleInfo & { readonly checkedAt: string })[] = [
  {
    id: 'basic-auth/empty-methods',
    severity: 'error',
    checkedAt: checked,
    docs: {
      summary: 'An empty (or missing) request_methods list is not "all methods": the plugin refuses its whole config, and Envoy then answers 500 on every request of that chain (or keeps the previous config). An empty method in the list is accepted, but matches no request.',
      bad: run(`{ prefix: '/', methods: [], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }`),
      message: `BasicAuth prop 'rules[0].methods': methods must list at least one method: an empty list makes the plugin refuse its whole config (it does not mean "all methods")`,
      fix: 'List the methods, e.g. ["GET", "POST"].',
    },
  },
  {
    id: 'basic-auth/empty-credentials',
    severity: 'error',
    checkedAt: checked,
    docs: {
      summary: 'A rule without credentials makes the plugin refuse its whole config.',
      bad: run(`{ prefix: '/', methods: ['GET'], credentials: [] }`),
      message: `BasicAuth prop 'rules[0].credentials': credentials must list at least one credential: an empty list makes the plugin refuse its whole config`,
      fix: 'Add a credential (Credential.fromEnv(...)).',
    },
  },
  {
    id: 'basic-auth/path-match',
    severity: 'error',
    checkedAt: checked,
    docs: {
      summary: 'Each rule needs exactly one of prefix, exact or suffix; none (or two) makes the plugin refuse its whole config.',
      bad: run(`{ prefix: '/api', exact: '/api', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }`),
      message: `BasicAuth prop 'rules[0]': a rule needs exactly one of prefix, exact or suffix; got prefix and exact`,
      fix: 'Keep exactly one of prefix, exact, suffix.',
    },
  },
  {
    id: 'basic-auth/empty-path',
    severity: 'error',
    checkedAt: checked,
    docs: {
      summary: 'An empty prefix/exact/suffix counts as present but leaves the plugin\'s match pattern uninitialised (undefined behaviour: it may match everything or nothing).',
      bad: run(`{ prefix: '', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }`),
      message: `BasicAuth prop 'rules[0].prefix': prefix is empty: the plugin then leaves its match pattern uninitialised (undefined behaviour)`,
      fix: 'Use prefix "/" to protect every path.',
    },
  },
  {
    id: 'basic-auth/lowercase-method',
    severity: 'error',
    checkedAt: checked,
    docs: {
      summary: 'Methods match case-sensitively against `:method`, which is upper-case: a lower-case method never matches, so those requests are never checked.',
      bad: run(`{ prefix: '/', methods: ['get'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }`),
      message: `BasicAuth prop 'rules[0].methods[0]': method "get" is not upper-case: methods match case-sensitively, so it never matches a real request`,
      fix: 'Write "GET".',
    },
  },
  {
    id: 'basic-auth/bad-credential',
    severity: 'error',
    checkedAt: checked,
    docs: {
      summary: 'A credential must be `user:password` or valid base64; anything else (`admin`, `a-b_c`) makes the plugin refuse its whole config. A BasicAuth reports one read from a variable or file by its source, with the other unreadable credentials of the run; a literal, and a manifest, by its position. Never by value.',
      bad: run(`{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('BAD_CREDENTIAL')] }`) + ' // BAD_CREDENTIAL=admin',
      message: `credential source environment variable BAD_CREDENTIAL holds neither "user:pass" nor valid base64, so the plugin would refuse its whole config`,
      fix: 'Store "user:password" (or the base64 of it) in that source.',
    },
  },
  {
    id: 'basic-auth/unpadded-credential',
    severity: 'warning',
    checkedAt: checked,
    docs: {
      summary: 'A base64 credential without `=` padding is stored as written and compared byte for byte, but standard clients send the padded form, so they are refused.',
      bad: run(`{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('UNPADDED_CREDENTIAL')] }`) + ' // UNPADDED_CREDENTIAL=YWRtaW4zOmFkbWluMw',
      message: 'basic-auth pluginConfig: rule #1 credential #1 is base64 without padding: the plugin compares bytes, and standard clients send the padded form',
      fix: 'Add the "=" padding, or write it as "user:password".',
    },
  },
  {
    id: 'basic-auth/credential-without-user',
    severity: 'warning',
    checkedAt: checked,
    docs: {
      summary: 'A base64 credential whose bytes hold no `:` (a password alone, encoded): the plugin accepts it, but clients send base64 of `user:password` (RFC 7617), so no request can ever match it.',
      bad: run(`{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('PASSWORD_ONLY_CREDENTIAL')] }`) + ' // PASSWORD_ONLY_CREDENTIAL=b25jYWxscHc=',
      message: 'basic-auth pluginConfig: rule #1 credential #1 is base64 that does not decode to "user:password": clients send base64 of user, \':\' and password, so none can match it',
      fix: 'Store "user:password" (or the base64 of it); a password alone is not a Basic credential.',
    },
  },
  {
    id: 'basic-auth/no-rules',
    severity: 'error',
    checkedAt: checked,
    docs: {
      summary: 'A Basic-auth plugin without rules (`rules: []`, or a module config whose `basic_auth_rules` is empty or missing): the module accepts the config and, having nothing to match, lets every request through, so the plugin only looks like protection. A pattern that builds its rules from a list it was given can end up here.',
      bad: `new BasicAuth(ns, 'auth', { targets: [waypoint], rules: [] });`,
      message: 'basic-auth pluginConfig: the plugin has no rules (basic_auth_rules is empty or missing): the module then asks no request for credentials, and every request passes',
      fix: "Add a rule (prefix '/' with the methods and credentials protects every path), or remove the plugin.",
    },
  },
  {
    id: 'basic-auth/unknown-key',
    severity: 'warning',
    checkedAt: 'plugin/config (synth, validate --manifests); BasicAuth.module refuses it at construction (props/unknown)',
    docs: {
      summary:
        "A key of a hand-written basic_auth config that the module does not read (`realms`, `basic_auth_rule`): it has no effect, which is almost always a typo. The same check runs for every `definePlugin` plugin whose config schema drops unknown keys (`<name>/unknown-key`).",
      bad: `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: { name: auth, namespace: shop }
spec:
  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
  targetRefs:
    - { group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }
  pluginConfig:
    realms: shop
    basic_auth_rules:
      - { prefix: /, request_methods: [GET], credentials: ["shop:admin"] }`,
      message: 'basic-auth pluginConfig: key "realms" is not in the plugin\'s schema, so it is not checked and the module most likely ignores it (did you mean "realm"?)',
      fix: 'Rename "realms" to "realm".',
    },
  },
  {
    id: 'basic-auth/unmatchable-path',
    severity: 'error',
    checkedAt: checked,
    docs: {
      summary:
        'A rule path no request path can match, so the rule protects nothing and every request passes it: a `prefix` or `exact` that does not start with `/` (the request path always does), or a path in a form Envoy never hands the plugin. Envoy normalises every request path before any filter runs (Istio\'s default `normalize_path`): it decodes percent-encoded letters, digits, `-`, `_` and `~`, removes `.` and `..` segments (`%2e` counting as a dot), turns `\\` into `/` and percent-encodes characters such as `{`, so a rule on `/%61dmin` or `/a/../admin` never matches. Istio also has Envoy cut every path at its first `#` (the fragment, even inside the query), so a rule path holding `#` never matches.',
      bad: run(`{ prefix: 'admin', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }`),
      message: 'basic-auth pluginConfig: rule #1 prefix "admin" does not start with "/": a request path always does, so the rule never matches and its paths are not protected',
      fix: 'Write "/admin".',
    },
  },
  {
    id: 'basic-auth/host-with-port',
    severity: 'error',
    checkedAt: checked,
    docs: {
      summary: "A `hosts` entry with a port never matches: the plugin cuts the port off `:authority` before it compares. The rule protects nothing, and every request passes it.",
      bad: run(`{ prefix: '/', methods: ['GET'], hosts: ['shop.example.com:8080'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }`),
      message: 'basic-auth pluginConfig: rule #1 host #1 "shop.example.com:8080" has a port: the plugin removes the port from :authority before it compares, so the rule never matches',
      fix: 'Write the host without its port; a rule cannot select one port.',
    },
  },
  {
    id: 'basic-auth/duplicate-rule',
    severity: 'warning',
    checkedAt: checked,
    docs: {
      summary: 'Every matching rule must accept the credential (AND, not first match): two rules on the same paths and hosts only let through credentials listed in both.',
      bad: run(`{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }, { prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('ADMIN_CREDENTIAL')] }`),
      message: 'basic-auth pluginConfig: rule #2 matches the same paths and hosts as rule #1 for GET: a request must satisfy both, so only credentials in both lists pass',
      fix: 'Merge the two rules into one.',
    },
  },
  {
    id: 'basic-auth/shadowed-rule',
    severity: 'warning',
    checkedAt: checked,
    docs: {
      summary: 'A narrower rule under a prefix rule for the same method (written before or after it: the module runs every matching rule) only passes credentials both rules accept.',
      bad: run(`{ prefix: '/api', methods: ['GET'], credentials: [Credential.fromEnv('SHOP_CREDENTIAL')] }, { prefix: '/api/admin', methods: ['GET'], credentials: [Credential.fromEnv('ADMIN_CREDENTIAL')] }`),
      message: 'basic-auth pluginConfig: rule #2 only matches requests that rule #1 (prefix "/api") also matches for GET: both must accept the credential',
      fix: 'Give the narrower rule the same credentials, or merge the rules.',
    },
  },
];
