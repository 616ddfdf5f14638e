/* The plan report page: after a failed import, move the keyboard and screen reader to its errors. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("import-errors");
    if (box) {
      box.focus({ preventScroll: true });
    }
  });
})();
