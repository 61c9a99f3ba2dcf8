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
