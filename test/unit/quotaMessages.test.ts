import { PRIVATE_BOT_TEXT, quotaRefusalText } from '../../shared/botTexts.js';

describe('quotaRefusalText', () => {
  it('says how many downloads run and to send the link again when one finishes', () => {
    // Tried: the concurrent limit of 3 reached.
    expect(quotaRefusalText({ reason: 'concurrent', limit: 3 })).toBe(
      'You already have 3 downloads running — send the link again when one finishes.',
    );
  });

  it('speaks of one download when the limit is 1', () => {
    // Tried: the concurrent limit of 1 reached.
    expect(quotaRefusalText({ reason: 'concurrent', limit: 1 })).toBe(
      'You already have a download running — send the link again when it finishes.',
    );
  });

  it('says how many links were sent and in how many minutes to try again, rounded up', () => {
    // Tried: 30 links, the hour reopening in 11 min 1 s.
    expect(quotaRefusalText({ reason: 'hourly', sent: 30, retryAfterMs: 11 * 60_000 + 1_000 })).toBe(
      "You've sent 30 links in the last hour — try again in 12 min.",
    );
  });

  it('never says "in 0 min"', () => {
    // Tried: the hour reopening in 0 ms and in 200 ms.
    expect(quotaRefusalText({ reason: 'hourly', sent: 1, retryAfterMs: 0 })).toBe(
      "You've sent 1 link in the last hour — try again in 1 min.",
    );
    expect(quotaRefusalText({ reason: 'hourly', sent: 2, retryAfterMs: 200 })).toContain('in 1 min');
  });

  it('is polite and plain: no error words, no failure type', () => {
    // Tried: every kind of refusal, and the allowlist's answer.
    for (const text of [
      quotaRefusalText({ reason: 'concurrent', limit: 2 }),
      quotaRefusalText({ reason: 'hourly', sent: 5, retryAfterMs: 60_000 }),
      PRIVATE_BOT_TEXT,
    ]) {
      expect(text).not.toMatch(/error|quota|exceeded|failure|❌/i);
    }
  });
});
