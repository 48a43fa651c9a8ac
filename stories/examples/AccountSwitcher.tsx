import { useAuth } from '../../src/react/index.js';

const box = { fontFamily: 'system-ui, sans-serif', width: 320, padding: 20, border: '1px solid #d0d7de', borderRadius: 8 } as const;

/** Lists the signed-in accounts and makes the chosen one active (`useAuth().setActiveAccount`). */
export function AccountSwitcher() {
  const { accounts, activeAccount, setActiveAccount } = useAuth();
  if (accounts.length === 0) return <p style={box}>Nobody is signed in.</p>;
  return (
    <fieldset style={box}>
      <legend>Account</legend>
      {accounts.map((account) => (
        <label key={account.homeAccountId} style={{ display: 'block', padding: '4px 0' }}>
          <input type="radio" name="account" checked={account.homeAccountId === activeAccount?.homeAccountId} onChange={() => setActiveAccount(account)} />{' '}
          {account.name} <small style={{ color: '#57606a' }}>{account.username}</small>
        </label>
      ))}
      <p style={{ marginBottom: 0 }} data-testid="active">
        Active: {activeAccount?.username}
      </p>
    </fieldset>
  );
}
