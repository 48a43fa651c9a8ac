import { version } from 'react';
import { version as serverVersion } from 'react-dom/server';
import { expect, test } from 'vitest';

test('the react18-ssr project really renders with React 18', () => {
  expect(version).toMatch(/^18\./);
  expect(serverVersion).toMatch(/^18\./);
});
