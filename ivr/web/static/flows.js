/* 천년전주 콜센터: the flow page. The editor (CodeMirror, codemirror.min.js) over the form's
   text area; a problem's line button selects that line; the diagram zooms, pans and fills the screen. */
"use strict";
(function () {
  var textarea = document.getElementById("source");
  var editor = textarea && window.HotlineEditor ? window.HotlineEditor.attach(textarea) : null;
  window.HotlineFlowEditor = editor;  // for the browser tests: the editor's view and selectLine
  // A keyboard reaches the editor's scrolling area too (axe: scrollable-region-focusable).
  if (editor) { editor.view.scrollDOM.setAttribute("tabindex", "0"); }

  function selectLine(number) {
    if (editor) { editor.selectLine(number); return; }
    // Without the editor (its script not loaded): the plain text area.
    var lines = textarea.value.split("\n");
    var start = 0;
    for (var i = 0; i < number - 1 && i < lines.length; i++) { start += lines[i].length + 1; }
    textarea.focus();
    textarea.setSelectionRange(start, start + (lines[number - 1] || "").length);
  }

  document.querySelectorAll("button.line-link").forEach(function (button) {
    button.addEventListener("click", function () {
      selectLine(parseInt(button.dataset.line, 10));
    });
  });

  // The diagram: + / − / 1:1 buttons and the wheel zoom, dragging pans, one button fills the screen.
  var frame = document.getElementById("diagram-frame");
  var image = document.getElementById("diagram");
  if (!frame || !image) { return; }
  var scale = 1, x = 0, y = 0, drag = null;
  function draw() {
    image.style.transform = "translate(" + x + "px, " + y + "px) scale(" + scale + ")";
    document.getElementById("zoom-level").textContent = Math.round(scale * 100) + "%";
  }
  function zoom(factor) {
    scale = Math.min(8, Math.max(0.25, scale * factor));
    draw();
  }
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(0.8); });
  document.getElementById("zoom-reset").addEventListener("click", function () { scale = 1; x = 0; y = 0; draw(); });
  document.getElementById("full-screen").addEventListener("click", function () {
    if (document.fullscreenElement) { document.exitFullscreen(); } else { frame.requestFullscreen(); }
  });
  frame.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    zoom(ev.deltaY < 0 ? 1.1 : 0.9);
  }, { passive: false });
  frame.addEventListener("pointerdown", function (ev) {
    drag = { x: ev.clientX - x, y: ev.clientY - y };
    frame.setPointerCapture(ev.pointerId);
  });
  frame.addEventListener("pointermove", function (ev) {
    if (!drag) { return; }
    x = ev.clientX - drag.x;
    y = ev.clientY - drag.y;
    draw();
  });
  frame.addEventListener("pointerup", function () { drag = null; });
  frame.addEventListener("keydown", function (ev) {
    var step = 40;
    if (ev.key === "+" || ev.key === "=") { zoom(1.25); }
    else if (ev.key === "-") { zoom(0.8); }
    else if (ev.key === "ArrowLeft") { x += step; draw(); }
    else if (ev.key === "ArrowRight") { x -= step; draw(); }
    else if (ev.key === "ArrowUp") { y += step; draw(); }
    else if (ev.key === "ArrowDown") { y -= step; draw(); }
    else { return; }
    ev.preventDefault();
  });
  draw();
})();
