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
    document.querySelectorAll("#timeline li.seekable").forEach(function (li) {
      var go = function () { seek(parseFloat(li.dataset.offset)); };
      li.addEventListener("click", go);
      li.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { go(); } });
    });
  }

  var form = document.getElementById("score-form");
  if (form) {
    var select = document.getElementById("scorecard");
    var showCard = function () {
      form.querySelectorAll("fieldset.criteria").forEach(function (fs) {
        fs.hidden = fs.dataset.scorecard !== select.value;
      });
    };
    select.addEventListener("change", showCard);
    showCard();
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var points = {};
      form.querySelector('fieldset[data-scorecard="' + select.value + '"]')
        .querySelectorAll("select[data-criterion]").forEach(function (s) {
          points[s.dataset.criterion] = parseInt(s.value, 10);
        });
      var message = document.getElementById("score-message");
      fetch("/api/calls/" + encodeURIComponent(form.dataset.call) + "/scores", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
        body: JSON.stringify({
          scorecard: select.value, points: points, feedback: document.getElementById("feedback").value
        })
      }).then(function (r) {
        return r.json().then(function (data) { return { ok: r.ok, data: data }; });
      }).then(function (res) {
        message.hidden = false;
        if (res.ok) {
          message.className = "message ok";
          message.textContent = "저장했습니다: " + res.data.total.toFixed(1) + "점 · Saved.";
          window.setTimeout(function () { window.location.reload(); }, 600);
        } else {
          message.className = "message refused";
          message.textContent = (res.data.problems || [res.data.message]).join(" ");
        }
      });
    });
  }
})();
