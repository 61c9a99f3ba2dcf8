/* 천년전주 콜센터: the QA player (waveform, seeking, the timeline) and the scorecard form. */
"use strict";
(function () {
  var token = document.querySelector('meta[name="csrf-token"]').content;

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    var s = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (s < 10 ? "0" : "") + s;
  }

  var player = document.getElementById("player");
  if (player) {
    var audio = document.getElementById("audio");
    var canvas = document.getElementById("waveform");
    var ctx = canvas.getContext("2d");
    var peaks = [];
    var length = 0;

    var draw = function () {
      var w = canvas.width, h = canvas.height, mid = h / 2;
      var played = length ? (audio.currentTime / length) * w : 0;
      ctx.clearRect(0, 0, w, h);
      var bar = peaks.length ? w / peaks.length : w;
      for (var i = 0; i < peaks.length; i++) {
        var x = i * bar;
        var half = Math.max(1, peaks[i] * (mid - 2));
        ctx.fillStyle = x < played ? "#1f5fa8" : "#9bb6d6";
        ctx.fillRect(x, mid - half, Math.max(1, bar - 0.5), half * 2);
      }
      ctx.fillStyle = "#c0392b";
      ctx.fillRect(played, 0, 2, h);
      document.getElementById("position").textContent = clock(audio.currentTime);
    };

    var seek = function (seconds) {
      if (!length) { return; }
      audio.currentTime = Math.min(Math.max(0, seconds), length);
      draw();
    };

    fetch("/api/recordings/" + player.dataset.recording + "/waveform", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { seconds: 0, peaks: [] }; })
      .then(function (data) {
        peaks = data.peaks || [];
        length = length || data.seconds || 0;
        document.getElementById("length").textContent = clock(length);
        draw();
      });

    audio.addEventListener("loadedmetadata", function () {
      if (isFinite(audio.duration) && audio.duration > 0) { length = audio.duration; }
      draw();
    });
    audio.addEventListener("timeupdate", draw);
    audio.addEventListener("seeked", draw);
    canvas.addEventListener("click", function (ev) {
      var box = canvas.getBoundingClientRect();
      seek(((ev.clientX - box.left) / box.width) * length);
    });
    var toggle = function () { if (audio.paused) { audio.play(); } else { audio.pause(); } };
    document.getElementById("play").addEventListener("click", toggle);
    document.getElementById("back5").addEventListener("click", function () { seek(audio.currentTime - 5); });
    document.getElementById("ahead5").addEventListener("click", function () { seek(audio.currentTime + 5); });
    // Keys while not typing: Space plays/pauses, arrows skip 5 s, Home goes to the start.
    document.addEventListener("keydown", function (ev) {
      var t = ev.target;
      if (ev.altKey || ev.ctrlKey || ev.metaKey || (t && t.closest && t.closest("input, textarea, select, button, a, audio"))) {
        return;
      }
      if (ev.key === " ") { toggle(); }
      else if (ev.key === "ArrowLeft") { seek(audio.currentTime - 5); }
      else if (ev.key === "ArrowRight") { seek(audio.currentTime + 5); }
      else if (ev.key === "Home") { seek(0); }
      else { return; }
      ev.preventDefault();
    });
    document.querySelectorAll("#timeline li.seekable").forEach(function (li) {
      var go = function () { seek(parseFloat(li.dataset.offset)); };
      li.addEventListener("click", go);
      li.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { go(); } });
    });
  }

  var form = document.getElementById("score-form");
  if (form) {
    var select = document.getElementById("scorecard");
    var message = document.getElementById("score-message");
    var editing = null;  // the id of the score being edited, or null for a new one
    var fieldset = function () {
      return form.querySelector('fieldset[data-scorecard="' + select.value + '"]');
    };
    var criteria = function () { return fieldset().querySelectorAll("select[data-criterion]"); };
    // The same weighting as ivr/web/qa_scoring.py, shown while the form fills.
    var tally = function () {
      var sum = 0, weights = 0, empty = [];
      criteria().forEach(function (s) {
        var weight = parseFloat(s.dataset.weight);
        weights += weight;
        if (s.value === "") { empty.push(s.dataset.name); return; }
        s.removeAttribute("aria-invalid");
        sum += parseInt(s.value, 10) / parseInt(s.dataset.max, 10) * weight;
      });
      var total = weights ? sum / weights * 100 : 0;
      document.getElementById("running-total").textContent = total.toFixed(1) + "점"
        + (empty.length ? " (지금까지)" : "");
      document.getElementById("still-empty").textContent = empty.length
        ? "남은 항목 " + empty.length + "개: " + empty.join(", ") : "";
      return empty;
    };
    var showCard = function () {
      form.querySelectorAll("fieldset.criteria").forEach(function (fs) {
        fs.hidden = fs.dataset.scorecard !== select.value;
      });
      tally();
    };
    select.addEventListener("change", showCard);
    form.addEventListener("change", tally);
    showCard();
    var say = function (ok, text) {
      message.hidden = false;
      message.className = "message " + (ok ? "ok" : "refused");
      message.textContent = text;
    };
    var send = function (method, path, body) {
      return fetch(path, {
        method: method,
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
        body: JSON.stringify(body)
      }).then(function (r) {
        return r.json().then(function (data) { return { ok: r.ok, data: data }; });
      });
    };
    var cancel = document.getElementById("cancel-edit");
    var stopEditing = function () {
      editing = null;
      cancel.hidden = true;
      select.disabled = false;
      form.reset();
      showCard();
    };
    cancel.addEventListener("click", stopEditing);
    document.querySelectorAll("button[data-edit]").forEach(function (button) {
      button.addEventListener("click", function () {
        var box = button.closest(".score");
        var points = JSON.parse(box.dataset.points || "{}");
        editing = button.dataset.edit;
        select.value = box.dataset.scorecard;
        select.disabled = true;  // an edit keeps its scorecard
        showCard();
        criteria().forEach(function (s) {
          s.value = points[s.dataset.criterion] === undefined ? "" : String(points[s.dataset.criterion]);
        });
        document.getElementById("feedback").value = box.dataset.feedback || "";
        cancel.hidden = false;
        tally();
        form.scrollIntoView({ block: "start" });
      });
    });
    document.querySelectorAll("button[data-withdraw]").forEach(function (button) {
      button.addEventListener("click", function () {
        if (!window.confirm("이 평가를 철회하시겠습니까? 철회한 평가는 합계에 들어가지 않습니다.")) { return; }
        send("POST", "/api/scores/" + button.dataset.withdraw + "/withdraw", {}).then(function (res) {
          if (res.ok) { window.location.reload(); }
          else { say(false, res.data.message || "철회하지 못했습니다."); }
        });
      });
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      // Empty criteria are left out: the server names each one it is missing.
      var points = {};
      criteria().forEach(function (s) {
        if (s.value !== "") { points[s.dataset.criterion] = parseInt(s.value, 10); }
        else { s.setAttribute("aria-invalid", "true"); }
      });
      var body = { scorecard: select.value, points: points, feedback: document.getElementById("feedback").value };
      var request = editing
        ? send("PUT", "/api/scores/" + editing, body)
        : send("POST", "/api/calls/" + encodeURIComponent(form.dataset.call) + "/scores", body);
      request.then(function (res) {
        if (res.ok) {
          say(true, "저장했습니다: " + res.data.total.toFixed(1) + "점");
          window.setTimeout(function () { window.location.reload(); }, 600);
        } else {
          say(false, (res.data.problems || [res.data.message]).join(" "));
          var first = form.querySelector('select[aria-invalid="true"]');
          if (first) { first.focus(); }
        }
      });
    });
  }
})();
