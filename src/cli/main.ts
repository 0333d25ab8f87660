#!/usr/bin/env node
// The cloudseed executable: everything is in run-cli; this only hands over argv and the exit code.
import { main } from './run-cli.js';

// `cloudseed build --json | head` closes the pipe early: that is the reader's choice, not a failure
// worth a stack trace. What was built is built; the exit code stays the build's.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

process.exitCode = await main(process.argv.slice(2));
