import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import { test } from 'node:test';
import { Testing } from 'cdk8s';
import { main } from '../../cli/main';
import { compileApp } from '../../compiler/synth';
import { readTree } from '../../compiler/write';
import { BasicAuth, Credential, MeshNamespace, PolicyApp, PolicyError, Waypoint } from '../../constructs';
import { captureIo, REPO_ROOT, tempDir, writePolicy } from '../support/helpers';

const SECRET = 'alice:s3cr3t-Value-7781';

function policyWith(credential: string): string {
  return `const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(app, 'default');
const w = new wp.Waypoint(ns, 'waypoint');
new wp.BasicAuth(ns, 'auth', {
  targets: [w],
  rules: [{ prefix: '/', methods: ['GET'], credentials: [${credential}] }],
  acknowledge: { unpinnedModule: 'test' },
});
export default app;`;
}

async function synthInto(dir: string, file: string, env: NodeJS.ProcessEnv = process.env) {
  const out = path.join(dir, 'dist');
  const io = captureIo(dir, env);
  const code = await main(['synth', '--app', file, '--outdir', out], io);
  return { code, io, out };
}

test('Credential.fromEnv: the value lands in the plugin config and nowhere in the output', async () => {
  const dir = tempDir();
  const file = writePolicy(dir, policyWith(`wp.Credential.fromEnv('WP_TEST_CRED')`));
  process.env.WP_TEST_CRED = SECRET;
  try {
    const { code, io, out } = await synthInto(dir, file);
    assert.equal(code, 0);
    assert.doesNotMatch(io.text(), new RegExp(SECRET));
    const plugin = readTree(out).get('default/2-policies/default/wasmplugin-auth.yaml')!;
    assert.match(plugin, new RegExp(`- ${SECRET}`));
  } finally {
    delete process.env.WP_TEST_CRED;
  }
});

test('a missing environment variable fails synth, names the variable, writes nothing', async () => {
  const dir = tempDir();
  const file = writePolicy(dir, policyWith(`wp.Credential.fromEnv('WP_TEST_MISSING')`));
  const out = path.join(dir, 'dist');
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'keep.yaml'), 'a: 1\n');
  const before = readTree(out);
  const { code, io } = await synthInto(dir, file);
  assert.equal(code, 1);
  assert.match(io.text(), /error\[credentials\/missing\]: credential source environment variable WP_TEST_MISSING is not set/);
  // The policy line that named the variable: neither the namespace's nor the plugin's first line.
  const line = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('WP_TEST_MISSING')) + 1;
  assert.match(io.text(), new RegExp(`at default/auth \\(main\\.ts:${line}\\)`));
  assert.deepEqual(readTree(out), before);
});

test('Credential.fromFile reads relative to the policy file; a missing file is named, never its content', async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'secrets'));
  fs.writeFileSync(path.join(dir, 'secrets', 'cred'), `${SECRET}\n`);
  const ok = writePolicy(dir, policyWith(`wp.Credential.fromFile('secrets/cred')`));
  const elsewhere = tempDir();
  const res = await synthInto(elsewhere, ok);
  assert.equal(res.code, 0, res.io.text());
  assert.match(readTree(res.out).get('default/2-policies/default/wasmplugin-auth.yaml')!, new RegExp(SECRET));

  const bad = writePolicy(dir, policyWith(`wp.Credential.fromFile('secrets/absent')`), 'bad.ts');
  const res2 = await synthInto(dir, bad);
  assert.equal(res2.code, 1);
  assert.match(res2.io.text(), /credential source file secrets\/absent cannot be read/);
});

test('one trailing newline is dropped from an environment variable; surrounding whitespace or a line break inside is refused without printing the value; empty is not "not set"', async () => {
  const dir = tempDir();
  const file = writePolicy(dir, policyWith(`wp.Credential.fromEnv('WP_TEST_WS')`));
  // Credentials read the process's environment (the CLI's io.env is for its own settings).
  const run = async (value: string) => {
    process.env.WP_TEST_WS = value;
    return synthInto(tempDir(), file);
  };
  try {
    const ok = await run(`${SECRET}\n`);
    assert.equal(ok.code, 0, ok.io.text());
    assert.match(readTree(ok.out).get('default/2-policies/default/wasmplugin-auth.yaml')!, new RegExp(`- ${SECRET}\n`));
    for (const bad of [`${SECRET} `, `${SECRET}\n\n`, ` ${SECRET}`, `${SECRET}\t`]) {
      const res = await run(bad);
      assert.equal(res.code, 1, JSON.stringify(bad));
      assert.match(res.io.text(), /error\[credentials\/whitespace\]: credential source environment variable WP_TEST_WS starts or ends with whitespace/);
      assert.doesNotMatch(res.io.text(), /s3cr3t/);
      assert.equal(fs.existsSync(res.out), false);
    }
    // Two credentials in one variable (or file) would be one, with a line break in its password.
    for (const bad of [`${SECRET}\nuser2:pw2`, `${SECRET}\r\nuser2:pw2\n`]) {
      const res = await run(bad);
      assert.equal(res.code, 1, JSON.stringify(bad));
      assert.match(res.io.text(), /error\[credentials\/whitespace\]: credential source environment variable WP_TEST_WS holds a line break inside/);
      assert.doesNotMatch(res.io.text(), /s3cr3t|pw2/);
      assert.equal(fs.existsSync(res.out), false);
    }
    const empty = await run('');
    assert.equal(empty.code, 1);
    assert.match(empty.io.text(), /environment variable WP_TEST_WS is empty/);
    assert.match(empty.io.text(), /set but empty/);
  } finally {
    delete process.env.WP_TEST_WS;
  }
});

test('Credential.fromFile given the credential instead of its path (user:pass, base64) names it by length only, in the message and in --json', async () => {
  const dir = tempDir();
  const base64 = Buffer.from(SECRET).toString('base64');
  for (const value of [SECRET, base64]) {
    const file = writePolicy(dir, policyWith(`wp.Credential.fromFile(${JSON.stringify(value)})`));
    for (const json of [[], ['--json']]) {
      const io = captureIo(dir);
      assert.equal(await main(['synth', '--app', file, '--outdir', path.join(dir, 'dist'), ...json], io), 1);
      assert.match(io.text(), new RegExp(`credential source file \\(not a file path, ${value.length} characters, not shown: it may be the value itself\\) cannot be read`));
      assert.equal(io.text().includes(value), false, io.text());
      assert.doesNotMatch(io.text(), /s3cr3t-Value-7781/);
    }
  }
  // A real path is still named, with what it resolves to, and why it could not be read.
  const ok = writePolicy(dir, policyWith(`wp.Credential.fromFile('secrets/none')`));
  const { io } = await synthInto(dir, ok);
  assert.match(io.text(), /credential source file secrets\/none cannot be read: no such file \(resolved to .*secrets\/none\)\n.*\n  fix: Create the file, or mount it in CI, wherever the policies are compiled: synth, validate, check and diff all read it\./);
  fs.mkdirSync(path.join(dir, 'secrets'), { recursive: true });
  const folder = writePolicy(dir, policyWith(`wp.Credential.fromFile('secrets')`));
  const res = await synthInto(dir, folder);
  assert.equal(res.code, 1);
  assert.match(res.io.text(), /credential source file secrets cannot be read: it is a folder \(resolved to .*secrets\)\n.*\n  fix: Name the file inside the folder that holds the credential\./);
});

test('a misspelt environment variable gets the set variable it most likely means as the fix, never its value', async () => {
  const dir = tempDir();
  const file = writePolicy(dir, policyWith(`wp.Credential.fromEnv('WP_TEST_SHOP_ADMN')`));
  process.env.WP_TEST_SHOP_ADMIN = SECRET;
  try {
    const { code, io } = await synthInto(dir, file);
    assert.equal(code, 1);
    assert.match(io.text(), /credential source environment variable WP_TEST_SHOP_ADMN is not set/);
    assert.match(io.text(), /fix: If you meant WP_TEST_SHOP_ADMIN, which is set, write Credential\.fromEnv\('WP_TEST_SHOP_ADMIN'\); otherwise export WP_TEST_SHOP_ADMN wherever the policies are compiled/);
    assert.doesNotMatch(io.text(), new RegExp(SECRET));
    // The fix, followed, works.
    const fixed = writePolicy(dir, policyWith(`wp.Credential.fromEnv('WP_TEST_SHOP_ADMIN')`), 'fixed.ts');
    const after = await synthInto(dir, fixed);
    assert.equal(after.code, 0, after.io.text());
  } finally {
    delete process.env.WP_TEST_SHOP_ADMIN;
  }
  // With nothing like it set, the fix is only to export it.
  const { io } = await synthInto(dir, file);
  assert.match(io.text(), /fix: Export WP_TEST_SHOP_ADMN wherever the policies are compiled/);
});

test('a missing environment variable whose name a shell cannot export (CI systems allow - and .) gets a fix that can be run', async () => {
  const dir = tempDir();
  const file = writePolicy(dir, policyWith(`wp.Credential.fromEnv('shop-admin')`));
  const { code, io } = await synthInto(dir, file);
  assert.equal(code, 1);
  assert.match(io.text(), /fix: Set shop-admin in the command's environment \(a shell cannot export that name: put env 'shop-admin=\.\.\.' before the command\) wherever the policies are compiled/);
  assert.doesNotMatch(io.text(), /Export shop-admin/);
});

test('a missing credential gets the same fix from every command that compiles the policies, none of which it sends to synth', async () => {
  const dir = tempDir();
  const missingEnv = writePolicy(dir, policyWith(`wp.Credential.fromEnv('WP_TEST_NEVER_SET')`), 'env.ts');
  const missingFile = writePolicy(dir, policyWith(`wp.Credential.fromFile('secrets/none')`), 'file.ts');
  const fixes = new Map<string, string[]>();
  for (const [command, ...flags] of [['synth', '--outdir', path.join(dir, 'dist')], ['validate'], ['check', '--outdir', path.join(dir, 'dist')]]) {
    for (const app of [missingEnv, missingFile]) {
      const io = captureIo(dir);
      assert.equal(await main([command, '--app', app, ...flags, '--json'], io), 1, io.text());
      // synth and validate print the findings; check prints them in its comparison's object.
      type Found = { rule: string; fix: string }[];
      const printed = JSON.parse(io.stdout.join('\n')) as Found | { findings: Found };
      const missing = (Array.isArray(printed) ? printed : printed.findings).filter((f) => f.rule === 'credentials/missing');
      assert.equal(missing.length, 1, io.text());
      fixes.set(app, [...(fixes.get(app) ?? []), missing[0].fix]);
    }
  }
  for (const [app, seen] of fixes) {
    assert.equal(new Set(seen).size, 1, `${app}: ${seen.join(' | ')}`);
    assert.doesNotMatch(seen[0], /running synth|runs synth/);
    assert.match(seen[0], /synth, validate, check and diff all read it/);
  }
});

test('Credential.fromFile with a relative path reads beside the policy file that created the plugin, not its namespace\'s', async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'teams', 'shop'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'teams', 'shop', 'cred'), `${SECRET}\n`);
  const lib = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');
  fs.writeFileSync(
    path.join(dir, 'teams', 'shop', 'auth.ts'),
    `import * as wp from '${lib}';
export function shopAuth(ns: wp.MeshNamespace, waypoint: wp.Waypoint): void {
  new wp.BasicAuth(ns, 'auth', { targets: [waypoint], rules: [{ prefix: '/', methods: ['GET'], credentials: [wp.Credential.fromFile('cred')] }], acknowledge: { unpinnedModule: 'test' } });
}
`,
  );
  const main = writePolicy(
    dir,
    `import { shopAuth } from './teams/shop/auth';
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(app, 'default');
shopAuth(ns, new wp.Waypoint(ns, 'waypoint'));
export default app;`,
  );
  const res = await synthInto(dir, main);
  assert.equal(res.code, 0, res.io.text());
  assert.match(readTree(res.out).get('default/2-policies/default/wasmplugin-auth.yaml')!, new RegExp(`- ${SECRET}\n`));
});

/**
 * A project whose shared pattern (lib/pattern.ts) creates the plugin, and
 * whose policy (main.ts, line 5) names the credential (by default the file
 * `secrets/cred`, relative to itself). Returns the policy file.
 */
function patternProject(dir: string, credential = `wp.Credential.fromFile('secrets/cred')`): string {
  fs.mkdirSync(path.join(dir, 'lib'), { recursive: true });
  const lib = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');
  fs.writeFileSync(
    path.join(dir, 'lib', 'pattern.ts'),
    `import * as wp from '${lib}';
export function adminAuth(ns: wp.MeshNamespace, waypoint: wp.Waypoint, credential: wp.Credential): void {
  new wp.BasicAuth(ns, 'auth', { targets: [waypoint], rules: [{ prefix: '/admin', methods: ['GET'], credentials: [credential] }], acknowledge: { unpinnedModule: 'test' } });
}
`,
  );
  return writePolicy(
    dir,
    `import { adminAuth } from './lib/pattern';
const app = new wp.PolicyApp();
const ns = new wp.MeshNamespace(app, 'default'); const waypoint = new wp.Waypoint(ns, 'waypoint'); ns.useWaypoint(waypoint);
adminAuth(ns, waypoint, ${credential});
export default app;`,
  );
}

test('a Credential.fromFile path written from the working directory instead of the policy file gets the path that reaches the file as its fix', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'package.json'), '{}');
  fs.mkdirSync(path.join(dir, 'secrets'));
  fs.writeFileSync(path.join(dir, 'secrets', 'ops'), `${SECRET}\n`);
  fs.mkdirSync(path.join(dir, 'policies'));
  const file = writePolicy(path.join(dir, 'policies'), policyWith(`wp.Credential.fromFile('secrets/ops')`));
  const cwd = process.cwd();
  // Commands run from the project root, where the path was written from.
  process.chdir(dir);
  try {
    const { code, io } = await synthInto(dir, file);
    assert.equal(code, 1);
    // Paths of the project are shown from its root, as the policy line is.
    assert.match(io.text(), /credential source file secrets\/ops cannot be read: no such file \(resolved to policies\/secrets\/ops\)/);
    assert.match(io.text(), /fix: secrets\/ops exists relative to the working directory, but a relative path is read from the folder of the policy file that names it \(policies\): write Credential\.fromFile\('\.\.\/secrets\/ops'\)\./);
    assert.doesNotMatch(io.text(), new RegExp(SECRET));
    // validate prints what the compiler found (synth what it refused): the same paths.
    const validate = captureIo(dir);
    assert.equal(await main(['validate', '--app', file], validate), 1);
    assert.match(validate.text(), /cannot be read: no such file \(resolved to policies\/secrets\/ops\)/);
    assert.match(validate.text(), /the policy file that names it \(policies\): write Credential\.fromFile\('\.\.\/secrets\/ops'\)\./);
    // The fix, followed, works.
    const fixed = writePolicy(path.join(dir, 'policies'), policyWith(`wp.Credential.fromFile('../secrets/ops')`), 'fixed.ts');
    const after = await synthInto(dir, fixed);
    assert.equal(after.code, 0, after.io.text());
  } finally {
    process.chdir(cwd);
  }
});

test('Credential.fromFile with a relative path reads beside the policy file that names the path, not beside a shared pattern in another folder that creates the plugin', async () => {
  // Two teams import one pattern from lib/; each passes its own credential
  // file, named relative to its own policy file. The pattern's folder has a
  // secrets/ folder of its own: the path must never resolve there.
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, 'secrets'));
  fs.mkdirSync(path.join(dir, 'lib', 'secrets'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'secrets', 'cred'), `${SECRET}\n`);
  fs.writeFileSync(path.join(dir, 'lib', 'secrets', 'cred'), 'decoy:not-the-team-credential\n');
  const main = patternProject(dir);
  const res = await synthInto(tempDir(), main);
  assert.equal(res.code, 0, res.io.text());
  const plugin = readTree(res.out).get('default/2-policies/default/wasmplugin-auth.yaml')!;
  assert.match(plugin, new RegExp(`- ${SECRET}\n`));
  assert.doesNotMatch(plugin, /decoy/);
});

test('a missing Credential.fromFile file is reported at the line that named the path, not at the shared pattern that creates the plugin', async () => {
  // The path to fix is the one the team wrote; the pattern is another team's file.
  const dir = tempDir();
  const main = patternProject(dir);
  const res = await synthInto(dir, main);
  assert.notEqual(res.code, 0);
  const text = res.io.text();
  assert.match(text, /credentials\/missing/);
  assert.match(text, /default\/auth/, 'the plugin is still the construct named');
  assert.match(text, /main\.ts:5\b/, text);
  assert.doesNotMatch(text, /pattern\.ts:\d+/);
  assert.equal(fs.existsSync(res.out), false, 'nothing written');
});

test('an unset Credential.fromEnv variable is reported at the line that named it, not at the shared pattern that creates the plugin', async () => {
  const dir = tempDir();
  const main = patternProject(dir, `wp.Credential.fromEnv('WP_TEST_UNSET_IN_PATTERN')`);
  const res = await synthInto(dir, main);
  assert.notEqual(res.code, 0);
  const text = res.io.text();
  assert.match(text, /credentials\/missing/);
  assert.match(text, /WP_TEST_UNSET_IN_PATTERN is not set/);
  assert.match(text, /main\.ts:5\b/, text);
  assert.doesNotMatch(text, /pattern\.ts:\d+/);
  assert.equal(fs.existsSync(res.out), false, 'nothing written');
});

test('a missing absolute Credential.fromFile file is reported at the line that named it, not at the shared pattern', async () => {
  const dir = tempDir();
  const main = patternProject(dir, `wp.Credential.fromFile(${JSON.stringify(path.join(dir, 'absent', 'cred'))})`);
  const res = await synthInto(dir, main);
  assert.notEqual(res.code, 0);
  const text = res.io.text();
  assert.match(text, /credentials\/missing.*cannot be read: no such file/);
  assert.match(text, /main\.ts:5\b/, text);
  assert.doesNotMatch(text, /pattern\.ts:\d+/);
  assert.equal(fs.existsSync(res.out), false, 'nothing written');
});

test('a credential is read once per app: every plugin of the app gets the value read first; a new app reads it again', () => {
  // One credential often guards thousands of plugins; reading it once also
  // means one app cannot emit two different values for one credential.
  const dir = tempDir();
  const file = path.join(dir, 'cred');
  const fromEnv = Credential.fromEnv('WP_TEST_READ_ONCE');
  const fromFile = Credential.fromFile(file);
  const build = (value: string) => {
    const app = new PolicyApp();
    const ns = new MeshNamespace(app, 'default');
    const w = new Waypoint(ns, 'waypoint');
    for (const id of ['one', 'two']) {
      process.env.WP_TEST_READ_ONCE = `alice:${value}-${id}`;
      fs.writeFileSync(file, `bob:${value}-${id}\n`);
      new BasicAuth(ns, id, { targets: [w], sha256: '0'.repeat(64), rules: [{ prefix: `/${id}`, methods: ['GET'], credentials: [fromEnv, fromFile] }] });
    }
    return compileApp(app).files;
  };
  try {
    const first = build('first');
    const second = build('rotated');
    for (const id of ['one', 'two']) {
      const a = first.get(`default/2-policies/default/wasmplugin-${id}.yaml`)!;
      assert.match(a, /alice:first-one/);
      assert.match(a, /bob:first-one/);
      assert.doesNotMatch(a, /-two/);
      const b = second.get(`default/2-policies/default/wasmplugin-${id}.yaml`)!;
      assert.match(b, /alice:rotated-one/);
      assert.match(b, /bob:rotated-one/);
    }
  } finally {
    delete process.env.WP_TEST_READ_ONCE;
  }
});

test('a credential that was read shows no secret when printed or serialized', () => {
  const dir = tempDir();
  const file = path.join(dir, 'cred');
  fs.writeFileSync(file, `${SECRET}-file\n`);
  const fromEnv = Credential.fromEnv('WP_TEST_PRINTED');
  const fromFile = Credential.fromFile(file);
  const ns = new MeshNamespace(new PolicyApp(), 'default');
  const w = new Waypoint(ns, 'waypoint');
  process.env.WP_TEST_PRINTED = SECRET;
  try {
    const rule = { prefix: '/', methods: ['GET'], credentials: [fromEnv, fromFile] };
    new BasicAuth(ns, 'auth', { targets: [w], sha256: '0'.repeat(64), rules: [rule] });
    for (const shown of [util.inspect(rule, { depth: null, showHidden: true }), JSON.stringify(rule), String(fromEnv), util.format('%o', fromFile)]) {
      assert.doesNotMatch(shown, /s3cr3t/);
    }
  } finally {
    delete process.env.WP_TEST_PRINTED;
  }
});

test('a literal credential shows no value when printed or serialized either (console.log of props in a policy, a test runner showing a rule), and still emits it', () => {
  const literal = Credential.insecureLiteral('demo:Literal-Printed-4471');
  const rule = { prefix: '/', methods: ['GET'], credentials: [literal] };
  for (const shown of [util.inspect(rule, { depth: null, showHidden: true }), JSON.stringify(rule), String(literal), util.format('%o', literal)]) {
    assert.doesNotMatch(shown, /Literal-Printed-4471/);
  }
  const ns = new MeshNamespace(new PolicyApp(), 'default');
  const auth = new BasicAuth(ns, 'auth', { targets: [new Waypoint(ns, 'waypoint')], sha256: '0'.repeat(64), rules: [rule], acknowledge: { literalCredentials: 'test' } });
  assert.match(JSON.stringify(auth.apiObject.toJson()), /demo:Literal-Printed-4471/);
});

test('a credential the plugin would refuse is reported by position, never by value', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'default');
  const w = new Waypoint(ns, 'waypoint');
  assert.throws(
    () =>
      new BasicAuth(ns, 'auth', {
        targets: [w],
        rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('admin1')] }],
      }),
    (e: unknown) => {
      assert.ok(e instanceof PolicyError);
      assert.equal(e.findings[0].rule, 'basic-auth/bad-credential');
      assert.match(e.message, /credential #1 is neither "user:pass" nor valid base64/);
      assert.doesNotMatch(e.message, /admin1/);
      return true;
    },
  );
});

test('a credential read from a variable or file that the plugin would refuse is reported by its source, with the run\'s other unreadable credentials, never by value; one that decodes to no user:password is a warning', () => {
  process.env.WP_TEST_NOT_BASIC = 'adminonly';
  process.env.WP_TEST_PASSWORD_ONLY = Buffer.from('oncallpw').toString('base64');
  delete process.env.WP_TEST_UNSET_TOO;
  try {
    const app = new PolicyApp();
    const ns = new MeshNamespace(app, 'default');
    const w = new Waypoint(ns, 'waypoint');
    new BasicAuth(ns, 'auth', {
      targets: [w],
      rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('WP_TEST_NOT_BASIC'), Credential.fromEnv('WP_TEST_UNSET_TOO')] }],
    });
    new BasicAuth(ns, 'other', { targets: [w], rules: [{ prefix: '/x', methods: ['GET'], credentials: [Credential.fromEnv('WP_TEST_PASSWORD_ONLY')] }] });
    const findings = compileApp(app).findings.filter((f) => f.rule.startsWith('basic-auth/') || f.rule === 'credentials/missing');
    assert.deepEqual(
      findings.map((f) => [f.rule, f.severity, f.path, f.message]).sort(),
      [
        ['basic-auth/bad-credential', 'error', 'default/auth', 'credential source environment variable WP_TEST_NOT_BASIC holds neither "user:pass" nor valid base64, so the plugin would refuse its whole config'],
        ['basic-auth/credential-without-user', 'warning', 'default/other', 'basic-auth pluginConfig: rule #1 credential #1 is base64 that does not decode to "user:password": clients send base64 of user, \':\' and password, so none can match it'],
        ['credentials/missing', 'error', 'default/auth', 'credential source environment variable WP_TEST_UNSET_TOO is not set'],
      ],
    );
    assert.doesNotMatch(JSON.stringify(findings), /adminonly|b25jYWxscHc/);
  } finally {
    delete process.env.WP_TEST_NOT_BASIC;
    delete process.env.WP_TEST_PASSWORD_ONLY;
  }
});

test('plain strings are refused as credentials, so secrets stay out of policy source', () => {
  const ns = new MeshNamespace(new PolicyApp(), 'default');
  const w = new Waypoint(ns, 'waypoint');
  assert.throws(
    () => new BasicAuth(ns, 'auth', { targets: [w], rules: [{ prefix: '/', methods: ['GET'], credentials: ['bob:hunter2' as unknown as Credential] }] }),
    (e: unknown) => e instanceof PolicyError && e.findings[0].rule === 'credentials/plain-string' && !e.message.includes('hunter2'),
  );
});

test('insecureLiteral is always reported by the analysis (credentials/literal)', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'default');
  new BasicAuth(ns, 'auth', {
    targets: [new Waypoint(ns, 'waypoint')],
    rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('demo:demo')] }],
  });
  const findings = compileApp(app).findings.filter((f) => f.rule === 'credentials/literal');
  assert.equal(findings.length, 1);
  assert.doesNotMatch(JSON.stringify(findings), /demo:demo/);
  assert.match(findings[0].fix!, /acknowledge with acknowledge: \{ literalCredentials/);

  // Acknowledged, it is still reported, and the fix no longer asks for the acknowledgement.
  new BasicAuth(ns, 'acknowledged', {
    targets: [new Waypoint(ns, 'second')],
    rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.insecureLiteral('demo:demo')] }],
    acknowledge: { literalCredentials: 'a demo' },
  });
  const both = compileApp(app).findings.filter((f) => f.rule === 'credentials/literal');
  assert.equal(both.length, 2);
  const acked = both.find((f) => f.path?.endsWith('/acknowledged'))!;
  assert.equal(acked.severity, 'warning');
  assert.match(acked.message, /\(acknowledged: a demo\)/);
  assert.doesNotMatch(acked.fix!, /acknowledge with/);
  assert.match(acked.fix!, /stays a warning \(and fails --strict\)/);
});

test('Credential.fluxSubstitution keeps the value out of git: the manifest holds ${NAME}', () => {
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'default');
  const waypoint = new Waypoint(ns, 'waypoint');
  ns.useWaypoint(waypoint);
  new BasicAuth(ns, 'auth', {
    targets: [waypoint],
    rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fluxSubstitution('BOOKINFO_ADMIN')] }],
    acknowledge: { unpinnedModule: 'test' },
  });
  const result = compileApp(app);
  assert.deepEqual(result.findings, []);
  const plugin = result.collected.model.objects.find((o) => o.manifest.kind === 'WasmPlugin')!;
  assert.deepEqual((plugin.manifest.spec as any).pluginConfig.basic_auth_rules[0].credentials, ['${BOOKINFO_ADMIN}']);
  assert.throws(
    () => new BasicAuth(ns, 'bad', { targets: [new Waypoint(ns, 'w2')], rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fluxSubstitution('1-bad')] }] }),
    (e: unknown) => e instanceof PolicyError && e.findings[0].rule === 'credentials/bad-variable',
  );
});

test('every credential that cannot be read is reported by one synth, once per source however many plugins read it, and nothing is written', async () => {
  // A new CI setup usually misses every secret at once: one run names them all.
  const dir = tempDir();
  const file = writePolicy(
    dir,
    `const app = new wp.PolicyApp();
for (const name of ['cart', 'pay', 'shop', 'ship', 'web']) {
  const ns = new wp.MeshNamespace(app, name);
  new wp.BasicAuth(ns, 'auth', {
    targets: [new wp.Waypoint(ns, 'waypoint')],
    sha256: '${'0'.repeat(64)}',
    rules: [{ prefix: '/', methods: ['GET'], credentials: [wp.Credential.fromEnv('WP_UNSET_' + name), wp.Credential.fromEnv('WP_UNSET_SHARED'), wp.Credential.fromFile('absent-' + name), wp.Credential.fromEnv('WP_TEST_SET')] }],
  });
}
export default app;`,
  );
  process.env.WP_TEST_SET = SECRET;
  try {
    const { code, io, out } = await synthInto(dir, file);
    assert.equal(code, 1);
    const text = io.text();
    for (const name of ['cart', 'pay', 'shop', 'ship', 'web']) {
      assert.match(text, new RegExp(`error\\[credentials/missing\\]: credential source environment variable WP_UNSET_${name} is not set\\n  at ${name}/auth \\(main\\.ts:8\\)`));
      assert.match(text, new RegExp(`error\\[credentials/missing\\]: credential source file absent-${name} cannot be read`));
    }
    // The shared variable is one thing to fix: reported once, at its first plugin, with the others named or counted.
    assert.equal(text.match(/WP_UNSET_SHARED is not set/g)?.length, 1);
    assert.match(text, /WP_UNSET_SHARED is not set \(also read at pay\/auth, shop\/auth, ship\/auth and 1 more\)\n  at cart\/auth/);
    assert.match(text, /11 error\(s\)/);
    assert.doesNotMatch(text, /unread-|s3cr3t/);
    assert.equal(fs.existsSync(out), false);
  } finally {
    delete process.env.WP_TEST_SET;
  }
});

test("cdk8s's own synth refuses a plugin whose credential could not be read, rather than render its stand-in value", () => {
  // The construct goes on with a stand-in so that one run reports every
  // unread credential; cdk8s's Testing.synth, in a team's unit tests, must not render it.
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'default');
  new BasicAuth(ns, 'auth', { targets: [new Waypoint(ns, 'waypoint')], sha256: '0'.repeat(64), rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('WP_UNSET_CDK8S')] }] });
  assert.throws(() => Testing.synth(ns), /credentials\/missing\]:? credential source environment variable WP_UNSET_CDK8S is not set/);
  // Nor does the escape hatch build the manifest that would hold it.
  const plugin = ns.node.findChild('auth') as BasicAuth;
  assert.throws(() => plugin.apiObject, (e: Error) => e instanceof PolicyError && /WP_UNSET_CDK8S is not set/.test(e.message));
  // Our compiler reports it as the error it is, and renders no file.
  const compiled = compileApp(app);
  assert.deepEqual(compiled.findings.filter((f) => f.severity === 'error').map((f) => f.rule), ['credentials/missing']);
  assert.equal(compiled.files.size, 0);
  assert.throws(() => app.synth(), (e: Error) => e instanceof PolicyError && /WP_UNSET_CDK8S is not set/.test(e.message));
});

test("the stand-in for an unread credential is random: a test that simulates the model of a failed compile cannot send it", () => {
  const standIns = [1, 2].map(() => {
    const app = new PolicyApp();
    const ns = new MeshNamespace(app, 'default');
    new BasicAuth(ns, 'auth', { targets: [new Waypoint(ns, 'waypoint')], sha256: '0'.repeat(64), rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fromEnv('WP_UNSET_RANDOM')] }] });
    const plugin = compileApp(app).collected.model.objects.find((o) => o.manifest.kind === 'WasmPlugin')!;
    return (plugin.manifest.spec as { pluginConfig: { basic_auth_rules: { credentials: string[] }[] } }).pluginConfig.basic_auth_rules[0].credentials[0];
  });
  for (const s of standIns) assert.match(s, /^unread-[0-9a-f-]{36}:[0-9a-f-]{36}$/);
  assert.notEqual(standIns[0], standIns[1]);
});

test('insecureLiteral or fromFile given no string (an unset config value) is refused as a PolicyError at the plugin, not a raw TypeError', () => {
  const ns = new MeshNamespace(new PolicyApp(), 'default');
  const w = new Waypoint(ns, 'waypoint');
  const config = JSON.parse('{"password": 7781}');
  const refusal = (id: string, credential: Credential) => {
    try {
      new BasicAuth(ns, id, { targets: [w], rules: [{ prefix: '/', methods: ['GET'], credentials: [credential] }], acknowledge: { literalCredentials: 'test' } });
    } catch (e) {
      assert.ok(e instanceof PolicyError, String(e));
      assert.equal(e.findings[0].path, `default/${id}`);
      assert.doesNotMatch(e.message, /7781/);
      return e.message;
    }
    assert.fail('expected a PolicyError');
  };
  assert.match(refusal('number', Credential.insecureLiteral(config.password)), /props\/invalid.*Credential\.insecureLiteral\(\) was given a number, not a string/);
  assert.match(refusal('unset', Credential.insecureLiteral(config.user)), /was given nothing \(undefined\)/);
  assert.match(refusal('file', Credential.fromFile(config.file)), /Credential\.fromFile\(\) was given nothing \(undefined\), not a file path/);
});

test('a Credential.fromFile file that is not UTF-8 is refused, not read with U+FFFD in place of its bytes (another credential, written without a word)', () => {
  const dir = tempDir();
  const file = path.join(dir, 'latin1');
  fs.writeFileSync(file, Buffer.from('alice:caf\xe9-s3cr3t', 'latin1'));
  const app = new PolicyApp();
  const ns = new MeshNamespace(app, 'default');
  new BasicAuth(ns, 'auth', { targets: [new Waypoint(ns, 'waypoint')], rules: [{ prefix: '/', methods: ['GET'], credentials: [Credential.fromFile(file)] }] });
  const r = compileApp(app);
  const missing = r.findings.filter((f) => f.rule === 'credentials/missing');
  assert.equal(missing.length, 1);
  assert.match(missing[0].message, /cannot be read: it is not UTF-8 text/);
  assert.doesNotMatch(JSON.stringify(r.findings), /s3cr3t/);
  assert.equal(r.files.size, 0);
});
