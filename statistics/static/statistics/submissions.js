/* Statistics uploads: upload progress for large files, then polling of the import status.
   Without JavaScript the form posts normally and the status page reloads itself (noscript meta). */
(function () {
  "use strict";

  var form = document.querySelector("[data-upload-form]");
  if (form && window.XMLHttpRequest && window.FormData) {
    form.addEventListener("submit", function (event) {
      var fileInput = form.querySelector("input[type=file]");
      if (!fileInput || !fileInput.files.length || fileInput.files[0].size < 1048576) {
        return; // small files: an ordinary post
      }
      event.preventDefault();
      var box = form.querySelector("[data-upload-progress]");
      var bar = box.querySelector("progress");
      box.hidden = false;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((e.loaded / e.total) * 100);
        }
      });
      xhr.addEventListener("load", function () {
        if (xhr.responseURL && xhr.responseURL !== window.location.href) {
          window.location.assign(xhr.responseURL);
        } else {
          document.open();
          document.write(xhr.responseText);
          document.close();
        }
      });
      xhr.addEventListener("error", function () {
        form.submit();
      });
      xhr.send(new FormData(form));
    });
  }

  var status = document.querySelector("[data-status-url]");
  if (status) {
    var url = status.getAttribute("data-status-url");
    var progress = status.querySelector("progress");
    var poll = function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (data.finished) {
            window.location.reload();
            return;
          }
          progress.value = data.progress;
          progress.textContent = data.progress + " %";
          window.setTimeout(poll, 1500);
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 1000);
  }
})();
