import type { AccountInfo, AuthenticationResult } from '../token/results.js';

/** Something that happened to a client's auth state (for logging, analytics, UI reactions). */
export type AuthEvent =
  | { type: 'signIn'; result: AuthenticationResult }
  | { type: 'signOut'; account: AccountInfo | null }
  | { type: 'tokenAcquired'; result: AuthenticationResult }
  | { type: 'accountsChanged'; accounts: readonly AccountInfo[] }
  | { type: 'error'; operation: 'signIn' | 'signOut' | 'acquireToken' | 'initialize'; error: unknown };

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
