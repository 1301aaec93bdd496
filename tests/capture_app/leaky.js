// A small service that leaks in one known way, for heapdive's capture tests: every 100 ms it
// adds 50 LeakedSession objects to the module-level array `leakedSessions` and never removes
// them. `--ballast N` adds N long-lived objects up front, so that a snapshot takes long
// enough to be interrupted.
'use strict';

class LeakedSession {
  constructor(id) {
    this.id = id;
    this.user = 'user-' + id;
    this.history = [id, id + 1, id + 2];
  }
}

const leakedSessions = [];

const at = process.argv.indexOf('--ballast');
const ballastCount = at > 0 ? Number(process.argv[at + 1]) : 0;
const ballast = [];
for (let i = 0; i < ballastCount; i++) ballast.push({ i, label: 'ballast-' + i });
// Exported, so it stays alive (a module variable no closure uses dies with the module's frame).
module.exports.ballast = ballast;

let next = 0;
setInterval(() => {
  for (let i = 0; i < 50; i++) leakedSessions.push(new LeakedSession(next++));
}, 100);

// The tests wait for this line.
console.log(`leaky ready pid=${process.pid} ballast=${ballast.length}`);
