/* 천년전주 콜센터: the knowledge base beside the call (ivr/web/kb_desk.py).
   The call's topic articles arrive with the live snapshot; "/" focuses the search;
   results come as the counselor types (debounced); an article opens beside the call. */
"use strict";
(function () {
  var search = document.getElementById("kb-search");
  var results = document.getElementById("kb-results");
  var message = document.getElementById("kb-search-message");
  var panel = document.getElementById("kb-article");
  var tools = document.getElementById("kb-call-tools");
  var outcomes = {};
  document.getElementById("outcome-names").content.querySelectorAll("[data-outcome]").forEach(function (el) {
    outcomes[el.dataset.outcome] = el.textContent;
  });
  var call = null;      // the call on the desk (the live snapshot's), or null
  var opened = null;    // the slug of the article beside the call
  var asked = 0;        // searches sent: only the latest one's answer is shown
  var timer = null;
  var DEBOUNCE_MS = 250;

  var post = window.HotlineDesk.post;

  function say(text, ok) {
    message.hidden = !text;
    message.textContent = text || "";
    message.className = "message " + (ok ? "ok" : "refused");
  }

  function articleList(list, articles) {
    list.replaceChildren();
    articles.forEach(function (a) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.dataset.slug = a.slug;
      b.textContent = a.title;
      b.addEventListener("click", function () { open(a.slug); });
      li.appendChild(b);
      list.appendChild(li);
    });
  }

  function open(slug) {
    fetch("/api/kb/articles/" + encodeURIComponent(slug), { credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (d) { return { status: r.status, data: d }; }); })
      .then(function (r) {
        if (r.status !== 200) { say(r.data.message, false); return; }
        opened = r.data.slug;
        panel.hidden = false;
        panel.dataset.slug = r.data.slug;
        document.getElementById("kb-article-title").textContent = r.data.title;
        document.getElementById("kb-article-meta").textContent = "v" + r.data.version + " · " + r.data.department
          + (r.data.valid_until ? " · " + r.data.valid_until + "까지 유효" : "");
        document.getElementById("kb-article-body").textContent = r.data.body;
      });
  }

  function runSearch() {
    var q = search.value;
    if (!q.trim()) { results.replaceChildren(); say("", true); return; }
    var mine = ++asked;
    post("/api/kb/search", { q: q, topic: call ? call.topic : null, call_id: call ? call.call_id : null })
      .then(function (r) {
        if (mine !== asked) { return; }
        if (r.status !== 200) {
          results.replaceChildren();
          say((r.data.problems || [r.data.message]).join(" "), false);
          return;
        }
        articleList(results, r.data.hits);
        say(r.data.hits.length ? "" : bilingual("찾는 문서가 없습니다. 상담 DB에 없으면 아래에 질문을 남겨 주십시오.", "Nothing found."),
            r.data.hits.length > 0);
      }, function () { say(bilingual("검색 요청을 보내지 못했습니다.", "The search could not be sent."), false); });
  }

  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(runSearch, DEBOUNCE_MS);
  });

  document.addEventListener("keydown", function (event) {
    var t = event.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      search.focus();
      search.select();
    } else if (event.key === "Escape" && t === search) {
      search.blur();
    }
  });

  document.getElementById("kb-close").addEventListener("click", function () {
    panel.hidden = true;
    opened = null;
  });

  function renderMarks(marks) {
    var list = document.getElementById("kb-marks");
    if (!list) { return; }
    list.replaceChildren();
    marks.forEach(function (m) {
      var li = document.createElement("li");
      li.dataset.kind = m.kind;
      li.textContent = m.kind === "used"
        ? bilingual("답변에 사용", "used") + ": " + (m.title || m.slug) + " (v" + m.version + ")"
        : bilingual("상담 DB에 없음", "not in the base") + ": " + m.question;
      list.appendChild(li);
    });
  }

  function renderResolution(outcome) {
    var el = document.getElementById("kb-resolution");
    if (!el) { return; }
    el.dataset.outcome = outcome || "";
    el.textContent = outcome ? outcomes[outcome] || outcome : "";
  }

  document.addEventListener("desk:call", function (event) {
    var next = event.detail;
    var changed = !call || !next || call.call_id !== next.call_id;
    call = next;
    var topicLine = document.getElementById("kb-topic");
    if (tools) { tools.hidden = !next; }
    if (!next) { return; }
    if (changed) {
      results.replaceChildren();
      search.value = "";
      say("", true);
      if (opened) { panel.hidden = true; opened = null; }
    }
    topicLine.textContent = next.topic
      ? "선택하신 분야: " + next.topic_ko + " · " + next.articles.length + "건"
      : bilingual("ARS에서 고른 분야가 없습니다. 검색해 주십시오.", "No topic from the IVR: search.");
    topicLine.dataset.topic = next.topic || "";
    articleList(document.getElementById("kb-topic-articles"), next.articles);
    renderMarks(next.kb_marks);
    renderResolution(next.resolution);
  });

  var used = document.getElementById("kb-used");
  if (used) {
    used.addEventListener("click", function () {
      if (!call || !opened) { return; }
      post("/api/calls/" + encodeURIComponent(call.call_id) + "/kb", { kind: "used", slug: opened }).then(function (r) {
        if (r.status === 201) { renderMarks(r.data.kb_marks); say(bilingual("답변에 쓴 문서로 표시했습니다.", "Marked as used."), true); }
        else { say((r.data.problems || [r.data.message]).join(" "), false); }
      });
    });
  }

  var gap = document.getElementById("kb-gap-form");
  if (gap) {
    gap.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!call) { return; }
      var field = document.getElementById("kb-gap-question");
      var question = field.value || search.value;
      post("/api/calls/" + encodeURIComponent(call.call_id) + "/kb", { kind: "gap", question: question }).then(function (r) {
        if (r.status === 201) {
          renderMarks(r.data.kb_marks);
          field.value = "";
          say(bilingual("편집 담당자에게 전달했습니다.", "Sent to the editors' gap list."), true);
        } else { say((r.data.problems || [r.data.message]).join(" "), false); }
      });
    });
  }

  document.querySelectorAll("button[data-outcome]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (!call) { return; }
      post("/api/calls/" + encodeURIComponent(call.call_id) + "/resolution", { outcome: button.dataset.outcome })
        .then(function (r) {
          if (r.status === 200) { renderResolution(r.data.resolution); }
          else { say((r.data.problems || [r.data.message]).join(" "), false); }
        });
    });
  });
})();
