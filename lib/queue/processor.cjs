// BullMQ loads a sandboxed processor with import() in a forked child; this entry registers tsx there (as
// bin/seer.js does) so that the TypeScript processor runs without a build step.
require('tsx/cjs');
module.exports = require('./processor.ts').default;
