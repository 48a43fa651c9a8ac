import type { Decorator } from '@storybook/react-vite';
import { AuthProvider } from '../src/react/index.js';
import { createTestClient, type TestClient, type TestClientOptions } from '../src/testing/index.js';

/**
 * Each story describes its auth state as `parameters: { keyward: TestClientOptions }`; the
 * loader makes a fresh test client from it for every render, so stories never share state.
 */
export function testClientLoader({ parameters }: { parameters: Record<string, unknown> }): { client: TestClient } {
  return { client: createTestClient(parameters.keyward as TestClientOptions | undefined) };
}

/** Wraps the story in `<AuthProvider>` with the loader's client (StrictMode comes from `.storybook/preview.ts`). */
export const withAuthProvider: Decorator = (Story, { loaded }) => (
  <AuthProvider client={loaded.client as TestClient}>
    <Story />
  </AuthProvider>
);

/** The story's test client, for `play` functions that assert on `calls`. */
export function clientOf(context: { loaded: Record<string, unknown> }): TestClient {
  return context.loaded.client as TestClient;
}
