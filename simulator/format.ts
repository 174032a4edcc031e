import type { SimulationResult, TraceEntry } from './trace';

/** The machine form `explain --json` prints: exactly the status and the trace. */
export function toJsonResult(r: SimulationResult): { status: number | null; trace: TraceEntry[] } {
  return { status: r.status, trace: r.trace.map((e) => ({ ...e })) };
}

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 401: 'Unauthorized', 403: 'Forbidden', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** The outcome in one line, e.g. `401 Unauthorized (WWW-Authenticate: Basic realm=istio; empty body)`. */
export function formatStatus(r: SimulationResult): string {
  if (r.status === null) return `unknown (${r.reason})`;
  const headers = Object.entries(r.headers).map(([k, v]) => `${k.replace(/(^|-)([a-z])/g, (_m, s: string, c: string) => s + c.toUpperCase()).replace(/^Www-/, 'WWW-')}: ${v}`);
  // Tied plugins would answer with other headers: these are one of theirs, which the line must not present as certain.
  const extras = [...headers, ...(r.body === '' ? ['empty body'] : []), ...(r.uncertain ? ['or a tied plugin\'s headers and body: see the trace'] : [])];
  return `${r.status}${STATUS_TEXT[r.status] ? ` ${STATUS_TEXT[r.status]}` : ''}${extras.length ? ` (${extras.join('; ')})` : ''}`;
}

/** A readable explanation: one numbered line per trace entry, then the result. */
export function formatResult(r: SimulationResult): string {
  const width = String(r.trace.length).length;
  const lines = r.trace.map((e, i) => {
    const where = [e.proxy && `[${e.proxy}]`, e.object, e.decision && `=> ${e.decision}`].filter(Boolean).join(' ');
    return `${String(i + 1).padStart(width)}. ${e.step}${where ? ` ${where}` : ''}: ${e.detail}`;
  });
  const path = r.hops.length > 0 ? r.hops.map((h) => `${h.kind} ${h.namespace}/${h.name}`).join(' -> ') : 'no proxy (ztunnel only)';
  return [...lines, '', `proxies: ${path}`, `result: ${formatStatus(r)}`].join('\n');
}
