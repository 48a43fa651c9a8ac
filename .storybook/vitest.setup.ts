// Runs before the stories when they run as Vitest tests (not in the Storybook UI): hands the
// live story a local identity provider and a way to sign in on its cross-origin page, through
// the browser commands in test/storybook/liveCommands.ts.
import { commands } from 'vitest/browser';
import type { LiveHarness } from '../stories/live.js';

declare module 'vitest/browser' {
  interface BrowserCommands {
    keywardLiveIdp(origin: string): Promise<{ authority: string; clientId: string; redirectUri: string }>;
    keywardCompleteSignIn(login: string): Promise<{ tokenRequests: number }>;
    keywardLiveTokenRequests(): Promise<Array<{ grant_type: string; status: number }>>;
  }
}

const harness: LiveHarness = {
  provider: () => commands.keywardLiveIdp(location.origin),
  completeSignIn: (login) => commands.keywardCompleteSignIn(login).then(() => undefined),
  tokenRequests: () => commands.keywardLiveTokenRequests(),
};
(globalThis as { __keywardLiveHarness?: LiveHarness }).__keywardLiveHarness = harness;
