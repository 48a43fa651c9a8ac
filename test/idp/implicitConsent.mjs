// Shared by both local identity providers. oidc-provider keeps `offline_access` only with
// prompt=consent, but MSAL-style clients never send a prompt; so each provider's front door
// adds `consent` plus this private marker, and the consent_prompt check below ignores a
// consent prompt that only the marker asked for. A real consent prompt still shows the page.
import { interactionPolicy } from 'oidc-provider';

/** The private authorization parameter only the providers themselves may set. */
export const IMPLICIT_CONSENT = 'x_keyward_implicit_consent';

/** oidc-provider's base interaction policy with the consent_prompt check aware of the marker. */
export function consentPolicy() {
  const policy = interactionPolicy.base();
  const { checks } = policy.get('consent');
  const i = checks.findIndex((c) => c.reason === 'consent_prompt');
  checks[i] = new interactionPolicy.Check(
    'consent_prompt',
    'consent prompt was not resolved',
    'consent_required',
    (ctx) => ctx.oidc.prompts.has('consent') && ctx.oidc.promptPending('consent') && !ctx.oidc.params[IMPLICIT_CONSENT],
  );
  return policy;
}
