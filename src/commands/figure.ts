import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { figurePlots } from '../draw';
import { initEngine } from '../engine/index';
import { formatWeight } from '../experiments/expand';
import { getFigure } from '../experiments/figures';
import { ResultStore } from '../experiments/resultStore';
import { defaultWorkers, runFigure, selectRuns } from '../experiments/runFigure';
import { SIGNAL_EXIT_CODES, isLaunchedByNpm, stopNotice, watchStopSignals } from '../experiments/stopSignals';
import { terminalProgress } from '../experiments/terminalProgress';
import { ANNOUNCE_SECONDS, estimateTraining } from '../experiments/trainingEstimate';
import { readSettings, sharedHelp } from '../options';
import { parseCommandLine } from '../commandLine';
import { standaloneHtml } from '../plots/html';
import { resultSeedsNote } from '../plots/bands';
import { REPO_ROOT } from '../paths';
import { formatDuration } from '../progressBar';
import { UsageError } from '../usageError';

const HELP = `Usage: iwlab figure <figure-id> [options]

Trains (or reuses from the result store) every run of one figure and writes the figure as a standalone
HTML file, plotly.js inlined, no Jupyter needed. With k seeds (--seeds k) it draws their mean with a 95%
t-interval band. Ctrl-C or SIGTERM stops cleanly (rerun to resume).

${sharedHelp('quick')}
  --out file     the HTML file (default: <repo>/reports/figures/<figure>-<scale>.html)
  --retrain      forget stored results of the figure's runs and train them afresh

Exit codes: 0 every run done; 130/143 stopped by SIGINT/SIGTERM; 2 a bad flag or setting; 1 otherwise.`;

const OWN_OPTIONS = {
  out: { type: 'string' },
  retrain: { type: 'boolean', default: false },
} as const;

export async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandLine(args, OWN_OPTIONS, '`iwlab figure --help`');
  if (values.help) return console.log(HELP);
  const [id, ...extra] = positionals;
  if (id === undefined) throw new UsageError('Name a figure: iwlab figure <figure-id> (iwlab figure --help).');
  if (extra.length > 0) throw new UsageError(`Unexpected argument '${extra[0]}': name one figure, and options after it (iwlab figure --help).`);
  const spec = getFigure(id);
  const settings = readSettings(values, { defaultScale: 'quick' });
  const { scale, seeds, workers } = settings;
  const store = new ResultStore(settings.resultsDir);

  const started = performance.now();
  const backend = (await initEngine(settings.backend === undefined ? {} : { requested: settings.backend })).backend; // the plots evaluate small models here too
  const estimate = estimateTraining(selectRuns(spec, scale, undefined, seeds), store, { backend, workers: workers ?? defaultWorkers(backend), retrain: values.retrain });
  if (estimate.seconds !== undefined && estimate.seconds > ANNOUNCE_SECONDS) {
    console.error(`${spec.id}: ${estimate.runs} run${estimate.runs === 1 ? '' : 's'} to train, expected to take about ${formatDuration(estimate.seconds)} on ${estimate.workers} workers (${estimate.source}). Ctrl-C stops cleanly; rerunning resumes.`);
  }
  const progress = terminalProgress();
  const stop = watchStopSignals({ quitOnSecond: true, watchParent: isLaunchedByNpm(), onStop: (signal, isParentGone) => progress.note(stopNotice(signal, isParentGone)) });
  try {
    const result = await runFigure(spec, {
      scale,
      ...(seeds === undefined ? {} : { seeds }),
      store,
      dataDir: settings.dataDir,
      retrain: values.retrain,
      ...(workers === undefined ? {} : { workers }),
      backend,
      signal: stop.signal,
      stopOnSigint: false,
      onProgress: progress,
    });
    const failed = result.runs.filter((run) => run.status !== 'done');
    const out = path.resolve(values.out ?? path.join(REPO_ROOT, 'reports', 'figures', `${spec.id}-${scale}.html`));
    mkdirSync(path.dirname(out), { recursive: true });
    const notes = failed.map((run) => `Run ${run.config.variant}, weight ${formatWeight(run.config.classWeight)}, seed ${run.config.seed}: ${run.status}${run.error ? ` (${run.error})` : ''}`);
    writeFileSync(out, standaloneHtml(figurePlots(result), { title: `${spec.title} (${scale} scale, ${resultSeedsNote(result)})`, notes: [spec.description, ...notes].join('\n\n') }));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${spec.id} at ${scale} scale: ${result.runs.length - failed.length}/${result.runs.length} runs done in ${seconds} s (results in ${store.root}) -> ${out}`);
    if (failed.length > 0) process.exitCode = stop.stoppedBy === undefined ? 1 : SIGNAL_EXIT_CODES[stop.stoppedBy];
  } finally {
    stop.dispose();
  }
}
