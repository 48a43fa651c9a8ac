import { localStorageOrUndefined } from '../../util/storage.js';

/**
 * The `session_state` of each account's last authorization response (OpenID Connect Session
 * Management 1.0 section 2), kept only when `monitorSession` is on, for the session monitor
 * (client/flows/sessionMonitor.ts). In localStorage, per client: the provider has one session per browser,
 * so every tab watches the same value. It is not a credential (the provider's check_session
 * iframe only answers "changed" or "unchanged" for it), and it is removed with the account.
 */
const keyFor = (clientId: string): string => `keyward.session.${clientId}`;

const storage = localStorageOrUndefined;

function readAll(clientId: string): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(storage()?.getItem(keyFor(clientId)) ?? '{}');
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function writeAll(clientId: string, states: Record<string, string>): void {
  try {
    if (Object.keys(states).length === 0) storage()?.removeItem(keyFor(clientId));
    else storage()?.setItem(keyFor(clientId), JSON.stringify(states));
  } catch {
    // Full or disabled storage: the account is then simply not monitored.
  }
}

/** The storage key the monitor listens to (`storage` events from other tabs). */
export const sessionStateKey = keyFor;

/** `group` is the account's {@link accountGroup}. */
export function saveSessionState(clientId: string, group: string, sessionState: string): void {
  writeAll(clientId, { ...readAll(clientId), [group]: sessionState });
}

export function readSessionState(clientId: string, group: string): string | undefined {
  const value = readAll(clientId)[group];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function dropSessionState(clientId: string, group: string): void {
  const states = readAll(clientId);
  if (!(group in states)) return;
  delete states[group];
  writeAll(clientId, states);
}
