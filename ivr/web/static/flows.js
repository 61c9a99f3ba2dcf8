/* 천년전주 콜센터: the flow page. A problem's line button selects that line in the editor. */
"use strict";
(function () {
  var editor = document.getElementById("source");
  if (!editor) { return; }

  function selectLine(number) {
    var lines = editor.value.split("\n");
    var start = 0;
    for (var i = 0; i < number - 1 && i < lines.length; i++) { start += lines[i].length + 1; }
    var end = start + (lines[number - 1] || "").length;
    editor.focus();
    editor.setSelectionRange(start, end);
    // Scroll the line into view: the text area's line height times the lines above it.
    var lineHeight = parseFloat(window.getComputedStyle(editor).lineHeight) || 20;
    editor.scrollTop = Math.max(0, (number - 5) * lineHeight);
  }

  document.querySelectorAll("button.line-link").forEach(function (button) {
    button.addEventListener("click", function () {
      selectLine(parseInt(button.dataset.line, 10));
    });
  });
})();
