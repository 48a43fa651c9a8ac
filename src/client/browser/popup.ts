import { BrowserError, ErrorCode } from '../../errors.js';

/** Names keyward gives its popups, so a page loaded inside one knows not to redeem the code itself. */
export const popupNamePrefix = 'keyward.popup.';

/** What a popup is for, so its errors name the right thing (a sign-out popup is not a sign-in). */
export type PopupPurpose = 'sign-in' | 'sign-out';

/**
 * Opens the popup synchronously (before any await), so it stays inside the click's
 * transient user activation; the URL is set once it is known.
 */
export function openPopup(name: string, purpose: PopupPurpose): Window {
  const width = 483;
  const height = 600;
  const left = Math.max(0, (window.screenX ?? 0) + ((window.outerWidth ?? width) - width) / 2);
  const top = Math.max(0, (window.screenY ?? 0) + ((window.outerHeight ?? height) - height) / 2);
  let popup: Window | null = null;
  try {
    popup = window.open('about:blank', `${popupNamePrefix}${name}`, `width=${width},height=${height},left=${left},top=${top},popup=yes`);
  } catch {
    popup = null;
  }
  if (!popup) {
    throw new BrowserError(
      ErrorCode.popupWindowError,
      `The browser blocked the ${purpose} popup. Call ${purpose === 'sign-in' ? 'acquireTokenInteractive' : 'logout'} from a click handler, allow popups for this site, or use interaction: "redirect".`,
    );
  }
  return popup;
}
