/* 천년전주 콜센터: a live page's socket. A snapshot on every message; after a drop,
   reconnect with a growing pause (1 s up to 10 s); if the session is gone, reload,
   which lands on the log-in page. */
"use strict";
window.HotlineLive = (function () {
  /* onStatus (optional) hears "live" and "reconnecting", e.g. to grey stale figures. */
  function connect(path, onSnapshot, onStatus) {
    var status = document.getElementById("live-status");
    var delay = 1000;
    function show(state, text) {
      if (status) { status.dataset.state = state; status.textContent = text; }
      if (onStatus) { onStatus(state); }
    }
    function open() {
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      var socket = new WebSocket(scheme + location.host + path);
      socket.onopen = function () { delay = 1000; show("live", bilingual("실시간", "live")); };
      socket.onmessage = function (event) { onSnapshot(JSON.parse(event.data)); };
      socket.onclose = function (event) {
        show("reconnecting", bilingual("다시 연결 중", "reconnecting"));
        if (event.code === 4401) { location.reload(); return; }
        fetch("/api/me", { credentials: "same-origin" }).then(function (response) {
          if (response.status === 401) { location.reload(); return; }
          setTimeout(open, delay);
          delay = Math.min(delay * 2, 10000);
        }, function () {
          setTimeout(open, delay);
          delay = Math.min(delay * 2, 10000);
        });
      };
    }
    open();
  }

  /* "1:05" or "1:02:05" from seconds. */
  function duration(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(r).padStart(2, "0");
  }

  /* Elements with data-base (seconds at data-at, a performance.now() stamp) count on by
     themselves, unless inside a .stale page (a dropped socket: the figures are old). */
  function tick() {
    var now = performance.now();
    if (document.body.classList.contains("stale")) { return; }
    document.querySelectorAll("[data-base]").forEach(function (el) {
      el.textContent = duration(Number(el.dataset.base) + (now - Number(el.dataset.at)) / 1000);
    });
  }
  setInterval(tick, 1000);

  function ticking(el, seconds, received) {
    el.dataset.base = String(seconds);
    el.dataset.at = String(received);
    el.textContent = duration(seconds);
  }

  function stopTicking(el, text) {
    delete el.dataset.base;
    delete el.dataset.at;
    el.textContent = text;
  }

  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) { td.className = className; }
    row.appendChild(td);
    return td;
  }

  function local(stamp) {
    /* The service's local ISO stamp as "YYYY-MM-DD HH:MM". */
    return stamp ? stamp.replace("T", " ").slice(0, 16) : "-";
  }

  return { connect: connect, duration: duration, ticking: ticking, stopTicking: stopTicking,
           cell: cell, local: local };
})();
