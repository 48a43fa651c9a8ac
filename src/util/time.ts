/** Seconds since the epoch. One place, so every check uses the same clock. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
