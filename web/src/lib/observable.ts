// State a component follows without the page re-rendering: a turn of a chat, a workflow run. Only
// changes of state (an id, a step, the end) notify; streamed text goes straight to its element.

export class Observable<State> {
  private listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  update(patch: Partial<State>): void {
    Object.assign(this, patch);
    for (const listener of this.listeners) listener();
  }
}
