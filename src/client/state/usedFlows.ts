import { ClientAuthError, ErrorCode } from '../../errors.js';
import type { AuthCodeFlow } from '../../protocol/authCodeFlow.js';
import { nowSeconds } from '../../util/time.js';

/**
 * How long a started authorization-code flow may be finished: an hour. A person signing in
 * (MFA, a forgotten password) needs minutes; an older flow is refused with `flow_expired`,
 * which lets {@link UsedFlows} forget used flows after that long instead of growing for ever.
 */
export const flowLifetimeSeconds = 60 * 60;

/**
 * The flows of one client that were already redeemed (a flow's verifier and nonce are
 * single-use, RFC 9700 4.2.4). Keyed by keyward's own random `flowId`, never by `state`:
 * an app may pass the same `state` to many flows (a return path, a CSRF token of the
 * session), and on a server one user's `state` must not block the next user's sign-in.
 */
export class UsedFlows {
  readonly #used = new Map<string, number>();

  /** Throws unless `flow` may still be redeemed; then marks it used. */
  claim(flow: AuthCodeFlow): void {
    const now = nowSeconds();
    if (typeof flow.createdAt === 'number' && now - flow.createdAt > flowLifetimeSeconds) {
      throw new ClientAuthError(ErrorCode.flowExpired, `This sign-in was started more than ${flowLifetimeSeconds / 60} minutes ago; start a new one.`);
    }
    const id = flow.flowId ?? `state:${flow.state}`; // flows saved by keyward before flowId existed
    if (this.#used.has(id)) {
      throw new ClientAuthError(ErrorCode.flowAlreadyUsed, 'This authorization flow was already used. Codes are single-use; start a new sign-in.');
    }
    this.#forgetExpired(now);
    this.#used.set(id, typeof flow.createdAt === 'number' ? flow.createdAt : now);
  }

  #forgetExpired(now: number): void {
    // Insertion order is roughly creation order: stop at the first flow still alive.
    for (const [id, createdAt] of this.#used) {
      if (now - createdAt <= flowLifetimeSeconds) break;
      this.#used.delete(id);
    }
  }
}
