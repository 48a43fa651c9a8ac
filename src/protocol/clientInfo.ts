import { base64url } from 'jose';

/** Entra's `client_info`: base64url JSON `{uid, utid}` (docs/protocol.md A4). */
export interface ClientInfo {
  uid: string;
  utid: string;
}

/** Parses `client_info`; a malformed value yields `undefined`, never an exception (docs/protocol.md check 24). */
export function parseClientInfo(value: string | undefined): ClientInfo | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(base64url.decode(value))) as Partial<ClientInfo>;
    if (typeof parsed.uid === 'string' && parsed.uid && typeof parsed.utid === 'string' && parsed.utid) {
      return { uid: parsed.uid, utid: parsed.utid };
    }
  } catch {
    // Fall through: accounts then key on `sub`.
  }
  return undefined;
}
