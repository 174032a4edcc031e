/**
 * Caches that live for one analysis run. The model's objects outlive the run
 * (render, the PR diff and the simulator read them), so a plain WeakMap keyed
 * by them would keep every schema issue list and plugin view alive through
 * render, when a large synth needs its memory most.
 */
const caches: RunCache<object, unknown>[] = [];

export class RunCache<K extends object, V> {
  private map = new WeakMap<K, V>();

  constructor() {
    caches.push(this as unknown as RunCache<object, unknown>);
  }

  public get(key: K): V | undefined {
    return this.map.get(key);
  }

  public set(key: K, value: V): void {
    this.map.set(key, value);
  }

  public clear(): void {
    this.map = new WeakMap();
  }
}

/** Drop what every run cache holds (`analyze` calls it when it is done). */
export function endAnalysisRun(): void {
  for (const c of caches) c.clear();
}
