/* 천년전주 콜센터: on a phone-sized screen the header's user menu folds behind one button. */
"use strict";
(function () {
  var button = document.querySelector("header.top .menu-toggle");
  if (!button) { return; }
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.closest("header").classList.toggle("open", open);
  });
})();

/* On a phone a table's rows become cards: each cell carries its column's heading
   (data-label, shown by desk.css), for rows drawn now and rows live pages add later. */
(function () {
  function label(table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      var ko = th.cloneNode(true);
      ko.querySelectorAll(".en").forEach(function (en) { en.remove(); });
      return ko.textContent.trim();
    });
    if (!heads.length) { return; }
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      Array.prototype.forEach.call(tr.children, function (td, i) {
        if (td.tagName === "TD" && heads[i] && !td.dataset.label && td.colSpan === 1) { td.dataset.label = heads[i]; }
      });
    });
  }
  document.querySelectorAll("table.list, table.report").forEach(function (table) {
    label(table);
    var body = table.querySelector("tbody");
    if (body && window.MutationObserver) {
      new MutationObserver(function () { label(table); }).observe(body, { childList: true });
    }
  });
})();

/* Korean only, unless the user chose English (base.html's data-english): then "한국어 · English".
   For messages scripts write; labels in templates use <span class="en"> instead. */
window.bilingual = function (ko, en) {
  return document.documentElement.dataset.english === "yes" && en ? ko + " · " + en : ko;
};
