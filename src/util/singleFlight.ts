/**
 * Shares one in-flight call per key: callers arriving while it runs get the same promise;
 * once it settles the next caller starts a new one. A failure is not remembered.
 */
export class SingleFlight<T> {
  readonly #pending = new Map<string, Promise<T>>();

  run(key: string, start: () => Promise<T>): Promise<T> {
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = start().finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return pending;
  }
}
