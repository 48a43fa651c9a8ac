// Setup file of the unit, browser and e2e projects: the error-serialization sweep (see errorSweep.ts).
import { afterEach } from 'vitest';
import { installErrorSink, leakingErrors, observeFetch, resetSweep } from './errorSweep.js';

installErrorSink();
observeFetch();

afterEach(() => {
  const leaks = leakingErrors();
  resetSweep();
  if (leaks.length > 0) {
    const report = leaks.map(
      ({ error, values }) =>
        `${error.name} ${(error as { errorCode?: string }).errorCode ?? ''}: holds ${values.length} secret/claim value(s), e.g. "${values[0]!.slice(0, 12)}…"`,
    );
    throw new Error(`Error-serialization sweep: ${leaks.length} error(s) carry secret or claim values of this run:\n${report.join('\n')}`);
  }
});
