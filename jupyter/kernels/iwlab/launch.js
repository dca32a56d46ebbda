#!/usr/bin/env node
// The iwlab kernel: starts the repo's own tslab (node_modules/tslab, pinned) with the working
// directory at the repo root, so every notebook imports './src/...' whatever folder it lives in and
// whichever front end starts it (JupyterLab, Notebook, VS Code, nbclient, scripts/notebooks.ts).
// Plain CommonJS without Python or a shell, so the same file works on every platform.
'use strict';
const fs = require('fs');
const path = require('path');

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const connectionFile = process.argv[2];
const tslabMain = path.join(repoRoot, 'node_modules', 'tslab', 'dist', 'main.js');

if (!connectionFile) {
  console.error('usage: node launch.js <connection-file>   (Jupyter passes {connection_file})');
  process.exit(2);
}
if (!fs.existsSync(tslabMain)) {
  console.error(`iwlab kernel: ${tslabMain} is missing. Run \`npm ci\` in ${repoRoot}, then restart the kernel.`);
  process.exit(1);
}
// The connection file path may be relative to the directory Jupyter started us in.
const configPath = path.resolve(connectionFile);
process.chdir(repoRoot);
// enableFindLocal: false because this already is the local copy.
require(tslabMain).startKernel({ configPath, enableFindLocal: false, jsKernel: false, globalVersion: '' });
