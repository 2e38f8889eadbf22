// collect.sh's copy of one run's log: `node copy-log.cjs <live log> <committed log>`. Copies whole lines only (a run
// still being written may end in a torn line), and never over a longer committed log: a run begun again after the
// campaign root was lost writes the same records, so its copy waits until it has caught up (exit 3, nothing written).
const fs = require('fs');
const path = require('path');

const [from, to] = process.argv.slice(2);
const live = fs.readFileSync(from);
const end = live.lastIndexOf(10);
const whole = end < 0 ? Buffer.alloc(0) : live.subarray(0, end + 1);
const committed = fs.existsSync(to) ? fs.statSync(to).size : 0;
if (whole.length < committed) {
  console.error(`kept ${to}: it holds more than the live run so far`);
  process.exit(3);
}
fs.mkdirSync(path.dirname(to), { recursive: true });
fs.writeFileSync(to, whole);
