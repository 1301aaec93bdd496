// The editor page: Monaco editors opened and dropped without dispose() (the leak), beside a bounded
// recent-files cache, churn and settings built once. Bundled and minified by esbuild with a source map.
import * as monaco from 'monaco-editor';

self.MonacoEnvironment = { getWorkerUrl: () => './editor.worker.js' };

class FileInfo {
  constructor(name, size) { this.name = name; this.size = size; this.openedAt = Date.now(); }
}
// Keeps the last `max` files opened: a bounded cache, not a leak.
class RecentFiles {
  constructor(max) { this.max = max; this.entries = new Map(); }
  add(name) {
    this.entries.delete(name);
    this.entries.set(name, new FileInfo(name, name.length * 100));
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value);
  }
}
class DiffChunk {
  constructor(i, text) { this.i = i; this.text = text; this.lines = text.split('\n').length; }
}
class WorkspaceSettings {
  constructor() { this.theme = 'vs'; this.fontSize = 14; this.rulers = [80, 100]; this.loadedAt = new Date(); }
}

const recent = new RecentFiles(20);
let lastDiff = [];            // churn: replaced by each diff
let settings = null;          // built once
let fileNo = 0;

function sampleText(n) {
  const lines = [];
  for (let i = 0; i < 40; i++) lines.push(`def handler_${n}_${i}(request):\n    return {"id": ${i}, "file": "file${n}.py"}\n`);
  return lines.join('\n');
}
function openEditor() {
  const n = fileNo++;
  const host = document.createElement('div');
  host.style.cssText = 'width:600px;height:300px';
  document.body.append(host);
  const model = monaco.editor.createModel(sampleText(n), 'python', monaco.Uri.parse(`inmemory://files/file${n}.py`));
  const editor = monaco.editor.create(host, { model, automaticLayout: false, minimap: { enabled: true } });
  editor.setPosition({ lineNumber: 3, column: 5 });
  editor.trigger('corpus', 'type', { text: '# edited\n' });
  recent.add(`file${n}.py`);
  return { host, model, editor };
}

window.app = {
  // The action: opens N editors, then closes their tabs by removing the DOM only (no dispose()).
  leakEditors(n) {
    for (let i = 0; i < n; i++) openEditor().host.remove();
    return monaco.editor.getEditors().length;
  },
  // Warm-up: the same editors, disposed properly.
  openAndDispose(n) {
    for (let i = 0; i < n; i++) {
      const { host, model, editor } = openEditor();
      editor.dispose();
      model.dispose();
      host.remove();
    }
    return monaco.editor.getEditors().length;
  },
  openRecent(n) { for (let i = 0; i < n; i++) recent.add(`recent${fileNo++}.py`); return recent.entries.size; },
  diff() {
    lastDiff = Array.from({ length: 50 }, (_, i) => new DiffChunk(i, sampleText(i).slice(0, 200)));
    return lastDiff.length;
  },
  loadSettings() { settings ??= new WorkspaceSettings(); return settings.fontSize; },
  // The minified names of the classes, as the heap snapshot shows them.
  names() {
    const host = document.createElement('div');
    const model = monaco.editor.createModel('x', 'python');
    const editor = monaco.editor.create(host, { model });
    const names = {
      StandaloneEditor: editor.constructor.name, TextModel: model.constructor.name,
      FileInfo: FileInfo.name, RecentFiles: RecentFiles.name, DiffChunk: DiffChunk.name, WorkspaceSettings: WorkspaceSettings.name,
    };
    editor.dispose();
    model.dispose();
    return names;
  },
};
