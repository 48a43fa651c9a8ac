import type { AccountEntity, CacheData } from './entities.js';
import { accountGroup, accountKey } from './keys.js';
import { credentialHolders } from './queries.js';
import { normalizeEntry } from './validation.js';
import { localStorageOrUndefined } from '../util/storage.js';

/**
 * A clear copy of the cache's Account entities in localStorage, so a new page knows who is
 * signed in synchronously, before IndexedDB has even opened (docs/architecture.md, `cache/`). Opening IndexedDB and its first transaction is most of a cold start (a profile of
 * `bench/runtime/profile-coldstart.mjs` put 93–99% of "script start → accounts known" there);
 * localStorage is read synchronously.
 *
 * It holds only what the Account records in IndexedDB already hold in clear (MSAL's Account
 * entity: ids, environment, realm, username, name, authority type), and for each account the
 * client ids holding a credential for it (what a token entry says in clear, `client_id`), so
 * that two apps of one provider on one origin each list only their own accounts before the
 * load as after it (`accountOwnedBy`); no token, no id_token claims. It is a hint for the moment before the cache loads: once loaded, IndexedDB is the
 * truth and the index is rewritten from it. Every entry is validated as an entry read from
 * IndexedDB is; an unreadable index is ignored.
 */
export class AccountIndex {
  readonly #slot: string;
  #written: string | undefined;

  constructor(databaseName: string) {
    this.#slot = `keyward.accounts.${databaseName}`;
  }

  /**
   * The accounts last written by any tab of this origin; `[]` without localStorage or with an
   * unreadable index. With `clientId`, only those that client holds a credential for, or that
   * no client does (an index written before it recorded client ids lists every account).
   */
  read(clientId?: string): AccountEntity[] {
    const text = storage()?.getItem(this.#slot);
    if (!text) return [];
    try {
      const parsed = JSON.parse(text) as { v?: unknown; accounts?: unknown; clients?: unknown };
      if (parsed.v !== 1 || !Array.isArray(parsed.accounts)) return [];
      const clients = typeof parsed.clients === 'object' && parsed.clients !== null ? (parsed.clients as Record<string, unknown>) : {};
      return parsed.accounts.flatMap((value) => {
        const entry = normalizeEntry('Account', value);
        if (!entry) return [];
        const holders = clients[holderKey(entry)];
        const owned = clientId === undefined || !Array.isArray(holders) || holders.length === 0 || holders.includes(clientId);
        return owned ? [entry] : [];
      });
    } catch {
      return [];
    }
  }

  /** Writes the accounts of `data` and who holds them (skipped when unchanged); a full or refusing localStorage only loses the hint. */
  write(data: Readonly<CacheData>): void {
    const entries = Object.values(data.Account).sort((a, b) => (accountKey(a) < accountKey(b) ? -1 : 1));
    const clients: Record<string, string[]> = {};
    for (const entry of entries) clients[holderKey(entry)] ??= [...credentialHolders(data, entry.home_account_id, entry.environment)].sort();
    const text = JSON.stringify({ v: 1, accounts: entries.map(clearFields), clients });
    if (text === this.#written) return;
    try {
      const store = storage();
      if (!store) return;
      if (entries.length) store.setItem(this.#slot, text);
      else store.removeItem(this.#slot);
      this.#written = text;
    } catch {
      // QuotaExceededError or SecurityError: the next page just waits for IndexedDB.
    }
  }
}

/** Only the Account entity's own fields (an entity from a newer MSAL may carry more): nothing else is copied to clear storage. */
function clearFields(account: AccountEntity): AccountEntity {
  const out: AccountEntity = {
    home_account_id: account.home_account_id,
    environment: account.environment,
    realm: account.realm,
    local_account_id: account.local_account_id,
    username: account.username,
    authority_type: account.authority_type,
  };
  if (account.name !== undefined) out.name = account.name;
  return out;
}

/** One holder list per account group (its tenant profiles share their credentials' owners). */
const holderKey = (account: AccountEntity): string => accountGroup(account.home_account_id, account.environment);

const storage = localStorageOrUndefined;
