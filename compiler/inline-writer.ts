/**
 * The writer that creates each file as it is added, on the caller's thread:
 * the default, as a writer thread costs more to start than a small tree
 * costs to write.
 */
import { phaseProgress } from './progress';
import { checkLiveTree, commitStaging, dropStaging, Staging } from './staging';
import { core, StagingTree } from './tree-files';
import type { TreeWriter, TreeWriterOptions, WriteResult } from './tree-writer-types';

export class InlineWriter implements TreeWriter {
  private tree?: StagingTree;
  // Started with the first file, so the phase is reported once there is one to write.
  private progress?: ReturnType<typeof phaseProgress>;
  private readonly added = new Set<string>();

  constructor(
    private readonly s: Staging,
    private readonly options: TreeWriterOptions,
  ) {}

  private staging(): StagingTree {
    return (this.tree ??= new core.StagingTree(this.s.abs, this.s.staging, this.options.checkReplaced !== undefined));
  }

  public add(rel: string, content: string): void {
    this.progress ??= phaseProgress('write', this.options.expected);
    this.staging().add(rel, content);
    this.added.add(rel);
    this.progress.item();
  }

  public commit(): WriteResult {
    this.progress ??= phaseProgress('write', this.options.expected);
    const tree = this.staging();
    const live = checkLiveTree(this.s, this.options.checkReplaced, this.added, tree.foreign);
    const leftBehind = commitStaging(this.s, tree.written, live);
    this.progress.end();
    return { written: tree.written, unchanged: tree.kept, removed: live.removed, ...(leftBehind && { leftBehind }) };
  }

  public abort(): void {
    dropStaging(this.s);
  }
}
