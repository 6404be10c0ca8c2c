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
  /* A workstream drop-down shows its "local workstream" keys only when that is chosen. */
  function showLocal(select) {
    var keys = document.getElementById(select.getAttribute("aria-controls"));
    if (keys) {
      keys.hidden = select.value !== select.dataset.local;
    }
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-local]")) {
      showLocal(event.target);
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    markFields(document);
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    markFields(document);
  });
  /* A live check replaces the options of the drop-downs that follow the practices and the
   * leads; keep what the user chose meanwhile (the check was asked before the choice). */
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.tagName === "SELECT") {
      target.dataset.kept = target.value;
    }
  });
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.tagName === "SELECT" && target.dataset.kept !== undefined) {
      var kept = target.dataset.kept;
      delete target.dataset.kept;
      if (Array.prototype.some.call(target.options, function (o) { return o.value === kept; })) {
        target.value = kept;
      }
    }
  });
  /* Only this page may change anything (guard.py): every request htmx sends carries the
   * page's token in a header, and every form posted the ordinary way (a download) carries it
   * as its first field, forms drawn later (by htmx, or added to a page) included. */
  var tokenMeta = document.querySelector('meta[name="pcndocs-token"]');
  var token = tokenMeta ? tokenMeta.getAttribute("content") : "";
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-Pcndocs-Token"] = token;
  });
  function tokenFields(root) {
    root.querySelectorAll("form").forEach(function (form) {
      if ((form.getAttribute("method") || "").toLowerCase() !== "post") {
        return;
      }
      var first = form.querySelector('input[name="_csrf"]');
      if (first && first === form.elements[0]) {
        return;
      }
      if (first) {
        first.remove();
      }
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "_csrf";
      input.value = token;
      form.insertBefore(input, form.firstChild);
    });
  }
  tokenFields(document);
  document.addEventListener("htmx:load", function (event) {
    tokenFields(event.target.ownerDocument || document);
  });
  /* Without htmx's JavaScript the plain "Check the profile" button stays; with it, hide it. */
  document.documentElement.classList.add("js");
})();
