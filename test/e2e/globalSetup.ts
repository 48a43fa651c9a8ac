import { buildApp } from './harness/buildApp';

// Once per Vitest run: every e2e file serves the same built page.
export default async function setup(): Promise<void> {
  await buildApp();
}
