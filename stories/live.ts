/**
 * What the live story needs from whoever runs it. Under Vitest, `.storybook/vitest.setup.ts`
 * provides it (a local provider started for the run, and a hand on its sign-in page); in the
 * Storybook UI there is none and a person signs in against the `npm start` provider.
 */
export interface LiveHarness {
  provider(): Promise<{ authority: string; clientId: string; redirectUri: string }>;
  completeSignIn(login: string): Promise<void>;
  tokenRequests(): Promise<Array<{ grant_type: string; status: number }>>;
}

export function liveHarness(): LiveHarness | undefined {
  return (globalThis as { __keywardLiveHarness?: LiveHarness }).__keywardLiveHarness;
}

/** The provider the Storybook UI signs in against: `npm start`'s, unless the env says otherwise. */
export function uiProvider(): { authority: string; clientId: string; redirectUri: string } {
  const env = (import.meta as { env?: Record<string, string | undefined> }).env ?? {};
  return {
    authority: env.STORYBOOK_KEYWARD_AUTHORITY ?? 'http://127.0.0.1:4000',
    clientId: env.STORYBOOK_KEYWARD_CLIENT_ID ?? 'spa',
    redirectUri: `${location.origin}/__keyward/live-redirect`,
  };
}
