// Server rendering: an app under <AuthProvider> renders in Node, where there is no window.
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { AuthProvider, Authenticated, Unauthenticated, useAuth } from '../../src/react/index.js';

function Status() {
  const { status, accounts } = useAuth();
  return (
    <p>
      status={status} accounts={accounts.length}
    </p>
  );
}

describe('server rendering', () => {
  it('renders an app under <AuthProvider> with no window, in the initializing state', () => {
    expect(typeof window).toBe('undefined');
    const html = renderToString(
      <AuthProvider config={{ clientId: 'spa', oidcAuthority: 'http://127.0.0.1:4000' }}>
        <Status />
        <Authenticated>secret area</Authenticated>
        <Unauthenticated>please sign in</Unauthenticated>
        <Unauthenticated loading="checking your session">please sign in (slot)</Unauthenticated>
      </AuthProvider>,
    );
    expect(html).toContain('status=<!-- -->initializing');
    // Nobody can tell on the server whether someone is signed in: neither guard renders its
    // children, so a signed-in person never sees the sign-in UI flash before hydration settles.
    expect(html).not.toContain('please sign in');
    expect(html).toContain('checking your session');
    expect(html).not.toContain('secret area');
  });

  it('a hook outside <AuthProvider> throws a clear error', () => {
    expect(() => renderToString(<Status />)).toThrow(/useAuth must be used inside <AuthProvider>/);
  });
});
