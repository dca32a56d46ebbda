/**
 * The progress of a figure as one pure reduction of the ProgressEvent stream: `reduceProgress(state,
 * event, now)` returns the next state and never touches the old one. The terminal renderer
 * (terminalProgress.ts) and the notebook renderer (src/plots/progressDisplay.ts) only draw it.
 *
 * The ETA is honest from its first figure: none until some run has timed an epoch after its first one
 * (the first includes data loading, model building and the engine's warm-up), then the epochs left
 * over all runs times the measured seconds per epoch, divided by the runs training side by side.
 */
import type { ProgressEvent, RunStatus, ScaleName } from './types';

/** Epoch intervals a run must have timed before its seconds per epoch count towards the ETA. */
export const ETA_MIN_INTERVALS = 1;

export interface RunProgress {
  runId: string;
  label: string;
  /** Epochs of the whole run, and where this session started (a resumed run starts past 0). */
  epochs: number;
  startEpoch: number;
  /** Last finished epoch. */
  epoch: number;
  /** Milliseconds: when this run started here, when it finished its first epoch here, its last. */
  startedAt: number;
  firstEpochAt?: number;
  firstEpoch?: number;
  lastEpochAt?: number;
  trainLoss?: number;
  /** Set when the run ends; `endedAt - startedAt` is this run's own time. */
  status?: RunStatus;
  endedAt?: number;
  error?: string;
}

export interface FigureProgress {
  figure?: string;
  scale?: ScaleName;
  /** Runs of the figure, and how many came from the store at once. */
  runs: number;
  reused: number;
  /** Epochs left to train when the figure started (resumed runs from their checkpoint). */
  epochsToTrain?: number;
  startedAt?: number;
  /** Runs that started here: training now (no status) or ended (with one), in start order. */
  trained: ReadonlyMap<string, RunProgress>;
  /** Runs that ended here or were reused, by outcome; each run counted the moment it ends. */
  ended: Readonly<Partial<Record<RunStatus | 'reused', number>>>;
  /** Runs stopped before they started (Ctrl-C while queued). */
  notStarted: number;
  /** Set by figureEnd: the figure's wall time. */
  seconds?: number;
}

export function initialProgress(): FigureProgress {
  return { runs: 0, reused: 0, trained: new Map(), ended: {}, notStarted: 0 };
}

export function reduceProgress(state: FigureProgress, event: ProgressEvent, now: number): FigureProgress {
  switch (event.type) {
    case 'figureStart':
      return {
        ...initialProgress(),
        figure: event.figure,
        scale: event.scale,
        runs: event.runs,
        reused: event.reused,
        startedAt: now,
        ...(event.epochs === undefined ? {} : { epochsToTrain: event.epochs }),
      };
    case 'runStart': {
      const run: RunProgress = { runId: event.runId, label: event.label, epochs: event.epochs, startEpoch: event.startEpoch, epoch: event.startEpoch, startedAt: now };
      return { ...state, trained: withRun(state.trained, run) };
    }
    case 'epochEnd': {
      const run = state.trained.get(event.runId) ?? { runId: event.runId, label: event.runId, epochs: event.epochs, startEpoch: event.epoch - 1, epoch: event.epoch - 1, startedAt: now };
      const first = run.firstEpochAt === undefined ? { firstEpochAt: now, firstEpoch: event.epoch } : {};
      const next: RunProgress = { ...run, ...first, epoch: event.epoch, epochs: event.epochs, lastEpochAt: now, trainLoss: event.metrics.trainLoss };
      return { ...state, trained: withRun(state.trained, next) };
    }
    case 'runEnd': {
      const ended = { ...state.ended, [event.status]: (state.ended[event.status] ?? 0) + 1 };
      if (event.status === 'reused') return { ...state, ended };
      const run = state.trained.get(event.runId);
      if (run === undefined) {
        // Never started here: stopped while queued, or failed before its first step.
        const notStarted = state.notStarted + (event.status === 'stopped' && event.error === undefined ? 1 : 0);
        const failed: RunProgress = { runId: event.runId, label: event.runId, epochs: 0, startEpoch: 0, epoch: 0, startedAt: now, status: event.status, endedAt: now, ...(event.error === undefined ? {} : { error: event.error }) };
        return { ...state, ended, notStarted, trained: notStarted > state.notStarted ? state.trained : withRun(state.trained, failed) };
      }
      const next: RunProgress = { ...run, status: event.status, endedAt: now, ...(event.error === undefined ? {} : { error: event.error }) };
      return { ...state, ended, trained: withRun(state.trained, next) };
    }
    case 'figureEnd':
      return { ...state, seconds: event.seconds };
  }
}

function withRun(runs: ReadonlyMap<string, RunProgress>, run: RunProgress): Map<string, RunProgress> {
  return new Map(runs).set(run.runId, run);
}

/** Runs training now, in start order. */
export function activeRuns(state: FigureProgress): RunProgress[] {
  return [...state.trained.values()].filter((run) => run.status === undefined);
}

/**
 * Runs finished so far: done, failed (final) or reused, counting reused ones announced at the start.
 * A stopped run is not finished: a rerun resumes it (stoppedCount).
 */
export function finishedRuns(state: FigureProgress): number {
  return (state.ended.done ?? 0) + (state.ended.failed ?? 0) + Math.max(state.ended.reused ?? 0, state.reused);
}

/** Runs stopped here, part-way or before they started (Ctrl-C, or held by another process). */
export function stoppedCount(state: FigureProgress): number {
  return state.ended.stopped ?? 0;
}

/** Seconds per epoch of one run, from the epochs after its first (undefined until it has timed one). */
export function secondsPerEpoch(run: RunProgress): number | undefined {
  if (run.firstEpochAt === undefined || run.lastEpochAt === undefined || run.firstEpoch === undefined) return undefined;
  const intervals = run.epoch - run.firstEpoch;
  return intervals >= ETA_MIN_INTERVALS ? (run.lastEpochAt - run.firstEpochAt) / 1000 / intervals : undefined;
}

/** Seconds this run has taken here: to its end, else to now. */
export function runSeconds(run: RunProgress, now: number): number {
  return ((run.endedAt ?? now) - run.startedAt) / 1000;
}

/** Epochs still to train: the active runs' rest and the queued runs' whole share. */
export function epochsLeft(state: FigureProgress): number | undefined {
  if (state.epochsToTrain === undefined) return undefined;
  let started = 0;
  let left = 0;
  for (const run of state.trained.values()) {
    started += Math.max(0, run.epochs - run.startEpoch);
    if (run.status === undefined) left += Math.max(0, run.epochs - run.epoch);
  }
  const queued = state.notStarted > 0 || state.seconds !== undefined ? 0 : Math.max(0, state.epochsToTrain - started);
  return left + queued;
}

/**
 * Seconds until the figure is done: epochs left x the mean measured seconds per epoch over the runs
 * that have timed one, over the runs training side by side (the pool's width as it is now). Undefined
 * until a run has timed an epoch, so the first ETA shown is already a measured one.
 */
export function etaSeconds(state: FigureProgress): number | undefined {
  const left = epochsLeft(state);
  if (left === undefined || state.seconds !== undefined) return undefined;
  const rates = [...state.trained.values()].map(secondsPerEpoch).filter((rate): rate is number => rate !== undefined);
  if (rates.length === 0) return undefined;
  const perEpoch = rates.reduce((a, b) => a + b, 0) / rates.length;
  const parallel = Math.max(1, activeRuns(state).length);
  return (left * perEpoch) / parallel;
}

/** Runs that stopped part-way, for the message that says where and how to resume. */
export function stoppedRuns(state: FigureProgress): RunProgress[] {
  return [...state.trained.values()].filter((run) => run.status === 'stopped' && run.error === undefined && run.epochs > 0);
}
