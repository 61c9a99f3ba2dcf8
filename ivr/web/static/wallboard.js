/* 천년전주 콜센터: the wallboard, filled from /api/wallboard/live. */
"use strict";
(function () {
  var L = window.HotlineLive;
  function text(id, value) { document.getElementById(id).textContent = value; }
  function percent(ratio) { return ratio === null ? "-" : Math.round(ratio * 100) + "%"; }

  function render(snap) {
    var received = performance.now();
    text("waiting-total", String(snap.waiting));
    var longest = document.getElementById("longest-wait");
    if (snap.waiting > 0) { L.ticking(longest, snap.longest_wait_seconds, received); }
    else { L.stopTicking(longest, "-"); }

    var t = snap.today;
    text("today-offered", String(t.offered));
    text("today-answered", String(t.answered));
    text("today-abandoned", String(t.abandoned));
    text("service-level", percent(t.service_level));
    text("service-rule", t.service_seconds + "초 이내 · within " + t.service_seconds + " s, 목표 · target "
      + Math.round(t.service_target * 100) + "%");
    text("average-answer", t.average_answer_seconds === null ? "-" : L.duration(t.average_answer_seconds));
    text("abandon-rate", percent(t.abandon_rate));
    var level = document.getElementById("service-level");
    level.classList.toggle("bad", t.service_level !== null && t.service_level < t.service_target);

    var alerts = document.getElementById("alerts");
    alerts.replaceChildren();
    snap.alerts.forEach(function (a) {
      var li = document.createElement("li");
      li.dataset.kind = a.kind;
      if (a.counselor) { li.dataset.counselor = a.counselor; }
      li.textContent = a.ko + " · " + a.en;
      alerts.appendChild(li);
    });
    if (!snap.alerts.length) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = "알림 없음 · No alerts";
      alerts.appendChild(none);
    }
    // 민원 handed to departments: open, and how many of them are past their deadline.
    var k = snap.cases;
    text("cases-open", k ? k.open + " / " + k.overdue : "-");
    // The last `ivr rehearse` run: synthetic calls are in no figure above.
    var r = snap.rehearsal;
    text("rehearsal-last", r ? "마지막 리허설 · Last rehearsal " +
      new Date(r.finished_at * 1000).toLocaleTimeString("ko-KR", { hour: "2-digit", minute: "2-digit" }) +
      " · 경로 " + r.paths + "개, 실패 " + r.failed + "개 · " + r.paths + " paths, " + r.failed + " failed" : "");

    var queues = document.querySelector("#queues tbody");
    queues.replaceChildren();
    snap.queues.forEach(function (q) {
      var row = document.createElement("tr");
      row.dataset.queue = q.name;
      L.cell(row, q.name);
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
      li.appendChild(document.createTextNode(" " + s.ko + " · " + s.en));
      counts.appendChild(li);
    });

    var body = document.querySelector("#counselors tbody");
    body.replaceChildren();
    snap.counselors.forEach(function (c) {
      var row = document.createElement("tr");
      row.dataset.counselor = c.id;
      row.dataset.state = c.state;
      if (c.alert) { row.classList.add("alerted"); }
      L.cell(row, c.name + " (" + c.id + ")");
      var label = c.state_ko + (c.reason_ko && c.reason_ko !== c.state_ko ? " · " + c.reason_ko : "");
      if (!c.reachable && c.state !== "logged_out") { label += " · 전화 끊김"; }
      L.cell(row, label, "state");
      L.ticking(L.cell(row, "", "in-state"), c.seconds_in_state, received);
      L.cell(row, String(c.calls_taken), "calls");
      body.appendChild(row);
    });
  }

  L.connect("/api/wallboard/live", render);
})();
