/**
 * The failure converter of every client and worker when payloads are encrypted
 * (src/temporal/dataConverter.ts): error messages and stack traces, which can quote a link or a
 * file name, move into a payload that the codec encrypts; Temporal stores "Encoded failure".
 *
 * CommonJS on purpose: the Temporal worker loads it with require() (a path, not an object) and
 * also bundles it into the workflow sandbox, and require() of CommonJS works the same under
 * node, tsx and jest.
 */
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
