// The flow editor: CodeMirror 6 with line numbers, wrapping and YAML highlighting,
// over the page's <textarea> (which stays the form's field).
import { EditorView, basicSetup } from "codemirror";
import { yaml } from "@codemirror/lang-yaml";
import { EditorSelection } from "@codemirror/state";

function attach(textarea) {
  const view = new EditorView({
    doc: textarea.value,
    extensions: [
      basicSetup,
      // The page's CSP admits CodeMirror's <style> elements only with this nonce.
      EditorView.cspNonce.of(textarea.dataset.nonce || ""),
      yaml(),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ "aria-label": textarea.getAttribute("aria-label") || "YAML" }),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) { textarea.value = update.state.doc.toString(); }
      }),
    ],
  });
  textarea.parentNode.insertBefore(view.dom, textarea);
  textarea.hidden = true;
  return {
    view,
    selectLine(number) {
      const doc = view.state.doc;
      const line = doc.line(Math.max(1, Math.min(number, doc.lines)));
      view.dispatch({
        selection: EditorSelection.range(line.from, line.to),
        effects: EditorView.scrollIntoView(line.from, { y: "center" }),
      });
      view.focus();
    },
  };
}

window.HotlineEditor = { attach };
