/* 천년전주 콜센터: the desk's softphone. JsSIP (static/jssip.min.js, static/README.md) registers
   the counselor's browser endpoint over the embedded Asterisk's secure WebSocket; the account
   comes from /api/softphone/account, for this counselor only. */
"use strict";
(function () {
  var box = document.getElementById("softphone");
  if (!box || !window.JsSIP) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var status = $("sp-status"), peer = $("sp-peer"), remote = $("sp-remote");
  var title = document.title;
  var ua = null, session = null, ringer = null;
  var WORDS = {
    starting: "준비 중입니다", registered: "전화를 받을 수 있습니다", unregistered: "연결이 끊겼습니다. 다시 연결하는 중입니다",
    failed: "등록하지 못했습니다", ringing: "전화가 왔습니다", connected: "통화 중입니다", held: "보류 중입니다",
    ended: "통화가 끝났습니다", none: "이 상담사에게는 브라우저 전화가 설정되지 않았습니다"
  };

  function show(state) {
    status.dataset.state = state;
    status.textContent = WORDS[state] || state;
    var live = session !== null;
    var talking = live && session.isEstablished();
    $("sp-answer").disabled = !(live && state === "ringing");
    $("sp-hangup").disabled = !live;
    ["sp-hold", "sp-mute", "sp-transfer", "sp-consult", "sp-queue-transfer"].forEach(function (id) {
      if ($(id)) { $(id).disabled = !talking; }
    });
    box.querySelectorAll("[data-key]").forEach(function (b) { b.disabled = !talking; });
    // The transfers are the counselor's (a supervisor's wallboard phone has none).
    if ($("sp-colleague-transfer")) {
      if (talking) { colleagues(); } else { $("sp-colleague-transfer").disabled = true; }
    }
    document.title = state === "ringing" ? "☎ 전화가 왔습니다 · " + title : (talking ? "통화 중 · " + title : title);
  }

  // The incoming-call sound: a Korean-style double ring, made with Web Audio (no file, no CDN).
  function ring(on) {
    if (!on) { if (ringer) { clearInterval(ringer.timer); ringer.ctx.close(); ringer = null; } return; }
    if (ringer || !window.AudioContext) { return; }
    var ctx = new AudioContext();
    var beep = function () {
      [0, 0.5].forEach(function (at) {
        var osc = ctx.createOscillator(), gain = ctx.createGain();
        osc.frequency.value = 440; gain.gain.value = 0.15;
        osc.connect(gain); gain.connect(ctx.destination);
        osc.start(ctx.currentTime + at); osc.stop(ctx.currentTime + at + 0.4);
      });
    };
    beep();
    ringer = { ctx: ctx, timer: setInterval(beep, 3000) };
  }

  function notify(text) {
    if (window.Notification && Notification.permission === "granted" && document.hidden) {
      new Notification("천년전주 콜센터", { body: text, tag: "hotline-call" });
    }
  }

  function attach(s) {
    session = s;
    var who = (s.remote_identity && s.remote_identity.uri && s.remote_identity.uri.user) || "";
    peer.hidden = false;
    peer.textContent = "상대 번호: " + who;
    s.on("peerconnection", function (e) { listen(e.peerconnection); });
    s.on("accepted", function () { ring(false); show("connected"); });
    s.on("confirmed", function () { show("connected"); });
    s.on("hold", function () { show("held"); });
    s.on("unhold", function () { show("connected"); });
    var end = function () { ring(false); session = null; peer.hidden = true; show("ended"); };
    s.on("ended", end);
    s.on("failed", end);
    ring(true);
    notify("전화가 왔습니다: " + who);
    show("ringing");
  }

  function listen(pc) {
    pc.addEventListener("track", function (e) {
      remote.srcObject = e.streams[0] || new MediaStream([e.track]);
      remote.play().catch(function () {});
    });
  }

  function start(account) {
    var socket = new JsSIP.WebSocketInterface(account.ws_url);
    ua = new JsSIP.UA({
      sockets: [socket], uri: account.uri, password: account.password,
      authorization_user: account.user, display_name: account.display_name,
      register: true, session_timers: false, user_agent: "Jeonju-Hotline desk"
    });
    ua.on("registered", function () { if (!session) { show("registered"); } });
    ua.on("unregistered", function () { show("unregistered"); });
    ua.on("registrationFailed", function () { show("failed"); });
    ua.on("newRTCSession", function (e) {
      if (e.originator !== "remote") { return; }
      if (session) { e.session.terminate({ status_code: 486 }); return; }
      attach(e.session);
    });
    ua.start();
  }

  $("sp-answer").addEventListener("click", function () {
    if (!session) { return; }
    session.answer({ mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: [] } });
    if (session.connection) { listen(session.connection); }
  });
  $("sp-hangup").addEventListener("click", function () { if (session) { session.terminate(); } });
  $("sp-hold").addEventListener("click", function () {
    if (!session) { return; }
    var held = session.isOnHold().local;
    if (held) { session.unhold(); } else { session.hold(); }
    $("sp-hold").setAttribute("aria-pressed", String(!held));
    $("sp-hold").textContent = held ? "보류" : "보류 해제";
  });
  $("sp-mute").addEventListener("click", function () {
    if (!session) { return; }
    var muted = session.isMuted().audio;
    if (muted) { session.unmute({ audio: true }); } else { session.mute({ audio: true }); }
    $("sp-mute").setAttribute("aria-pressed", String(!muted));
    $("sp-mute").textContent = muted ? "음소거" : "음소거 해제";
  });
  // Keys go as RFC 4733 events, as a desk phone sends them: the in-call codes (*9, *4N...) work alike.
  function keys(tones) { if (session) { session.sendDTMF(tones, { transportType: "RFC2833", duration: 160, interToneGap: 200 }); } }
  box.querySelectorAll("[data-key]").forEach(function (b) {
    b.addEventListener("click", function () { keys(b.dataset.key); });
  });
  if ($("sp-transfer")) {
    $("sp-transfer").addEventListener("click", function () { keys("*4" + $("sp-department").value); });
    $("sp-consult").addEventListener("click", function () { keys("*5" + $("sp-department").value); });
  }
  // A colleague who is available now, by name (the list is asked for whenever a call is up):
  // the desk hands the caller over once they answer, through the call's own commands.
  var desk = document.getElementById("desk");
  var me = desk ? desk.dataset.counselor : "";
  function colleagues() {
    fetch("/api/counselor/" + encodeURIComponent(me) + "/colleagues", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (list) {
        var select = $("sp-colleague");
        var kept = select.value;
        select.replaceChildren();
        list.forEach(function (c) {
          var o = document.createElement("option");
          o.value = c.id; o.textContent = c.name;
          select.appendChild(o);
        });
        if (!list.length) {
          var none = document.createElement("option");
          none.value = ""; none.textContent = "받을 수 있는 동료가 없습니다";
          select.appendChild(none);
        }
        if (list.some(function (c) { return c.id === kept; })) { select.value = kept; }
        $("sp-colleague-transfer").disabled = !(session && session.isEstablished() && list.length);
      });
  }
  // The call's own commands (POST /api/counselor/<id>/call): a colleague, or a queue.
  function command(text, done, refused) {
    var token = document.querySelector('meta[name="csrf-token"]').content;
    var note = $("sp-transfer-message");
    return fetch("/api/counselor/" + encodeURIComponent(me) + "/call", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify({ command: text })
    }).then(function (r) {
      note.hidden = false;
      note.className = "message " + (r.ok ? "ok" : "refused");
      note.textContent = r.ok ? done : refused;
      return r.ok;
    });
  }
  if ($("sp-colleague-transfer")) {
    $("sp-colleague-transfer").addEventListener("click", function () {
      command("colleague:" + $("sp-colleague").value, "동료 상담사의 전화가 울립니다. 받으면 연결됩니다.",
        "지금은 돌려 드릴 수 없습니다. 다른 동료를 골라 주십시오.").then(function (ok) { if (!ok) { colleagues(); } });
    });
  }
  // Back into a queue: the caller waits first in that line and this desk is free (wrap-up).
  if ($("sp-queue-transfer")) {
    $("sp-queue-transfer").addEventListener("click", function () {
      var name = $("sp-queue").selectedOptions[0].textContent;
      command("queue:" + $("sp-queue").value, name + " 줄의 맨 앞으로 돌려 드렸습니다.",
        "지금은 돌려 드릴 수 없습니다.");
    });
  }
  $("sp-notify").addEventListener("click", function () {
    if (window.Notification) { Notification.requestPermission(); }
  });

  fetch("/api/softphone/account", { credentials: "same-origin" }).then(function (r) {
    if (!r.ok) { show("none"); return null; }
    return r.json();
  }).then(function (account) { if (account) { start(account); } })
    .catch(function () { show("failed"); });
})();
