import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect } from 'storybook/test';
import { AccountSwitcher } from './examples/AccountSwitcher.js';
import { clientOf, testClientLoader, withAuthProvider } from './withTestClient.js';

/** Several signed-in accounts; the switcher calls `useAuth().setActiveAccount`. */
const meta = {
  title: 'keyward/AccountSwitcher',
  component: AccountSwitcher,
  loaders: [testClientLoader],
  decorators: [withAuthProvider],
} satisfies Meta<typeof AccountSwitcher>;
export default meta;

type Story = StoryObj<typeof meta>;

export const SeveralAccounts: Story = {
  parameters: {
    keyward: { accounts: [{ username: 'ann.lee@contoso.test' }, { username: 'bo@fabrikam.test', name: 'Bo Berg' }, { username: 'cy@contoso.test' }] },
  },
  play: async (context) => {
    const { canvas, userEvent } = context;
    await expect(await canvas.findByRole('radio', { name: /Ann Lee/ })).toBeChecked(); // the first account, until one is chosen
    await expect(canvas.getAllByRole('radio')).toHaveLength(3);

    await userEvent.click(canvas.getByRole('radio', { name: /Bo Berg/ }));
    await expect(canvas.getByRole('radio', { name: /Bo Berg/ })).toBeChecked();
    await expect(canvas.getByTestId('active')).toHaveTextContent('Active: bo@fabrikam.test');
    const client = clientOf(context);
    await expect(client.getSnapshot().activeAccount?.username).toBe('bo@fabrikam.test');
    await expect(client.calls).toContainEqual({ method: 'setActiveAccount', args: [expect.objectContaining({ username: 'bo@fabrikam.test' })] });
  },
};

export const NobodySignedIn: Story = {
  parameters: { keyward: {} },
  play: async ({ canvas }) => {
    await expect(await canvas.findByText('Nobody is signed in.')).toBeVisible();
  },
};
