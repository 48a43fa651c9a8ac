import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect } from 'storybook/test';
import { BrowserError, ErrorCode } from '../src/index.js';
import type { TestClientOptions } from '../src/testing/index.js';
import { SignInCard } from './examples/SignInCard.js';
import { clientOf, testClientLoader, withAuthProvider } from './withTestClient.js';

/** `useAuth`, `useAccount`, `<Authenticated>` and `<Unauthenticated>` over `createTestClient` states. */
const meta = {
  title: 'keyward/SignInCard',
  component: SignInCard,
  loaders: [testClientLoader],
  decorators: [withAuthProvider],
} satisfies Meta<typeof SignInCard>;
export default meta;

type Story = StoryObj<typeof meta>;
const keyward = (options: TestClientOptions) => ({ keyward: options });

export const SignedOut: Story = {
  parameters: keyward({}),
  play: async ({ canvas }) => {
    await expect(await canvas.findByRole('button', { name: 'Sign in' })).toBeEnabled();
    await expect(canvas.getByText('You are not signed in.')).toBeVisible();
    await expect(canvas.queryByRole('button', { name: 'Sign out' })).toBeNull();
  },
};

export const Initializing: Story = {
  parameters: keyward({ accounts: [{ username: 'ann.lee@contoso.test' }], initializeDelayMs: 1500 }),
  play: async ({ canvas }) => {
    await expect(canvas.getByText('Checking your session…')).toBeVisible();
    await expect(canvas.queryByRole('button')).toBeNull();
    // …then the cached account shows up.
    await expect(await canvas.findByText('Ann Lee', {}, { timeout: 5000 })).toBeVisible();
  },
};

export const SignedIn: Story = {
  parameters: keyward({ accounts: [{ username: 'ann.lee@contoso.test' }] }),
  play: async (context) => {
    const { canvas, userEvent } = context;
    await expect(await canvas.findByText('Ann Lee')).toBeVisible();
    await expect(canvas.getByText('ann.lee@contoso.test')).toBeVisible();
    await userEvent.click(canvas.getByRole('button', { name: 'Sign out' }));
    await expect(await canvas.findByRole('button', { name: 'Sign in' })).toBeVisible();
    await expect(clientOf(context).calls.at(-1)).toMatchObject({
      method: 'logout',
      args: [{ interaction: 'none', account: { username: 'ann.lee@contoso.test' } }],
    });
  },
};

export const SignInWithPopup: Story = {
  parameters: keyward({ signInAs: { username: 'bo@contoso.test', name: 'Bo Berg' }, tokenDelayMs: 600 }),
  play: async (context) => {
    const { canvas, userEvent } = context;
    await userEvent.click(await canvas.findByRole('button', { name: 'Sign in' }));
    await expect(canvas.getByRole('button', { name: 'Signing in…' })).toBeDisabled();
    await expect(await canvas.findByText('Bo Berg', {}, { timeout: 5000 })).toBeVisible();
    await expect(clientOf(context).calls).toContainEqual({ method: 'acquireTokenInteractive', args: [{ interaction: 'popup', scopes: ['User.Read'] }] });
  },
};

export const PopupBlocked: Story = {
  parameters: keyward({
    failures: { interactive: new BrowserError(ErrorCode.popupWindowError, 'The browser blocked the sign-in popup.') },
  }),
  play: async ({ canvas, userEvent }) => {
    await userEvent.click(await canvas.findByRole('button', { name: 'Sign in' }));
    const alert = await canvas.findByRole('alert');
    await expect(alert).toHaveTextContent('Your browser blocked the sign-in window. Allow pop-ups for this site and try again.');
    await expect(alert).toHaveAttribute('data-error-code', 'popup_window_error');
    await expect(canvas.getByRole('button', { name: 'Sign in' })).toBeEnabled(); // free to try again
  },
};
