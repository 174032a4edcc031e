import type { RuleInfo } from '../rule';

/**
 * Rule ids checked outside analyze(): by the constructs at construction,
 * while loading the policy program, or while reading a manifests directory.
 * Listed here so every id a finding can carry is documented in docs/rules.md.
 */
export const CHECKED_ELSEWHERE: readonly (RuleInfo & { readonly checkedAt: string })[] = [
  {
    id: 'props/invalid',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary: 'A construct prop has the wrong type or is out of range; the message names the prop and the value received.',
      bad: `new MeshService(ns, 'cart', { ports: [{ port: 70000 }] });`,
      message: `MeshService prop 'ports[0].port': Too big: expected number to be <=65535; received 70000`,
      fix: "Correct 'ports[0].port' in the MeshService props.",
    },
  },
  {
    id: 'scope/no-namespace',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary: 'Namespaced constructs (Waypoint, WasmPlugin, MeshService...) must be created inside a MeshNamespace, which gives them their namespace.',
      bad: `new Waypoint(app, 'stray');`,
      message: `Waypoint 'stray' is not inside a namespace`,
      fix: 'Create it inside a MeshNamespace (or a cdk8s Chart with a namespace).',
    },
  },
  {
    id: 'names/reserved',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary: 'The target name `delivery` is reserved for the GitOps delivery manifests under dist/.',
      bad: `new Target(app, 'delivery');`,
      message: `target name 'delivery' is reserved for the GitOps delivery manifests`,
      fix: 'Choose another target name.',
    },
  },
  {
    id: 'binding/conflict',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary: 'A namespace (or Service) can use only one waypoint; a second useWaypoint() would silently replace the first label.',
      bad: `ns.useWaypoint(waypoint);
ns.useWaypoint(new Waypoint(ns, 'other'));`,
      message: `namespace 'shop' already uses waypoint 'waypoint'`,
      fix: 'Call useWaypoint() once per namespace.',
    },
  },
  {
    id: 'service/no-ports',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary: 'A Service needs at least one port.',
      bad: `new MeshService(ns, 'cart', { ports: [] });`,
      message: `MeshService prop 'ports': a Service needs at least one port`,
      fix: 'Add ports: [{ port: 8080, name: "http" }].',
    },
  },
  {
    id: 'namespace/managed-label',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary: "MeshNamespace's `labels` prop may not set the Istio labels its own props write (`istio.io/dataplane-mode`, `istio.io/use-waypoint`, `istio.io/use-waypoint-namespace`, `istio.io/ingress-use-waypoint`): the prop's value would overwrite it without a word, so a namespace meant out of ambient would be enrolled. A misspelling of one (`istio.io/use-waypiont`) is refused too: Istio ignores it, so the namespace would silently go without its waypoint. So is `kubernetes.io/metadata.name` with a value other than the namespace's name: the API server sets that label to the name on every write.",
      bad: `new MeshNamespace(app, 'legacy', { labels: { 'istio.io/dataplane-mode': 'none' } });`,
      message: 'labels sets istio.io/dataplane-mode, which MeshNamespace writes from its dataplaneMode prop',
      fix: 'Remove istio.io/dataplane-mode from labels and use dataplaneMode (or enroll: false, to leave it unset).',
    },
  },
  {
    id: 'service/port-names',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary: "A Service with more than one port must name each of them, and port names must be unique: the API server refuses the Service otherwise, and with it the target's whole enrollment stage (every `istio.io/use-waypoint` label in it).",
      bad: `new MeshService(ns, 'cart', { ports: [{ port: 80 }, { port: 9090 }] });`,
      message: `MeshService prop 'ports[0].name': port 80 has no name: a Service with more than one port must name each of them`,
      fix: 'Name every port: ports: [{ port: 80, name: "http" }, { port: 9090, name: "metrics" }].',
    },
  },
  {
    id: 'service/duplicate-port',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary: 'A port number listed twice in one Service (all its ports are TCP): the API server refuses the Service.',
      bad: `new MeshService(ns, 'cart', { ports: [{ port: 80, name: 'http' }, { port: 80, name: 'web' }] });`,
      message: `MeshService prop 'ports[1].port': port 80 is already listed as ports[0]: each port number may appear once (TCP)`,
      fix: 'List each port once.',
    },
  },
  {
    id: 'construct/validation',
    severity: 'error',
    checkedAt: 'synth (construct validations added with node.addValidation)',
    docs: {
      summary: 'A validation a construct registered with `node.addValidation()` failed.',
      bad: `waypoint.node.addValidation({ validate: () => ['waypoint needs an owner label'] });`,
      message: 'waypoint needs an owner label',
      fix: 'Do what the validation asks; it comes from the construct at the path shown.',
    },
  },
  {
    id: 'construct/duplicate-id',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary:
        "Two constructs in one scope with the same id. Checked by every waypoint-policy construct before the constructs library would refuse it, so the error names the construct path, the class that already holds the id and the line that created it (often in another policy file), and the policy line that reused it (for a factory such as `ReleasedLabels.ofService`, the factory call) (the library's own error names only the parent's class and id). The ids kept for manifests created later (a MeshNamespace's `Namespace`, a plugin's `Resource`, a label-only Service's `Labels`) are refused the same way. A team's own `Construct` (or a subclass of it, such as a pattern class) with a reused id is refused by the constructs library; that refusal is reported as this rule too, with the construct path and the policy line that created the second construct (not the class's `super()` call).",
      bad: `new Waypoint(ns, 'waypoint'); // the preamble already created ns's 'waypoint'`,
      message: "'shop' already has a construct with id 'waypoint' (class Waypoint, created at main.ts:6): the new Waypoint needs an id of its own",
      fix: 'Give each construct an id that is unique within its scope (the id argument, or the name a factory such as ReleasedLabels.ofService derives it from); objects of one kind in one namespace also need different names.',
    },
  },
  {
    id: 'construct/empty-id',
    severity: 'error',
    checkedAt: 'construction',
    docs: {
      summary: "A construct created with an empty id, often from a variable that held an empty string. Only the app may have one; every waypoint-policy construct refuses it with the scope's path and the policy line, where the constructs library's own refusal names neither.",
      bad: `const team = { waypointName: '' }; // read from a file that left it out
new Waypoint(ns, team.waypointName);`,
      message: "the new Waypoint in 'shop' has an empty id: only the app itself may have one",
      fix: 'Pass a non-empty id (a variable that held the id may have been empty): it names the construct in its path and, without a name prop, the object it emits.',
    },
  },
  {
    id: 'policy/exception',
    severity: 'error',
    checkedAt: 'loading the policy program, and validating and rendering its constructs',
    docs: {
      summary: 'The policy program threw an exception that is not a policy finding; it is reported at the policy line that raised it (or, when a construct\'s validation or `toJson()` throws, at that construct\'s path and the line that created it), without a stack trace.',
      bad: `throw new Error('catalogue.json is missing');`,
      message: 'the policy program threw Error: catalogue.json is missing',
      fix: 'Fix the policy code at the location shown.',
    },
  },
  {
    id: 'manifests/parse',
    severity: 'error',
    checkedAt: 'validate --manifests',
    docs: {
      summary: 'A file in the manifests directory has a key twice in one mapping (kustomize, so Flux, refuses the file; `kubectl apply -f` keeps the last value without a word), is not valid YAML (a mapping key that is a list, a mapping or null, or an unquoted `.inf` or `.nan` value, or an explicit `!!int`, `!!float`, `!!bool`, `!!null`, `!!timestamp` or `!!binary` tag on a value Go does not read as that kind (`!!int 1.5`, `!!timestamp 2023-02-29`), included: kubectl and Argo CD refuse those too), holds two keys that are one once Go\'s YAML 1.1 reader reads them (`0644:` and `420:`, `yes:` and `true:`: kubectl keeps only one of the values), is not UTF-8, holds an unescaped U+0085, U+2028 or U+2029 (the Go reader kubectl uses breaks the line there, so a comment can hide a key from a YAML 1.2 reader), expands more than 100 aliases (an alias bomb), or is a Helm or Go template (`{{ }}`) that must be rendered first.',
      bad: `apiVersion: v1
kind: Namespace
metadata: { name: shop`,
      message: 'not valid YAML: Flow map in block collection must be sufficiently indented and end with a } at line 4, column 1:',
      fix: 'Fix the YAML syntax.',
    },
  },
  {
    id: 'manifests/not-an-object',
    severity: 'error',
    checkedAt: 'validate --manifests',
    docs: {
      summary: 'A YAML document (or an item of a `kind: List`) is not a Kubernetes object: not a mapping, or no apiVersion, kind or metadata.name (or one that is not a string); a Helm chart\'s Chart.yaml and values.yaml are reported so.',
      bad: `apiVersion: v1
kind: Namespace
metadata: { labels: { team: shop } }`,
      message: 'Namespace has no metadata.name',
      fix: 'Give the object a metadata.name.',
    },
  },
  {
    id: 'manifests/unreadable',
    severity: 'error',
    checkedAt: 'validate --manifests',
    docs: {
      summary:
        'A file or folder in the --manifests folder cannot be read: a symbolic link to nothing or in a loop, a file this user may not read, a pipe or device; or a symbolic link is absolute or leads out of the git checkout holding the folder (out of the folder, outside a checkout), or the --manifests path itself (or a folder on the way to it) is such a link out of its checkout, which Argo CD\'s repo-server refuses, so it is not read. A --manifests path that does not exist, or is neither a folder nor a file, is a mistake in the command line instead: `validate` and `explain` exit 2 and name it (`checkManifests` and `readManifests`, called from code, report it as this finding).',
      bad: `waypoint-policy validate --manifests rendered`,
      message: 'app.yaml is a symbolic link to nothing (ENOENT)',
      fix: 'Make it readable, point the link at an existing file, or remove it from the folder.',
    },
  },
  {
    id: 'manifests/empty',
    severity: 'error',
    checkedAt: 'validate --manifests',
    docs: {
      summary: 'The --manifests folder holds no Kubernetes object at all, so nothing was checked: a mistyped path, or a folder whose files are all skipped (other extensions, hidden folders), would otherwise pass.',
      bad: `waypoint-policy validate --manifests policies`,
      message: 'policies holds no Kubernetes objects (read: .yaml, .yml and .json files; skipped: files and folders whose name starts with a dot, kustomization files)',
      fix: 'Point --manifests at the folder holding the manifests; render a Helm chart or a kustomization with patches first (helm template, kustomize build) and point at the output.',
    },
  },
];
