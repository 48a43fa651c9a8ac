// Its own module: every page checks the name (is this page a sign-in frame?), while the frame code
// itself (iframe.ts) loads with the first hidden-iframe sign-in (flows/ssoSilent.ts, by import()).

/** Names keyward gives its hidden sign-in frames, so a page loaded inside one knows not to redeem the code itself. */
export const frameNamePrefix = 'keyward.frame.';
