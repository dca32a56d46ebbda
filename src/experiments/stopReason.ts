/**
 * Why a run did not end 'done', as a typed union the edges match on (exit codes, the summary, retries)
 * instead of parsing error text. `status` follows from it: a stop the next run resumes is 'stopped',
 * one that would end the same way again (or needs a fix first) is 'failed'.
 */
import type { RunStatus } from './types';

export type StopReason =
  /** Aborted (Ctrl-C, a signal, the caller, a stopping pool): resumes from its checkpoint. */
  | { type: 'interrupted'; message?: string }
  /** Another process holds the run's lock: retry later. */
  | { type: 'locked'; message: string }
  /** The store holds some epochs and no end marker (training elsewhere, or waiting to resume). */
  | { type: 'unfinished'; epochs: number; of: number }
  /** Stored as finished but not reusable (metrics lost, other data): the next run trains it again. */
  | { type: 'stale'; message: string }
  /** A non-finite loss at `epoch`: final, rerunning diverges the same way. */
  | { type: 'diverged'; epoch: number; message: string }
  /** A store file is damaged; the message names it and the fix. */
  | { type: 'damaged'; message: string }
  /** Anything else (bad data, a crash): the message says what. */
  | { type: 'failed'; message: string };

export function stopStatus(reason: StopReason): Exclude<RunStatus, 'done'> {
  switch (reason.type) {
    case 'interrupted':
    case 'locked':
    case 'unfinished':
    case 'stale':
      return 'stopped';
    case 'diverged':
    case 'damaged':
    case 'failed':
      return 'failed';
  }
}

/** The one line a summary or caption shows. */
export function describeStopReason(reason: StopReason): string | undefined {
  switch (reason.type) {
    case 'interrupted':
      return reason.message;
    case 'unfinished':
      return `unfinished: ${reason.epochs} of ${reason.of} epochs stored`;
    case 'locked':
      return `RunLockedError: ${reason.message}`;
    case 'damaged':
      return `StoreFormatError: ${reason.message}`;
    case 'stale':
    case 'diverged':
    case 'failed':
      return reason.message;
  }
}

/** An error thrown while running one run, as its stop reason (by name: worker errors arrive as name + message). */
export function stopReasonOfError(error: { name: string; message: string }): StopReason {
  switch (error.name) {
    case 'RunLockedError':
      return { type: 'locked', message: error.message };
    case 'WorkerStoppedError':
      return { type: 'interrupted', message: `${error.name}: ${error.message}` };
    case 'StoreFormatError':
      return { type: 'damaged', message: error.message };
    default:
      return { type: 'failed', message: `${error.name}: ${error.message}` };
  }
}
