#!/usr/bin/env node
// The `heartline` executable: parse the command line and exit with the command's code.
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2));
