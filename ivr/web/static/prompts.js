// The prompt studio: record (MediaRecorder) or upload, see before/after, accept.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  let number = null;
  let takeId = null;
  let recorder = null;

  function status(text, bad) {
    $("studio-status").textContent = text;
    $("studio-status").className = bad ? "error" : "";
  }

  function draw(canvas, peaks) {
    const g = canvas.getContext("2d");
    g.clearRect(0, 0, canvas.width, canvas.height);
    g.fillStyle = "#1f5f99";
    const w = canvas.width / Math.max(peaks.length, 1);
    const mid = canvas.height / 2;
    peaks.forEach((p, i) => g.fillRect(i * w, mid - p * mid, Math.max(w, 1), Math.max(p * canvas.height, 1)));
  }

  async function post(url, body, type) {
    const headers = { "X-CSRF-Token": csrf };
    if (type) headers["Content-Type"] = type;
    const response = await fetch(url, { method: "POST", body: body, headers: headers, credentials: "same-origin" });
    let data = {};
    try { data = await response.json(); } catch (e) { data = { error: bilingual("서버 응답을 읽을 수 없습니다.", "Bad response.") }; }
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  async function send(blob, source) {
    status(bilingual("처리 중입니다…", "Processing…"));
    $("take").hidden = true;
    try {
      const data = await post(`/prompts/${number}/takes?source=${source}`, blob, blob.type || "application/octet-stream");
      takeId = data.take.id;
      draw($("wave-before"), data.before.peaks);
      draw($("wave-after"), data.after.peaks);
      $("before-seconds").textContent = `${data.before.seconds.toFixed(1)} s`;
      $("after-seconds").textContent = `${data.after.seconds.toFixed(1)} s, ${data.take.loudness} LUFS`;
      $("audio-before").src = `/prompts/takes/${takeId}/audio?which=before`;
      $("audio-after").src = `/prompts/takes/${takeId}/audio`;
      $("take").hidden = false;
      $("take").dataset.take = takeId;
      status(bilingual("들어 보시고 게시하십시오.", "Listen, then accept."));
    } catch (err) {
      status(err.message, true);
    }
  }

  document.querySelectorAll("button.choose").forEach((b) => b.addEventListener("click", () => {
    number = b.dataset.number;
    const row = b.closest("tr");
    $("studio-title").textContent = `${number} · ${row.children[2].textContent} (${row.children[3].textContent})`;
    $("studio-text").textContent = row.querySelector(".text").textContent;
    $("studio").hidden = false;
    $("take").hidden = true;
    status("");
  }));

  document.querySelectorAll("button.rollback").forEach((b) => b.addEventListener("click", async () => {
    try {
      await post(`/prompts/${b.dataset.number}/rollback`, null);
      window.location.reload();
    } catch (err) { status(err.message, true); }
  }));

  $("record-start").addEventListener("click", async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
      recorder.onstop = () => {
        stream.getTracks().forEach((t) => t.stop());
        send(new Blob(chunks, { type: recorder.mimeType || "audio/webm" }), "browser");
      };
      recorder.start();
      $("record-start").disabled = true;
      $("record-stop").disabled = false;
      status(bilingual("녹음 중입니다. 말씀하신 뒤 '녹음 끝'을 누르십시오.", "Recording…"));
    } catch (err) {
      status(bilingual(`마이크를 쓸 수 없습니다: ${err.message}`, `No microphone.`), true);
    }
  });

  $("record-stop").addEventListener("click", () => {
    $("record-start").disabled = false;
    $("record-stop").disabled = true;
    if (recorder) recorder.stop();
  });

  $("upload").addEventListener("change", (e) => {
    const file = e.target.files[0];
    if (file) send(file, "upload");
    e.target.value = "";
  });

  $("accept").addEventListener("click", async () => {
    try {
      const data = await post(`/prompts/takes/${takeId}/accept`, null);
      status(bilingual(`게시했습니다: v${data.version.version}. 새로 걸려 오는 전화부터 나갑니다.`, `Published.`));
      window.setTimeout(() => window.location.reload(), 600);
    } catch (err) { status(err.message, true); }
  });

  $("discard").addEventListener("click", async () => {
    try {
      await post(`/prompts/takes/${takeId}/discard`, null);
      $("take").hidden = true;
      status(bilingual("버렸습니다.", "Discarded."));
    } catch (err) { status(err.message, true); }
  });
})();
