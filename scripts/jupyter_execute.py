"""Execute notebooks through Jupyter itself (nbclient + jupyter_client), the path JupyterLab,
nbconvert and papermill-style tools take, to check the kernelspec and launcher as Jupyter sees them.

    JUPYTER_PATH=<repo>/jupyter IWLAB_SCALE=smoke python scripts/jupyter_execute.py [--timeout 900]
        [--out .tmp/jupyter] notebooks/*.ipynb

tslab reports an error only on the cell's stderr and in the reply status (no iopub `error`), so
nbclient's own message is empty; this prints the failing cell's source and stderr instead, always
writes the (partly) executed notebook, and exits 1 if any notebook failed. A cell that ran but
showed a figure whose runs failed (its stderr has the RUNS_FAILED marker line) fails the notebook
too, as it does in `npm run notebooks`. `npm run notebooks` is
the Python-free equivalent used by `npm test`.
"""

import argparse
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


# src/plots/runFailures.ts RUNS_FAILED_MARKER: showFigure starts a stderr line with it when the
# figure lacks runs that failed (a missing dataset, a diverged run); the cell itself succeeds.
RUNS_FAILED_MARKER = "[iwlab] runs failed:"


class RunsFailed(Exception):
    """A cell showed a figure whose runs failed."""


def cell_stderr(cell):
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            parts.append(output.get("text", ""))
        elif output.get("output_type") == "error":
            parts.append("%s: %s" % (output.get("ename"), output.get("evalue")))
    return "".join(parts).strip()


def run(path, timeout, out_dir):
    notebook = nbformat.read(str(path), as_version=4)
    current = {"index": None}

    def on_cell_start(cell, cell_index, **_):
        current["index"] = cell_index

    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="iwlab",
        # Jupyter starts kernels in the notebook's folder; the iwlab launcher moves to the repo root.
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_start=on_cell_start,
    )
    started = time.monotonic()
    failure = None
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        failure = error
    if failure is None:
        for index, cell in enumerate(notebook.cells):
            marked = [line for line in cell_stderr(cell).splitlines() if line.startswith(RUNS_FAILED_MARKER)]
            if marked:
                current["index"] = index
                failure = RunsFailed(marked[0])
                break
    seconds = time.monotonic() - started
    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / path.name
    nbformat.write(notebook, str(output))
    if failure is None:
        print("ok   %s (%.1f s, through Jupyter) -> %s" % (path, seconds, output))
        return True
    index = current["index"]
    print("FAIL %s (%.1f s, through Jupyter): %s" % (path, seconds, type(failure).__name__), file=sys.stderr)
    if index is not None:
        cell = notebook.cells[index]
        print("Cell %d source:" % (index + 1), file=sys.stderr)
        for line in cell.source.splitlines()[:12]:
            print("  | " + line, file=sys.stderr)
        stderr = cell_stderr(cell)
        print("Cell stderr:\n" + ("\n".join("  " + line for line in stderr.splitlines()) if stderr else "  (none)"), file=sys.stderr)
    detail = str(failure).strip()
    if isinstance(failure, RunsFailed):
        print("The cell ran, but showed a figure whose runs failed.", file=sys.stderr)
    elif detail and not isinstance(failure, CellExecutionError):
        print("nbclient: " + detail.splitlines()[-1], file=sys.stderr)
    print("Partly executed notebook: %s" % output, file=sys.stderr)
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path)
    parser.add_argument("--timeout", type=int, default=900, help="per-cell limit in seconds")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path(".tmp/jupyter"))
    args = parser.parse_args()
    results = [run(path.resolve(), args.timeout, args.out) for path in args.notebooks]
    failed = results.count(False)
    if failed:
        print("%d of %d notebooks failed through Jupyter." % (failed, len(results)), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
