import type { AuthEvent } from '../../types.js';
import { Subscribable } from '../../util/subscribable.js';

/** A client's event stream (`addEventCallback`); a listener that throws does not stop the others. */
export class AuthEvents extends Subscribable<(event: AuthEvent) => void> {
  on(listener: (event: AuthEvent) => void): () => void {
    return this.subscribe((event) => {
      try {
        listener(event);
      } catch {
        // A listener's bug must not break sign-in.
      }
    });
  }

  emit(event: AuthEvent): void {
    this.notify(event);
  }
}
