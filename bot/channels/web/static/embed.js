/* Măng Non on another website: <script src="https://BOT/embed.js" defer></script>
   adds a round button that opens the chat in a frame (see docs/EMBED.md). */
(function () {
  "use strict";
  var me = document.currentScript, origin = new URL(me.src).origin;
  var label = me.getAttribute("data-label") || "Măng Non · 111";
  var button = document.createElement("button"), frame = null;
  button.type = "button"; button.textContent = "🌱 " + label;
  button.setAttribute("aria-expanded", "false");
  button.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483000;min-height:48px;padding:0 18px;border:0;border-radius:24px;background:#2e7d32;color:#fff;font:600 16px system-ui,sans-serif;box-shadow:0 2px 8px rgba(0,0,0,.3);cursor:pointer";
  button.onclick = function () {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = origin + "/"; frame.title = "Măng Non";
      frame.style.cssText = "position:fixed;right:16px;bottom:76px;z-index:2147483000;width:min(400px,calc(100vw - 32px));height:min(600px,calc(100vh - 100px));border:1px solid #ccc;border-radius:12px;background:#fff;box-shadow:0 4px 16px rgba(0,0,0,.3)";
      document.body.appendChild(frame);
    } else {
      frame.hidden = !frame.hidden;
    }
    button.setAttribute("aria-expanded", frame.hidden ? "false" : "true");
  };
  document.body.appendChild(button);
})();
