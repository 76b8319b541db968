/**
 * Another process sharing DATA_DIR, for test/integration/requestDirs.test.ts: makes one request
 * dir in argv[2] with createRequestDir, prints its path, then exits (`exit`) or keeps running
 * (`stay`) until killed.
 */
import { createRequestDir } from '../../../activities/adapters/requestDirs.js';

const dir = await createRequestDir(process.argv[2]!);
process.stdout.write(`${dir}\n`);
if (process.argv[3] === 'stay') setInterval(() => undefined, 1_000);
