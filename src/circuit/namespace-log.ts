/**
 * bellperson's namespaces at no cost to synthesis: pushes and pops down to `maxDepth` are logged with the
 * constraint / aux / input counts at that moment, so per-namespace statistics can be computed afterwards
 * (digest.ts, which compares them with the oracle's). Deeper namespaces only move a depth counter.
 */

export interface NamespaceEvent {
  /** Path id (into `paths`) on push; -1 on pop. */
  readonly path: number;
  readonly constraints: number;
  readonly aux: number;
  readonly inputs: number;
}

/** The counts an event records. */
export interface NamespaceCounts {
  readonly numConstraints: number;
  readonly numAux: number;
  readonly numInputs: number;
}

export class NamespaceLog {
  /** Namespace paths deeper than this are not recorded. */
  readonly maxDepth: number;
  readonly paths: string[] = [];
  readonly events: NamespaceEvent[] = [];
  private readonly stack: string[] = [];
  private readonly pathIndex = new Map<string, number>();
  private current = 0;

  constructor(maxDepth: number) {
    this.maxDepth = maxDepth;
  }

  get depth(): number {
    return this.current;
  }

  /** bellperson's push_namespace; the name is `name` followed by `index` when given. */
  push(name: string, index: number | undefined, at: NamespaceCounts): void {
    this.current++;
    if (this.current > this.maxDepth) return;
    const full = index === undefined ? name : name + index;
    this.stack.push(full);
    const path = this.stack.join('/');
    let id = this.pathIndex.get(path);
    if (id === undefined) {
      id = this.paths.length;
      this.paths.push(path);
      this.pathIndex.set(path, id);
    }
    this.events.push({
      path: id,
      constraints: at.numConstraints,
      aux: at.numAux,
      inputs: at.numInputs,
    });
  }

  pop(at: NamespaceCounts): void {
    if (this.current <= this.maxDepth) {
      this.stack.pop();
      this.events.push({ path: -1, constraints: at.numConstraints, aux: at.numAux, inputs: at.numInputs });
    }
    this.current--;
  }
}
