/* pcndocs: the little the form needs beyond htmx. No inline code: the page's CSP forbids it.
 * After a live check replaces the messages, mark each field invalid or valid to match its
 * message, so screen readers announce it with the field (aria-describedby names the message). */
(function () {
  "use strict";
  function markFields(root) {
    root.querySelectorAll(".msg").forEach(function (message) {
      var field = document.getElementById(message.id.replace(/^msg-/, ""));
      if (!field || !field.matches("input, select, textarea")) {
        return;
      }
      if (message.querySelector(".error")) {
        field.setAttribute("aria-invalid", "true");
      } else {
        field.removeAttribute("aria-invalid");
      }
    });
  }
  document.addEventListener("htmx:afterSettle", function () {
    markFields(document);
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    markFields(document);
  });
  /* Without htmx's JavaScript the plain "Check the profile" button stays; with it, hide it. */
  document.documentElement.classList.add("js");
})();
