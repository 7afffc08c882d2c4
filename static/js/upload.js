// upload.js: drag-and-drop and progress for the upload pages. Without it
// the plain form posts and the progress page reloads itself (meta refresh).
(function () {
  "use strict";

  // Upload form: drop a file on the form, send it with the options, show
  // how much has been sent, then go to the upload's page.
  var form = document.getElementById("upload-form");
  if (form) {
    var input = document.getElementById("upload-file");
    var status = document.getElementById("upload-status");
    var drop = document.getElementById("upload-drop");
    var dropped = null;
    drop.hidden = false;
    ["dragenter", "dragover"].forEach(function (ev) {
      form.addEventListener(ev, function (e) { e.preventDefault(); form.classList.add("dragging"); });
    });
    ["dragleave", "drop"].forEach(function (ev) {
      form.addEventListener(ev, function (e) { e.preventDefault(); form.classList.remove("dragging"); });
    });
    form.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) {
        dropped = e.dataTransfer.files[0];
        input.required = false;
        status.textContent = "Ready: " + dropped.name + " (" + Math.round(dropped.size / 1024) + " KB). Choose Upload.";
      }
    });
    var series = form.querySelector("select[name=series]");
    var link = document.getElementById("template-link");
    if (series && link) {
      series.addEventListener("change", function () {
        if (series.value) { link.href = link.dataset.base + encodeURIComponent(series.value); }
      });
    }
    form.addEventListener("submit", function (e) {
      var file = dropped || (input.files && input.files[0]);
      if (!file) { return; }
      e.preventDefault();
      // Options first, then the file: the server reads them in order.
      var data = new FormData();
      form.querySelectorAll("select, input[type=text], input[type=checkbox]").forEach(function (el) {
        if (el.type === "checkbox") { if (el.checked) { data.append(el.name, el.value); } return; }
        data.append(el.name, el.value);
      });
      data.append("file", file, file.name);
      var xhr = new XMLHttpRequest();
      // The form's own address: it carries the base path and the token.
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRF-Token", form.dataset.csrf);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (ev) {
        if (ev.lengthComputable) { status.textContent = "Sending… " + Math.round(100 * ev.loaded / ev.total) + " %"; }
      });
      xhr.addEventListener("load", function () {
        if (xhr.status === 201) {
          window.location.assign(JSON.parse(xhr.responseText).url);
          return;
        }
        var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var h1 = doc.querySelector("h1");
        status.textContent = "Not uploaded: " + (h1 ? h1.textContent : xhr.status);
      });
      xhr.addEventListener("error", function () { status.textContent = "Not uploaded: the connection failed."; });
      status.textContent = "Sending…";
      xhr.send(data);
    });
  }

  // Progress of a file being read: poll, then show the preview.
  var box = document.getElementById("upload-progress");
  if (box) {
    var bar = document.getElementById("progress-bar");
    var text = document.getElementById("progress-text");
    var phase = document.getElementById("progress-phase");
    var poll = function () {
      fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (p) {
          if (p.phase === "done") { window.location.reload(); return; }
          phase.textContent = { queued: "Waiting for the uploads before it…", applying: "Applying…" }[p.phase] || "Reading the file…";
          if (p.total > 0) { bar.max = p.total; bar.value = Math.min(p.rows, p.total); }
          var s = p.rows.toLocaleString("en") + " rows read";
          if (p.rate > 0) { s += ", " + Math.round(p.rate).toLocaleString("en") + " rows/s"; }
          if (p.eta > 0) { s += ", about " + Math.ceil(p.eta) + " s left"; }
          text.textContent = s + ".";
          window.setTimeout(poll, 500);
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    };
    poll();
  }
})();
