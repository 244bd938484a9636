"use strict";
// The case desk: refresh the queue and an open conversation every few seconds (server-rendered
// fragments), count new cases in the tab title, and chime for a new case once sound is on; follow
// a campaign's progress the same way.
(function () {
  const baseTitle = document.title;
  let audio = null;
  const sound = document.getElementById("sound");
  if (sound) sound.addEventListener("click", () => {
    audio = audio ? null : new (window.AudioContext || window.webkitAudioContext)();
    sound.setAttribute("aria-pressed", audio ? "true" : "false");
    if (audio) chime();
  });
  function chime() {
    if (!audio) return;
    const osc = audio.createOscillator(), gain = audio.createGain();
    osc.frequency.value = 880; gain.gain.value = 0.15;
    osc.connect(gain); gain.connect(audio.destination);
    osc.start(); osc.stop(audio.currentTime + 0.35);
  }
  function live(box, after) {
    const every = (Number(box.dataset.poll) || 5) * 1000;
    async function refresh() {
      try {
        const res = await fetch(box.dataset.src, { credentials: "same-origin", redirect: "manual" });
        if (res.status === 401 || res.type === "opaqueredirect") { location.reload(); return; }
        if (res.ok) { box.innerHTML = await res.text(); after(); }  // escaped by the server
      } catch (e) { /* offline for a moment: try again */ }
      setTimeout(refresh, every);
    }
    setTimeout(refresh, every);
  }
  const queue = document.getElementById("queue");
  if (queue) {
    let known = null;
    const update = () => {
      const ids = [...queue.querySelectorAll("[data-case]")].map((row) => row.dataset.case);
      const waiting = queue.querySelectorAll('[data-status="new"]').length;
      document.title = (waiting ? "(" + waiting + ") " : "") + baseTitle;
      if (known && ids.some((id) => !known.has(id))) chime();
      known = new Set(ids);
    };
    update();
    live(queue, update);
  }
  const messages = document.getElementById("messages");
  if (messages) live(messages, () => {});
  // a campaign's progress: when its status changes, the page (and its actions) follow
  const progress = document.getElementById("progress");
  if (progress && progress.dataset.src) live(progress, () => {
    const now = progress.querySelector("[data-status]");
    if (now && now.dataset.status !== progress.dataset.status) location.reload();
  });
})();
