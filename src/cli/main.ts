#!/usr/bin/env node
// The cloudseed executable: everything is in run-cli; this only hands over argv and the exit code.
import { main } from './run-cli.js';

process.exitCode = await main(process.argv.slice(2));
