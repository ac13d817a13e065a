// Drag and drop onto the upload box (the file picker works without this script).
(function () {
  var drop = document.getElementById("drop");
  var input = document.getElementById("file");
  var chosen = document.getElementById("chosen");
  if (!drop || !input) { return; }
  function show() {
    if (chosen && input.files && input.files.length) {
      chosen.hidden = false;
      chosen.querySelector("span").textContent = input.files[0].name;
    }
  }
  input.addEventListener("change", show);
  ["dragenter", "dragover"].forEach(function (ev) {
    drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (ev) {
    drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) {
    if (e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      show();
    }
  });
  // one post per click: a second click while the first is sent does nothing
  var form = document.getElementById("upload");
  if (form) {
    form.addEventListener("submit", function () {
      setTimeout(function () {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  }
})();
