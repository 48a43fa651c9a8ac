import { useEffect, useRef } from 'react';
import { useAuthClient } from './authContext.js';
import type { AuthEvent } from '../types.js';

/**
 * Calls `callback` for sign-in, sign-out, tokens acquired, account changes (also from other
 * tabs) and errors. The latest callback is used without re-subscribing.
 */
export function useAuthEvents(callback: (event: AuthEvent) => void): void {
  const client = useAuthClient('useAuthEvents') as { addEventCallback?: (listener: (event: AuthEvent) => void) => () => void };
  const latest = useRef(callback);
  useEffect(() => {
    latest.current = callback;
  });
  useEffect(() => client.addEventCallback?.((event) => latest.current(event)), [client]);
}
