// clawkit web doctor: streams the walkthrough and posts the user's choices. No framework,
// no build step; every fragment arrives rendered and escaped by the server.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="clawkit-csrf"]').content;
  const $ = (sel) => document.querySelector(sel);

  async function post(path, fields) {
    const body = new URLSearchParams(fields || {});
    const r = await fetch(path, {
      method: "POST",
      headers: { "X-Clawkit-Csrf": csrf, "Content-Type": "application/x-www-form-urlencoded" },
      body: body,
      credentials: "same-origin",
    });
    return { ok: r.ok, status: r.status, html: await r.text() };
  }

  let stream = null;
  function walk() {
    const list = $("#walk");
    if (!list) return;
    if (stream) stream.close();
    $("#summary").textContent = "Checking this machine…";
    for (const li of list.children) {
      li.className = "step running";
      const s = li.querySelector(".status");
      if (s) s.textContent = "… checking";
    }
    stream = new EventSource("/api/walk");
    stream.addEventListener("step", (e) => {
      const d = JSON.parse(e.data);
      const li = document.getElementById("step-" + d.id);
      if (!li) return;
      li.className = "step " + d.status;
      li.innerHTML = d.html;
    });
    stream.addEventListener("summary", (e) => {
      $("#summary").textContent = JSON.parse(e.data).text;
      stream.close();
      document.body.dataset.walked = String(Number(document.body.dataset.walked || 0) + 1);
    });
    stream.addEventListener("trouble", (e) => {
      $("#summary").textContent = JSON.parse(e.data).text;
      stream.close();
    });
  }

  document.addEventListener("click", async (e) => {
    const b = e.target.closest("[data-action]");
    if (!b) return;
    const step = b.dataset.step;
    const result = $("#result");
    switch (b.dataset.action) {
      case "preview": {
        const r = await post("/api/preview", { step });
        document.getElementById("preview-" + step).innerHTML = r.html;
        break;
      }
      case "apply": {
        b.disabled = true;
        result.innerHTML = "<p>Applying…</p>";
        const r = await post("/api/apply", { step });
        result.innerHTML = r.html;
        walk();
        break;
      }
      case "undo": {
        const r = await post("/api/undo", {});
        result.innerHTML = r.html;
        walk();
        break;
      }
      case "recheck":
        walk();
        break;
      case "helped":
        result.innerHTML = "<p class=\"note ok\">Good: the browser's stale token was the cause.</p>";
        break;
      case "not-helped": {
        const next = document.getElementById("step-" + step).nextElementSibling;
        if (next) next.scrollIntoView();
        break;
      }
      case "dashboard": {
        b.disabled = true;
        const r = await post("/api/dashboard", { window: b.dataset.window });
        result.innerHTML = r.html;
        b.disabled = false;
        break;
      }
      case "token": {
        if (!window.confirm(b.dataset.confirm)) return;
        const r = await post("/api/token", { op: b.dataset.op, id: b.dataset.id || "", confirm: "yes" });
        result.innerHTML = r.html;
        document.body.dataset.tokenDone = b.dataset.op;
        break;
      }
    }
  });

  const explain = $("#explain-form");
  if (explain) {
    explain.addEventListener("submit", async (e) => {
      e.preventDefault();
      const r = await post("/api/explain", { text: $("#explain-text").value });
      $("#result").innerHTML = r.html;
    });
  }
  walk();
})();
