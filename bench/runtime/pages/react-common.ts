/**
 * The React cold-start pages (react-*.tsx): each mounts its SDK's own provider and the
 * component its docs suggest for "a token in a component", and records when the token is first
 * committed to the DOM. `window.benchReact` resolves `{ scriptStart, tokenAt }` (performance.now()).
 */
import type { BenchConfig } from './common';

declare global {
  interface Window {
    benchReact: Promise<{ scriptStart: number; tokenAt: number }>;
  }
}

// Taken when the page's module starts running (its imports, React included, are evaluated first,
// as in the non-React pages).
export const scriptStart = performance.now();
let resolveToken: (at: number) => void = () => undefined;
window.benchReact = new Promise<number>((resolve) => {
  resolveToken = resolve;
}).then((tokenAt) => ({ scriptStart, tokenAt }));

/** Called from a layout effect of the component that shows the token: the first commit with it. */
export const tokenCommitted = (): void => resolveToken(performance.now());

export const config = (): BenchConfig => window.__BENCH__;
