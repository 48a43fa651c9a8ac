/**
 * A listener set (TanStack Query's `Subscribable`): `subscribe` returns the unsubscribe
 * function, and subclasses hear when the first listener arrives and the last one leaves.
 * Every listener set in keyward is one of these.
 *
 * `subscribe` is an arrow property so it can be handed to `useSyncExternalStore` unbound.
 */
export class Subscribable<TListener extends (...args: never[]) => void = () => void> {
  protected readonly listeners = new Set<TListener>();

  subscribe = (listener: TListener): (() => void) => {
    this.listeners.add(listener);
    this.onSubscribe();
    return () => {
      if (this.listeners.delete(listener)) this.onUnsubscribe();
    };
  };

  hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  /** Calls every listener; a listener added or removed meanwhile does not disturb the round. */
  notify(...args: Parameters<TListener>): void {
    for (const listener of [...this.listeners]) listener(...args);
  }

  protected onSubscribe(): void {}

  protected onUnsubscribe(): void {}
}
