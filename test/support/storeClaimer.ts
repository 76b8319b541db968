/**
 * A process of its own that claims cache entries in a SQLite state store, as a telegram worker
 * does: `node --import tsx test/support/storeClaimer.ts <dataDir> <holder> <keys>`. Prints the
 * answer to each claim, as JSON, when done.
 */
import { openStateStore } from '../../activities/adapters/openStateStore.js';
import { claimEntry, emptyCacheState, type MediaCacheState } from '../../shared/mediaCacheState.js';

const [dataDir, holder, keys] = process.argv.slice(2);
const store = await openStateStore({ dataDir: dataDir! });
const answers: Record<string, string> = {};
for (let i = 0; i < Number(keys); i++) {
  answers[`key-${i}`] = await store.update<MediaCacheState, string>('media_cache', `key-${i}`, (current, now) => {
    const state = current ?? emptyCacheState();
    return { next: { value: state }, result: claimEntry(state, holder!, now).status };
  });
}
await store.close();
process.stdout.write(JSON.stringify(answers));
