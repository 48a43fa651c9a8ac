import type { AccountInfo, AuthenticationResult, AuthEvent } from '../../types.js';


/** A tiny typed emitter; listeners that throw do not stop the others. */
export class AuthEvents {
  readonly #listeners = new Set<(event: AuthEvent) => void>();

  on(listener: (event: AuthEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: AuthEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's bug must not break sign-in.
      }
    }
  }
}
