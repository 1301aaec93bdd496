// The widget page: CodeMirror 6 editors (EditorView) shown in panels whose DOM is removed without
// view.destroy(), so each view stays registered on window and document (resize, scroll,
// selectionchange listeners). Beside it: a bounded snippet cache, churn and preferences built once.
import { EditorView, basicSetup } from 'codemirror';
import { javascript } from '@codemirror/lang-javascript';

class SnippetEntry {
  constructor(key, body) { this.key = key; this.body = body; this.uses = 0; }
}
// The last `max` snippets used: a bounded cache, not a leak.
class SnippetCache {
  constructor(max) { this.max = max; this.map = new Map(); }
  put(key) {
    this.map.delete(key);
    this.map.set(key, new SnippetEntry(key, `function ${key}() { return ${key.length}; }`));
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value);
  }
}
class LintMark {
  constructor(line, message) { this.line = line; this.message = message; this.severity = line % 3 ? 'warning' : 'error'; }
}
class EditorPrefs {
  constructor() { this.tabSize = 2; this.lineWrapping = true; this.keymap = 'default'; this.loadedAt = new Date(); }
}

const snippets = new SnippetCache(30);
let marks = [];               // churn: replaced by each lint
let prefs = null;             // built once
let panelNo = 0;

function docText(n) {
  const lines = [];
  for (let i = 0; i < 30; i++) lines.push(`export function widget${n}_${i}(props) {\n  return { id: ${i}, label: "panel ${n}" };\n}`);
  return lines.join('\n');
}
function openPanel() {
  const n = panelNo++;
  const host = document.createElement('section');
  document.body.append(host);
  const view = new EditorView({ doc: docText(n), extensions: [basicSetup, javascript()], parent: host });
  view.dispatch({ changes: { from: 0, insert: `// panel ${n}\n` }, selection: { anchor: 5 } });
  snippets.put(`snippet${n}`);
  return { host, view };
}

window.app = {
  // The action: opens N panels, then closes them by removing their DOM only (no view.destroy()).
  leakPanels(n) { for (let i = 0; i < n; i++) openPanel().host.remove(); return panelNo; },
  // Warm-up: the same panels, destroyed properly.
  openAndDestroy(n) {
    for (let i = 0; i < n; i++) { const { host, view } = openPanel(); view.destroy(); host.remove(); }
    return panelNo;
  },
  useSnippets(n) { for (let i = 0; i < n; i++) snippets.put(`s${panelNo}_${i}_${Math.random().toString(36).slice(2, 6)}`); return snippets.map.size; },
  lint() { marks = Array.from({ length: 60 }, (_, i) => new LintMark(i, `unused variable x${i}`)); return marks.length; },
  loadPrefs() { prefs ??= new EditorPrefs(); return prefs.tabSize; },
  // The minified names of the classes, as the heap snapshot shows them.
  names() {
    const view = new EditorView({ doc: 'x', extensions: [basicSetup] });
    const names = {
      EditorView: view.constructor.name, EditorState: view.state.constructor.name,
      SnippetEntry: SnippetEntry.name, LintMark: LintMark.name, EditorPrefs: EditorPrefs.name,
    };
    view.destroy();
    return names;
  },
};
