import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../cli/main';
import { captureIo, REPO_ROOT, tempDir, writePolicy } from '../support/helpers';

const COMMANDS = ['synth', 'validate', 'check', 'explain', 'diff'];

for (const command of COMMANDS) {
  test(`${command} --help (and -h, next to other flags) prints the command's usage and exits 0`, async () => {
    for (const argv of [[command, '--help'], [command, '--outdir', 'x', '-h']]) {
      const io = captureIo();
      assert.equal(await main(argv, io), 0, io.text());
      assert.match(io.stdout.join('\n'), new RegExp(`^waypoint-policy ${command} `));
    }
  });
}

test('the global help lists every command; --version prints the package version', async () => {
  const io = captureIo();
  assert.equal(await main(['--help'], io), 0);
  for (const command of COMMANDS) assert.match(io.stdout.join('\n'), new RegExp(`waypoint-policy ${command} `));
  const v = captureIo();
  assert.equal(await main(['--version'], v), 0);
  assert.equal(v.stdout.join('\n'), JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version);
});

test('the README documents every flag each command accepts', () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  for (const command of COMMANDS) {
    const source = fs.readFileSync(path.join(REPO_ROOT, 'cli', 'commands', `${command}.ts`), 'utf8');
    const options = source.slice(source.indexOf('parseFlags('));
    const flags = [...options.matchAll(/^\s+'?([a-z][a-z-]*)'?: \{ type: '(?:string|boolean)'(?:, short: '([A-Za-z])')?/gm)].map((m) => (m[2] ? `-${m[2]}` : `--${m[1]}`));
    assert.ok(flags.length > 0, command);
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${command} `));
    assert.ok(row, `a README row for ${command}`);
    for (const flag of flags) assert.match(row!, new RegExp(`${flag}\\b`), `README documents ${command} ${flag}`);
  }
});

test('every command shows a stray argument only by fingerprint (a header or credential that lost its flag), without garbling the message', async () => {
  for (const command of ['synth', 'validate', 'check', 'diff', 'explain']) {
    const io = captureIo();
    const code = await main([command, 'Authorization: Basic bGVha3k6UzNjcjN0'], io);
    assert.equal(code, 2, `${command}: ${io.text()}`);
    assert.doesNotMatch(io.text(), /bGVha3k6UzNjcjN0/, command);
    assert.match(io.text(), new RegExp(`^${command}: Unexpected argument '<redacted, 37 chars, sha256:[0-9a-f]{8}>'`, 'm'), command);
  }
  // A one-letter argument is replaced only where it is quoted, not inside other words.
  const io = captureIo();
  assert.equal(await main(['explain', '-jH', 'x'], io), 2);
  assert.match(io.text(), /^explain: Unknown option '-j'\. Run 'waypoint-policy explain --help' for usage\.$/m);
});

test('a mistyped flag or command gets the closest real one; a command-line flag before the command says where flags go', async () => {
  const cases: [string[], RegExp][] = [
    [['synth', '--outdri', 'x'], /^synth: Unknown option '--outdri' \(did you mean '--outdir'\?\)\. Run 'waypoint-policy synth --help' for usage\.$/m],
    [['explain', '--jsn'], /^explain: Unknown option '--jsn' \(did you mean '--json'\?\)\. Run 'waypoint-policy explain --help' for usage\.$/m],
    [['diff', '--frobnicate'], /^diff: Unknown option '--frobnicate'\. Run 'waypoint-policy diff --help' for usage\.$/m],
    [['synht'], /^unknown command "synht" \(did you mean 'synth'\?\); commands: synth, validate, explain, check, diff$/m],
    [['vaildate', '--json'], /^unknown command "vaildate" \(did you mean 'validate'\?\)/m],
    [['frobnicate'], /^unknown command "frobnicate"; commands: /m],
    [['--outdir', 'x', 'synth'], /^"--outdir" is not a command: the command comes first \(waypoint-policy <command> \[flags\]\); commands: /m],
  ];
  for (const [argv, expected] of cases) {
    const io = captureIo();
    assert.equal(await main(argv, io), 2, argv.join(' '));
    assert.match(io.text(), expected, argv.join(' '));
  }
});

test('an unknown command that is not a word (a credential pasted first) is not echoed', async () => {
  for (const pasted of ['admin:S3cr3t-canary', 'YWRtaW46UzNjcjN0LWNhbmFyeQ==', '-----S3cr3t-canary']) {
    const io = captureIo();
    assert.equal(await main([pasted, 'synth'], io), 2);
    assert.ok(!io.text().includes(pasted) && !io.text().includes('S3cr3t'), io.text());
    assert.match(io.text(), new RegExp(`^unknown command \\(${pasted.length} characters, not shown: it may be a credential\\); commands: `, 'm'));
  }
});

test('an empty path flag (`--outdir "$OUTDIR"` with the variable unset) is bad usage (exit 2) naming the flag, not the working directory taken for it', async () => {
  const dir = tempDir('wp-empty-flag-');
  const cases: [string[], string][] = [
    [['synth', '--outdir', ''], 'synth: --outdir is empty'],
    [['synth', '--outdir='], 'synth: --outdir is empty'],
    [['check', '--app', ''], 'check: --app is empty'],
    [['validate', '--manifests', ''], 'validate: --manifests is empty'],
    [['validate', '--manifests', 'x', '--plugins', 'p.ts', '--plugins', ''], 'validate: --plugins is empty'],
    [['explain', '--to', 'shop/cart', '--manifests', ''], 'explain: --manifests is empty'],
    [['diff', '--base', ''], 'diff: --base is empty'],
  ];
  for (const [argv, said] of cases) {
    const io = captureIo(dir);
    assert.equal(await main(argv, io), 2, `${argv.join(' ')}: ${io.text()}`);
    assert.ok(io.stderr.join('\n').startsWith(`${said} (an unset variable?): pass `), io.text());
    assert.match(io.text(), new RegExp(`Run 'waypoint-policy ${argv[0]} --help' for usage\\.$`));
  }
  assert.deepEqual(fs.readdirSync(dir), [], 'nothing written');
});

test('an empty $CDK8S_OUTDIR (a CI variable defined but blank) counts as unset: dist, not the working directory', async () => {
  const dir = tempDir('wp-empty-env-');
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"empty-env","private":true}\n');
  const app = writePolicy(dir, "const app = new wp.PolicyApp();\nnew wp.Waypoint(new wp.MeshNamespace(new wp.Target(app, 'prod'), 'shop'), 'waypoint');\nexport default app;");
  const io = captureIo(dir, { ...process.env, CDK8S_OUTDIR: '' });
  assert.equal(await main(['synth', '--app', app], io), 0, io.text());
  assert.match(io.text(), /-> dist \(/);
  assert.ok(fs.existsSync(path.join(dir, 'dist', 'prod')));
  const check = captureIo(dir, { ...process.env, CDK8S_OUTDIR: '' });
  assert.equal(await main(['check', '--app', app], check), 0, check.text());
});

test("a parse error's message ends in one period before the pointer to the usage", async () => {
  const io = captureIo();
  assert.equal(await main(['synth', '--outdir', '--strict'], io), 2);
  assert.match(io.text(), /'--outdir=-XYZ'\. Run 'waypoint-policy synth --help' for usage\.$/);
});

test('`help COMMAND` prints that command\'s usage, as `COMMAND --help` does', async () => {
  for (const command of COMMANDS) {
    const io = captureIo();
    assert.equal(await main(['help', command], io), 0, io.text());
    assert.match(io.stdout.join('\n'), new RegExp(`^waypoint-policy ${command} `));
  }
  const unknown = captureIo();
  assert.equal(await main(['help', 'synht'], unknown), 2);
  assert.match(unknown.text(), /unknown command "synht" \(did you mean 'synth'\?\)/);
});

test("each command's usage line is the README's (explain's, wrapped over three lines, is not compared)", async () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  for (const command of COMMANDS.filter((c) => c !== 'explain')) {
    const io = captureIo();
    await main([command, '--help'], io);
    const synopsis = io.stdout.join('\n').split('\n')[0].replace(/^waypoint-policy /, '');
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${command} `))!;
    assert.equal(/^\| `(.*?)` \|/.exec(row)![1].replace(/\\\|/g, '|'), synopsis, command);
  }
});

test('a missing required flag points to the command\'s usage, as other usage errors do', async () => {
  for (const command of ['diff', 'explain']) {
    const io = captureIo();
    assert.equal(await main([command], io), 2);
    assert.match(io.text(), new RegExp(`is required .*Run 'waypoint-policy ${command} --help' for usage\\.$`));
  }
});

test("file names a hook runner appended (pre-commit's pass_filenames) are bad usage that says so, still without quoting them", async () => {
  for (const command of ['synth', 'check', 'validate']) {
    const io = captureIo();
    assert.equal(await main([command, 'policies/main.ts', 'dist/demo/kustomization.yaml'], io), 2);
    assert.match(io.text(), new RegExp(`If a hook runner \\(pre-commit, lint-staged\\) appended the changed files' names, turn that off for ${command}, .*pass_filenames: false\\)\\. Run 'waypoint-policy ${command} --help'`));
    assert.doesNotMatch(io.text(), /main\.ts|kustomization/);
  }
  // A stray argument that does not look like a file gets no such hint.
  const io = captureIo();
  assert.equal(await main(['synth', 'bGVha3k6UzNjcjN0'], io), 2);
  assert.doesNotMatch(io.text(), /hook runner/);
  // Nor one beside a flag whose value is a file name: the hint is about the stray argument.
  const beside = captureIo();
  assert.equal(await main(['synth', '--app', 'policies/main.ts', 'oops'], beside), 2);
  assert.doesNotMatch(beside.text(), /hook runner/);
});
