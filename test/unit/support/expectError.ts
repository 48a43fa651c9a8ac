import { expect } from 'vitest';
import type { KeywardError } from '../../../src/errors.js';

type ErrorClass = abstract new (...args: never[]) => KeywardError;

/** Runs `fn`, asserting it throws an instance of `type` with `errorCode`; returns the error for further checks. */
export function expectThrows<T extends ErrorClass>(fn: () => unknown, type: T, errorCode: string): InstanceType<T> {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  return check(caught, type, errorCode);
}

/** As {@link expectThrows}, for a promise. */
export async function expectRejects<T extends ErrorClass>(promise: Promise<unknown>, type: T, errorCode: string): Promise<InstanceType<T>> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  return check(caught, type, errorCode);
}

function check<T extends ErrorClass>(caught: unknown, type: T, errorCode: string): InstanceType<T> {
  expect(caught, `expected ${type.name} "${errorCode}"`).toBeInstanceOf(type);
  expect((caught as KeywardError).errorCode).toBe(errorCode);
  return caught as InstanceType<T>;
}
