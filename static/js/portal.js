// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // Move focus to the error summary so that screen-reader and keyboard users hear the errors first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
})();
