import type { Decorator, Meta, StoryObj } from '@storybook/react-vite';
import { expect } from 'storybook/test';
import { PublicClientApplication } from '../src/index.js';
import { SerializableTokenCache } from '../src/cache/index.js';
import { AuthProvider } from '../src/react/index.js';
import { LiveSignIn } from './examples/LiveSignIn.js';
import { liveHarness, uiProvider } from './live.js';

/**
 * The real `PublicClientApplication` signing in with a popup against a real identity
 * provider. As a test (npm test) the provider is a local oidc-provider started for the run
 * and the sign-in page is filled in by the harness; in the Storybook UI it is the `npm start`
 * provider (or `STORYBOOK_KEYWARD_AUTHORITY`) and you sign in yourself (any name, any password).
 */
async function liveClientLoader(): Promise<{ client: PublicClientApplication; authority: string }> {
  const provider = await (liveHarness()?.provider() ?? Promise.resolve(uiProvider()));
  const client = new PublicClientApplication({
    clientId: provider.clientId,
    oidcAuthority: provider.authority,
    redirectUri: provider.redirectUri,
    // In memory: every render of the story starts signed out.
    tokenCache: new SerializableTokenCache(),
  });
  return { client, authority: provider.authority };
}

const withLiveClient: Decorator = (Story, { loaded }) => (
  <AuthProvider client={loaded.client as PublicClientApplication}>
    <Story />
  </AuthProvider>
);

const meta = {
  title: 'keyward/Live (local provider)',
  component: LiveSignIn,
  loaders: [liveClientLoader],
  decorators: [withLiveClient],
  render: (_args, { loaded }) => <LiveSignIn authority={loaded.authority as string} />,
} satisfies Meta<typeof LiveSignIn>;
export default meta;

type Story = StoryObj<typeof meta>;

export const SignInWithPopup: Story = {
  args: { authority: '' },
  play: async ({ canvas, userEvent }) => {
    const harness = liveHarness();
    if (!harness) return; // Storybook UI: a person signs in.
    await userEvent.click(await canvas.findByRole('button', { name: 'Sign in' }));
    await harness.completeSignIn('story.user');
    await expect(await canvas.findByTestId('who', {}, { timeout: 15_000 })).toHaveTextContent('story.user');
    await expect(await canvas.findByTestId('api-token', {}, { timeout: 10_000 })).toHaveTextContent('api://demo/read');
    // One code redemption at the real provider, and it succeeded.
    const requests = await harness.tokenRequests();
    await expect(requests.filter((request) => request.grant_type === 'authorization_code')).toEqual([{ grant_type: 'authorization_code', status: 200 }]);

    await userEvent.click(canvas.getByRole('button', { name: 'Sign out' }));
    await expect(await canvas.findByRole('button', { name: 'Sign in' })).toBeEnabled();
  },
};
