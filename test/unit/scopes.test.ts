import { describe, expect, it } from 'vitest';
import { lookupScopes, requestScopes, targetCovers } from '../../src/protocol/scopes.js';

describe('requestScopes', () => {
  it('appends openid profile offline_access after the caller scopes', () => {
    expect(requestScopes(['User.Read'])).toEqual(['User.Read', 'openid', 'profile', 'offline_access']);
    expect(requestScopes([])).toEqual(['openid', 'profile', 'offline_access']);
  });

  it('drops duplicates case-insensitively, keeping the first spelling and order', () => {
    expect(requestScopes(['User.Read', 'user.read', 'OpenID', 'Mail.Read', 'PROFILE'])).toEqual([
      'User.Read',
      'OpenID',
      'Mail.Read',
      'PROFILE',
      'offline_access',
    ]);
  });

  it('ignores blank scopes and trims', () => {
    expect(requestScopes(['  User.Read ', '', '   '])).toEqual(['User.Read', 'openid', 'profile', 'offline_access']);
  });

  it('removes excluded default scopes (case-insensitive)', () => {
    expect(requestScopes(['User.Read'], ['offline_access'])).toEqual(['User.Read', 'openid', 'profile']);
    expect(requestScopes(['User.Read'], ['Profile', 'OFFLINE_ACCESS'])).toEqual(['User.Read', 'openid']);
  });

  it('never excludes openid', () => {
    expect(requestScopes(['User.Read'], ['openid'])).toEqual(['User.Read', 'openid', 'profile', 'offline_access']);
    expect(requestScopes([], ['OpenId', 'profile', 'offline_access'])).toEqual(['openid']);
  });
});

describe('lookupScopes', () => {
  it('drops OIDC scopes and lower-cases when resource scopes are present', () => {
    expect([...lookupScopes(['openid', 'profile', 'offline_access', 'email', 'User.Read', 'Mail.Read'])]).toEqual(['user.read', 'mail.read']);
  });

  it('keeps OIDC scopes when only OIDC scopes were asked', () => {
    expect([...lookupScopes(['openid', 'Profile', 'email'])]).toEqual(['openid', 'profile', 'email']);
  });
});

describe('targetCovers', () => {
  it('matches regardless of order and case', () => {
    expect(targetCovers('User.Read Mail.Read', lookupScopes(['MAIL.READ', 'user.read']))).toBe(true);
  });

  it('accepts a superset target', () => {
    expect(targetCovers('User.Read Mail.Read Files.Read', lookupScopes(['mail.read']))).toBe(true);
  });

  it('rejects a target that is only a subset of the request', () => {
    expect(targetCovers('User.Read', lookupScopes(['User.Read', 'Mail.Read']))).toBe(false);
  });

  it('ignores OIDC scopes in the request when resource scopes are present', () => {
    expect(targetCovers('User.Read', lookupScopes(['openid', 'profile', 'offline_access', 'User.Read']))).toBe(true);
  });
});
