/**
 * Honest progress in JupyterLab 4, in headless Chromium (issue #14): a figure trained in a cell with
 * `notebookProgress()` counts each run as it finishes (not only at the end), shows each active run's
 * own time, gives an ETA that is sensible from its first estimate, and an interrupted cell says
 * "stopped at epoch N of M; run the cell again to resume" instead of a stack trace.
 *
 * The notebook is test/fixtures/notebooks/progress.ipynb: toy-gaussian at the quick scale (12 runs)
 * into an empty result store ($IWLAB_RESULTS, a temp folder), so every run trains. Needs the Jupyter
 * of `npm run jupyter:install` (or $JUPYTER) and Chromium, as frontends.browser.ts does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/lib/kernelClient';
import { BENIGN_PAGE_ERRORS, launchChromium, runAllCells, screenshot } from './browser';
import { startJupyter } from './jupyterServer';

const NOTEBOOK = path.join(REPO_ROOT, 'test', 'fixtures', 'notebooks', 'progress.ipynb');
const NAME = path.basename(NOTEBOOK);
/** The kernel compiles src/ with tslab's TypeScript before the cell starts training. */
const FIRST_RUN_TIMEOUT_MS = 300000;
/** This job takes well under a minute on one core; an ETA above this is not an estimate of it. */
const SENSIBLE_ETA_S = 600;
/** Same as frontends.browser.ts: errors the front end throws whatever the kernel does. */

/** One look at the progress display while the figure trains. */
interface Sample {
  at: number;
  text: string;
  finished: number;
  runs: number;
  /** Seconds since the figure started, as the headline says. */
  elapsed?: number;
  /** Seconds, when the headline shows a measured ETA. */
  eta?: number;
  etaText?: string;
  /** Each active run's own time in seconds, from its row. */
  runTimes: number[];
}

/** formatDuration's output back to seconds: 4.2s, 17s, 1m05s, 2h03m. */
function parseDuration(text: string): number | undefined {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:([\d.]+)s)?$/.exec(text);
  if (match === null || text === '') return undefined;
  const [, hours, minutes, seconds] = match;
  return Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
}

function parseSample(text: string, at: number): Sample | undefined {
  const headline = /^(.*?): (\d+)\/(\d+) runs finished(.*)$/m.exec(text);
  if (headline === null) return undefined;
  const rest = headline[4] ?? '';
  const elapsed = /, ([\d.]+) s(,|$)/.exec(rest);
  const eta = /ETA (\d\S*)/.exec(rest); // not "ETA after the first epochs"
  // A row: "<label> ... epoch 312/1000 <its own time>[, <per epoch>/epoch] ..." (a table row or plain text).
  const runTimes = [...text.matchAll(/epoch \d+\/\d+\s+(\S+?)(?:,|\s|$)/g)].map((row) => parseDuration(row[1] ?? '')).filter((value): value is number => value !== undefined);
  return {
    at,
    text,
    finished: Number(headline[2]),
    runs: Number(headline[3]),
    ...(elapsed === null ? {} : { elapsed: Number(elapsed[1]) }),
    ...(eta === null ? {} : { etaText: eta[1]!, eta: parseDuration(eta[1]!) ?? Number.NaN }),
    runTimes,
  };
}

/** Stack-trace lines and tslab's interrupt error in a text. */
function traceLines(text: string): string[] {
  const trace = /^\s*at \S.*(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$|\b\w*Error:|Interrupted asynchronously|UnhandledPromiseRejection/;
  return text.split('\n').filter((line) => trace.test(line));
}

test('JupyterLab shows honest progress: runs counted as each finishes, each run its own time, a sensible ETA, and an interrupt that says where it stopped', async () => {
  const results = mkdtempSync(path.join(tmpdir(), 'iwlab-progress-results-'));
  const server = await startJupyter('lab', { ...process.env, IWLAB_RESULTS: results });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => {
    if (!BENIGN_PAGE_ERRORS.test(String(error))) pageErrors.push(String(error));
  });
  const samples: Sample[] = [];
  try {
    copyFileSync(NOTEBOOK, path.join(server.rootDir, NAME));
    await page.goto(`${server.baseUrl}/lab/tree/${encodeURIComponent(NAME)}?token=${server.token}`);
    await page.waitForSelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', { timeout: 120000 });
    await page.waitForTimeout(1000);
    await runAllCells(page);

    // Watch the display until the count has risen at least twice before the end, with an ETA shown.
    const output = page.locator('.jp-CodeCell').first().locator('.jp-OutputArea');
    const started = Date.now();
    let isReady = false;
    while (!isReady) {
      if (Date.now() - started > FIRST_RUN_TIMEOUT_MS) assert.fail(`no progress worth interrupting within ${FIRST_RUN_TIMEOUT_MS / 1000} s; last seen:\n${samples.at(-1)?.text ?? '(no progress display)'}`);
      const text = (await output.count()) > 0 ? await output.innerText({ timeout: 5000 }).catch(() => '') : '';
      const sample = parseSample(text, Date.now() - started);
      if (sample !== undefined) {
        samples.push(sample);
        assert.ok(sample.finished < sample.runs, `the figure finished before the test could interrupt it (make it longer):\n${text}`);
        const counts = new Set(samples.map((s) => s.finished).filter((count) => count > 0));
        isReady = counts.size >= 2 && samples.some((s) => s.eta !== undefined) && sample.runTimes.length > 0;
      }
      await page.waitForTimeout(250);
    }
    const live = await screenshot(page, 'progress-training');

    // Counted as each finishes: the count rose during training, and never fell.
    const counts = samples.map((s) => s.finished);
    assert.ok(counts.every((count, index) => index === 0 || count >= counts[index - 1]!), `the finished count fell: ${counts.join(' ')}`);
    assert.ok(new Set(counts.filter((count) => count > 0)).size >= 2, `finished counts seen: ${counts.join(' ')}`);

    // An ETA only once measured, and sensible from its first value on: minutes at most, never hours.
    const etas = samples.filter((s) => s.etaText !== undefined);
    const first = etas[0]!;
    for (const s of etas) {
      assert.ok(Number.isFinite(s.eta) && s.eta! > 0 && s.eta! < SENSIBLE_ETA_S, `ETA ${s.etaText} at ${s.at} ms (first ${first.etaText}) is not a sensible estimate of this job (screenshot ${live}):\n${s.text}`);
    }

    // Each row's time is that run's own: once runs have finished, the active ones started after the
    // figure did, so some row's time is below the figure's elapsed time.
    const late = samples.filter((s) => s.finished >= 2 && s.elapsed !== undefined && s.runTimes.length > 0);
    assert.ok(late.length > 0, 'no sample with finished runs, an elapsed time and active rows');
    assert.ok(
      late.some((s) => Math.min(...s.runTimes) < s.elapsed! - 0.5),
      `every row shows the figure's time, not its run's: ${late.map((s) => `${s.elapsed} s vs ${s.runTimes.join(', ')}`).join('; ')}`,
    );

    // Kernel > Interrupt Kernel while runs are training.
    await page.getByRole('menuitem', { name: 'Kernel', exact: true }).click({ timeout: 10000 });
    await page.getByRole('menuitem', { name: /^Interrupt Kernel/ }).click({ timeout: 10000 });
    await page.waitForFunction(
      `[...document.querySelectorAll('.jp-CodeCell .jp-OutputArea')].some((area) => /stopped at epoch/.test(area.innerText || ''))`,
      undefined,
      { timeout: 120000, polling: 250 },
    );
    // The cell has ended (an execution count, not "[*]"), and the display has had its last update.
    await page.waitForFunction(`/\\[\\d+\\]/.test(document.querySelector('.jp-CodeCell .jp-InputPrompt')?.textContent || '')`, undefined, { timeout: 60000, polling: 250 });
    await page.waitForTimeout(1500);
    const stopped = await output.innerText();
    const shot = await screenshot(page, 'progress-interrupted');
    assert.match(stopped, /stopped at epochs? \d+(, \d+)* of \d+; run the cell again to resume/, `the interrupted cell (screenshot ${shot}):\n${stopped}`);
    assert.match(stopped, /run the cell again to resume/);
    assert.deepEqual(traceLines(stopped), [], `the interrupted cell shows a stack trace (screenshot ${shot}):\n${stopped}`);
    assert.deepEqual(pageErrors, [], `the page threw (screenshot ${shot})`);
    const last = samples.at(-1)!;
    const lastEta = etas.at(-1)!;
    // For the log: how far the first ETA was from where the last one says the figure will end.
    const projected = lastEta.elapsed === undefined || first.elapsed === undefined ? '?' : `${(lastEta.elapsed + lastEta.eta! - first.elapsed).toFixed(1)} s`;
    console.log(
      `# progress: finished counts ${[...new Set(counts)].join(' -> ')} of ${last.runs} while training; ETAs ${[...new Set(etas.map((s) => s.etaText))].join(', ')} ` +
        `(first ${first.etaText} at ${first.elapsed} s; the last ETA puts the end ${projected} after that); ` +
        `after the interrupt: ${stopped.split('\n')[0]}; screenshots ${live}, ${shot}`,
    );
  } catch (error) {
    await screenshot(page, 'progress-failed').catch(() => undefined);
    const seen = samples.map((s) => `${s.at} ms: ${s.text.split('\n')[0]}`).slice(-15).join('\n');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- headlines seen (last 15) ---\n${seen}\n--- jupyter lab log (tail) ---\n${server.log().slice(-3000)}`);
  } finally {
    await page.close();
    await browser.close();
    await server.stop();
    rmSync(results, { recursive: true, force: true });
  }
});
