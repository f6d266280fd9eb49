// swtalent serve: drag and drop onto the roster field, and the progress of a run. No library, no
// network beyond this server; every page works without it (a plain file field, a refreshing page).
(function () {
  "use strict";
  function ready(fn) { document.readyState !== "loading" ? fn() : document.addEventListener("DOMContentLoaded", fn); }
  ready(function () {
    var drop = document.getElementById("drop"), input = document.getElementById("roster");
    var chosen = document.getElementById("chosen");
    if (drop && input) {
      var show = function () { chosen.textContent = input.files.length ? input.files[0].name : ""; };
      input.addEventListener("change", show);
      ["dragenter", "dragover"].forEach(function (e) {
        drop.addEventListener(e, function (ev) { ev.preventDefault(); drop.classList.add("over"); });
      });
      ["dragleave", "drop"].forEach(function (e) {
        drop.addEventListener(e, function (ev) { ev.preventDefault(); drop.classList.remove("over"); });
      });
      drop.addEventListener("drop", function (ev) {
        if (ev.dataTransfer && ev.dataTransfer.files.length) { input.files = ev.dataTransfer.files; show(); }
      });
    }
    var box = document.getElementById("progress");
    if (box) {
      var stage = document.getElementById("stage"), elapsed = document.getElementById("elapsed");
      var template = elapsed.textContent.replace(/\d+/, "{s}");
      var poll = function () {
        fetch(box.getAttribute("data-status"), {headers: {"Accept": "application/json"}})
          .then(function (r) { return r.json(); })
          .then(function (s) {
            if (s.state === "done" || s.state === "failed" || s.state === "gone") { window.location.reload(); return; }
            stage.textContent = s.stage_text; elapsed.textContent = template.replace("{s}", s.seconds);
            setTimeout(poll, 700);
          })
          .catch(function () { setTimeout(poll, 2000); });
      };
      setTimeout(poll, 400);
    }
  });
})();
