import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, waitFor } from 'storybook/test';
import { BrowserError, ErrorCode, InteractionRequiredError, NetworkError } from '../src/index.js';
import type { TestClientOptions } from '../src/testing/index.js';
import { OrdersPanel } from './examples/OrdersPanel.js';
import { clientOf, testClientLoader, withAuthProvider } from './withTestClient.js';

/** `useToken` in each of its states, over `createTestClient`. */
const meta = {
  title: 'keyward/useToken',
  component: OrdersPanel,
  loaders: [testClientLoader],
  decorators: [withAuthProvider],
} satisfies Meta<typeof OrdersPanel>;
export default meta;

type Story = StoryObj<typeof meta>;
const ann = { username: 'ann.lee@contoso.test' };
const ordersToken = 'eyJhbGciOiJSUzI1NiJ9.orders-read-token-for-ann.signature';
const keyward = (options: TestClientOptions) => ({ keyward: options });

export const Loading: Story = {
  parameters: keyward({ accounts: [ann], tokens: { 'api://orders/read': ordersToken }, tokenDelayMs: Infinity }),
  play: async ({ canvas, canvasElement }) => {
    await expect(await canvas.findByText('Getting a token for the orders API…')).toBeVisible();
    await expect(canvasElement.querySelector('section[aria-busy="true"]')).not.toBeNull();
    await expect(canvas.queryByTestId('token')).toBeNull();
  },
};

export const Success: Story = {
  parameters: keyward({ accounts: [ann], tokens: { 'api://orders/read': ordersToken } }),
  play: async (context) => {
    const { canvas } = context;
    await expect(await canvas.findByTestId('token')).toHaveTextContent(`Token ready: ${ordersToken.slice(0, 12)}… (${ordersToken.length} characters)`);
    await expect(canvas.getByText(/from cache/)).toBeVisible();
    // StrictMode mounts twice; the panel still asked once.
    const silentCalls = clientOf(context).calls.filter((call) => call.method === 'acquireTokenSilent');
    await expect(silentCalls).toHaveLength(1);
    await expect(silentCalls[0]?.args[0]).toEqual(['api://orders/read']);
  },
};

// biome-ignore lint/suspicious/noShadowRestrictedNames: the export name is the story's name and id ("Error"); module scope only.
export const Error: Story = {
  parameters: keyward({
    accounts: [ann],
    failures: { silent: new NetworkError(ErrorCode.networkError, 'The identity provider could not be reached. Check the connection and try again.') },
  }),
  play: async (context) => {
    const { canvas, userEvent } = context;
    const alert = await canvas.findByRole('alert');
    await expect(alert).toHaveAttribute('data-error-code', 'network_error');
    await expect(alert).toHaveTextContent('The identity provider could not be reached.');
    const before = clientOf(context).calls.length;
    await userEvent.click(canvas.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(clientOf(context).calls.length).toBe(before + 1));
    await expect(clientOf(context).calls.at(-1)?.method).toBe('acquireTokenSilent');
  },
};

export const InteractionRequired: Story = {
  parameters: keyward({
    accounts: [ann],
    tokens: { 'api://orders/read': ordersToken },
    signInAs: ann,
    failures: { silent: new InteractionRequiredError(ErrorCode.interactionRequired, 'The refresh token expired: sign in again.') },
  }),
  play: async (context) => {
    const { canvas, userEvent } = context;
    const status = await canvas.findByRole('status');
    await expect(status).toHaveTextContent('Your session needs you to sign in again.');
    await expect(status).toHaveAttribute('data-error-code', 'interaction_required');
    await userEvent.click(canvas.getByRole('button', { name: 'Continue' }));
    await expect(await canvas.findByTestId('token')).toHaveTextContent('Token ready');
    await expect(canvas.getByText(/from the provider/)).toBeVisible();
    await expect(clientOf(context).calls).toContainEqual({
      method: 'acquireTokenInteractive',
      args: [{ scopes: ['api://orders/read'], interaction: 'popup' }],
    });
  },
};

export const InteractionRequiredPopupBlocked: Story = {
  parameters: keyward({
    accounts: [ann],
    failures: {
      silent: new InteractionRequiredError(ErrorCode.interactionRequired, 'The refresh token expired: sign in again.'),
      interactive: new BrowserError(ErrorCode.popupWindowError, 'The browser blocked the sign-in popup.'),
    },
  }),
  play: async ({ canvas, userEvent }) => {
    await userEvent.click(await canvas.findByRole('button', { name: 'Continue' }));
    await expect(await canvas.findByRole('alert')).toHaveAttribute('data-error-code', 'popup_window_error');
  },
};

export const NobodySignedIn: Story = {
  parameters: keyward({}),
  play: async (context) => {
    const status = await context.canvas.findByRole('status');
    await expect(status).toHaveAttribute('data-error-code', 'no_account');
    // Nothing to ask the core for without an account.
    await expect(clientOf(context).calls.filter((call) => call.method === 'acquireTokenSilent')).toHaveLength(0);
  },
};

// What Entra sends when a Conditional Access authentication context is required
// (learn.microsoft.com/entra/identity-platform/claims-challenge): the claims JSON, base64.
const stepUpClaims = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}';
const challengeHeader = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${btoa(stepUpClaims)}"`;

/** An API that asks for step-up once, then answers. */
function ordersApiDemandingStepUpOnce(): (token: string) => Promise<Response> {
  let asked = false;
  return async () => {
    if (asked) return new Response('[]', { status: 200, statusText: 'OK' });
    asked = true;
    return new Response(null, { status: 401, statusText: 'Unauthorized', headers: { 'WWW-Authenticate': challengeHeader } });
  };
}

export const ClaimsChallenge: Story = {
  args: { callApi: ordersApiDemandingStepUpOnce() },
  parameters: keyward({
    accounts: [ann],
    tokens: { 'api://orders/read': ordersToken },
    signInAs: ann,
    // As Entra: the refresh token cannot satisfy a step-up; the person has to.
    failures: {
      silent: (_scopes, _account, options) =>
        options?.claimsChallenge ? new InteractionRequiredError(ErrorCode.interactionRequired, 'Step-up authentication is required.') : undefined,
    },
  }),
  play: async (context) => {
    const { canvas, userEvent } = context;
    await userEvent.click(await canvas.findByRole('button', { name: 'Call the orders API' }));
    await expect(await canvas.findByRole('status')).toHaveTextContent('The orders API needs you to verify it’s you again.');
    // The panel asked silently with the decoded challenge before asking the person.
    await expect(clientOf(context).calls).toContainEqual({
      method: 'acquireTokenSilent',
      args: [['api://orders/read'], expect.objectContaining({ username: ann.username }), { claimsChallenge: stepUpClaims }],
    });

    await userEvent.click(canvas.getByRole('button', { name: 'Continue' }));
    await expect(await canvas.findByTestId('claims')).toBeVisible();
    await expect(clientOf(context).calls).toContainEqual({
      method: 'acquireTokenInteractive',
      args: [{ scopes: ['api://orders/read'], interaction: 'popup', claimsChallenge: stepUpClaims }],
    });

    await userEvent.click(canvas.getByRole('button', { name: 'Call the orders API' }));
    await expect(await canvas.findByTestId('api-answer')).toHaveTextContent('Orders API answered 200 OK');
  },
};
