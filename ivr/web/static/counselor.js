/* 천년전주 콜센터: a counselor's desk, live from /api/counselor/<id>/live. */
"use strict";
(function () {
  var L = window.HotlineLive;
  var desk = document.getElementById("desk");
  var id = desk.dataset.counselor;
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var callId = null;
  // Korean only, unless the user chose English (base.html): then "한국어 · English".
  var EN = document.documentElement.dataset.english === "yes";
  function both(ko, en) { return EN && en ? ko + " · " + en : ko; }
  var topics = {};
  document.getElementById("topic-names").content.querySelectorAll("[data-topic]").forEach(function (el) {
    topics[el.dataset.topic] = el.textContent;
  });
  // How each call ended, in the desk's words (ivr/web/counselor_desk.py DISPOSITIONS).
  var dispositions = {};
  document.getElementById("disposition-names").content.querySelectorAll("[data-disposition]").forEach(function (el) {
    dispositions[el.dataset.disposition] = el.textContent;
  });

  function say(message, ok) {
    var el = document.getElementById("message");
    el.hidden = false;
    el.textContent = message;
    el.className = "message " + (ok ? "ok" : "refused");
  }

  function post(path, body) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
  }

  // Shared with the knowledge-base panel (counselor_kb.js).
  window.HotlineDesk = { post: post, both: both };

  function renderNote(list, n) {
    var li = document.createElement("li");
    var head = document.createElement("span");
    head.className = "note-head";
    head.textContent = L.local(n.at) + " " + n.author
      + (n.topic ? " · " + (topics[n.topic] || n.topic) : "");
    li.appendChild(head);
    if (n.note) {
      var body = document.createElement("p");
      body.textContent = n.note;
      li.appendChild(body);
    }
    list.appendChild(li);
  }

  function renderCall(call) {
    var card = document.getElementById("call");
    document.getElementById("no-call").hidden = !!call;
    card.hidden = !call;
    if (!call) { callId = null; return; }
    callId = call.call_id;
    document.getElementById("call-title").textContent = call.current
      ? both("현재 통화", "Current call") : both("최근 통화", "Last call");
    document.getElementById("caller").textContent = call.caller_shown || call.caller;
    document.getElementById("call-started").textContent = L.local(call.started_at);
    var path = document.getElementById("ivr-path");
    path.textContent = call.path_said;  // in the menu's own words: 지방세 → 상담사 연결
    path.title = call.ivr_path.join(" › ");
    var behind = document.getElementById("behind");
    behind.replaceChildren();
    call.callbacks.forEach(function (c) {
      var p = document.createElement("p");
      p.className = "notice callback";
      p.textContent = both("콜백 요청", "Callback requested") + " " + L.local(c.requested_at);
      behind.appendChild(p);
    });
    call.voicemails.forEach(function (v) {
      var p = document.createElement("p");
      p.className = "notice voicemail";
      p.textContent = both("음성 메시지", "Voicemail") + " " + L.local(v.at) + " (" + Math.round(v.seconds || 0) + "초)";
      behind.appendChild(p);
    });
    var body = document.querySelector("#previous tbody");
    body.replaceChildren();
    call.previous.forEach(function (p) {
      var row = document.createElement("tr");
      L.cell(row, L.local(p.started_at));
      L.cell(row, dispositions[p.disposition] || p.disposition || "통화 중");
      L.cell(row, p.counselor_name || "-");
      L.cell(row, p.path_said || "-");
      body.appendChild(row);
    });
    if (!call.previous.length) {
      var none = document.createElement("tr");
      var td = L.cell(none, both("최근 7일 동안 다른 통화가 없습니다.", "No other calls in the last 7 days."));
      td.colSpan = 4;
      body.appendChild(none);
    }
    var notes = document.getElementById("notes");
    notes.replaceChildren();
    call.notes.forEach(function (n) { renderNote(notes, n); });
  }

  function render(snap) {
    var c = snap.counselor;
    var state = document.getElementById("state");
    state.dataset.state = c.state;
    state.textContent = c.state_ko + (c.reason_ko && c.reason_ko !== c.state_ko ? " · " + c.reason_ko : "")
      + (EN ? " (" + c.state_en + ")" : "");
    L.ticking(document.getElementById("state-time"), c.seconds_in_state, performance.now());
    var pending = document.getElementById("pending");
    pending.hidden = !c.pending_ko;
    pending.textContent = c.pending_ko ? c.pending_ko + " (통화가 끝나면)" : "";
    // Only what the state allows now (the server's table, ivr/acd/actions.py allowed()).
    desk.querySelectorAll("button[data-action]").forEach(function (button) {
      button.disabled = c.allowed.indexOf(button.dataset.action) < 0;
    });
    var reason = document.getElementById("pause-reason");
    if (reason) { reason.disabled = c.allowed.indexOf("pause") < 0; }
    // The abuse endings and transfers are for a call on the line, and only then.
    var tools = document.getElementById("call-tools");
    if (tools) { tools.hidden = !(snap.call && snap.call.current && c.state === "on_call"); }
    renderCall(snap.call);
    renderLimit(snap.limit);
    // The knowledge-base panel (counselor_kb.js) follows the call on the line.
    document.dispatchEvent(new CustomEvent("desk:call", { detail: snap.call }));
  }

  // The call-length limit: a countdown to the end, and one extension with a reason.
  var limitEnd = null;
  function renderLimit(limit) {
    var box = document.getElementById("limit");
    if (!box) { return; }
    box.hidden = !limit || limit.remaining === null;
    limitEnd = box.hidden ? null : performance.now() + limit.remaining * 1000;
    document.getElementById("extend").disabled = !!(limit && limit.extended);
    tickLimit();
  }
  function tickLimit() {
    if (limitEnd === null) { return; }
    var left = Math.max(0, Math.round((limitEnd - performance.now()) / 1000));
    document.getElementById("limit-left").textContent =
      Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
  }
  setInterval(tickLimit, 1000);
  var extend = document.getElementById("extend");
  if (extend) {
    extend.addEventListener("click", function () {
      var reason = document.getElementById("extend-reason").value;
      post("/api/counselor/" + encodeURIComponent(id) + "/extend", { reason: reason }).then(function (r) {
        say(both(r.data.message_ko, r.data.message_en), r.status === 200);
        if (r.status === 200) { renderLimit(r.data.limit); }
      }, function () { say(both("요청을 보내지 못했습니다.", "The request could not be sent."), false); });
    });
  }

  desk.querySelectorAll("button[data-action]").forEach(function (button) {
    button.addEventListener("click", function () {
      var body = { action: button.dataset.action };
      if (body.action === "pause") { body.reason = document.getElementById("pause-reason").value; }
      post("/api/counselor/" + encodeURIComponent(id) + "/action", body).then(function (r) {
        say(r.data.message_ko ? both(r.data.message_ko, r.data.message_en) : r.data.message, r.status === 200);
      }, function () { say(both("요청을 보내지 못했습니다.", "The request could not be sent."), false); });
    });
  });

  desk.querySelectorAll("button[data-command]").forEach(function (button) {
    button.addEventListener("click", function () {
      var command = button.dataset.command;
      if (command === "blind" || command === "consult") {
        command += ":" + document.getElementById("department").value;
      }
      post("/api/counselor/" + encodeURIComponent(id) + "/call", { command: command }).then(function (r) {
        say(r.data.message_ko ? both(r.data.message_ko, r.data.message_en)
          : (r.data.problems || [r.data.message]).join(" "), r.status === 202);
      }, function () { say(both("요청을 보내지 못했습니다.", "The request could not be sent."), false); });
    });
  });

  var form = document.getElementById("note-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!callId) { return; }
      var body = { note: document.getElementById("note-text").value,
                   topic: document.getElementById("note-topic").value };
      post("/api/calls/" + encodeURIComponent(callId) + "/notes", body).then(function (r) {
        if (r.status === 201) {
          renderNote(document.getElementById("notes"), r.data);
          document.getElementById("note-text").value = "";
          say(both("메모를 저장했습니다.", "Note saved."), true);
        } else {
          say((r.data.problems || [r.data.message]).join(" "), false);
        }
      });
    });
  }

  L.connect("/api/counselor/" + encodeURIComponent(id) + "/live", render);
})();
