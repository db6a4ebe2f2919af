/* Small page behaviours as data attributes, since the Content-Security-Policy runs no
   inline script or on* attribute: data-print prints the page, data-autosubmit submits
   its form when the value changes. */
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var target = e.target.closest && e.target.closest("[data-print]");
    if (target) window.print();
  });
  document.addEventListener("change", function (e) {
    if (e.target.hasAttribute && e.target.hasAttribute("data-autosubmit") && e.target.form) {
      e.target.form.submit();
    }
  });
})();
