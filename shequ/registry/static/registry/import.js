// Import progress: ask the job's status once a second while it runs, then
// reload the page to show the result. Plain JavaScript, no library.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  var percent = document.getElementById("import-percent");
  var state = document.getElementById("import-state");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) { window.setTimeout(poll, 3000); return; }
        bar.value = status.progress;
        percent.textContent = String(status.progress);
        state.textContent = status.state_display;
        if (status.running) { window.setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
