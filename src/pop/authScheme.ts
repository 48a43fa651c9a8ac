/**
 * How an access token is bound. `bearer` (the default) is a plain token. `pop` is MSAL's
 * AT-PoP (`PopAuthScheme`, Entra): the result's `accessToken` is a Signed HTTP Request for
 * `method` + `url`. `dpop` is RFC 9449: the token is bound to a key, and with `method` + `url`
 * the result also carries a `dpopProof` for that resource request.
 */
export type AuthScheme =
  | { type: 'bearer' }
  | { type: 'pop'; method: string; url: string; nonce?: string; claims?: Record<string, unknown> }
  | { type: 'dpop'; method?: string; url?: string; nonce?: string };

export type AuthSchemeType = AuthScheme['type'];
