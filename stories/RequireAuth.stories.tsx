import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent } from 'storybook/test';
import { BrowserError, ErrorCode } from '../src/index.js';
import type { TestClientOptions } from '../src/testing/index.js';
import { ProtectedPage } from './examples/ProtectedPage.js';
import { clientOf, testClientLoader, withAuthProvider } from './withTestClient.js';

/** `<RequireAuth>`: signs in when nobody is (once, even in StrictMode), with loading and error states. */
const meta = {
  title: 'keyward/RequireAuth',
  component: ProtectedPage,
  loaders: [testClientLoader],
  decorators: [withAuthProvider],
} satisfies Meta<typeof ProtectedPage>;
export default meta;

type Story = StoryObj<typeof meta>;
const keyward = (options: TestClientOptions) => ({ keyward: options });
const interactiveCalls = (context: { loaded: Record<string, unknown> }) => clientOf(context).calls.filter((call) => call.method === 'acquireTokenInteractive');

export const SignsInThenRenders: Story = {
  parameters: keyward({ signInAs: { username: 'ann.lee@contoso.test', name: 'Ann Lee' }, tokenDelayMs: 400 }),
  play: async (context) => {
    const { canvas } = context;
    await expect(await canvas.findByText('Signing you in…')).toBeVisible();
    await expect(await canvas.findByText('Welcome, Ann Lee.', {}, { timeout: 5000 })).toBeVisible();
    await expect(interactiveCalls(context)).toEqual([{ method: 'acquireTokenInteractive', args: [{ scopes: ['User.Read'], interaction: 'popup' }] }]);
  },
};

export const Loading: Story = {
  // The popup is left open: RequireAuth keeps showing `loading`.
  parameters: keyward({ interaction: 'never' }),
  play: async (context) => {
    await expect(await context.canvas.findByText('Signing you in…')).toBeVisible();
    await expect(context.canvas.queryByText(/Welcome/)).toBeNull();
    await expect(interactiveCalls(context)).toHaveLength(1);
  },
};

// biome-ignore lint/suspicious/noShadowRestrictedNames: the export name is the story's name and id ("Error"); module scope only.
export const Error: Story = {
  parameters: keyward({ failures: { interactive: new BrowserError(ErrorCode.userCancelled, 'The sign-in popup was closed before sign-in finished.') } }),
  play: async (context) => {
    const alert = await context.canvas.findByRole('alert');
    await expect(alert).toHaveAttribute('data-error-code', 'user_cancelled');
    await expect(alert).toHaveTextContent('We could not sign you in: The sign-in popup was closed before sign-in finished.');
    await expect(interactiveCalls(context)).toHaveLength(1); // no retry loop
    // "Try again" starts one more sign-in (a click, so a popup would get through).
    await userEvent.click(context.canvas.getByRole('button', { name: 'Try again' }));
    await expect(await context.canvas.findByRole('alert')).toBeVisible();
    await expect(interactiveCalls(context)).toHaveLength(2);
  },
};

/** No `error` given: RequireAuth's plain default error, with its retry button. */
export const DefaultError: Story = {
  args: { defaultError: true },
  parameters: keyward({ failures: { interactive: new BrowserError(ErrorCode.popupWindowError, 'The browser blocked the sign-in popup.') } }),
  play: async (context) => {
    const alert = await context.canvas.findByRole('alert');
    await expect(alert).toHaveAttribute('data-keyward-error', 'popup_window_error');
    await expect(alert).toHaveTextContent('Sign-in failed: The browser blocked the sign-in popup.');
    await userEvent.click(context.canvas.getByRole('button', { name: 'Try again' }));
    await expect(await context.canvas.findByRole('alert')).toBeVisible();
    await expect(interactiveCalls(context)).toHaveLength(2);
  },
};

/** While the client initializes nobody can tell who is signed in: `loading`, no sign-in yet. */
export const Initializing: Story = {
  parameters: keyward({ initializeDelayMs: Number.POSITIVE_INFINITY }),
  play: async (context) => {
    await expect(await context.canvas.findByText('Signing you in…')).toBeVisible();
    await expect(interactiveCalls(context)).toHaveLength(0);
  },
};

export const AlreadySignedIn: Story = {
  parameters: keyward({ accounts: [{ username: 'bo@fabrikam.test', name: 'Bo Berg' }] }),
  play: async (context) => {
    await expect(await context.canvas.findByText('Welcome, Bo Berg.')).toBeVisible();
    await expect(interactiveCalls(context)).toHaveLength(0);
  },
};
