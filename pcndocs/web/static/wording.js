/* pcndocs: the house wording page. The field list inserts a {field} where the caret is in the
 * clause's text (the list is for reading without JavaScript), and the preview follows (htmx,
 * on the text's input event). body[data-previewed] counts the previews answered, for tests
 * and for anyone who wants to know the preview is of the text as typed. No inline code: the
 * page's CSP forbids it. */
(function () {
  "use strict";
  var text = document.getElementById("clause-text");
  var choice = document.getElementById("field-choice");
  var button = document.getElementById("insert-field");
  if (text && choice && button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = "{" + choice.value + "}";
      text.setRangeText(field, text.selectionStart, text.selectionEnd, "end");
      text.focus();
      text.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }
  /* The clause being edited is scrolled into view in the list, which scrolls on its own. */
  var list = document.querySelector(".clause-list");
  var current = list && list.querySelector("[aria-current]");
  if (current) {
    list.scrollTop += current.getBoundingClientRect().top - list.getBoundingClientRect().top - 48;
  }
  /* The preview shows the clause being edited: its frame is scrolled to it once loaded (and
   * again when a new preview is swapped in), the page around it left where it is. */
  document.addEventListener("load", function (event) {
    var frame = event.target;
    if (!frame || frame.id !== "wording-frame" || !frame.contentDocument) {
      return;
    }
    var chosen = frame.contentDocument.getElementById("chosen-clause");
    if (chosen) {
      var view = frame.contentWindow;
      view.scrollTo(0, Math.max(0, chosen.getBoundingClientRect().top + view.scrollY - 48));
    }
  }, true);
  var answered = 0;
  document.addEventListener("htmx:afterRequest", function (event) {
    var box = event.detail.elt;
    if (box && box.tagName === "TEXTAREA" && box.closest("#editor")) {  /* its text, or an added clause's */
      answered += 1;
      document.body.dataset.previewed = String(answered);
    }
  });
})();
