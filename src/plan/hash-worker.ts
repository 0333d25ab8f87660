// A worker of hashFleetPasswords: hashes the pairs it is given and posts the hashes back in order, or
// null for a password sha512Crypt refuses, which the planner then meets and reports itself.
import { parentPort, workerData } from 'node:worker_threads';
import type { PasswordToHash } from './hash-passwords.js';
import { sha512Crypt } from './sha512-crypt.js';

const hashOrNull = ({ salt, password }: PasswordToHash): string | null => {
  try {
    return sha512Crypt(password, salt);
  } catch {
    return null;
  }
};

parentPort?.postMessage((workerData as PasswordToHash[]).map(hashOrNull));
