/* 천년전주 콜센터: 민원 at the counselor's desk (ivr/web/case_calls.py).
   The caller's open cases come first with the live snapshot; "민원 접수" opens a form
   prefilled from the call (caller, topic, IVR path, articles tried are the server's);
   while the citizen is on the line, "접수번호 읽어 주기" reads a case's number to them. */
"use strict";
(function () {
  var card = document.getElementById("cases-card");
  var list = document.getElementById("open-cases");
  var hint = document.getElementById("open-cases-hint");
  var message = document.getElementById("case-message");
  var form = document.getElementById("case-form");
  var opener = document.getElementById("case-open-form");
  var post = window.HotlineDesk.post;
  var call = null;
  var canAct = document.getElementById("desk").dataset.canAct === "yes";

  function say(text, ok) {
    message.hidden = !text;
    message.textContent = text || "";
    message.className = "message " + (ok ? "ok" : "refused");
  }

  function readOut(number) {
    post("/api/cases/" + encodeURIComponent(number) + "/read-out", {}).then(function (r) {
      say(r.status === 202 ? r.data.message_ko : r.data.message, r.status === 202);
    }, function () { say(bilingual("요청을 보내지 못했습니다.", "The request could not be sent."), false); });
  }

  function caseItem(c) {
    var li = document.createElement("li");
    li.dataset.number = c.number;
    var a = document.createElement("a");
    a.href = "/cases/" + encodeURIComponent(c.number);
    a.textContent = c.number;
    li.appendChild(a);
    li.appendChild(document.createTextNode(" " + c.status_ko + " · " + c.department_ko + " · 기한 " + c.deadline
      + (c.overdue ? " (기한 경과)" : "")));
    if (canAct && call && call.current) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "read-out";
      b.textContent = bilingual("접수번호 읽어 주기", "Read the number out");
      b.addEventListener("click", function () { readOut(c.number); });
      li.appendChild(b);
    }
    return li;
  }

  function render(cases) {
    list.replaceChildren();
    (cases || []).forEach(function (c) { list.appendChild(caseItem(c)); });
    hint.hidden = !(cases && cases.length);
  }

  function options(select, items) {
    select.replaceChildren();
    items.forEach(function (i) {
      var o = document.createElement("option");
      o.value = i.id;
      o.textContent = i.name + (i.days !== undefined ? " (" + (i.days ? i.days + "일" : "즉시") + ")" : "");
      select.appendChild(o);
    });
  }

  document.addEventListener("desk:call", function (event) {
    call = event.detail;
    card.hidden = !call;
    if (!call) { return; }
    // The snapshot comes every few seconds: redraw only when the cases changed.
    var key = JSON.stringify(call.cases || []) + call.current;
    if (card.dataset.key !== key) { card.dataset.key = key; render(call.cases); }
  });

  if (!opener) { return; }
  opener.addEventListener("click", function () {
    if (!call) { return; }
    fetch("/api/calls/" + encodeURIComponent(call.call_id) + "/case-form", { credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (d) { return { status: r.status, data: d }; }); })
      .then(function (r) {
        if (r.status !== 200) { say(r.data.message, false); return; }
        options(document.getElementById("case-type"), r.data.types);
        options(document.getElementById("case-department"), r.data.departments);
        options(document.getElementById("case-channel"), r.data.channels);
        document.getElementById("case-prefill").textContent = "발신 " + r.data.caller + " · 주제 "
          + (r.data.topic || "-") + " · ARS " + (r.data.ivr_path || "-") + " · 상담 DB "
          + (r.data.articles.join(", ") || "-");
        form.hidden = false;
        document.getElementById("case-description").focus();
      });
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = { call_id: call.call_id };
    new FormData(form).forEach(function (value, name) { body[name] = value; });
    post("/api/cases", body).then(function (r) {
      if (r.status !== 201) { say(r.data.message, false); return; }
      say("민원 " + r.data.number + "을(를) 접수하여 " + r.data.department_ko + "에 이관했습니다. 처리 기한 "
        + r.data.deadline + " · Registered", true);
      form.reset();
      form.hidden = true;
      var cases = [r.data].concat((call.cases || []).filter(function (c) { return c.number !== r.data.number; }));
      call.cases = cases;
      render(cases);
    }, function () { say(bilingual("요청을 보내지 못했습니다.", "The request could not be sent."), false); });
  });
})();
