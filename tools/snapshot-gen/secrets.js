// A process that holds planted secrets, for the redaction tests: writes one snapshot.
//   node secrets.js OUT.heapsnapshot
// Every planted value contains HUNTER2, in the heap as a flat string, a concatenated string, a
// sliced string, strings inside a Map and an array, and a literal in this script's own source
// (which the heap holds as the Script's source string). No class, property, variable or
// function name contains it: those must survive redaction, the values must not.
const v8 = require('v8');
const fromSource = 'pw-HUNTER2-literal-in-source';
class Vault {
  constructor(pid) {
    this.password = ['pw', 'HUNTER2', 'built', String(pid)].join('-');      // flat string
    this.token = 'pw-HUNTER2-cons-' + String(pid).repeat(8);               // concatenated string
    this.note = ('x'.repeat(32) + 'pw-HUNTER2-sliced-' + pid).slice(32);   // sliced string
    this.label = 'password';                                              // a value equal to a property name
    this.fromSource = fromSource;
  }
}
const vault = new Vault(process.pid);
const sessions = new Map();
for (let i = 0; i < 3; i++) sessions.set('user' + i, `pw-HUNTER2-session-${i}-${process.pid}`);
const history = [1, 2, 3].map(i => `pw-HUNTER2-history-${i}`);
globalThis.kept = { vault, sessions, history };
v8.writeHeapSnapshot(process.argv[2]);
