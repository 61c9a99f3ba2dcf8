/* 천년전주 콜센터: the wallboard, filled from /api/wallboard/live. The kiosk (TV) shows
   Korean only and a few alert lines; the desk's board adds the supervisor's buttons. */
"use strict";
(function () {
  var L = window.HotlineLive;
  var table = document.getElementById("counselors");
  var kiosk = table.dataset.kiosk === "1";
  var hasPhone = table.dataset.phone === "1";
  var token = document.querySelector('meta[name="csrf-token"]').content;

  function text(id, value) { document.getElementById(id).textContent = value; }
  function percent(ratio) { return ratio === null ? "-" : Math.round(ratio * 100) + "%"; }
  /* Korean, then the English in a span the kiosk hides. */
  function both(el, ko, en) {
    el.textContent = ko + " ";
    var span = document.createElement("span");
    span.className = "en";
    span.textContent = "· " + en;
    el.appendChild(span);
    return el;
  }

  function renderTiles(snap, received) {
    text("waiting-total", String(snap.waiting));
    var longest = document.getElementById("longest-wait");
    if (snap.waiting > 0) { L.ticking(longest, snap.longest_wait_seconds, received); }
    else { L.stopTicking(longest, "-"); }
    var t = snap.today;
    text("today-offered", String(t.offered));
    text("today-answered", String(t.answered));
    text("today-abandoned", String(t.abandoned));
    text("service-level", percent(t.service_level));
    both(document.getElementById("service-rule"), t.service_seconds + "초 이내, 목표 "
      + Math.round(t.service_target * 100) + "%", "within " + t.service_seconds + " s");
    text("average-answer", t.average_answer_seconds === null ? "-" : L.duration(t.average_answer_seconds));
    text("abandon-rate", percent(t.abandon_rate));
    var level = document.getElementById("service-level");
    level.classList.toggle("bad", t.service_level !== null && t.service_level < t.service_target);
  }

  function renderAlerts(snap) {
    var alerts = document.getElementById("alerts");
    var limit = Number(alerts.dataset.limit) || snap.alerts.length;
    alerts.replaceChildren();
    snap.alerts.slice(0, limit).forEach(function (a) {
      var li = both(document.createElement("li"), a.ko, a.en);
      li.dataset.kind = a.kind;
      if (a.counselor) { li.dataset.counselor = a.counselor; }
      alerts.appendChild(li);
    });
    if (snap.alerts.length > limit) {
      var more = snap.alerts.length - limit;
      var li = both(document.createElement("li"), "알림 " + more + "건 더", more + " more alerts");
      li.className = "more";
      alerts.appendChild(li);
    }
    if (!snap.alerts.length) {
      var none = both(document.createElement("li"), "알림 없음", "No alerts");
      none.className = "none";
      alerts.appendChild(none);
    }
    // 민원 handed to departments: open, and how many of them are past their deadline.
    var k = snap.cases;
    text("cases-open", k ? k.open + " / " + k.overdue : "-");
    // The last `ivr rehearse` run: synthetic calls are in no figure above.
    var r = snap.rehearsal;
    text("rehearsal-last", r ? bilingual("마지막 리허설", "Last rehearsal") + " " +
      new Date(r.finished_at * 1000).toLocaleTimeString("ko-KR", { hour: "2-digit", minute: "2-digit" }) +
      " · " + bilingual("경로 " + r.paths + "개, 실패 " + r.failed + "개", r.paths + " paths, " + r.failed + " failed") : "");
  }

  function renderQueues(snap, received) {
    var queues = document.querySelector("#queues tbody");
    queues.replaceChildren();
    snap.queues.forEach(function (q) {
      var row = document.createElement("tr");
      row.dataset.queue = q.name;
      L.cell(row, q.label || q.name, "name");
      L.cell(row, String(q.waiting), "waiting");
      var longestCell = L.cell(row, "-", "longest");
      if (q.waiting > 0) { L.ticking(longestCell, q.longest_wait_seconds, received); }
      L.cell(row, String(q.working), "working");
      L.cell(row, String(q.callbacks || 0), "callbacks");
      queues.appendChild(row);
    });
    var counts = document.getElementById("state-counts");
    counts.replaceChildren();
    snap.states.forEach(function (s) {
      var li = document.createElement("li");
      li.dataset.state = s.state;
      var n = document.createElement("strong");
      n.textContent = String(s.count);
      li.appendChild(n);
      var label = both(document.createElement("span"), s.ko, s.en);
      label.className = "pill";
      li.appendChild(label);
      counts.appendChild(li);
    });
  }

  /* The supervisor's buttons: through the same code as *31-*33 and *22, each audited. */
  function act(c, what, ko) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "quiet act";
    b.dataset.act = what;
    b.textContent = ko;
    var onCall = c.state === "on_call";
    b.disabled = what === "logout" ? c.state === "logged_out" : !(onCall && hasPhone);
    b.addEventListener("click", function (event) {
      event.stopPropagation();
      post("/api/wallboard/counselor/" + encodeURIComponent(c.id) + "/" + what);
    });
    return b;
  }

  function post(path) {
    var note = document.getElementById("supervise-message");
    fetch(path, { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": token } })
      .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
      .then(function (got) {
        note.hidden = false;
        note.className = "message " + (got[0] ? "ok" : "refused");
        note.textContent = got[1].message_ko || got[1].error || "";
      });
  }

  function renderCounselors(snap, received) {
    var body = document.querySelector("#counselors tbody");
    body.replaceChildren();
    snap.counselors.forEach(function (c) {
      var row = document.createElement("tr");
      row.dataset.counselor = c.id;
      row.dataset.state = c.shown;
      if (c.alert) { row.classList.add("alerted"); }
      var name = L.cell(row, "", "name");
      var link = document.createElement("a");
      link.href = "/counselor/" + encodeURIComponent(c.id);
      link.textContent = c.name;
      name.appendChild(link);
      var state = L.cell(row, "", "state");
      // Unreachable: say what they were doing too (on a call, wrap-up), not only that.
      var label = c.shown_ko;
      if (c.shown !== c.state && c.state !== "available") { label += " · " + c.state_ko; }
      if (c.reason_ko && c.reason_ko !== c.state_ko) { label += " · " + c.reason_ko; }
      var pill = document.createElement("span");
      pill.className = "pill";
      pill.textContent = label;
      state.appendChild(pill);
      L.ticking(L.cell(row, "", "in-state"), c.seconds_in_state, received);
      L.cell(row, String(c.calls_taken), "calls");
      if (!kiosk) {
        var acts = L.cell(row, "", "acts");
        acts.appendChild(act(c, "listen", "듣기"));
        acts.appendChild(act(c, "whisper", "귓속말"));
        acts.appendChild(act(c, "barge", "끼어들기"));
        acts.appendChild(act(c, "logout", "로그아웃"));
        row.addEventListener("click", function () { location.href = link.href; });
      }
      body.appendChild(row);
    });
  }

  function render(snap) {
    var received = performance.now();
    renderTiles(snap, received);
    renderAlerts(snap);
    renderQueues(snap, received);
    renderCounselors(snap, received);
  }

  /* While the socket is down the figures are old: grey them, stop the timers, say so. */
  function status(state) {
    var stale = state === "reconnecting";
    document.body.classList.toggle("stale", stale);
    document.getElementById("stale-note").hidden = !stale;
  }

  L.connect("/api/wallboard/live", render, status);
})();
