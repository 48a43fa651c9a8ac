// The demo API both local providers issue tokens for. MSAL-style clients send resource scopes
// (`api://demo/read`) and never a `resource` parameter, so the default resource is derived
// from the scopes; the grant's resource is reused on refresh; access tokens are JWTs.
import { errors } from 'oidc-provider';

export const API_AUDIENCE = 'api://demo';
export const API_SCOPES = ['api://demo/read', 'api://demo/write'];

/** oidc-provider `features.resourceIndicators` for the demo API. */
export function demoApiResourceIndicators() {
  return {
    enabled: true,
    defaultResource(ctx, _client, oneOf) {
      if (oneOf) return oneOf;
      const scope = String(ctx.oidc.params?.scope ?? '');
      return scope.split(' ').some((s) => s.startsWith(`${API_AUDIENCE}/`)) ? API_AUDIENCE : undefined;
    },
    useGrantedResource: () => true,
    getResourceServerInfo(_ctx, resource) {
      if (resource !== API_AUDIENCE) throw new errors.InvalidTarget();
      return { scope: API_SCOPES.join(' '), audience: API_AUDIENCE, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
    },
  };
}
