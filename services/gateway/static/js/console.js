// The owner console's few behaviours (no inline script anywhere; this file is served from 'self').
(function () {
  "use strict";

  // Copy buttons: <button data-copy="element-id">
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-copy]");
    if (!btn) return;
    var src = document.getElementById(btn.getAttribute("data-copy"));
    if (!src) return;
    var text = src.value !== undefined ? src.value : src.textContent;
    var done = function () { var old = btn.textContent; btn.textContent = "Copied"; setTimeout(function () { btn.textContent = old; }, 1500); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { src.select && src.select(); document.execCommand("copy"); done(); });
    } else { src.select && src.select(); document.execCommand("copy"); done(); }
  });

  // Confirm before destructive submits: <form data-confirm="Really?">
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute && ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) ev.preventDefault();
  });

  // Live progress: <div data-poll="/url.json" data-interval="1000"> with children [data-field=name]
  // (text) and <progress data-field=...>. Stops when the JSON says {"done": true}.
  function poll(el) {
    var url = el.getAttribute("data-poll");
    var every = parseInt(el.getAttribute("data-interval") || "1000", 10);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { setTimeout(function () { poll(el); }, every * 3); return; }
        el.querySelectorAll("[data-field]").forEach(function (f) {
          var v = data[f.getAttribute("data-field")];
          if (v === undefined || v === null) return;
          if (f.tagName === "PROGRESS") { f.max = data.total || f.max; f.value = v; }
          else f.textContent = String(v);
        });
        if (data.done) {
          el.setAttribute("data-done", "true");
          var reveal = el.querySelectorAll("[data-when-done]");
          reveal.forEach(function (r) { r.hidden = false; });
          if (el.hasAttribute("data-reload-when-done")) window.location.reload();
          return;
        }
        setTimeout(function () { poll(el); }, every);
      })
      .catch(function () { setTimeout(function () { poll(el); }, every * 3); });
  }
  document.querySelectorAll("[data-poll]").forEach(poll);

  // Live preview: a <form data-live-preview target="frame-name"> re-submits itself (into the frame) as you type.
  document.querySelectorAll("form[data-live-preview]").forEach(function (form) {
    var timer = null;
    var source = document.getElementById(form.getAttribute("data-live-preview"));
    var sync = function () {
      if (source) {
        source.querySelectorAll("[name]").forEach(function (input) {
          var twin = form.querySelector("[data-mirror='" + input.name + "']");
          if (twin) twin.value = input.type === "checkbox" ? (input.checked ? "on" : "") : input.value;
        });
      }
      form.submit();
    };
    (source || form).addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(sync, 400); });
    sync();
  });

  // Preview widths: <button data-frame-width="phone|desktop" data-frame="id">
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-frame-width]");
    if (!btn) return;
    var frames = document.querySelectorAll(btn.getAttribute("data-frame"));
    frames.forEach(function (f) { f.classList.toggle("phone", btn.getAttribute("data-frame-width") === "phone"); });
    document.querySelectorAll("[data-frame-width]").forEach(function (b) { b.setAttribute("aria-pressed", String(b === btn)); });
  });

  // Colour pairs: <input type=color data-color-for="text-input-id"> and its hex text follow each other.
  document.querySelectorAll("input[data-color-for]").forEach(function (picker) {
    var text = document.getElementById(picker.getAttribute("data-color-for"));
    if (!text) return;
    picker.addEventListener("input", function () { text.value = picker.value; });
    text.addEventListener("input", function () {
      var v = text.value.trim();
      if (/^#[0-9a-fA-F]{3}$/.test(v)) v = "#" + v[1] + v[1] + v[2] + v[2] + v[3] + v[3];
      if (/^#[0-9a-fA-F]{6}$/.test(v)) picker.value = v.toLowerCase();
    });
  });

  // Choices kept in step: <input type=checkbox data-picks="radio-id"> ticked picks that radio;
  // <input type=radio data-unticks="container-id"> picked unticks the boxes inside that container.
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (!el.checked) return;
    var radio = el.getAttribute("data-picks") && document.getElementById(el.getAttribute("data-picks"));
    if (radio) radio.checked = true;
    var box = el.getAttribute("data-unticks") && document.getElementById(el.getAttribute("data-unticks"));
    if (box) box.querySelectorAll("input[type=checkbox]").forEach(function (b) { b.checked = false; });
  });

  // Project switcher: <select data-navigate> goes to the chosen option's value.
  document.querySelectorAll("select[data-navigate]").forEach(function (sel) {
    sel.addEventListener("change", function () { if (sel.value) window.location.href = sel.value; });
  });
})();
