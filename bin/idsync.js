#!/usr/bin/env node
// Runs the compiled CLI; `npm run build` (run by `npm start`) produces it.
import '../dist/src/cli.js';
