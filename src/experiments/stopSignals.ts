/**
 * The one owner of SIGINT and SIGTERM in an iwlab process. Whoever needs to stop on a signal (a
 * command, runFigure in a notebook) subscribes here and gets an AbortSignal; the process listeners are
 * installed once, for all of them.
 *
 * Why one owner: a Ctrl-C reaches the process more than once. The terminal sends SIGINT to the whole
 * foreground process group, and a launcher in that group (npm 11, the `tsx` binary) relays its own copy
 * to its child a few milliseconds later. With two listeners each counting presses, that second copy read
 * as "Ctrl-C twice: quit at once", and the run ended with no summary and its lock files left behind.
 * Here a repeat of the same signal within DUPLICATE_MS is the same press.
 *
 * A launcher can also die without passing a signal on: SIGTERM to `npx iwlab` kills npm's `sh -c`, and
 * the trainer, orphaned, went on in the background holding its locks. A subscriber that asks for it
 * (`watchParent`) therefore treats its parent process going away as a SIGTERM.
 */

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Exit statuses of a process stopped by a signal (128 + its number), as a shell reports them. */
export const SIGNAL_EXIT_CODES: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

/** Two deliveries of one signal closer than this are one press (the terminal's and a launcher's copy). */
export const DUPLICATE_MS = 1000;

/** How often the parent watchdog looks at process.ppid. */
const PARENT_POLL_MS = 500;

export interface StopWatchOptions {
  /** Which signals stop this subscriber (default both). runFigure in a notebook takes SIGINT only. */
  signals?: readonly StopSignal[];
  /** A second, separate signal quits the process at once (the CLI). Default: only if nothing else listens. */
  quitOnSecond?: boolean;
  /** Treat the parent process exiting (an orphaned child of npm/npx) as SIGTERM. */
  watchParent?: boolean;
  /** Called once, on the first stop, with the signal and whether it was the parent going away. */
  onStop?: (signal: StopSignal, isParentGone: boolean) => void;
}

export interface StopWatch {
  /** Aborted on the first stop signal. */
  readonly signal: AbortSignal;
  /** The signal that stopped it, if any. */
  readonly stoppedBy: StopSignal | undefined;
  /** Unsubscribes; the process listeners go when the last subscriber does. */
  dispose(): void;
}

interface Subscriber {
  options: StopWatchOptions;
  controller: AbortController;
  stoppedBy: StopSignal | undefined;
}

const subscribers = new Set<Subscriber>();
const lastDelivery: Partial<Record<StopSignal, number>> = {};
let isStopping = false;
let parentTimer: ReturnType<typeof setInterval> | undefined;
let listening: StopSignal[] = [];

function deliver(signal: StopSignal, isParentGone: boolean): void {
  const time = Date.now();
  const last = lastDelivery[signal];
  lastDelivery[signal] = time;
  if (last !== undefined && time - last < DUPLICATE_MS) return; // the same press, relayed
  const targets = [...subscribers].filter((subscriber) => (subscriber.options.signals ?? ['SIGINT', 'SIGTERM']).includes(signal));
  if (isStopping || targets.every((subscriber) => subscriber.controller.signal.aborted)) {
    const wantsQuit = targets.some((subscriber) => subscriber.options.quitOnSecond === true);
    // Only ours listens: act as Node's default would (a notebook kernel has its own SIGINT listener).
    const isAlone = process.listenerCount(signal) === 1;
    if (wantsQuit || isAlone) process.exit(SIGNAL_EXIT_CODES[signal]);
    return;
  }
  isStopping = true;
  for (const subscriber of targets) {
    if (subscriber.controller.signal.aborted) continue;
    subscriber.stoppedBy = signal;
    subscriber.controller.abort();
    subscriber.options.onStop?.(signal, isParentGone);
  }
}

const onSigint = () => deliver('SIGINT', false);
const onSigterm = () => deliver('SIGTERM', false);

function sync(): void {
  const wanted = new Set<StopSignal>();
  for (const subscriber of subscribers) for (const signal of subscriber.options.signals ?? ['SIGINT', 'SIGTERM']) wanted.add(signal);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const handler = signal === 'SIGINT' ? onSigint : onSigterm;
    const isOn = listening.includes(signal);
    if (wanted.has(signal) && !isOn) process.on(signal, handler);
    if (!wanted.has(signal) && isOn) process.off(signal, handler);
  }
  listening = [...wanted];
  const watchParent = [...subscribers].some((subscriber) => subscriber.options.watchParent === true);
  if (watchParent && parentTimer === undefined) {
    const parent = process.ppid;
    parentTimer = setInterval(() => {
      if (process.ppid !== parent) deliver('SIGTERM', true);
    }, PARENT_POLL_MS);
    parentTimer.unref(); // never what keeps the process alive
  } else if (!watchParent && parentTimer !== undefined) {
    clearInterval(parentTimer);
    parentTimer = undefined;
  }
  if (subscribers.size === 0) isStopping = false;
}

/** Subscribes to the stop signals; dispose() when the work it guards is over. */
export function watchStopSignals(options: StopWatchOptions = {}): StopWatch {
  const subscriber: Subscriber = { options, controller: new AbortController(), stoppedBy: undefined };
  subscribers.add(subscriber);
  sync();
  return {
    signal: subscriber.controller.signal,
    get stoppedBy() {
      return subscriber.stoppedBy;
    },
    dispose() {
      if (subscribers.delete(subscriber)) sync();
    },
  };
}

/**
 * npm sets npm_command for `npm run` and `npm exec` (so npx): its `sh -c` may die on a SIGTERM without
 * passing it on, so a process it launched watches for its parent going away.
 */
export function isLaunchedByNpm(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.npm_command !== undefined;
}

/** What a stop says, as a command prints it above its progress block. */
export function stopNotice(signal: StopSignal, isParentGone: boolean): string {
  const what = isParentGone ? 'the process that started iwlab (npm or npx) exited' : signal;
  return `${what}: stopping; each run finishes its current step and keeps its epochs (rerun to resume).${isParentGone ? '' : ' Again to quit at once.'}`;
}
