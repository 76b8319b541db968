/** '5 seconds' and '5 second' alike → 5000, so equal durations compare equal whatever their spelling. */
export function inMilliseconds(value: unknown): unknown {
  if (typeof value === 'string') {
    const seconds = /^(\d+) seconds?$/.exec(value);
    return seconds === null ? value : Number(seconds[1]) * 1000;
  }
  if (Array.isArray(value)) return value.map(inMilliseconds);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, inMilliseconds(v)]));
  }
  return value;
}
