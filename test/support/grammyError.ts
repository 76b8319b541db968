import { GrammyError } from 'grammy';

/** Runs `promise` expecting a GrammyError (the emulator's error answer, as grammy reads it) and returns it. */
export async function grammyError(promise: Promise<unknown>): Promise<GrammyError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GrammyError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}
