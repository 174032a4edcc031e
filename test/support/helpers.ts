import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Io } from '../../cli/io';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

const tempDirs: string[] = [];

/** A fresh temp directory, removed when the process exits. */
export function tempDir(prefix = 'wp-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // One exit listener for them all: a listener each made Node print a
  // MaxListenersExceededWarning on stderr in every file using more than ten.
  if (tempDirs.length === 0) {
    process.on('exit', () => {
      for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
    });
  }
  tempDirs.push(dir);
  return dir;
}

export interface CapturedIo extends Io {
  readonly stdout: string[];
  readonly stderr: string[];
  /** Everything printed, both streams. */
  text(): string;
}

/** An Io that records what a command prints, for calling handlers in-process. */
export function captureIo(cwd = REPO_ROOT, env: NodeJS.ProcessEnv = process.env): CapturedIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    cwd,
    env,
    isTTY: false,
    stdout,
    stderr,
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    text: () => [...stdout, ...stderr].join('\n'),
  };
}

/** Write a policy program into `dir` that imports the library by absolute path. */
export function writePolicy(dir: string, body: string, file = 'main.ts'): string {
  const lib = path.join(REPO_ROOT, 'constructs').split(path.sep).join('/');
  const full = path.join(dir, file);
  fs.writeFileSync(full, `import * as wp from '${lib}';\n${body}\n`);
  return full;
}

/**
 * Hand-written manifests of the mesh most manifest tests put a plugin on:
 * waypoint `shop/waypoint`, and Service `shop/cart` (port 8080) bound to it.
 * Followed by `---` and the documents a test adds.
 */
export const SHOP_MESH_YAML = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: waypoint, namespace: shop }
spec: { gatewayClassName: istio-waypoint, listeners: [{ name: mesh, port: 15008, protocol: HBONE }] }
---
apiVersion: v1
kind: Service
metadata: { name: cart, namespace: shop, labels: { istio.io/use-waypoint: waypoint } }
spec: { ports: [{ port: 8080 }] }
---
`;

/** A WasmPlugin manifest in shop on its waypoint, as someone may write it by hand. */
export function handWrittenPlugin(name: string, url: string, pluginConfig: unknown): string {
  return [
    'apiVersion: extensions.istio.io/v1alpha1',
    'kind: WasmPlugin',
    `metadata: { name: ${name}, namespace: shop }`,
    'spec:',
    `  url: ${url}`,
    '  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: waypoint }]',
    `  pluginConfig: ${JSON.stringify(pluginConfig)}`,
    '',
  ].join('\n');
}
