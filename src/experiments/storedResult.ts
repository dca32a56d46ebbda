/**
 * The one way a stored run is read back as a RunResult: by the figure runner (reuse), the worker
 * (reuse under the lock), the stored-figure view and the CSV frames. A run is reusable only when it
 * is finished, its metrics hold every epoch its marker records, and it trained on the data installed
 * now; anything else comes back with a typed stop reason saying why.
 */
import { contiguousEpochs } from './metricsFile';
import { describeStopReason, type StopReason, stopStatus } from './stopReason';
import { StoreFormatError } from './storeErrors';
import type { RunDataRecord, StoredRun } from './storedRun';
import type { EpochMetrics, RunConfig, RunResult, Snapshot } from './types';

export interface ReadStoredResultOptions {
  /** Checksums of the data the run would train on now (verifyDataSource); a finished run that recorded others is stale. */
  currentData?: Record<string, string>;
}

/** What the store holds of the run; undefined when it holds no epoch and no end marker. */
export function readStoredResult(run: StoredRun, config: RunConfig, options: ReadStoredResultOptions = {}): RunResult | undefined {
  let metrics: EpochMetrics[] = [];
  try {
    const marker = run.readMarker();
    metrics = run.readMetrics();
    if (marker === undefined && metrics.length === 0) return undefined;
    const snapshots = run.readCheckpointHeader()?.snapshots ?? [];
    if (marker === undefined) return result(run, config, metrics, snapshots, { type: 'unfinished', epochs: metrics.length, of: config.epochs });
    if (contiguousEpochs(metrics) < marker.epochs) {
      const held = new Set(metrics.map((line) => line.epoch).filter((epoch) => epoch >= 1 && epoch <= marker.epochs)).size;
      return result(run, config, metrics, snapshots, { type: 'stale', message: `${run.metricsPath} holds ${held} of the ${marker.epochs} epochs its done marker records` });
    }
    const otherData = options.currentData === undefined ? [] : changedFiles(run.readDataRecord(), options.currentData);
    if (otherData.length > 0) {
      return result(run, config, metrics, snapshots, { type: 'stale', message: `it was trained on other data (${otherData.join(', ')} differ from the files installed now)` });
    }
    if (marker.status === 'done') return result(run, config, metrics, snapshots, undefined);
    return result(run, config, metrics, snapshots, { type: 'diverged', epoch: marker.epochs + 1, message: marker.error ?? `diverged at epoch ${marker.epochs + 1}` });
  } catch (error) {
    if (!(error instanceof StoreFormatError)) throw error;
    return result(run, config, metrics, [], { type: 'damaged', message: error.message });
  }
}

/** Finished and sound: reuse it instead of training (a divergence is final, so it is reused too). */
export function isReusable(result: RunResult): boolean {
  return result.status === 'done' || result.stopReason?.type === 'diverged';
}

/** A run that did not finish here, with the reason: what the store holds of it, never throwing on damage. */
export function unfinishedResult(run: StoredRun, config: RunConfig, reason: StopReason): RunResult {
  let stored: RunResult | undefined;
  try {
    stored = readStoredResult(run, config);
  } catch {
    // An unreadable store must not hide the reason the run stopped; report it without its epochs.
  }
  return result(run, config, stored?.metrics ?? [], stored?.snapshots ?? [], reason);
}

/** Files recorded for the run whose md5 is not the one installed now (a run without a record predates records: kept). */
function changedFiles(record: RunDataRecord | undefined, current: Record<string, string>): string[] {
  if (record === undefined) return [];
  const names = new Set([...Object.keys(record.files), ...Object.keys(current)]);
  return [...names].filter((name) => record.files[name] !== current[name]).sort();
}

function result(run: StoredRun, config: RunConfig, metrics: EpochMetrics[], snapshots: Snapshot[], reason: StopReason | undefined): RunResult {
  const error = reason === undefined ? undefined : describeStopReason(reason);
  const engine = run.readEngineSessions();
  return {
    runId: run.id,
    config,
    status: reason === undefined ? 'done' : stopStatus(reason),
    metrics,
    snapshots,
    ...(reason === undefined ? {} : { stopReason: reason }),
    ...(error === undefined ? {} : { error }),
    ...(engine === undefined ? {} : { engine }),
  };
}
