import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { main } from '../../cli/main';
import { captureIo, REPO_ROOT, tempDir } from '../support/helpers';

/**
 * One scan over every output stream of every command, with credentials from
 * each kind of source, in success and in failure. The only place a value may
 * appear is the WasmPlugin written into dist/ (the plugin has no secret reference).
 */
const FROM_ENV = 'envuser:Env-Secret-4419';
const FROM_FILE = 'fileuser:File-Secret-8823';
const LITERAL = 'demo:Literal-Secret-1177';
const BASE64 = Buffer.from('b64user:B64-Secret-5561').toString('base64');
const ALL = [FROM_ENV, FROM_FILE, LITERAL, BASE64, Buffer.from(FROM_ENV).toString('base64'), Buffer.from(FROM_FILE).toString('base64'), 'Env-Secret-4419', 'File-Secret-8823'];
const LIB = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');

function program(extraRule = ''): string {
  return `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(new wp.Target(app, 'prod'), 'shop');
const waypoint = new wp.Waypoint(ns, 'waypoint');
ns.useWaypoint(waypoint);
new wp.BasicAuth(ns, 'auth', {
  targets: [waypoint],
  rules: [
    { prefix: '/admin', methods: ['GET'], credentials: [wp.Credential.fromEnv('WP_LEAK_ENV'), wp.Credential.fromFile('cred.txt'), wp.Credential.insecureLiteral('${LITERAL}'), wp.Credential.insecureLiteral('${BASE64}')] },
    ${extraRule}
  ],
  acknowledge: { literalCredentials: 'test', unpinnedModule: 'test' },
});
export default app;
`;
}

let repo: string;
const outputs: { what: string; text: string }[] = [];

async function run(what: string, args: string[]) {
  const io = captureIo(repo);
  const code = await main(args, io);
  outputs.push({ what: `${what} (exit ${code})`, text: io.text() });
  return code;
}

before(async () => {
  repo = tempDir('wp-leak-');
  process.env.WP_LEAK_ENV = FROM_ENV;
  fs.writeFileSync(path.join(repo, 'package.json'), '{"name":"leak","private":true}\n');
  fs.mkdirSync(path.join(repo, 'policies'));
  fs.writeFileSync(path.join(repo, 'policies', 'cred.txt'), `${FROM_FILE}\n`);
  fs.writeFileSync(path.join(repo, 'policies', 'main.ts'), program());
  assert.equal(await run('synth', ['synth']), 0);
  const g = (...a: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...a], { cwd: repo, stdio: 'pipe' });
  g('init', '-q', '-b', 'main');
  g('add', '-A');
  g('commit', '-qm', 'base');
  // The working tree drops a credential and adds a rule: diff and check have something to say.
  fs.writeFileSync(path.join(repo, 'policies', 'main.ts'), program(`{ exact: '/x', methods: ['POST'], credentials: [wp.Credential.fromEnv('WP_LEAK_ENV')] },`));

  await run('synth --json', ['synth', '--json', '--outdir', path.join(repo, 'scratch')]);
  await run('validate', ['validate']);
  await run('validate --json', ['validate', '--json']);
  await run('validate --manifests', ['validate', '--manifests', 'dist']);
  await run('validate --manifests --json', ['validate', '--manifests', 'dist', '--json']);
  await run('check', ['check']);
  await run('check --json', ['check', '--json']);
  for (const format of ['text', 'markdown', 'json']) await run(`diff ${format}`, ['diff', '--base', 'main', '--format', format]);
  for (const auth of [`Basic ${Buffer.from(FROM_ENV).toString('base64')}`, `Basic ${BASE64}`, `basic ${BASE64}`, BASE64, `Basic ${LITERAL}`]) {
    await run('explain', ['explain', '--manifests', 'dist', '--to', 'shop/api:8080', '--path', '/admin', '-H', `Authorization: ${auth}`]);
    await run('explain --json', ['explain', '--manifests', 'dist', '--to', 'shop/api:8080', '--path', '/admin', '-H', `Authorization: ${auth}`, '--json']);
  }
  await run('explain with a bad header', ['explain', '--manifests', 'dist', '--to', 'shop/api', '-H', `Authorization ${BASE64}`]);
  await run('explain with credentials in the authority', ['explain', '--manifests', 'dist', '--to', 'shop/api', '--authority', `${LITERAL}@api.shop`]);

  // Failures: a missing env var, an unreadable file, a credential the plugin refuses.
  delete process.env.WP_LEAK_ENV;
  await run('synth, env var missing', ['synth', '--outdir', path.join(repo, 'scratch2')]);
  process.env.WP_LEAK_ENV = 'not-base64-and-no-colon!';
  await run('synth, refused credential', ['synth', '--outdir', path.join(repo, 'scratch3')]);
  await run('validate, refused credential', ['validate', '--json']);
  delete process.env.WP_LEAK_ENV;
});

test('the scan covered every command, in success and failure', () => {
  const commands = new Set(outputs.map((o) => o.what.split(/[ ,]/)[0]));
  assert.deepEqual([...commands].sort(), ['check', 'diff', 'explain', 'synth', 'validate']);
  assert.ok(outputs.some((o) => /exit 1/.test(o.what) && o.what.startsWith('synth')));
  assert.ok(outputs.every((o) => o.text.length > 0), 'every command printed something');
});

test('no credential value appears in any output stream of any command', () => {
  for (const o of outputs) {
    for (const secret of [...ALL, 'not-base64-and-no-colon!']) {
      assert.equal(o.text.includes(secret), false, `${o.what} printed a credential`);
    }
  }
});

test('the values do reach the WasmPlugin in dist/ (the scan looks for the right strings)', () => {
  const plugin = fs.readFileSync(path.join(repo, 'dist', 'prod', '2-policies', 'shop', 'wasmplugin-auth.yaml'), 'utf8');
  for (const v of [FROM_ENV, FROM_FILE, LITERAL, BASE64]) assert.ok(plugin.includes(v));
});

/** What `validate` prints, in text then with --json, for a policy program that fails (exit 1). */
async function failingValidate(dir: string, program: string, beforeEach: () => void = () => {}): Promise<string[]> {
  fs.writeFileSync(path.join(dir, 'main.ts'), program);
  const outputs: string[] = [];
  for (const json of [[], ['--json']]) {
    beforeEach();
    const io = captureIo(dir);
    assert.equal(await main(['validate', '--app', path.join(dir, 'main.ts'), ...json], io), 1, io.text());
    outputs.push(io.text());
  }
  return outputs;
}

/** A program whose BasicAuth reads `variable` from the environment, then runs `then`, the line under test. */
function programReading(variable: string, then: string): string {
  return `import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(new wp.Target(app, 'prod'), 'shop');
const waypoint = new wp.Waypoint(ns, 'waypoint');
new wp.BasicAuth(ns, 'auth', { targets: [waypoint], rules: [{ prefix: '/', methods: ['GET'], credentials: [wp.Credential.fromEnv('${variable}')] }], acknowledge: { unpinnedModule: 'test' } });
${then}
export default app;
`;
}

test('a credential read from the environment is scrubbed from an exception the policy code throws with it (text and --json)', async () => {
  const dir = tempDir('wp-leak-throw-');
  process.env.WP_THROWN_SECRET = 'thrown:Thrown-Secret-3391';
  try {
    const outputs = await failingValidate(dir, programReading('WP_THROWN_SECRET', "throw new Error('lookup failed for ' + process.env.WP_THROWN_SECRET + ' and ' + Buffer.from(process.env.WP_THROWN_SECRET!).toString('base64'));"));
    for (const text of outputs) {
      assert.match(text, /policy\/exception/);
      assert.match(text, /lookup failed for <redacted credential> and <redacted credential>/);
      assert.doesNotMatch(text, /Thrown-Secret-3391|dGhyb3du/);
    }
  } finally {
    delete process.env.WP_THROWN_SECRET;
  }
});

test('a credential declared but not yet read (environment, or a file by absolute path) is scrubbed from an exception the policy code throws before any construct reads it, also when its variable is set only after an earlier message was scrubbed', async () => {
  const dir = tempDir('wp-leak-declared-');
  const file = path.join(dir, 'declared.txt');
  fs.writeFileSync(file, 'fromfile:Declared-File-7301\n');
  process.env.WP_DECLARED_SECRET = 'declared:Declared-Env-6120';
  try {
    // Unset before each run: the program sets it only after its first policy error.
    const outputs = await failingValidate(
      dir,
      `import * as fs from 'node:fs';
import * as wp from '${LIB}';
const app = new wp.PolicyApp();
const fromEnv = wp.Credential.fromEnv('WP_DECLARED_SECRET');
const fromFile = wp.Credential.fromFile(${JSON.stringify(file)});
const late = wp.Credential.fromEnv('WP_LATE_SECRET');
// A policy error is built (and caught) here while WP_LATE_SECRET is still unset.
new wp.MeshNamespace(app, 'shop');
try { new wp.MeshNamespace(app, 'shop'); } catch {}
process.env.WP_LATE_SECRET = 'late:Declared-Late-5527';
throw new Error('not yet used: ' + process.env.WP_DECLARED_SECRET + ' ' + fs.readFileSync(${JSON.stringify(file)}, 'utf8').trim() + ' ' + process.env.WP_LATE_SECRET);
export default { app, fromEnv, fromFile, late };
`,
      () => delete process.env.WP_LATE_SECRET,
    );
    for (const text of outputs) {
      assert.match(text, /not yet used: <redacted credential> <redacted credential> <redacted credential>/);
      assert.doesNotMatch(text, /Declared-Env-6120|Declared-File-7301|Declared-Late-5527/);
    }
  } finally {
    delete process.env.WP_DECLARED_SECRET;
    delete process.env.WP_LATE_SECRET;
  }
});

test('declared credentials are looked up once per printed list of findings, not once per message: thousands of missing sources must not make printing quadratic', async () => {
  const { rememberDeclared } = await import('../../constructs/internal/known-secrets');
  const { formatFindings } = await import('../../analysis/finding');
  const { PolicyError } = await import('../../constructs');
  let lookups = 0;
  rememberDeclared(`test:count-${process.pid}`, () => {
    lookups++;
    return undefined;
  });
  const findings = Array.from({ length: 200 }, (_, i) => ({ rule: 'credentials/missing', severity: 'error' as const, message: `credential source file /missing/${i} cannot be read`, fix: 'Create it.' }));
  // Building errors (the policy may catch them) reads nothing.
  for (const f of findings) new PolicyError([f]);
  assert.equal(lookups, 0);
  formatFindings(findings);
  assert.equal(lookups, 1);
  // Still missing: the next print looks again (a variable may have been set since).
  formatFindings(findings);
  assert.equal(lookups, 2);
});

test('a credential passed as a construct id is scrubbed from every field of --json findings (path included), as from the text form', async () => {
  const dir = tempDir('wp-leak-id-');
  process.env.WP_ID_SECRET = 'idUser:Id-Secret-8130';
  try {
    const outputs = await failingValidate(dir, programReading('WP_ID_SECRET', 'new wp.Waypoint(ns, process.env.WP_ID_SECRET!);'));
    for (const text of outputs) {
      assert.match(text, /names\/rfc1123/);
      assert.doesNotMatch(text, /Id-Secret-8130|aWRVc2Vy/);
    }
    const json = JSON.parse(outputs[1]) as { path: string }[];
    assert.equal(json[0].path, 'prod/shop/<redacted credential>');
  } finally {
    delete process.env.WP_ID_SECRET;
  }
});

test('used as a library, a PolicyError prints no declared credential: its message and stack are scrubbed when read (declared but unread ones too), and console.log, JSON or an uncaught throw show no raw findings', async () => {
  const util = await import('node:util');
  const wp = await import('../../constructs');
  const { synthToDirectory } = await import('../../compiler/synth');
  const SECRET = 'libUser:Lib-Secret-2291';
  process.env.WP_LIB_SECRET = SECRET;
  try {
    const app = new wp.PolicyApp();
    const ns = new wp.MeshNamespace(new wp.Target(app, 'prod'), 'shop');
    // Declared, not read yet: no construct uses it before the mistake.
    const declared = wp.Credential.fromEnv('WP_LIB_SECRET');
    const shown = (e: unknown) => [String(e), (e as Error).message, (e as Error).stack, util.inspect(e), util.inspect(e, { depth: null }), JSON.stringify(e)].join('\n');
    let thrown: unknown;
    try {
      new wp.Waypoint(ns, 'w', { name: process.env.WP_LIB_SECRET } as never);
    } catch (e) {
      thrown = e;
    }
    assert.ok(wp.isPolicyError(thrown));
    assert.match(shown(thrown), /names\/rfc1123/);
    assert.doesNotMatch(shown(thrown), /Lib-Secret-2291/);
    // The findings are still there for code that asks for them.
    assert.equal(thrown.findings[0].rule, 'names/rfc1123');

    // A validation the policy added, quoting the credential (now read): synthToDirectory throws with it.
    const waypoint = new wp.Waypoint(ns, 'waypoint');
    new wp.BasicAuth(ns, 'auth', { targets: [waypoint], rules: [{ prefix: '/', methods: ['GET'], credentials: [declared] }], acknowledge: { unpinnedModule: 'test' } });
    waypoint.node.addValidation({ validate: () => [`expected ${process.env.WP_LIB_SECRET} to be rotated`] });
    assert.throws(
      () => synthToDirectory(app, { outdir: path.join(tempDir('wp-leak-lib-'), 'dist') }),
      (e: unknown) => wp.isPolicyError(e) && /construct\/validation/.test(shown(e)) && !/Lib-Secret-2291/.test(shown(e)),
    );
  } finally {
    delete process.env.WP_LIB_SECRET;
  }
});

/** A hand-written WasmPlugin whose credential list holds `line` as written, unquoted. */
function pluginWithCredentialLine(line: string): string {
  return `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: {name: auth, namespace: shop}
spec:
  url: oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0
  pluginConfig:
    basic_auth_rules:
      - prefix: /
        request_methods: [GET]
        credentials:
          - ${line}
`;
}

// A credential starting with a YAML indicator, left unquoted, is read as syntax; the parser's message quotes it.
const UNQUOTED = [
  ['*Alias-Secret-6021', 'Alias-Secret-6021'],
  ['|Block-Secret-6022', 'Block-Secret-6022'],
  ['"esc\\qEsc-Secret-6023"', 'qEsc-Secret'],
] as const;

test('a YAML error on an unquoted credential names the line, never the text: validate --manifests, explain --manifests and diff (text, markdown, --json)', async () => {
  for (const [line, secret] of UNQUOTED) {
    const dir = tempDir('wp-leak-yaml-');
    fs.mkdirSync(path.join(dir, 'm'));
    fs.writeFileSync(path.join(dir, 'm', 'plugin.yaml'), pluginWithCredentialLine(line));
    const texts: string[] = [];
    for (const args of [['validate', '--manifests', 'm'], ['validate', '--manifests', 'm', '--json'], ['explain', '--manifests', 'm', '--to', 'shop/api']]) {
      const io = captureIo(dir);
      assert.notEqual(await main(args, io), 0, io.text());
      texts.push(io.text());
    }
    assert.match(texts[0], /manifests\/parse/);
    assert.match(texts[0], /plugin\.yaml:1[01]/);
    for (const text of texts) assert.equal(text.includes(secret), false, `${line}: ${text}`);
  }

  // diff reads the base's dist/ from git: a hand edit committed there, with the same mistake.
  const repo = tempDir('wp-leak-yaml-diff-');
  fs.writeFileSync(path.join(repo, 'package.json'), '{"name":"leak","private":true}\n');
  fs.mkdirSync(path.join(repo, 'policies'));
  fs.writeFileSync(path.join(repo, 'policies', 'main.ts'), `import * as wp from '${LIB}';\nconst app = new wp.PolicyApp();\nnew wp.MeshNamespace(new wp.Target(app, 'prod'), 'shop');\nexport default app;\n`);
  assert.equal(await main(['synth'], captureIo(repo)), 0);
  fs.mkdirSync(path.join(repo, 'dist', 'prod', '2-policies', 'shop'));
  fs.writeFileSync(path.join(repo, 'dist', 'prod', '2-policies', 'shop', 'wasmplugin-auth.yaml'), pluginWithCredentialLine(UNQUOTED[0][0]));
  const g = (...a: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...a], { cwd: repo, stdio: 'pipe' });
  g('init', '-q', '-b', 'main');
  g('add', '-A');
  g('commit', '-qm', 'base');
  for (const format of ['text', 'markdown', 'json']) {
    const io = captureIo(repo);
    assert.notEqual(await main(['diff', '--base', 'main', '--format', format], io), 0);
    assert.match(io.text(), /not valid YAML/);
    assert.equal(io.text().includes(UNQUOTED[0][1]), false, `diff ${format}: ${io.text()}`);
  }
});
