import { type CacheData, cacheSections, type CacheSection } from './entities.js';
import type { CacheChange } from './tokenCache.js';
import { normalizeEntry } from './validation.js';

/**
 * What one tab tells the others about a change it made (BroadcastChannel). Any page of the
 * origin can post on the channel, so a message is validated exactly as entries read from
 * storage are ({@link parseCacheBroadcast}) before anything of it is applied.
 */
export interface CacheBroadcast {
  v: 2;
  /** False when the change lives only in the sender's memory (its write failed): receivers keep it as an overlay. */
  stored: boolean;
  change: CacheChange;
  /** The version of each sealed record the change writes (`entry|Section|key` → version). */
  revs: Record<string, number>;
  /** The sign-out generation, in the sender, of each account group the change touches, and of each client's part of one (`clientGroupKey`). */
  generations: Record<string, number>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** The message as a {@link CacheBroadcast}, or `undefined` when any part of it is not well formed. */
export function parseCacheBroadcast(data: unknown): CacheBroadcast | undefined {
  if (!isRecord(data) || data.v !== 2 || typeof data.stored !== 'boolean' || !isRecord(data.change) || !isRecord(data.revs) || !isRecord(data.generations))
    return undefined;
  if (!Object.values(data.revs).every(isCount) || !Object.values(data.generations).every(isCount)) return undefined;
  const { set, remove, signOut, retire, expect, ...rest } = data.change;
  if (Object.keys(rest).length || expect !== undefined) return undefined;
  const change: CacheChange = {};
  if (set !== undefined) {
    if (!isRecord(set)) return undefined;
    const sections: CacheChange['set'] = {};
    for (const [section, entries] of Object.entries(set)) {
      if (!cacheSections.includes(section as CacheSection) || !isRecord(entries)) return undefined;
      const valid: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(entries)) {
        const entry = normalizeEntry(section as CacheSection, value);
        if (!entry) return undefined;
        valid[key] = entry;
      }
      (sections as Record<string, unknown>)[section] = valid as CacheData[CacheSection];
    }
    change.set = sections;
  }
  if (remove !== undefined) {
    if (!isRecord(remove)) return undefined;
    for (const [section, keys] of Object.entries(remove)) {
      if (!cacheSections.includes(section as CacheSection) || !Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) return undefined;
    }
    change.remove = remove as CacheChange['remove'];
  }
  if (signOut !== undefined) {
    if (!Array.isArray(signOut) || !signOut.every((group) => typeof group === 'string')) return undefined;
    change.signOut = signOut as string[];
  }
  if (retire !== undefined) {
    if (!Array.isArray(retire) || !retire.every((key) => typeof key === 'string')) return undefined;
    change.retire = retire as string[];
  }
  return { v: 2, stored: data.stored, change, revs: data.revs as Record<string, number>, generations: data.generations as Record<string, number> };
}
